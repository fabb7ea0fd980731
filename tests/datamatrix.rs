//! End to end: the DataMatrix on every sheet. Pages are rendered at 300 dpi with
//! `pdftoppm` and decoded with `dmtxread` (dmtx-utils), as an inserter's camera would,
//! and each decoded text must name the job, piece, sheet and sheets that `inserter.csv`
//! and `manifest.csv` give for that page. Pieces are numbered when they are fed to the
//! workers, so a piece rejected while composing leaves a gap that the symbols, the
//! manifest and the control file all agree on.

mod common;

use common::*;

const MESSAGE: &str = "Nous tenions également à vous remercier pour votre fidélité. ";

/// The sample letter with OMR marks and a DataMatrix in the top right corner, over a
/// dark band of background art that only the white quiet zone keeps readable. Written
/// as `<name>.toml`: the job id is the layout file's stem.
fn mailing(tmp: &TempDir, name: &str, datamatrix: &str) -> String {
    let text = sample_letter_text();
    let band = "[[elements]]\ntype = \"rect\"\nname = \"band\"\nx = 150\ny = 10\nwidth = 48\nheight = 20\nfill = \"cmyk(100, 60, 0, 20)\"\n";
    let layout = format!(
        "{text}\n{band}\n[production.omr]\nx = 5\ny = 100\n\n[production.datamatrix]\n{datamatrix}\n"
    );
    let path = tmp.path(&format!("{name}.toml"));
    std::fs::write(&path, layout).unwrap();
    path.to_string_lossy().into_owned()
}

/// Contacts whose letters take 1, 2 and 3 sheets (simplex: a page a sheet), then 1; and
/// before them one rejected while composing (no font of the letter has Hebrew glyphs),
/// after its piece number was given.
fn contacts(tmp: &TempDir) -> String {
    let rows = [
        "L0,M.,Avi,שלום,,,,4 rue Émile Zola,,21000,Dijon,,0,Boréal hybride,Auto Rhône Prestige,Lyon,".to_owned(),
        "L1,M.,Jérôme,Morel,,,,4 rue Émile Zola,,21000,Dijon,,0,Boréal hybride,Auto Rhône Prestige,Lyon,".to_owned(),
        format!(
            "L2,Mme,Anne-Laure,Château,,,,12 rue Victor Hugo,,13001,Marseille,,0,Boréal hybride,Auto Rhône Prestige,Lyon,{}",
            MESSAGE.repeat(60)
        ),
        format!(
            "L3,Mme,Claire,Petit,,,,3 place Bellecour,,69002,Lyon,,0,Aurore électrique,Auto Rhône Prestige,Lyon,{}",
            MESSAGE.repeat(130)
        ),
        "L4,M.,Paul,Roux,,,,8 quai Saint-Vincent,,69001,Lyon,,0,Boréal hybride,Auto Rhône Prestige,Lyon,".to_owned(),
    ];
    let mut text = format!("{HEADER},message\n");
    for row in &rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(tmp.path("contacts.csv"), text).unwrap();
    tmp.arg("contacts.csv")
}

#[test]
fn every_sheet_carries_a_datamatrix_naming_job_piece_and_sheet() {
    let tmp = TempDir::new("datamatrix");
    let layout = mailing(&tmp, "relance", "x = 185\ny = 12");
    let out = pli(&[
        "compose",
        &layout,
        &contacts(&tmp),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--job",
        "relance-11",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "one record rejected: {}",
        describe(&out)
    );

    // With a DataMatrix the control file is written; its rows are what the symbols say.
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let control = read_csv(&tmp.path("out/inserter.csv"));
    let pieces: Vec<(&str, &str, &str)> = manifest[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str(), r[7].as_str()))
        .collect();
    assert_eq!(
        pieces,
        [
            ("L0", "", ""),
            ("L1", "P0000002", "1"),
            ("L2", "P0000003", "2"),
            ("L3", "P0000004", "3"),
            ("L4", "P0000005", "1")
        ],
        "pieces of 1, 2, 3 and 1 sheets, numbered before the first was rejected"
    );
    let expected = symbols_of(&control);
    for c in &control[1..] {
        let record = manifest.iter().find(|m| m[0] == c[4]).expect("a manifest row");
        assert_eq!((c[0].as_str(), c[3].as_str()), ("relance-11", record[4].as_str()));
    }
    assert_eq!(expected.len(), 7, "one row per sheet");
    assert_eq!(expected[4].2, "relance-11|P0000004|2|3");
    if !(have("pdftoppm") && have("dmtxread")) {
        return;
    }
    read_symbols(&tmp, "out", &expected);

    // A reprint of the 3-sheet piece prints the same symbols: same job, same piece id.
    let again = pli(&[
        "reprint",
        &tmp.arg("out"),
        "--pieces",
        "P0000004",
        "-o",
        &tmp.arg("again"),
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
    let reprinted = symbols_of(&read_csv(&tmp.path("again/inserter.csv")));
    let texts: Vec<&str> = reprinted.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "relance-11|P0000004|1|3",
            "relance-11|P0000004|2|3",
            "relance-11|P0000004|3|3"
        ]
    );
    read_symbols(&tmp, "again", &reprinted);
}

