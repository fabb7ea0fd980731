//! End to end: `pli reprint` composes spoiled pieces again, exactly as they were, from
//! the original run's folder alone.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use lopdf::{Document, Object};

/// Runs `pli` from `dir` instead of the project's folder.
fn pli_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pli"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run pli")
}

/// The raw content stream bytes of each page of a file, by page number: the page's
/// own, without the inserter marks' overlay (the last stream of a page that has one,
/// shared by the file's pages and drawn for each run's sequence).
fn page_streams(doc: &Document) -> HashMap<u32, Vec<Vec<u8>>> {
    doc.get_pages()
        .into_iter()
        .map(|(n, id)| {
            let page = doc.get_dictionary(id).unwrap();
            let refs = match page.get(b"Contents").unwrap() {
                Object::Reference(r) => vec![*r],
                Object::Array(a) => a.iter().map(|o| o.as_reference().unwrap()).collect(),
                other => panic!("contents {other:?}"),
            };
            let streams = refs
                .iter()
                .map(|r| doc.get_object(*r).unwrap().as_stream().unwrap())
                .filter(|s| !s.content.starts_with(b"q\n0 0 0 1 k\n"))
                .map(|s| s.content.clone())
                .collect();
            (n, streams)
        })
        .collect()
}

/// The first page of the document part of piece `id`, from its metadata.
fn part_start(doc: &Document, id: &str) -> u32 {
    let pages: HashMap<lopdf::ObjectId, u32> = doc.get_pages().into_iter().map(|(n, p)| (p, n)).collect();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        let Ok(dpm) = d.get(b"DPM").and_then(|o| o.as_dict()) else {
            continue;
        };
        if dpm.get(b"PieceID").unwrap().as_str().unwrap() == id.as_bytes() {
            return pages[&d.get(b"Start").unwrap().as_reference().unwrap()];
        }
    }
    panic!("no document part for {id}");
}

/// The pages of a piece as the manifest places it: file, first page, count.
fn piece_pages(
    dir: &std::path::Path,
    docs: &mut HashMap<String, Document>,
    file: &str,
    first: u32,
    count: u32,
) -> Vec<Vec<Vec<u8>>> {
    let doc = docs
        .entry(file.to_owned())
        .or_insert_with(|| Document::load(dir.join(file)).unwrap());
    let streams = page_streams(doc);
    (first..first + count).map(|p| streams[&p].clone()).collect()
}

#[test]
fn spoiled_pieces_are_reprinted_with_the_same_page_content() {
    let tmp = TempDir::new("reprint");
    // The letter with OMR marks, which the writer draws for each run's own sequence.
    let letter = letter_with(&tmp, "letter", "[production.omr]\nx = 5\ny = 100");
    let compose = pli(&[
        "compose",
        &letter,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--household-docs",
        "layouts/catalogue.toml",
        "--presort",
        "presort/laposte-industriel.toml",
    ]);
    assert!(compose.status.success(), "{}", describe(&compose));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let composed: Vec<&Vec<String>> = manifest[1..].iter().filter(|r| r[2] == "composed").collect();
    // Pieces from several trays, one that carries its household's catalogue, asked for by
    // the catalogue's id, and one from an outsort log.
    let last = composed.iter().max_by_key(|r| r[4].clone()).unwrap();
    let first = composed.iter().find(|r| r[4] == "P0000001").unwrap();
    let with_doc = composed
        .iter()
        .find(|r| !r[10].is_empty() && r[4] != first[4] && r[4] != last[4])
        .unwrap();
    std::fs::write(tmp.path("outsort.log"), format!("# divert bin 2\n{}\n", last[4])).unwrap();
    // The job ran from the project's folder with relative paths; the reprint runs from
    // another folder: job.json holds absolute paths, and nothing changes folder.
    let elsewhere = tmp.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let reprint = pli_in(
        &elsewhere,
        &[
            "reprint",
            &tmp.arg("out"),
            "--pieces",
            &format!("{},{}", first[4], with_doc[10]),
            "--pieces-file",
            &tmp.arg("outsort.log"),
            "-o",
            &tmp.arg("again"),
        ],
    );
    assert_eq!(reprint.status.code(), Some(0), "{}", describe(&reprint));
    let letters = stream_files(&tmp.path("again"), "reprint-letter");
    assert_eq!(letters.len(), 1, "one reprint file");
    let docs_files = stream_files(&tmp.path("again"), "reprint-catalogue");
    assert_eq!(docs_files.len(), 1, "the catalogue comes with its letter");
    let control = read_csv(&tmp.path("again/inserter.csv"));

    let mut originals = HashMap::new();
    let mut reprints = HashMap::new();
    let wanted = [first, with_doc, last];
    for row in wanted {
        let sheet = control
            .iter()
            .find(|c| c[3] == row[4])
            .unwrap_or_else(|| panic!("{} in the reprint's control file", row[4]));
        assert_eq!(sheet[4], row[0], "the same record");
        let count: u32 = row[7].parse().unwrap();
        let before = piece_pages(
            &tmp.path("out"),
            &mut originals,
            &row[5],
            row[6].parse().unwrap(),
            count,
        );
        let after = piece_pages(
            &tmp.path("again"),
            &mut reprints,
            &sheet[1],
            sheet[2].parse().unwrap(),
            count,
        );
        assert!(before == after, "page content of {} is byte-identical", row[4]);
    }
    // The household document too.
    let doc_before = piece_pages(
        &tmp.path("out"),
        &mut originals,
        &with_doc[11],
        with_doc[12].parse().unwrap(),
        with_doc[13].parse().unwrap(),
    );
    let doc_name = docs_files[0].file_name().unwrap().to_str().unwrap().to_owned();
    let at = part_start(&Document::load(&docs_files[0]).unwrap(), &with_doc[10]);
    let doc_after = piece_pages(
        &tmp.path("again"),
        &mut reprints,
        &doc_name,
        at,
        with_doc[13].parse().unwrap(),
    );
    assert!(doc_before == doc_after, "the catalogue is byte-identical");
    let reprint_pages: u32 = wanted.iter().map(|r| r[7].parse::<u32>().unwrap()).sum();
    let doc = Document::load(&letters[0]).unwrap();
    assert_eq!(doc.get_pages().len() as u32, reprint_pages, "only those pieces");
    if have("qpdf") {
        for f in letters.iter().chain(&docs_files) {
            run_tool("qpdf", &["--check", f.to_str().unwrap()]);
        }
    }
}

