//! End to end: sheets for the inserting machine. In duplex each piece starts on the front
//! of a new sheet (a blank back is added and recorded), and every sheet's front carries
//! the OMR code, read back here from the PDF's content streams.

mod common;

use common::*;
use lopdf::content::Content;
use lopdf::{Document, Object};
use pli::production::{OmrCode, TRACKS};

/// The sample letter, duplex, with OMR marks 5 mm from the left edge, the first at 100 mm.
fn duplex_letter(tmp: &TempDir) -> String {
    letter_with(
        tmp,
        "duplex",
        "duplex = true\n\n[production.omr]\nx = 5\ny = 100\npitch = 4.23",
    )
}

fn number(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => *r as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The OMR tracks marked on a page: filled rectangles starting 5 mm from the left edge.
fn tracks(doc: &Document, page: lopdf::ObjectId, height_pt: f64) -> Option<[bool; TRACKS]> {
    let content = Content::decode(&doc.get_page_content(page).unwrap()).unwrap();
    let mm = 72.0 / 25.4;
    let mut t = [false; TRACKS];
    let mut any = false;
    for op in content.operations.iter().filter(|op| op.operator == "re") {
        let (x, y, h) = (
            number(&op.operands[0]),
            number(&op.operands[1]),
            number(&op.operands[3]),
        );
        if (x - 5.0 * mm).abs() > 0.05 {
            continue;
        }
        // The mark's centre line, from the top, in mm; track k sits at 100 + 4.23 k.
        let centre = (height_pt - (y + h / 2.0)) / mm;
        let k = ((centre - 100.0) / 4.23).round();
        assert!(
            (centre - (100.0 + 4.23 * k)).abs() < 0.1,
            "a mark off its track at {centre} mm"
        );
        t[k as usize] = true;
        any = true;
    }
    any.then_some(t)
}

#[test]
fn duplex_pieces_start_on_a_new_sheet_and_every_sheet_carries_its_code() {
    let tmp = TempDir::new("production");
    let layout = duplex_letter(&tmp);
    let contacts = sample_contacts(120);
    std::fs::write(tmp.path("contacts.csv"), contacts).unwrap();
    let out = pli(&[
        "compose",
        &layout,
        &tmp.arg("contacts.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--max-sheets",
        "40",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    // Every file of the stream, read back; pieces are checked in each one's own file.
    let files = stream_files(&tmp.path("out"), "duplex");
    assert!(files.len() >= 3, "split at 40 sheets: {files:?}");
    let docs: std::collections::HashMap<String, Document> = files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, Document::load(f).unwrap())
        })
        .collect();
    let height = 841.89;
    let mut composed = 0;
    let mut stream = Vec::new();
    let mut sheets_in = std::collections::HashMap::<&str, u32>::new();
    for row in manifest[1..].iter().filter(|r| r[2] == "composed") {
        composed += 1;
        let doc = &docs[&row[5]];
        let pages = doc.get_pages();
        let (first, count): (u32, u32) = (row[6].parse().unwrap(), row[7].parse().unwrap());
        assert_eq!(count % 2, 0, "a duplex piece fills its sheets: {row:?}");
        assert_eq!(first % 2, 1, "a piece starts on the front of a sheet: {row:?}");
        assert!(
            first + count - 1 <= pages.len() as u32,
            "the piece is whole in its file"
        );
        let sheets = count / 2;
        assert_eq!(row[14], sheets.to_string(), "the manifest's sheets");
        let in_file = sheets_in.entry(&row[5]).or_default();
        // The piece's first sheet's position in its file: the sheets before it there.
        let position = (first - 1) / 2;
        assert_eq!(*in_file, position, "pieces follow each other in their file");
        *in_file += sheets;
        for sheet in 0..sheets {
            let front = pages[&(first + 2 * sheet)];
            let back = pages[&(first + 2 * sheet + 1)];
            let code = OmrCode::read(tracks(doc, front, height).expect("marks on every front"))
                .unwrap_or_else(|| panic!("an unsound code on {row:?}"));
            assert_eq!(
                code,
                OmrCode::of_sheet(sheet, sheets, position + sheet),
                "{row:?}"
            );
            assert!(tracks(doc, back, height).is_none(), "no marks on a back");
            stream.push(code);
        }
        if row[3].contains("padding_pages:1") {
            let blank = pages[&(first + count - 1)];
            assert!(
                doc.get_page_content(blank).unwrap().is_empty(),
                "the padding page is blank"
            );
        }
    }
    assert!(composed > 100);
    let all_pages: usize = docs.values().map(|d| d.get_pages().len()).sum();
    assert_eq!(all_pages, stream.len() * 2);
    for (name, sheets) in &sheets_in {
        assert!(*sheets <= 40, "{name} holds {sheets} sheets");
        assert_eq!(docs[*name].get_pages().len() as u32, sheets * 2, "{name}");
    }
    // Pieces of one letter page: one sheet each, closing the envelope every time.
    assert!(stream.iter().all(|c| c.end_of_collation));
    if have("qpdf") {
        for f in &files {
            run_tool("qpdf", &["--check", f.to_str().unwrap()]);
        }
    }

    // The inserter control file: one row per sheet, agreeing with the manifest and marks.
    let control = read_csv(&tmp.path("out/inserter.csv"));
    assert_eq!(control[0], pli::production::CONTROL_COLUMNS);
    assert_eq!(control.len() - 1, stream.len(), "one row per sheet");
    for row in manifest[1..].iter().filter(|r| r[2] == "composed") {
        let sheets: Vec<&Vec<String>> = control.iter().filter(|c| c[3] == row[4]).collect();
        let first: u32 = row[6].parse().unwrap();
        let count = row[7].parse::<usize>().unwrap() / 2;
        assert_eq!(sheets.len(), count, "{row:?}");
        for (k, c) in sheets.iter().enumerate() {
            assert_eq!(
                (c[0].as_str(), c[1].as_str(), c[4].as_str()),
                ("duplex", row[5].as_str(), row[0].as_str())
            );
            assert_eq!(
                c[2],
                (first + 2 * k as u32).to_string(),
                "front page of sheet {k}"
            );
            assert_eq!(
                (c[5].clone(), c[6].clone()),
                ((k + 1).to_string(), count.to_string())
            );
            assert_eq!(c[7], if k + 1 == count { "1" } else { "0" });
        }
    }
}

#[test]
fn omr_marks_outside_the_limits_are_layout_errors() {
    let tmp = TempDir::new("production-bad");
    let layout = duplex_letter(&tmp);
    let text = std::fs::read_to_string(&layout)
        .unwrap()
        .replace("pitch = 4.23", "pitch = 1.5\nthickness = 0.2");
    std::fs::write(&layout, text).unwrap();
    let out = pli(&["check", &layout]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[production.omr]: thickness 0.2 mm"), "{err}");
    assert!(err.contains("[production.omr]: pitch 1.5 mm"), "{err}");
}

#[test]
fn each_mailpiece_is_a_document_part_a_print_server_can_address() {
    let tmp = TempDir::new("dpart");
    let contacts = sample_contacts(60);
    std::fs::write(tmp.path("contacts.csv"), contacts).unwrap();
    let out = pli(&[
        "compose",
        LETTER,
        &tmp.arg("contacts.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let composed: Vec<&Vec<String>> = manifest[1..].iter().filter(|r| r[2] == "composed").collect();
    let doc = Document::load(first_file(&tmp.path("out"), "letter")).unwrap();
    let pages = doc.get_pages();
    let catalog = doc.catalog().unwrap();
    let dpart_root = catalog.get(b"DPartRoot").unwrap().as_dict().unwrap();
    assert_eq!(dpart_root.get(b"RecordLevel").unwrap().as_i64().unwrap(), 1);
    let root_id = dpart_root.get(b"DPartRootNode").unwrap().as_reference().unwrap();
    let root_node = doc.get_dictionary(root_id).unwrap();
    let leaves = root_node.get(b"DParts").unwrap().as_array().unwrap()[0]
        .as_array()
        .unwrap();
    assert_eq!(leaves.len(), composed.len(), "one document part per mailpiece");
    let text = |o: &Object| String::from_utf8(o.as_str().unwrap().to_vec()).unwrap();
    for (leaf, row) in leaves.iter().zip(&composed) {
        let leaf_id = leaf.as_reference().unwrap();
        let node = doc.get_dictionary(leaf_id).unwrap();
        assert_eq!(node.get(b"Parent").unwrap().as_reference().unwrap(), root_id);
        let dpm = node.get(b"DPM").unwrap().as_dict().unwrap();
        assert_eq!(text(dpm.get(b"PieceID").unwrap()), row[4]);
        assert_eq!(text(dpm.get(b"RecordID").unwrap()), row[0]);
        let (first, count): (u32, u32) = (row[6].parse().unwrap(), row[7].parse().unwrap());
        assert_eq!(dpm.get(b"Pages").unwrap().as_i64().unwrap(), count as i64);
        assert_eq!(node.get(b"Start").unwrap().as_reference().unwrap(), pages[&first]);
        assert_eq!(
            node.get(b"End").unwrap().as_reference().unwrap(),
            pages[&(first + count - 1)]
        );
        for p in first..first + count {
            let page = doc.get_dictionary(pages[&p]).unwrap();
            assert_eq!(
                page.get(b"DPart").unwrap().as_reference().unwrap(),
                leaf_id,
                "page {p}"
            );
        }
    }
    if have("qpdf") {
        run_tool(
            "qpdf",
            &[
                "--check",
                first_file(&tmp.path("out"), "letter").to_str().unwrap(),
            ],
        );
    }
}

#[test]
fn letters_carrying_the_household_catalogue_go_to_a_stream_of_their_own() {
    let tmp = TempDir::new("insert-sets");
    let layout = letter_with(&tmp, "letter", "split_inserts = true\ncontrol_file = true");
    let out = pli(&[
        "compose",
        &layout,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--household-docs",
        "layouts/catalogue.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let control = read_csv(&tmp.path("out/inserter.csv"));
    let (mut with, mut without) = (0, 0);
    for row in manifest[1..].iter().filter(|r| r[2] == "composed") {
        let carries = !row[10].is_empty();
        let stream = if carries { "letter+catalogue-" } else { "letter-" };
        assert!(row[5].starts_with(stream), "{row:?}");
        let sheet = control.iter().find(|c| c[3] == row[4]).unwrap();
        assert_eq!(sheet[1], row[5]);
        assert_eq!(sheet[8], if carries { "household_doc" } else { "" }, "{row:?}");
        if carries {
            with += 1;
        } else {
            without += 1;
        }
    }
    assert!(with > 0 && without > 0, "{with} with, {without} without");
    assert!(!stream_files(&tmp.path("out"), "letter+catalogue").is_empty());
    assert!(!stream_files(&tmp.path("out"), "catalogue").is_empty());

    // The presort plans one stream: with split insert sets it would be wrong, so it is refused.
    let out = pli(&[
        "compose",
        &layout,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("sorted"),
        "--household-docs",
        "layouts/catalogue.toml",
        "--presort",
        "presort/laposte-industriel.toml",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("split_inserts with --presort"));
}

/// A stream of sheet fronts (file, page, code) cut into pieces (file, first page,
/// sheets) where the codes close the envelope, or what breaks the sequence.
fn collate(sheets: &[(String, u32, OmrCode)]) -> Result<Vec<(String, u32, u32)>, String> {
    let mut found = Vec::new();
    let mut position = 0u32;
    let mut start = 0;
    for (k, (file, page, code)) in sheets.iter().enumerate() {
        // The sequence counts the sheets of each file, from 0 on its first.
        if k > 0 && sheets[k - 1].0 != *file {
            if start != k {
                return Err(format!("a piece runs on into {file}"));
            }
            position = 0;
        }
        if u32::from(code.sequence) != position % 8 {
            return Err(format!(
                "{file} page {page}: sequence {} for {}",
                code.sequence,
                position % 8
            ));
        }
        position += 1;
        if code.end_of_collation {
            found.push((file.clone(), sheets[start].1, (k - start + 1) as u32));
            start = k + 1;
        }
    }
    if start != sheets.len() {
        return Err("the stream ends inside a piece".into());
    }
    Ok(found)
}

#[test]
fn long_letters_read_back_from_their_marks_alone_as_the_manifest_says() {
    let tmp = TempDir::new("long-letters");
    let layout = duplex_letter(&tmp);
    // Letters of 1 to about 20 pages: a message of k paragraphs for record k.
    let para = "Nos conseillers vous présenteront les équipements, les motorisations et les \
                offres de financement réservées aux destinataires de ce courrier. ";
    let mut csv = format!("{HEADER},message\n");
    for k in 0..12 {
        let message = (0..k * k * 3).map(|_| para).collect::<Vec<_>>().join("\n\n");
        csv.push_str(&format!(
            "L{k:02},M.,Jean,Martin,,,,{} rue de la Gare,,33000,Bordeaux,,0,Boréal,Garage des Chartrons,Bordeaux,\"{message}\"\n",
            k + 1
        ));
    }
    std::fs::write(tmp.path("long.csv"), csv).unwrap();
    let out = pli(&[
        "compose",
        &layout,
        &tmp.arg("long.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--max-sheets",
        "30",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let rows: Vec<&Vec<String>> = manifest[1..].iter().filter(|r| r[2] == "composed").collect();
    assert_eq!(rows.len(), 12);
    let most = rows.iter().map(|r| r[14].parse::<u32>().unwrap()).max().unwrap();
    assert!(
        most > 8,
        "a piece long enough for the sequence to wrap: {most} sheets"
    );

    // The inserter's view: every sheet front of every file, in stream order, decoded.
    let files = stream_files(&tmp.path("out"), "duplex");
    assert!(files.len() > 1, "split at 30 sheets");
    let mut sheets: Vec<(String, u32, OmrCode)> = Vec::new();
    for f in &files {
        let doc = Document::load(f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let pages = doc.get_pages();
        assert_eq!(pages.len() % 2, 0, "{name}: whole sheets");
        assert!(pages.len() / 2 <= 30, "{name}: at most 30 sheets");
        for (&n, &page) in &pages {
            let marks = tracks(&doc, page, 841.89);
            if n % 2 == 0 {
                assert!(marks.is_none(), "{name} page {n}: a back carries no marks");
                continue;
            }
            let code = OmrCode::read(marks.expect("a front carries marks")).expect("a sound code");
            sheets.push((name.clone(), n, code));
        }
    }
    // Cut the stream into pieces where the marks say the envelope closes, checking the
    // sequence as an inserter does; the pieces found are the manifest's, in order.
    let found = collate(&sheets).expect("the stream collates");
    // Any sheet lost from the stream, even a one-sheet piece whole or the last sheet of a
    // piece, is caught by the marks alone: the sequence runs through the file.
    for lost in 0..sheets.len() {
        let mut short = sheets.clone();
        short.remove(lost);
        assert!(collate(&short).is_err(), "losing sheet {lost} goes unseen");
    }
    let control = read_csv(&tmp.path("out/inserter.csv"));
    assert_eq!(control.len() - 1, sheets.len(), "a control row per sheet");
    let mut rows = rows.clone();
    rows.sort_by_key(|r| r[4].clone());
    assert_eq!(found.len(), rows.len());
    for ((file, first, count), row) in found.iter().zip(&rows) {
        assert_eq!(
            (file.as_str(), first.to_string(), count.to_string()),
            (row[5].as_str(), row[6].clone(), row[14].clone()),
            "{}",
            row[4]
        );
        assert_eq!(row[7].parse::<u32>().unwrap(), count * 2, "pages = 2 × sheets");
        let rows_of_piece: Vec<_> = control.iter().filter(|c| c[3] == row[4]).collect();
        assert_eq!(rows_of_piece.len() as u32, *count);
        assert!(rows_of_piece
            .iter()
            .all(|c| c[6] == count.to_string() && c[1] == *file));
    }
}

#[test]
fn a_production_file_makes_the_same_letter_up_for_another_line() {
    let tmp = TempDir::new("production-file");
    std::fs::write(tmp.path("contacts.csv"), sample_contacts(20)).unwrap();
    let out = pli(&[
        "compose",
        LETTER,
        &tmp.arg("contacts.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--production",
        "production/inserter.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // The sample letter has no marks of its own: these come from the production file.
    let control = read_csv(&tmp.path("out/inserter.csv"));
    assert_eq!(control.len(), 21, "a row per sheet");
    let doc = Document::load(first_file(&tmp.path("out"), "letter")).unwrap();
    for (_, page) in doc.get_pages() {
        let code = OmrCode::read(tracks(&doc, page, 841.89).expect("OMR marks")).unwrap();
        assert!(code.end_of_collation, "one-page letters");
    }

    // A production file with a mistake is named, with its line.
    std::fs::write(
        tmp.path("bad.toml"),
        "[production]\nduplex = true\npaper_gsm = \"heavy\"\n",
    )
    .unwrap();
    let out = pli(&[
        "compose",
        LETTER,
        &tmp.arg("contacts.csv"),
        "-o",
        &tmp.arg("bad"),
        "--production",
        &tmp.arg("bad.toml"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml, line 3"), "{err}");

    // `pli check` checks a production file with the layout, before the run.
    let out = pli(&["check", LETTER, "--production", "production/inserter.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    std::fs::write(
        tmp.path("thin.toml"),
        "[production.omr]\nx = 5\ny = 100\nthickness = 0.2\n",
    )
    .unwrap();
    let out = pli(&["check", LETTER, "--production", &tmp.arg("thin.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[production.omr]: thickness 0.2 mm"), "{err}");
}