/// What each sheet's symbol must say, from the control file's rows: the file and page
/// of the sheet's front, and `job|piece id|sheet|sheets`.
fn symbols_of(control: &[Vec<String>]) -> Vec<(String, u32, String)> {
    assert_eq!(control[0], pli::production::CONTROL_COLUMNS);
    control[1..]
        .iter()
        .map(|c| {
            let text = format!("{}|{}|{}|{}", c[0], c[3], c[5], c[6]);
            (c[1].clone(), c[2].parse().unwrap(), text)
        })
        .collect()
}

/// Renders each sheet's page at 300 dpi and decodes its symbol, as an inserter's camera
/// would, checking it says what the control file does.
fn read_symbols(tmp: &TempDir, dir: &str, expected: &[(String, u32, String)]) {
    for (k, (file, page, text)) in expected.iter().enumerate() {
        let pdf = tmp.arg(&format!("{dir}/{file}"));
        let prefix = tmp.arg(&format!("{dir}-sheet{k}"));
        let page = page.to_string();
        run_tool(
            "pdftoppm",
            &[
                "-r",
                "300",
                "-png",
                "-singlefile",
                "-f",
                &page,
                "-l",
                &page,
                &pdf,
                &prefix,
            ],
        );
        // The whole page is searched; stop at the first symbol (a full search of an A4
        // page at 300 dpi takes a minute), and give up after 30 s rather than hang.
        let decoded = run_tool("dmtxread", &["-N1", "-m", "30000", &format!("{prefix}.png")]);
        assert_eq!(&decoded, text, "{file}, page {page}");
    }
}

#[test]
fn a_datamatrix_that_does_not_fit_or_overlaps_the_marks_is_a_layout_error() {
    let tmp = TempDir::new("datamatrix-bad");
    let layout = mailing(&tmp, "relance", "x = 200\ny = 103\nmodule = 1.5\nsize = 21");
    let out = pli(&["check", &layout]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "[production.datamatrix]: module 1.5 mm: modules are 0.25 to 1 mm",
        "[production.datamatrix]: size 21: square ECC 200 symbols are 10, 12,",
        "does not lie on the 210 × 297 mm page",
    ] {
        assert!(err.contains(expected), "{expected} in {err}");
    }
    let layout = mailing(&tmp, "relance", "x = 10\ny = 110");
    let out = pli(&["check", &layout]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("overlaps the OMR marks"), "{err}");
}

#[test]
fn a_job_id_the_symbol_cannot_hold_stops_the_job_before_it_starts() {
    let tmp = TempDir::new("datamatrix-job");
    let data = contacts(&tmp);
    let layout = mailing(&tmp, "relance", "x = 185\ny = 12");
    let job = "relance-clients-inactifs-2026";
    let out = pli(&[
        "compose",
        &layout,
        &data,
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--job",
        job,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[production.datamatrix]: the job's longest DataMatrix text `relance-clients-inactifs-2026|P99999999|99|99` does not fit a 22×22 DataMatrix: it needs 26×26 ([production.datamatrix] size = 26) (or a shorter --job)"),
        "{err}"
    );
    assert!(!tmp.path("out/manifest.csv").exists());
}
