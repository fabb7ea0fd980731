//! Golden page: page 1 of a fixed record rendered to PNG by poppler and compared
//! with the committed reference within a small tolerance. `UPDATE_GOLDEN=1`
//! rewrites the reference (look at it before committing it).

mod common;

use common::*;

const REFERENCE: &str = "tests/golden/letter-C000001-p1.png";
/// Rendering resolution: enough to see a line move, small enough to commit.
const DPI: &str = "50";

fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let gray = buf.chunks(channels).map(|p| p[0]).collect();
    (info.width, info.height, gray)
}

#[test]
fn page_one_of_a_fixed_record_matches_the_reference() {
    if !have("pdftoppm") {
        return;
    }
    let tmp = TempDir::new("golden");
    let out = pli(&[
        "proof",
        LETTER,
        "samples/contacts.csv",
        "--record",
        "C000001",
        "-o",
        &tmp.arg("p.pdf"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    run_tool(
        "pdftoppm",
        &[
            "-r",
            DPI,
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            &tmp.arg("p.pdf"),
            &tmp.arg("page"),
        ],
    );
    let rendered = tmp.path("page.png");
    let reference = root().join(REFERENCE);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") || !reference.exists() {
        std::fs::copy(&rendered, &reference).unwrap();
        eprintln!("golden reference written to {}", reference.display());
        if std::env::var("UPDATE_GOLDEN").as_deref() != Ok("1") {
            panic!("no golden reference existed; one was written: check it and commit it");
        }
        return;
    }
    let (w, h, got) = decode(&rendered);
    let (rw, rh, want) = decode(&reference);
    assert_eq!((w, h), (rw, rh), "page size changed");
    let differing = got
        .iter()
        .zip(&want)
        .filter(|(a, b)| a.abs_diff(**b) > 48)
        .count();
    let mean: f64 = got
        .iter()
        .zip(&want)
        .map(|(a, b)| a.abs_diff(*b) as f64)
        .sum::<f64>()
        / got.len() as f64;
    let share = differing as f64 / got.len() as f64;
    assert!(
        share < 0.002 && mean < 1.0,
        "page 1 differs from {REFERENCE}: {:.3}% of pixels, mean difference {mean:.2}; if the change is intended, run with UPDATE_GOLDEN=1 and look at the new reference",
        share * 100.0
    );
}
