//! End to end: contact files as they come from real systems (`tests/fixtures/`, written by
//! `tests/fixtures/make_fixtures.py`): encodings, delimiters, quoted line breaks, ragged rows,
//! workbooks, JSON Lines, standard input, field mappings, reject limits and hostile values.
//! Every test reads the job's accounts back: `manifest.csv` row by row and `report.json`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use serde_json::Value;

const DATE: &str = "2026-11-28";

/// A fixture's path, relative to the project root where `pli` runs.
fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// `pli compose LETTER data -o <tmp>/out --date DATE` with extra arguments; the output folder.
fn compose(tmp: &TempDir, data: &str, extra: &[&str]) -> (Output, PathBuf) {
    let out_dir = tmp.arg("out");
    let mut args = vec!["compose", LETTER, data, "-o", &out_dir, "--date", DATE];
    args.extend_from_slice(extra);
    (pli(&args), tmp.path("out"))
}

/// Runs `pli` from the project root with `input` piped into its standard input.
fn pli_stdin(args: &[&str], input: Vec<u8>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pli"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pli");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait for pli");
    feeder.join().unwrap().expect("write pli's stdin");
    out
}

/// What the manifest should say of one record: its id, its physical line, its status and
/// the start of its reason (empty: no reason at all).
type Expect<'a> = (&'a str, u64, &'a str, &'a str);

/// Checks `manifest.csv` row by row, in input order; returns its rows (header first).
fn check_manifest(dir: &Path, expected: &[Expect]) -> Vec<Vec<String>> {
    let m = read_csv(&dir.join("manifest.csv"));
    assert_eq!(
        m[0],
        [
            "record_id",
            "line",
            "status",
            "reason",
            "piece_id",
            "file",
            "first_page",
            "pages",
            "channels",
            "household",
            "household_doc",
            "household_doc_file",
            "household_doc_first_page",
            "household_doc_pages",
            "sheets",
            "tray",
            "bundle"
        ]
    );
    let got: Vec<_> = m[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        m.len() - 1,
        expected.len(),
        "one manifest row per input record: {got:#?}"
    );
    for (row, &(id, line, status, reason)) in m[1..].iter().zip(expected) {
        let what = format!("{row:?}, expected {id} line {line} {status} `{reason}…`");
        assert_eq!(row[0], id, "record id: {what}");
        assert_eq!(row[1], line.to_string(), "physical line: {what}");
        assert_eq!(row[2], status, "status: {what}");
        if reason.is_empty() {
            assert_eq!(row[3], "", "no reason: {what}");
        } else {
            assert!(row[3].starts_with(reason), "reason: {what}");
        }
        if status == "composed" {
            assert!(row[4].starts_with('P') && row[5].ends_with(".pdf"), "{what}");
            assert!(
                row[6].parse::<u32>().unwrap() >= 1 && row[7].parse::<u32>().unwrap() >= 1,
                "{what}"
            );
        } else {
            assert!(row[4..].iter().all(String::is_empty), "no piece: {what}");
        }
    }
    m
}

