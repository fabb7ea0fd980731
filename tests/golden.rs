//! Golden pages: pages of fixed records rendered to PNG by poppler and compared
//! with the committed references within a small tolerance. `UPDATE_GOLDEN=1`
//! rewrites the references (look at them before committing them).

mod common;

use common::*;

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

/// Proofs `record` with `layout`, renders page `page` and compares it with `reference`.
fn page_matches_reference(layout: &str, record: &str, page: u32, reference: &str) {
    let tmp = TempDir::new("golden");
    let out = pli(&[
        "proof",
        layout,
        "samples/contacts.csv",
        "--record",
        record,
        "-o",
        &tmp.arg("p.pdf"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let page = page.to_string();
    run_tool(
        "pdftoppm",
        &[
            "-r",
            DPI,
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
            &tmp.arg("p.pdf"),
            &tmp.arg("page"),
        ],
    );
    let rendered = tmp.path("page.png");
    let path = root().join(reference);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") || !path.exists() {
        std::fs::copy(&rendered, &path).unwrap();
        eprintln!("golden reference written to {}", path.display());
        if std::env::var("UPDATE_GOLDEN").as_deref() != Ok("1") {
            panic!("no golden reference existed; one was written: check it and commit it");
        }
        return;
    }
    let (w, h, got) = decode(&rendered);
    let (rw, rh, want) = decode(&path);
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
        "page {page} differs from {reference}: {:.3}% of pixels, mean difference {mean:.2}; if the change is intended, run with UPDATE_GOLDEN=1 and look at the new reference",
        share * 100.0
    );
}

#[test]
fn page_one_of_a_fixed_record_matches_the_reference() {
    if have("pdftoppm") {
        page_matches_reference(LETTER, "C000001", 1, "tests/golden/letter-C000001-p1.png");
    }
}

#[test]
fn the_cover_and_an_inner_page_of_a_fixed_catalogue_match_the_references() {
    if have("pdftoppm") {
        let layout = "layouts/catalogue.toml";
        page_matches_reference(layout, "C000002", 1, "tests/golden/catalogue-C000002-p1.png");
        page_matches_reference(layout, "C000002", 2, "tests/golden/catalogue-C000002-p2.png");
    }
}
