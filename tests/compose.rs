//! End to end: `pli compose` on the sample campaign and on purpose-made files,
//! the PDFs read back with lopdf and, when installed, qpdf and poppler.

mod common;

use common::*;
use lopdf::{Document, Object};

#[test]
fn the_sample_campaign_composes_and_every_record_is_accounted_for() {
    let tmp = TempDir::new("sample");
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    // The manifest: one row per input record, and counts that add up.
    let input = read_csv(&root().join("samples/contacts.csv"));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(
        manifest[0],
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
    assert_eq!(manifest.len(), input.len(), "one manifest row per input record");
    let ids_in: Vec<&str> = input[1..].iter().map(|r| r[0].as_str()).collect();
    let ids_out: Vec<&str> = manifest[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids_in, ids_out);
    // The campaign's three channels: post unless the contact opted out, e-mail and SMS
    // only with consent (the sample's addresses and mobiles are all usable).
    let col = |name: &str| input[0].iter().position(|c| c == name).unwrap();
    let (optout, c_email, c_sms, email, mobile) = (
        col("postal_optout"),
        col("consent_email"),
        col("consent_sms"),
        col("email"),
        col("mobile"),
    );
    let (mut composed, mut exported, mut suppressed) = (0, 0, 0);
    let (mut emails_expected, mut sms_expected) = (Vec::new(), Vec::new());
    for (row, rec) in manifest[1..].iter().zip(&input[1..]) {
        let mut channels = Vec::new();
        if rec[optout] != "1" {
            channels.push("post");
        }
        if rec[c_email] == "1" && !rec[email].is_empty() {
            channels.push("email");
            emails_expected.push((rec[0].clone(), rec[email].clone()));
        }
        if rec[c_sms] == "1" && !rec[mobile].is_empty() {
            channels.push("sms");
            sms_expected.push((rec[0].clone(), rec[mobile].clone()));
        }
        let status = match channels.first() {
            Some(&"post") => {
                composed += 1;
                "composed"
            }
            Some(_) => {
                exported += 1;
                "exported"
            }
            None => {
                suppressed += 1;
                assert_eq!(row[3], "suppressed:no_channel", "{row:?}");
                "suppressed"
            }
        };
        assert_eq!(row[2], status, "{row:?}");
        assert_eq!(row[8], channels.join("+"), "{row:?}");
    }
    assert!(
        exported > 0 && suppressed > 0,
        "the sample has e-mail-only contacts and contacts with no channel"
    );
    // The messages: one line per record and channel, in input order, to the record's address.
    let messages = |file: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(tmp.path(&format!("out/{file}")))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let emails = messages("emails.jsonl");
    let got: Vec<(String, String)> = emails
        .iter()
        .map(|m| {
            (
                m["record_id"].as_str().unwrap().into(),
                m["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, emails_expected);
    for m in &emails {
        assert!(
            m["subject"].as_str().unwrap().contains("du 4 au 13 décembre"),
            "{m}"
        );
        assert!(m["html"].as_str().unwrap().contains("<html"), "{m}");
    }
    let sms = messages("sms.jsonl");
    let got: Vec<(String, String)> = sms
        .iter()
        .map(|m| {
            (
                m["record_id"].as_str().unwrap().into(),
                m["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, sms_expected);
    for m in &sms {
        let septets = m["septets"].as_u64().unwrap();
        assert!(
            septets <= 160 && septets >= m["text"].as_str().unwrap().chars().count() as u64,
            "{m}"
        );
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("out/report.json")).unwrap()).unwrap();
    let c = &report["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("records"), 1000);
    assert_eq!(
        (n("composed"), n("exported"), n("suppressed")),
        (composed, exported, suppressed)
    );
    assert_eq!(
        n("composed") + n("exported") + n("suppressed") + n("rejected"),
        1000
    );
    assert_eq!(c["channels"]["email"], emails.len());
    assert_eq!(c["channels"]["sms"], sms.len());
    let composed = composed as usize;

    // The PDF: one page per letter, the static content a single Form XObject used by every page.
    let pdf = first_file(&tmp.path("out"), "letter");
    let doc = Document::load(&pdf).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), composed);
    let forms: Vec<_> = doc
        .objects
        .values()
        .filter(|o| matches!(o, Object::Stream(s) if s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Form")))
        .collect();
    assert_eq!(forms.len(), 1, "the static background is drawn once per file");
    for (_, &page_id) in pages.iter().take(50) {
        let content = doc.get_page_content(page_id).unwrap();
        let text = String::from_utf8_lossy(&content);
        assert!(text.contains("/X0 Do"), "every page draws the static form");
    }
    let images: Vec<_> = doc
        .objects
        .values()
        .filter(|o| matches!(o, Object::Stream(s) if s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image") && s.dict.get(b"SMask").is_ok()))
        .collect();
    assert_eq!(images.len(), 1, "the logo is embedded once");
    let jpeg = std::fs::read(root().join("layouts/assets/signature.jpg")).unwrap();
    assert!(
        doc.objects
            .values()
            .any(|o| matches!(o, Object::Stream(s) if s.content == jpeg)),
        "the JPEG is passed through unchanged"
    );

    if have("qpdf") {
        run_tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    }
    if have("pdffonts") {
        let fonts = run_tool("pdffonts", &[pdf.to_str().unwrap()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty());
        for row in rows {
            assert!(row.contains("CID TrueType"), "{row}");
            assert!(
                row.contains("yes yes yes"),
                "embedded, subset, Unicode map: {row}"
            );
            assert!(
                row.split_whitespace().next().unwrap().contains('+'),
                "subset tag: {row}"
            );
        }
    }
    if have("pdftotext") {
        let text = run_tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        let (first, last) = (2, 3);
        for (row, rec) in manifest[1..].iter().zip(&input[1..]) {
            if row[2] == "composed" {
                let name = format!("{} {}", rec[first], rec[last]);
                assert!(text.contains(&name), "recipient `{name}` not found in the text");
            }
        }
        assert!(text.contains("le 28 novembre 2026"));
        assert!(
            text.contains("efficacité"),
            "accents and the ffi ligature extract as text"
        );
    }
}

fn write_contacts(tmp: &TempDir, rows: &[&str]) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    std::fs::write(tmp.path("contacts.csv"), s).unwrap();
    tmp.arg("contacts.csv")
}

#[test]
fn a_record_missing_a_field_is_rejected_with_its_line_and_the_others_composed() {
    let tmp = TempDir::new("reject");
    let data = write_contacts(
        &tmp,
        &[
            "A1,Mme,Zoé,Lefèvre,,,,3 rue des Lilas,,69003,Lyon,,0,Aurore électrique,Garage des Cèdres,Lyon",
            "A2,M.,Loïc,Guérin,,,,5 rue Pasteur,,42000,Saint-Étienne,,0,,Garage des Cèdres,Lyon",
            "A3,M.,Noël,Dubois,,,,8 quai Gailleton,,,Lyon,,0,Aurore électrique,Garage des Cèdres,Lyon",
            "A4,M.,Benoît,Robin,,,,1 place Bellecour,,69002,Lyon,,0,Cévenole SUV,Garage des Cèdres,Lyon",
        ],
    );
    let out = pli(&[
        "compose",
        LETTER,
        &data,
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "rejections give exit code 3: {}",
        describe(&out)
    );
    let m = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(m.len(), 5);
    assert_eq!(m[1][2], "composed");
    assert_eq!(
        (m[2][0].as_str(), m[2][1].as_str(), m[2][2].as_str()),
        ("A2", "3", "rejected")
    );
    assert!(m[2][3].starts_with("missing_field:vehicle"), "{:?}", m[2]);
    assert_eq!((m[3][1].as_str(), m[3][2].as_str()), ("4", "rejected"));
    assert!(m[3][3].starts_with("missing_field:postcode"), "{:?}", m[3]);
    assert_eq!(m[4][2], "composed");
    assert_eq!(m[4][4], "P0000002", "piece ids count composed pieces");
    let doc = Document::load(first_file(&tmp.path("out"), "letter")).unwrap();
    assert_eq!(doc.get_pages().len(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 composed") && stderr.contains("2 rejected"),
        "{stderr}"
    );
    assert!(!stderr.contains("Guérin"), "no names in the job's output");

    // --strict stops at the first rejection, and leaves no PDF behind.
    let strict = pli(&[
        "compose",
        LETTER,
        &data,
        "-o",
        &tmp.arg("strict"),
        "--date",
        "2026-11-28",
        "--strict",
    ]);
    assert_eq!(strict.status.code(), Some(2), "{}", describe(&strict));
    let msg = String::from_utf8_lossy(&strict.stderr);
    assert!(msg.contains("line 3") && msg.contains("vehicle"), "{msg}");
    assert!(stream_files(&tmp.path("strict"), "letter").is_empty());
}

#[test]
fn long_text_overflows_onto_a_continuation_page() {
    let tmp = TempDir::new("long");
    let long = "Nous tenions également à vous remercier pour votre fidélité. ".repeat(60);
    let header = format!("{HEADER},message");
    let row = format!(
        "L1,Mme,Anne-Laure,Château,,,,12 rue Victor Hugo,,13001,Marseille,,0,Boréal hybride,Auto Rhône Prestige,Lyon,{long}"
    );
    let short =
        "L2,M.,Jérôme,Morel,,,,4 rue Émile Zola,,21000,Dijon,,0,Boréal hybride,Auto Rhône Prestige,Lyon,";
    std::fs::write(tmp.path("c.csv"), format!("{header}\n{row}\n{short}\n")).unwrap();
    let out = pli(&[
        "compose",
        LETTER,
        &tmp.arg("c.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let m = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(
        (m[1][6].as_str(), m[1][7].as_str()),
        ("1", "2"),
        "the long letter takes two pages"
    );
    assert_eq!((m[2][6].as_str(), m[2][7].as_str()), ("3", "1"));
    let doc = Document::load(first_file(&tmp.path("out"), "letter")).unwrap();
    assert_eq!(doc.get_pages().len(), 3);
    if have("pdftotext") {
        let p2 = run_tool(
            "pdftotext",
            &[
                "-f",
                "2",
                "-l",
                "2",
                first_file(&tmp.path("out"), "letter").to_str().unwrap(),
                "-",
            ],
        );
        assert!(
            p2.contains("suite de votre courrier"),
            "continuation header: {p2}"
        );
        assert!(
            p2.contains("salutations distinguées"),
            "the letter ends on page 2"
        );
    }
}

#[test]
fn record_values_print_literally() {
    let tmp = TempDir::new("literal");
    let data = write_contacts(
        &tmp,
        &[
            r#"X1,M.,Jean-François,"Dupont <b>{{date}}</b>",,,,7 rue de la Gare,,31000,Toulouse,,0,Aurore électrique,"Garage & Fils {{vehicle}}",Toulouse"#,
        ],
    );
    let out = pli(&[
        "compose",
        LETTER,
        &data,
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    if have("pdftotext") {
        let text = run_tool(
            "pdftotext",
            &[first_file(&tmp.path("out"), "letter").to_str().unwrap(), "-"],
        );
        assert!(text.contains("Dupont <b>{{date}}</b>"), "{text}");
        assert!(text.contains("Garage & Fils {{vehicle}}"), "{text}");
    }
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let tmp = TempDir::new("determinism");
    for run in ["a", "b"] {
        let out = pli(&[
            "compose",
            LETTER,
            "samples/contacts.csv",
            "-o",
            &tmp.arg(run),
            "--date",
            "2026-11-28",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let names = |run: &str| {
        let mut n: Vec<String> = std::fs::read_dir(tmp.path(run))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names("a"), names("b"), "the same files, by the same names");
    assert!(names("a").iter().any(|n| n.ends_with(".pdf")));
    // job.json records the command line, which names each run's own output folder.
    for file in names("a").into_iter().filter(|n| n != "job.json") {
        let a = std::fs::read(tmp.path(&format!("a/{file}"))).unwrap();
        let b = std::fs::read(tmp.path(&format!("b/{file}"))).unwrap();
        assert!(a == b, "{file} differs between two runs");
    }
}

#[test]
fn files_are_split_between_pieces() {
    let tmp = TempDir::new("split");
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--max-pages",
        "400",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let m = read_csv(&tmp.path("out/manifest.csv"));
    let mut per_file = std::collections::BTreeMap::<String, (usize, Vec<String>)>::new();
    for row in m[1..].iter().filter(|r| r[2] == "composed") {
        let file = per_file.entry(row[5].clone()).or_default();
        file.0 += row[7].parse::<usize>().unwrap();
        file.1.push(row[4].clone());
    }
    assert_eq!(per_file.len(), 3);
    // Each name says the stream, the sequence and the pieces it holds.
    for (k, (name, (_, pieces))) in per_file.iter().enumerate() {
        let expected = format!(
            "letter-{:04}-{}-{}.pdf",
            k + 1,
            pieces.iter().min().unwrap(),
            pieces.iter().max().unwrap()
        );
        assert_eq!(name, &expected);
    }
    for (name, (pages, _)) in per_file {
        let doc = Document::load(tmp.path(&format!("out/{name}"))).unwrap();
        assert_eq!(doc.get_pages().len(), pages, "{name}");
        assert!(pages <= 400);
    }
}

#[test]
fn images_chosen_by_the_record_stay_in_the_assets_folder() {
    let tmp = TempDir::new("photos");
    let sample = std::fs::read_to_string(root().join(LETTER)).unwrap();
    let layout = sample
        .replace("fonts = \"../fonts\"", &format!("fonts = \"{}\"", root().join("fonts").display()))
        .replace("assets = \"assets\"", &format!("assets = \"{}\"", tmp.path("assets").display()))
        + "\n[[elements]]\ntype = \"image\"\nname = \"photo\"\nfile = \"{{photo}}\"\nfit = \"cover\"\nx = 150\ny = 14\nwidth = 40\nheight = 20\n";
    std::fs::create_dir_all(tmp.path("assets/cars")).unwrap();
    for (from, to) in [
        ("logo.png", "logo.png"),
        ("signature.jpg", "signature.jpg"),
        ("logo.png", "cars/aurore.png"),
        ("signature.jpg", "cars/boreal.jpg"),
    ] {
        std::fs::copy(
            root().join("layouts/assets").join(from),
            tmp.path("assets").join(to),
        )
        .unwrap();
    }
    std::fs::write(
        tmp.path("secret.png"),
        std::fs::read(root().join("layouts/assets/logo.png")).unwrap(),
    )
    .unwrap();
    std::fs::write(tmp.path("layout.toml"), layout).unwrap();
    let header = format!("{HEADER},photo");
    let rows = [
        "P1,Mme,Zoé,Lefèvre,,,,3 rue des Lilas,,69003,Lyon,,0,Aurore électrique,Garage des Cèdres,Lyon,cars/aurore.png",
        "P2,M.,Loïc,Guérin,,,,5 rue Pasteur,,42000,Saint-Étienne,,0,Boréal hybride,Garage des Cèdres,Lyon,cars/boreal.jpg",
        "P3,M.,Noël,Dubois,,,,8 quai Gailleton,,69002,Lyon,,0,Aurore électrique,Garage des Cèdres,Lyon,../secret.png",
        "P4,M.,Benoît,Robin,,,,1 place Bellecour,,69002,Lyon,,0,Aurore électrique,Garage des Cèdres,Lyon,cars/aurore.png",
    ];
    std::fs::write(tmp.path("c.csv"), format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let out = pli(&[
        "compose",
        &tmp.arg("layout.toml"),
        &tmp.arg("c.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let m = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(m[3][2], "rejected");
    assert!(m[3][3].contains("leaves the assets folder"), "{:?}", m[3]);
    let doc = Document::load(first_file(&tmp.path("out"), "layout")).unwrap();
    assert_eq!(doc.get_pages().len(), 3);
    let images = doc
        .objects
        .values()
        .filter(|o| matches!(o, Object::Stream(s) if s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image") && s.dict.get(b"Width").is_ok() && s.dict.get(b"ColorSpace").and_then(|v| v.as_name()).ok() != Some(b"DeviceGray")))
        .count();
    // logo, signature, the aurore copy of the logo, the boreal copy of the signature: each once.
    assert_eq!(images, 4, "each distinct image file embedded once");
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let tmp = TempDir::new("threads");
    for (run, threads) in [("one", "1"), ("two", "2"), ("three", "3")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pli"))
            .args([
                "compose",
                LETTER,
                "samples/contacts.csv",
                "-o",
                &tmp.arg(run),
                "--date",
                "2026-11-28",
            ])
            .args(["--max-pages", "300"])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let names: Vec<String> = read_csv(&tmp.path("one/manifest.csv"))[1..]
        .iter()
        .filter(|r| !r[5].is_empty())
        .map(|r| r[5].clone())
        .collect();
    let mut files: Vec<String> = names;
    files.dedup();
    assert!(files.len() >= 3, "split into several files: {files:?}");
    files.extend(["manifest.csv".into(), "report.json".into()]);
    for file in files {
        let one = std::fs::read(tmp.path(&format!("one/{file}"))).unwrap();
        for other in ["two", "three"] {
            let b = std::fs::read(tmp.path(&format!("{other}/{file}"))).unwrap();
            assert!(one == b, "{file} differs between 1 and {other} threads");
        }
    }
}

#[test]
fn quiet_prints_nothing_and_progress_prints_counts_only() {
    let tmp = TempDir::new("quiet");
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("q"),
        "--date",
        "2026-11-28",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty() && out.stdout.is_empty(),
        "{}",
        describe(&out)
    );
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("p"),
        "--date",
        "2026-11-28",
        "--progress",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pli: progress: ") && err.contains("pages/s"),
        "{err}"
    );
    let contacts = read_csv(&root().join("samples/contacts.csv"));
    for rec in &contacts[1..50] {
        assert!(
            !err.contains(&rec[3]),
            "a last name in the progress output: {err}"
        );
    }
}