/// Checks `report.json`: counts that match the expectations and add up, pages that match the
/// manifest, and exactly these reason codes; returns the report.
fn check_report(dir: &Path, expected: &[Expect], reasons: &[(&str, u64)]) -> Value {
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let c = &report["counts"];
    let n = |k: &str| {
        c[k].as_u64()
            .unwrap_or_else(|| panic!("counts.{k} in {report:#}"))
    };
    let count = |s: &str| expected.iter().filter(|e| e.2 == s).count() as u64;
    assert_eq!(n("records"), expected.len() as u64, "{c:#}");
    assert_eq!(n("composed"), count("composed"), "{c:#}");
    assert_eq!(n("suppressed"), count("suppressed"), "{c:#}");
    assert_eq!(n("rejected"), count("rejected"), "{c:#}");
    assert_eq!(
        n("composed") + n("suppressed") + n("rejected"),
        n("records"),
        "the counts add up: {c:#}"
    );
    let got: Vec<(String, u64)> = c["reasons"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    let mut want: Vec<(String, u64)> = reasons.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    want.sort();
    assert_eq!(got, want, "reason codes");
    assert_eq!(
        got.iter().map(|r| r.1).sum::<u64>(),
        n("suppressed") + n("rejected"),
        "every suppressed or rejected record has one reason"
    );
    let m = read_csv(&dir.join("manifest.csv"));
    let pages: u64 = m[1..]
        .iter()
        .filter(|r| r[2] == "composed")
        .map(|r| r[7].parse::<u64>().unwrap())
        .sum();
    assert_eq!(n("pages"), pages, "pages in the report and the manifest");
    report
}

/// The text of the job's PDF, whitespace collapsed; `None` when pdftotext is not installed.
fn pdf_text(dir: &Path) -> Option<String> {
    if !have("pdftotext") {
        return None;
    }
    let text = run_tool("pdftotext", &[first_file(dir, "letter").to_str().unwrap(), "-"]);
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Asserts that the PDF text holds each of `wanted` (skipped without pdftotext).
fn assert_pdf_has(dir: &Path, wanted: &[&str]) {
    if let Some(text) = pdf_text(dir) {
        for w in wanted {
            assert!(text.contains(w), "`{w}` not in the PDF text:\n{text}");
        }
    }
}

/// Asserts that a stopped job left no PDF, manifest or report in its output folder.
fn assert_nothing_left(dir: &Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".pdf") || n == "manifest.csv" || n == "report.json"),
        "a stopped job leaves no output: {names:?}"
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const WIN1252: [Expect; 8] = [
    ("W01", 2, "composed", ""),
    ("W02", 3, "composed", ""),
    ("W03", 4, "composed", ""),
    ("W04", 5, "rejected", "missing_field:postcode: "),
    ("W05", 6, "suppressed", "suppressed:no_channel"),
    ("W06", 7, "composed", ""),
    ("W07", 8, "composed", ""),
    ("W08", 9, "composed", ""),
];

#[test]
fn windows_1252_with_semicolons_and_crlf_is_detected() {
    let tmp = TempDir::new("win1252");
    let (out, dir) = compose(&tmp, &fixture("win1252-semicolon-crlf.csv"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    check_manifest(&dir, &WIN1252);
    let report = check_report(
        &dir,
        &WIN1252,
        &[("missing_field:postcode", 1), ("suppressed:no_channel", 1)],
    );
    let s = &report["source"];
    assert_eq!(s["format"], "csv", "{s:#}");
    assert_eq!(s["encoding"], "windows-1252", "{s:#}");
    assert!(
        s["encoding_reason"].as_str().unwrap().contains("not UTF-8"),
        "{s:#}"
    );
    assert_eq!(s["delimiter"], ";", "{s:#}");
    assert!(
        s["notes"].to_string().contains("transcoded from windows-1252"),
        "{s:#}"
    );
    assert_pdf_has(
        &dir,
        &[
            "Mme Zoé Lefèvre",
            "M. François Garçon",
            "Mme Hélène Cœur",
            "Nîmes, le 28 novembre 2026",
            "Mme Anaïs Pâris",
            "94240 L HAY LES ROSES",
            "M. Benoît Lemaître",
        ],
    );
    assert!(
        !stderr(&out).contains("Bréchignac"),
        "no names in the job's output"
    );
}

#[test]
fn encoding_and_delimiter_overrides_are_obeyed() {
    let tmp = TempDir::new("overrides");
    let data = fixture("win1252-semicolon-crlf.csv");
    let (out, dir) = compose(&tmp, &data, &["--encoding", "windows-1252", "--delimiter", ";"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    check_manifest(&dir, &WIN1252);
    let report = check_report(
        &dir,
        &WIN1252,
        &[("missing_field:postcode", 1), ("suppressed:no_channel", 1)],
    );
    let s = &report["source"];
    assert_eq!(s["encoding"], "windows-1252", "{s:#}");
    assert_eq!(s["encoding_reason"], "given with --encoding", "{s:#}");
    assert_eq!(s["delimiter"], ";", "{s:#}");
    assert_eq!(s["delimiter_reason"], "given with --delimiter", "{s:#}");
    assert_pdf_has(&dir, &["Mme Zoé Lefèvre"]);

    // Told it is UTF-8, every record (each has an accent) is rejected for its bytes.
    let tmp = TempDir::new("overrides-utf8");
    let (out, dir) = compose(&tmp, &data, &["--encoding", "utf-8"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = read_csv(&dir.join("manifest.csv"));
    assert_eq!(m.len(), 9);
    for row in &m[1..] {
        assert_eq!(row[2], "rejected", "{row:?}");
        assert!(row[3].starts_with("invalid_utf8"), "{row:?}");
    }
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["source"]["encoding"], "UTF-8");
    assert_eq!(report["counts"]["rejected"], 8);

    // Told the delimiter is a comma, the header is one column: the job cannot run.
    let tmp = TempDir::new("overrides-comma");
    let (out, dir) = compose(&tmp, &data, &["--delimiter", ","]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("no column `vehicle`"), "{}", describe(&out));
    assert_nothing_left(&dir);
}

#[test]
fn utf8_with_a_byte_order_mark() {
    let tmp = TempDir::new("bom");
    let (out, dir) = compose(&tmp, &fixture("utf8-bom.csv"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // The ids come from the `id` column, so the BOM before it was not taken as part of its name.
    let expected = [
        ("B01", 2, "composed", ""),
        ("B02", 3, "composed", ""),
        ("B03", 4, "composed", ""),
        ("B04", 5, "composed", ""),
        ("B05", 6, "composed", ""),
    ];
    check_manifest(&dir, &expected);
    let report = check_report(&dir, &expected, &[]);
    let s = &report["source"];
    assert_eq!(s["encoding"], "UTF-8", "{s:#}");
    assert!(
        s["encoding_reason"].as_str().unwrap().contains("byte-order mark"),
        "{s:#}"
    );
    assert_eq!(s["delimiter"], ",", "{s:#}");
    assert_pdf_has(
        &dir,
        &["M. Benoît Château", "Garage Martin, Fils & Cie", "M. Éric Würtz"],
    );
}

#[test]
fn utf16le_tab_separated_unicode_text() {
    let tmp = TempDir::new("utf16");
    let (out, dir) = compose(&tmp, &fixture("utf16le-tab.txt"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let expected = [
        ("E01", 2, "composed", ""),
        ("E02", 3, "composed", ""),
        ("E03", 4, "suppressed", "suppressed:no_channel"),
        (
            "E04",
            5,
            "rejected",
            "invalid_field:postcode: `1000` is not a French postcode",
        ),
        ("E05", 6, "composed", ""),
        ("E06", 7, "composed", ""),
    ];
    check_manifest(&dir, &expected);
    let report = check_report(
        &dir,
        &expected,
        &[("invalid_field:postcode", 1), ("suppressed:no_channel", 1)],
    );
    let s = &report["source"];
    assert_eq!(s["format"], "csv", "{s:#}");
    assert_eq!(s["encoding"], "UTF-16LE", "{s:#}");
    assert_eq!(s["delimiter"], "tab", "{s:#}");
    assert_pdf_has(
        &dir,
        &["Mme Gaëlle Pérès", "M. Théo Lefèbvre", "Mme Béatrice Fauré"],
    );
}

#[test]
fn quoted_fields_span_lines_and_rejections_give_the_physical_line() {
    let tmp = TempDir::new("multiline");
    let (out, dir) = compose(&tmp, &fixture("multiline-quoted.csv"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let expected = [
        ("M01", 2, "composed", ""),
        ("M02", 3, "composed", ""),
        // The third record, on the seventh line: M02 spans lines 3 to 6.
        ("M03", 7, "rejected", "missing_field:vehicle: "),
        ("M04", 8, "composed", ""),
        ("M05", 10, "rejected", "missing_field:postcode: "),
        ("M06", 11, "composed", ""),
    ];
    check_manifest(&dir, &expected);
    let report = check_report(
        &dir,
        &expected,
        &[("missing_field:postcode", 1), ("missing_field:vehicle", 1)],
    );
    assert_eq!(report["source"]["delimiter"], ",");
    assert_pdf_has(
        &dir,
        &[
            "Mme Jeanne Dupré",
            "Garage Martin, Fils & Cie",
            "conseiller \"Paul\" vous attend",
            "M. Jean-François Marchand",
            "Résidence Les Tilleuls Bâtiment B",
            "\"entre guillemets\"",
            "5 place Bellecour",
            "Garage \"Le Lion\"",
        ],
    );
}

const RAGGED: [Expect; 7] = [
    ("R01", 2, "composed", ""),
    // Rows that cannot be used keep the id their id column gives, if any.
    ("R02", 3, "rejected", "ragged_row: expected 11 fields, found 9"),
    ("R03", 4, "composed", ""),
    // Line 5 is empty: not a record.
    ("R04", 6, "rejected", "ragged_row: expected 11 fields, found 13"),
    // A row of delimiters only has no id: it is named by its line.
    ("7", 7, "rejected", "empty_record"),
    ("R05", 8, "rejected", "invalid_utf8"),
    ("R06", 9, "composed", ""),
];

#[test]
fn ragged_rows_empty_lines_and_a_bad_byte_are_rejected_one_by_one() {
    let tmp = TempDir::new("ragged");
    let data = fixture("ragged.csv");
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = check_manifest(&dir, &RAGGED);
    let report = check_report(
        &dir,
        &RAGGED,
        &[("empty_record", 1), ("invalid_utf8:city", 1), ("ragged_row", 2)],
    );
    // The bad byte is named by field and offset, and the offset is right.
    let reason = &m[6][3];
    assert!(reason.starts_with("invalid_utf8:city:"), "{reason}");
    let byte: usize = reason
        .split("at byte ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect(reason);
    assert_eq!(std::fs::read(root().join(&data)).unwrap()[byte], 0xE9, "{reason}");
    let s = &report["source"];
    assert_eq!(
        s["encoding"], "UTF-8",
        "one bad byte does not make the file Windows-1252: {s:#}"
    );
    assert_eq!(s["delimiter"], ",", "{s:#}");
    assert_pdf_has(
        &dir,
        &["Mme Zoé Lefèvre", "Mme Hélène Bérégovoy", "M. Benoît Lemaître"],
    );
    if let Some(text) = pdf_text(&dir) {
        assert!(!text.contains("Pérès"), "the rejected record is not printed");
    }
}

#[test]
fn max_rejects_and_strict_stop_the_job_and_leave_nothing() {
    let data = fixture("ragged.csv");
    let tmp = TempDir::new("max-rejects");
    let (out, dir) = compose(&tmp, &data, &["--max-rejects", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = stderr(&out);
    assert!(
        msg.contains("more than 1 records rejected") && msg.contains("line 6") && msg.contains("ragged_row"),
        "the second rejection, on line 6, goes over: {msg}"
    );
    assert_nothing_left(&dir);

    // Four rejections are within a limit of four.
    let tmp = TempDir::new("max-rejects-4");
    let (out, dir) = compose(&tmp, &data, &["--max-rejects", "4"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    check_manifest(&dir, &RAGGED);

    let tmp = TempDir::new("strict");
    let (out, dir) = compose(&tmp, &data, &["--strict"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = stderr(&out);
    assert!(
        msg.contains("--strict") && msg.contains("line 3") && msg.contains("ragged_row"),
        "{msg}"
    );
    assert!(!msg.contains("Bréchignac"), "no names in the job's output: {msg}");
    assert_nothing_left(&dir);
}

#[test]
fn a_workbook_sheet_is_chosen_by_name() {
    let data = fixture("contacts.xlsx");
    let expected = [
        ("X01", 2, "composed", ""),
        ("X02", 3, "composed", ""),
        (
            "X03",
            4,
            "rejected",
            "invalid_field:postcode: `1000` is not a French postcode",
        ),
        ("X04", 5, "suppressed", "suppressed:no_channel"),
        ("X05", 6, "composed", ""),
        ("X06", 7, "composed", ""),
    ];
    let tmp = TempDir::new("xlsx");
    let (out, dir) = compose(&tmp, &data, &["--sheet", "Clients"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    check_manifest(&dir, &expected);
    let report = check_report(
        &dir,
        &expected,
        &[("invalid_field:postcode", 1), ("suppressed:no_channel", 1)],
    );
    let s = &report["source"];
    assert_eq!(s["format"], "xlsx", "{s:#}");
    assert!(s.get("delimiter").is_none(), "{s:#}");
    let notes = s["notes"].to_string();
    assert!(notes.contains("sheet `Clients` of 2"), "{s:#}");
    assert!(
        notes.contains("1 cell(s) held an Excel error"),
        "the #N/A cell: {s:#}"
    );
    assert_pdf_has(
        &dir,
        &[
            "Mme Inès Lemaître",
            // A numeric postcode cell, printed without decimals.
            "69003 LYON",
            "M. Frédéric Noël",
            // A date cell in the message column.
            "2026-12-04",
            // The #N/A message is read as empty: the letter still composes.
            "Mme Clémence Faure",
            // A postcode stored as text keeps its leading zero.
            "06000 NICE",
        ],
    );

    // The first sheet is read by default: it has none of the letter's columns.
    let tmp = TempDir::new("xlsx-default");
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("no column `vehicle`"), "{}", describe(&out));
    assert_nothing_left(&dir);

    let tmp = TempDir::new("xlsx-wrong");
    let (out, dir) = compose(&tmp, &data, &["--sheet", "Client"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = stderr(&out);
    assert!(
        msg.contains("no sheet `Client`") && msg.contains("Notes, Clients"),
        "{msg}"
    );
    assert_nothing_left(&dir);
}

const JSONL: [Expect; 7] = [
    ("J01", 1, "composed", ""),
    ("J02", 2, "composed", ""),
    // Line 3 is blank: not a record.
    ("J03", 4, "suppressed", "suppressed:no_channel"),
    ("5", 5, "rejected", "invalid_record: invalid JSON"),
    (
        "6",
        6,
        "rejected",
        "invalid_record: a JSON object is expected on each line, found an array",
    ),
    ("J06", 7, "rejected", "missing_field:last_name: "),
    ("J07", 8, "composed", ""),
];

#[test]
fn json_lines_with_nested_values_blank_and_malformed_lines() {
    let tmp = TempDir::new("jsonl");
    let (out, dir) = compose(&tmp, &fixture("nested.jsonl"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    check_manifest(&dir, &JSONL);
    let report = check_report(
        &dir,
        &JSONL,
        &[
            ("invalid_record", 2),
            ("missing_field:last_name", 1),
            ("suppressed:no_channel", 1),
        ],
    );
    let s = &report["source"];
    assert_eq!(s["format"], "jsonl", "{s:#}");
    assert_eq!(s["encoding"], "UTF-8", "{s:#}");
    assert!(s.get("delimiter").is_none(), "{s:#}");
    assert_pdf_has(
        &dir,
        &[
            "Mme Inès Lemaître",
            // \u escapes decoded.
            "M. Noël Dubois",
            "Garage des Cèdres",
            // A numeric postcode.
            "69002 LYON",
            "Mme Béatrice Fauré",
        ],
    );
}

#[test]
fn french_headers_with_a_mapping_file() {
    let data = fixture("french-headers.csv");
    let tmp = TempDir::new("mapping");
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "without the mapping: {}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("no column `last_name`"),
        "{}",
        describe(&out)
    );
    assert_nothing_left(&dir);

    let check = pli(&["check", LETTER, &data, "--map", "samples/mapping-fr.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", describe(&check));

    let (out, dir) = compose(&tmp, &data, &["--map", "samples/mapping-fr.toml"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    // No id column: records are named by their line.
    let expected = [
        ("2", 2, "composed", ""),
        ("3", 3, "composed", ""),
        ("4", 4, "composed", ""),
        ("5", 5, "rejected", "missing_field:postcode: "),
        ("6", 6, "composed", ""),
    ];
    check_manifest(&dir, &expected);
    let report = check_report(&dir, &expected, &[("missing_field:postcode", 1)]);
    assert_eq!(report["source"]["delimiter"], ";");
    assert_pdf_has(
        &dir,
        &[
            "Mme Éloïse Véran",
            "M. Thibault Lacroix-Sénéchal",
            "Avignon, le 28 novembre 2026",
            "Chère Madame Kergoat",
            "63000 CLERMONT FERRAND",
        ],
    );
}

#[test]
fn a_mapping_to_a_missing_column_stops_the_job() {
    let tmp = TempDir::new("bad-mapping");
    let mapping = std::fs::read_to_string(root().join("samples/mapping-fr.toml"))
        .unwrap()
        .replace("\"Code postal\"", "\"CP\"");
    assert!(mapping.contains("postcode = \"CP\""));
    std::fs::write(tmp.path("map.toml"), mapping).unwrap();
    let (out, dir) = compose(
        &tmp,
        &fixture("french-headers.csv"),
        &["--map", &tmp.arg("map.toml")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = stderr(&out);
    assert!(msg.contains("`CP`") && msg.contains("`postcode`"), "{msg}");
    assert!(
        msg.contains("Code postal"),
        "the file's columns are listed: {msg}"
    );
    assert!(!dir.join("manifest.csv").exists(), "no manifest");
    assert_nothing_left(&dir);
}

#[test]
fn standard_input_is_read_as_csv_or_json_lines() {
    let tmp = TempDir::new("stdin");
    let out_dir = tmp.arg("out");
    let csv = std::fs::read(root().join(fixture("win1252-semicolon-crlf.csv"))).unwrap();
    let out = pli_stdin(&["compose", LETTER, "-", "-o", &out_dir, "--date", DATE], csv);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let dir = tmp.path("out");
    check_manifest(&dir, &WIN1252);
    let report = check_report(
        &dir,
        &WIN1252,
        &[("missing_field:postcode", 1), ("suppressed:no_channel", 1)],
    );
    assert_eq!(report["data"], "<stdin>");
    assert_eq!(report["source"]["encoding"], "windows-1252");
    assert_eq!(report["source"]["delimiter"], ";");
    assert_pdf_has(&dir, &["Mme Zoé Lefèvre", "Mme Hélène Cœur"]);

    let tmp = TempDir::new("stdin-jsonl");
    let out_dir = tmp.arg("out");
    let jsonl = std::fs::read(root().join(fixture("nested.jsonl"))).unwrap();
    let out = pli_stdin(
        &[
            "compose", LETTER, "-", "--format", "jsonl", "-o", &out_dir, "--date", DATE,
        ],
        jsonl,
    );
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let dir = tmp.path("out");
    check_manifest(&dir, &JSONL);
    let report = check_report(
        &dir,
        &JSONL,
        &[
            ("invalid_record", 2),
            ("missing_field:last_name", 1),
            ("suppressed:no_channel", 1),
        ],
    );
    assert_eq!(report["data"], "<stdin>");
    assert_eq!(report["source"]["format"], "jsonl");
    assert_eq!(report["source"]["format_reason"], "given with --format");
    assert_pdf_has(&dir, &["M. Noël Dubois"]);
}

/// The sample letter's columns, for files written by the tests.
const COLUMNS: &str =
    "id,civility,first_name,last_name,street,postcode,city,postal_optout,vehicle,dealer,dealer_city";

/// Writes `header` and the parts (each one or more lines, or an empty line) as a CSV file.
/// Returns the path and each part's first physical line.
fn write_parts(tmp: &TempDir, name: &str, header: &str, parts: &[&[u8]]) -> (String, Vec<u64>) {
    let mut bytes = header.as_bytes().to_vec();
    bytes.push(b'\n');
    let mut lines = Vec::new();
    for part in parts {
        lines.push(bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1);
        bytes.extend_from_slice(part);
        bytes.push(b'\n');
    }
    std::fs::write(tmp.path(name), bytes).unwrap();
    (tmp.arg(name), lines)
}

#[test]
fn every_record_of_a_mixed_bad_file_is_accounted_for_once() {
    let tmp = TempDir::new("mixed");
    // (row, expected id (`None`: the row's line), status, reason): every kind of bad row.
    // A row that cannot be used keeps its id when its id column can be read.
    let rows: &[(&[u8], Option<&str>, &str, &str)] = &[
        (
            "A01,Mme,Zoé,Lefèvre,3 rue des Lilas,69003,Lyon,0,Aurore électrique,Garage des Cèdres,Lyon"
                .as_bytes(),
            Some("A01"),
            "composed",
            "",
        ),
        (
            b"A02,M.,Paul,Durand,5 rue Pasteur",
            Some("A02"),
            "rejected",
            "ragged_row: expected 11 fields, found 5",
        ),
        (
            "A03,M.,Jérôme,Bréchignac,8 quai Gailleton,,Lyon,0,Aurore,Garage des Cèdres,Lyon".as_bytes(),
            Some("A03"),
            "rejected",
            "missing_field:postcode: ",
        ),
        (b"", None, "", ""),
        (b",,,,,,,,,,", None, "rejected", "empty_record"),
        (b"  ,  ,\t, , , , , , , , ", None, "rejected", "empty_record"),
        (
            b"A04,Mme,Chlo\xe9,Martin,1 place Bellecour,69002,Lyon,0,Aurore,Garage des C\xc3\xa8dres,Lyon",
            Some("A04"),
            "rejected",
            "invalid_utf8",
        ),
        (
            "A05,Mme,Hélène,Cœur,5 place du Marché,13200,Arles,1,Cévenole SUV,Garage,Nîmes".as_bytes(),
            Some("A05"),
            "suppressed",
            "suppressed:no_channel",
        ),
        (
            "A06,M.,Lo\u{1b}ïc,Guérin,5 rue Pasteur,42000,Saint-Étienne,0,Boréal,Garage,Lyon".as_bytes(),
            Some("A06"),
            "rejected",
            "invalid_field:first_name: control character U+001B",
        ),
        (
            "A07,M.,Noël,Dubois,8 quai Gailleton,6900,Lyon,0,Aurore,Garage,Lyon".as_bytes(),
            Some("A07"),
            "rejected",
            "invalid_field:postcode: ",
        ),
        (
            b"A08,M.,Jean,Roux,1 rue Neuve,69001,Lyon,0,Aurore,Garage,Lyon,en trop",
            Some("A08"),
            "rejected",
            "ragged_row: expected 11 fields, found 12",
        ),
        (
            "A09,Mme,\"Anne\nMarie\",Lebrun,\"2, rue \"\"Haute\"\"\",69004,Lyon,0,Aurore,Garage,Lyon"
                .as_bytes(),
            Some("A09"),
            "composed",
            "",
        ),
        (
            "A10,M.,Emma,Dupont 😀,3 rue des Lilas,69003,Lyon,0,Aurore,Garage,Lyon".as_bytes(),
            Some("A10"),
            "rejected",
            "missing_glyph: ",
        ),
        (
            b"A11,M.,Jean,,1 rue Neuve,69001,Lyon,0,Aurore,Garage,Lyon",
            Some("A11"),
            "rejected",
            "missing_field:last_name: ",
        ),
        (
            "A12,M.,Benoît,Lemaître,4 rue de la Liberté,21000,Dijon,oui,Boréal,Garage,Dijon".as_bytes(),
            Some("A12"),
            "suppressed",
            "suppressed:no_channel",
        ),
        (
            "A13,M.,Raphaël,Lefranc,22 boulevard Carnot,43000,Le Puy-en-Velay,0,Cévenole SUV,Garage,Le Puy"
                .as_bytes(),
            Some("A13"),
            "composed",
            "",
        ),
    ];
    let parts: Vec<&[u8]> = rows.iter().map(|r| r.0).collect();
    let (data, lines) = write_parts(&tmp, "mixed.csv", COLUMNS, &parts);
    let ids: Vec<String> = rows
        .iter()
        .zip(&lines)
        .map(|(r, line)| r.1.map_or_else(|| line.to_string(), str::to_owned))
        .collect();
    let expected: Vec<Expect> = rows
        .iter()
        .zip(&lines)
        .zip(&ids)
        .filter(|((r, _), _)| !r.2.is_empty())
        .map(|((r, &line), id)| (id.as_str(), line, r.2, r.3))
        .collect();
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = check_manifest(&dir, &expected);
    check_report(
        &dir,
        &expected,
        &[
            ("empty_record", 2),
            ("invalid_field:first_name", 1),
            ("invalid_field:postcode", 1),
            ("invalid_utf8:first_name", 1),
            ("missing_field:last_name", 1),
            ("missing_field:postcode", 1),
            ("missing_glyph", 1),
            ("ragged_row", 2),
            ("suppressed:no_channel", 2),
        ],
    );
    for (id, _, _, _) in &expected {
        let n = m[1..].iter().filter(|r| r[0] == *id).count();
        assert_eq!(n, 1, "record `{id}` appears once in the manifest");
    }
    let lines_out: Vec<u64> = m[1..].iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(
        lines_out.windows(2).all(|w| w[0] < w[1]),
        "each line once, in order: {lines_out:?}"
    );
    assert_pdf_has(&dir, &["Mme Zoé Lefèvre", "Mme Anne Marie Lebrun", "2 rue Haute"]);
}

#[test]
fn hostile_values_print_literally_or_are_rejected_with_a_reason() {
    let tmp = TempDir::new("hostile");
    let header = "id,civility,first_name,last_name,street,postcode,city,vehicle,dealer,dealer_city,message";
    let no_spaces = "abcdefghij".repeat(10_000);
    let with_spaces = "Un texte très long et fait de mots. ".repeat(2_800);
    assert!(no_spaces.len() >= 100_000 && with_spaces.len() >= 100_000);
    let rows = [
        "H01,M.,Jean,{{date}},3 rue des Lilas,69003,Lyon,<b>Aurore</b>,Garage &amp; Fils,Lyon,\"<p class=\"\"subject\"\">{{#each address_lines}}x{{/each}} &lt;\"".to_owned(),
        "H02,Mme,Zo\u{7}é,Lefèvre,3 rue des Lilas,69003,Lyon,Aurore,Garage,Lyon,".to_owned(),
        format!("H03,M.,Jean,Sansespace,3 rue des Lilas,69003,Lyon,Aurore,Garage,Lyon,{no_spaces}"),
        format!("H04,M.,Jean,Avecespaces,3 rue des Lilas,69003,Lyon,Aurore,Garage,Lyon,{with_spaces}"),
        "H05,Mme,Zoé,Lefèvre,3 rue des Lilas,69003,Lyon,Aurore,Garage,Lyon,".to_owned(),
    ];
    std::fs::write(tmp.path("h.csv"), format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let (out, dir) = compose(&tmp, &tmp.arg("h.csv"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = read_csv(&dir.join("manifest.csv"));
    assert_eq!(m.len(), 6, "one row per record: {m:?}");
    let ids: Vec<&str> = m[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["H01", "H02", "H03", "H04", "H05"]);
    assert_eq!(
        m[1][2], "composed",
        "markup and templates in values are text: {:?}",
        m[1]
    );
    assert_eq!(m[2][2], "rejected", "{:?}", m[2]);
    assert!(
        m[2][3].starts_with("invalid_field:first_name: control character U+0007"),
        "{:?}",
        m[2]
    );
    // 100 kB without a space: composed on extra pages or rejected with a reason, not lost.
    match m[3][2].as_str() {
        "composed" => assert!(m[3][7].parse::<u32>().unwrap() > 1, "{:?}", m[3]),
        "rejected" => assert!(!m[3][3].is_empty(), "{:?}", m[3]),
        other => panic!("H03 is {other}: {:?}", m[3]),
    }
    assert_eq!(m[4][2], "composed", "{:?}", m[4]);
    assert!(
        m[4][7].parse::<u32>().unwrap() >= 3,
        "100 kB of text takes pages: {:?}",
        m[4]
    );
    assert_eq!(m[5][2], "composed", "{:?}", m[5]);
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let c = &report["counts"];
    assert_eq!(c["records"], 5);
    assert_eq!(
        c["composed"].as_u64().unwrap() + c["suppressed"].as_u64().unwrap() + c["rejected"].as_u64().unwrap(),
        5
    );
    assert_pdf_has(
        &dir,
        &[
            "M. Jean {{date}}",
            "Cher Monsieur {{date}},",
            "<b>Aurore</b>",
            "Garage &amp; Fils",
            "<p class=\"subject\">{{#each address_lines}}x{{/each}} &lt;",
        ],
    );
}

/// A file whose names need scripts the sample fonts lack (Latin only).
fn glyph_file(tmp: &TempDir) -> String {
    let rows = [
        "G01,Mme,Zoé,Lefèvre,3 rue des Lilas,69003,Lyon,0,Aurore,Garage,Lyon",
        "G02,M.,Dov,כהן,3 rue des Lilas,69003,Lyon,0,Aurore,Garage,Lyon",
        "G03,M.,Karim,حداد,3 rue des Lilas,69003,Lyon,0,Aurore,Garage,Lyon",
        "G04,Mme,Emma,Dupont 😀,3 rue des Lilas,69003,Lyon,0,Aurore,Garage,Lyon",
        "G05,M.,Benoît,Lemaître,4 rue de la Liberté,21000,Dijon,0,Boréal,Garage,Dijon",
    ];
    std::fs::write(tmp.path("g.csv"), format!("{COLUMNS}\n{}\n", rows.join("\n"))).unwrap();
    tmp.arg("g.csv")
}

#[test]
fn characters_without_a_glyph_are_rejected_or_drawn_with_a_warning() {
    let tmp = TempDir::new("glyphs");
    let data = glyph_file(&tmp);
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let expected = [
        ("G01", 2, "composed", ""),
        ("G02", 3, "rejected", "missing_glyph: "),
        ("G03", 4, "rejected", "missing_glyph: "),
        ("G04", 5, "rejected", "missing_glyph: "),
        ("G05", 6, "composed", ""),
    ];
    let m = check_manifest(&dir, &expected);
    check_report(&dir, &expected, &[("missing_glyph", 3)]);
    assert!(m[2][3].contains("U+05DB"), "Hebrew kaf: {:?}", m[2]);
    assert!(m[3][3].contains("U+062D"), "Arabic hah: {:?}", m[3]);
    assert!(m[4][3].contains("U+1F600"), "the emoji: {:?}", m[4]);
    assert!(
        !m[4][3].contains("Dupont"),
        "the reason names characters, not people: {:?}",
        m[4]
    );

    let tmp = TempDir::new("glyphs-allowed");
    let (out, dir) = compose(&tmp, &data, &["--allow-missing-glyphs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let expected = [
        ("G01", 2, "composed", ""),
        ("G02", 3, "composed", "missing_glyph: U+05DB"),
        ("G03", 4, "composed", "missing_glyph: U+062D"),
        ("G04", 5, "composed", "missing_glyph: U+1F600"),
        ("G05", 6, "composed", ""),
    ];
    check_manifest(&dir, &expected);
    let report = check_report(&dir, &expected, &[]);
    assert_eq!(report["counts"]["warned"], 3, "{:#}", report["counts"]);
    assert!(
        stderr(&out).contains("3 composed with a note or warning"),
        "{}",
        describe(&out)
    );
    assert_pdf_has(&dir, &["Mme Zoé Lefèvre", "M. Benoît Lemaître"]);

    // These rejections are found while composing (after pieces were written): a limit
    // still stops the job and removes what it wrote.
    for args in [&["--strict"][..], &["--max-rejects", "2"]] {
        let tmp = TempDir::new("glyphs-stop");
        let (out, dir) = compose(&tmp, &data, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(
            stderr(&out).contains("missing_glyph"),
            "{args:?}: {}",
            describe(&out)
        );
        assert_nothing_left(&dir);
    }
    let tmp = TempDir::new("glyphs-limit");
    let (out, _) = compose(&tmp, &data, &["--max-rejects", "3"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "three rejections are within a limit of three"
    );
}

#[test]

fn every_missing_character_is_named() {
    let tmp = TempDir::new("glyphs-all");
    let data = glyph_file(&tmp);
    let (out, dir) = compose(&tmp, &data, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = read_csv(&dir.join("manifest.csv"));
    // כהן is U+05DB U+05D4 U+05DF; حداد is U+062D U+062F U+0627 U+062F.
    for cp in ["U+05DB", "U+05D4", "U+05DF"] {
        assert!(m[2][3].contains(cp), "{cp}: {:?}", m[2]);
    }
    for cp in ["U+062D", "U+062F", "U+0627"] {
        assert!(m[3][3].contains(cp), "{cp}: {:?}", m[3]);
    }
    let tmp2 = TempDir::new("glyphs-all-allowed");
    let (_, dir) = compose(&tmp2, &data, &["--allow-missing-glyphs"]);
    let m = read_csv(&dir.join("manifest.csv"));
    assert!(
        m[2][3].contains("U+05DF"),
        "the warning names every boxed character: {:?}",
        m[2]
    );
}

#[test]

fn manifest_reasons_start_with_their_report_code() {
    let tmp = TempDir::new("codes");
    let (out, dir) = compose(&tmp, &fixture("ragged.csv"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let codes: Vec<&String> = report["counts"]["reasons"].as_object().unwrap().keys().collect();
    let m = read_csv(&dir.join("manifest.csv"));
    for row in m[1..].iter().filter(|r| r[2] == "rejected") {
        assert!(
            codes
                .iter()
                .any(|c| row[3] == **c || row[3].starts_with(&format!("{c}:"))),
            "`{}` starts with none of the report's codes {codes:?}",
            row[3]
        );
    }
}