#[test]
fn a_reprint_refuses_unknown_pieces_and_changed_data() {
    let tmp = TempDir::new("reprint-refused");
    let contacts = sample_contacts(29);
    std::fs::write(tmp.path("contacts.csv"), &contacts).unwrap();
    let compose = pli(&["compose", LETTER, &tmp.arg("contacts.csv"), "-o", &tmp.arg("out")]);
    assert!(compose.status.success(), "{}", describe(&compose));
    let again = |pieces: &str, out: &str| {
        pli(&[
            "reprint",
            &tmp.arg("out"),
            "--pieces",
            pieces,
            "-o",
            &tmp.arg(out),
        ])
    };
    let out = again("P0000999", "a");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not composed in"));

    // The job ran without --date: the reprint uses the date it composed with, so the
    // same pieces come out even on another day. Its paths are absolute.
    let job: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("out/job.json")).unwrap()).unwrap();
    assert_eq!(job["format"], 1, "{job}");
    let date = job["compose"]["date"].as_str().unwrap();
    assert!(pli::job::Date::parse(date).is_ok(), "{job}");
    let layout = job["compose"]["layout"].as_str().unwrap();
    assert_eq!(std::path::Path::new(layout), root().join(LETTER), "{job}");

    // The data changed: two contacts near the end swapped places. The piece asked for
    // before them is fine, the one after is not: nothing at all is written.
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let piece_at = |line: usize| manifest[line][4].clone();
    assert!(
        !piece_at(5).is_empty() && !piece_at(20).is_empty(),
        "{manifest:?}"
    );
    let mut lines: Vec<&str> = contacts.lines().collect();
    lines.swap(20, 21);
    std::fs::write(tmp.path("contacts.csv"), lines.join("\n") + "\n").unwrap();
    let out = again(&format!("{},{}", piece_at(5), piece_at(20)), "b");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("piece {} was record", piece_at(20))),
        "{err}"
    );
    assert!(stream_files(&tmp.path("b"), "reprint-letter").is_empty());
    assert!(!tmp.path("b/inserter.csv").exists(), "no control file either");
}

#[test]
fn a_library_caller_composes_and_reprints_without_the_binary() {
    use pli::data::SourceOptions;
    use pli::job::{run_compose, run_reprint, ComposeOptions, Date, PrepOptions, ReprintOptions};

    let tmp = TempDir::new("reprint-lib");
    let opts = ComposeOptions {
        layout: root().join(LETTER),
        data: root().join("samples/contacts.csv"),
        source: SourceOptions::default(),
        map: None,
        out_dir: tmp.path("out"),
        date: Date::parse("2026-11-28").unwrap(),
        strict: false,
        max_rejects: None,
        max_pages: 10_000,
        max_sheets: None,
        job: None,
        allow_missing_glyphs: false,
        prep: PrepOptions::default(),
        presort: None,
        household_docs: None,
        products: None,
        reprint: None,
        pdfx4: false,
        production: None,
    };
    let composed = run_compose(&opts).unwrap();
    assert!(composed.counts.composed > 2, "{:?}", composed.counts);
    // The library wrote the job file, which gives the options back as they were.
    let recorded = pli::job::JobFile::read(&opts.out_dir).unwrap();
    assert_eq!(recorded.compose, opts);

    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let row = manifest[1..]
        .iter()
        .find(|r| r[2] == "composed" && r[4] != "P0000001")
        .unwrap();
    let again = run_reprint(&ReprintOptions {
        job_dir: tmp.path("out"),
        pieces: vec![row[4].clone()],
        data: None,
        out_dir: tmp.path("again"),
    })
    .unwrap();
    assert_eq!((again.counts.composed, again.files.len()), (1, 1));
    let count: u32 = row[7].parse().unwrap();
    let (mut originals, mut reprints) = (HashMap::new(), HashMap::new());
    let before = piece_pages(
        &tmp.path("out"),
        &mut originals,
        &row[5],
        row[6].parse().unwrap(),
        count,
    );
    let after = piece_pages(&tmp.path("again"), &mut reprints, &again.files[0].name, 1, count);
    assert!(before == after, "page content of {} is byte-identical", row[4]);
}
