//! End to end: `pli compose --presort` writes its pages in the carrier's order, with
//! presort.csv, tray labels and the postage; `pli presort` plans without composing.

mod common;

use common::*;

/// 515 letters: 420 for one Paris postcode (fills the finest level), 60 spread over
/// Lyon's postcodes (each too few: they meet at the département), 30 for Bordeaux (too
/// few for anything but the residual level) and 5 for Belgium (single-piece), mixed.
fn contacts() -> String {
    let mut dests: Vec<(&str, &str, &str)> = Vec::new();
    dests.extend(std::iter::repeat_n(("75008", "Paris", ""), 420));
    for k in 0..60 {
        dests.push((
            ["69001", "69002", "69003", "69004", "69005", "69006"][k % 6],
            "Lyon",
            "",
        ));
    }
    dests.extend(std::iter::repeat_n(("33000", "Bordeaux", ""), 30));
    dests.extend(std::iter::repeat_n(("1000", "Bruxelles", "Belgique"), 5));
    // A fixed shuffle, so that input order is not the carrier's.
    let n = dests.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&k| (k * 7919) % n);
    let mut csv = format!("{HEADER}\n");
    for (line, &k) in order.iter().enumerate() {
        let (postcode, city, country) = dests[k];
        csv.push_str(&format!(
            "R{line:04},M.,Jean,Martin{line},,,,{} rue de la Gare,,{postcode},{city},{country},0,Boréal hybride,Garage des Chartrons,Bordeaux\n",
            line + 1
        ));
    }
    csv
}

#[test]
fn a_presorted_job_writes_its_pages_in_the_carriers_order() {
    let tmp = TempDir::new("presort");
    std::fs::write(tmp.path("contacts.csv"), contacts()).unwrap();
    let letter = letter_with(&tmp, "letter", "control_file = true");
    let out = pli(&[
        "compose",
        &letter,
        &tmp.arg("contacts.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--presort",
        "presort/laposte-industriel.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("263.75 EUR presorted against 375.95 EUR single-piece"),
        "{stderr}"
    );

    // presort.csv: finest level first, by key, then by input line; piece ids follow.
    let plan = read_csv(&tmp.path("out/presort.csv"));
    assert_eq!(plan[0][..4], ["position", "piece_id", "record_id", "line"]);
    let rows = &plan[1..];
    assert_eq!(rows.len(), 515);
    let level_of = |r: &Vec<String>| (r[4].clone(), r[5].clone(), r[10].clone());
    let mut blocks: Vec<((String, String, String), usize)> = Vec::new();
    for r in rows {
        match blocks.last_mut() {
            Some((l, n)) if *l == level_of(r) => *n += 1,
            _ => blocks.push((level_of(r), 1)),
        }
    }
    let s = |x: &str| x.to_owned();
    assert_eq!(blocks[0], ((s("postcode"), s("75008"), s("presorted")), 420));
    assert_eq!(blocks[1], ((s("departement"), s("69"), s("presorted")), 60));
    assert_eq!(blocks[2], ((s("france"), s("*"), s("presorted")), 30));
    assert_eq!(blocks[3], ((s(""), s(""), s("single:foreign")), 5));
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (k + 1).to_string());
        assert_eq!(
            r[1],
            format!("P{:07}", k + 1),
            "pieces are numbered in plan order"
        );
    }
    let lines: Vec<u64> = rows[..420].iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "input order within a key");
    let trays: std::collections::BTreeSet<&str> = rows[..510].iter().map(|r| r[7].as_str()).collect();

    // The manifest agrees, record by record: piece, tray and bundle.
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let mut file_of_tray = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    for r in rows {
        let m = manifest.iter().find(|m| m[0] == r[2]).unwrap();
        assert_eq!((m[2].as_str(), m[4].as_str()), ("composed", r[1].as_str()));
        assert_eq!((&m[15], &m[16]), (&r[7], &r[6]), "tray and bundle of {}", r[1]);
        assert_eq!(m[14], "1", "one sheet");
        file_of_tray.entry(r[7].clone()).or_default().insert(m[5].clone());
    }
    // A file per tray: a tray's pieces stay in one file, and no file mixes trays (the
    // single pieces, with no tray, have their own).
    let files = stream_files(&tmp.path("out"), "letter");
    assert_eq!(files.len(), trays.len() + 1);
    for (tray, in_files) in &file_of_tray {
        assert_eq!(in_files.len(), 1, "tray {tray:?} is in one file");
    }
    let distinct: std::collections::BTreeSet<_> = file_of_tray.values().flatten().collect();
    assert_eq!(distinct.len(), file_of_tray.len(), "no file holds two trays");
    // Each file's document parts carry the pieces' trays and bundles.
    let mut parts = 0;
    for file in &files {
        let doc = lopdf::Document::load(file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        for (_, obj) in doc.objects.iter() {
            let Ok(d) = obj.as_dict() else { continue };
            let Ok(dpm) = d.get(b"DPM").and_then(|o| o.as_dict()) else {
                continue;
            };
            let id = String::from_utf8_lossy(dpm.get(b"PieceID").unwrap().as_str().unwrap()).into_owned();
            let m = manifest.iter().find(|m| m[4] == id).unwrap();
            assert_eq!(m[5], name);
            parts += 1;
            let int = |k: &[u8]| {
                dpm.get(k)
                    .ok()
                    .map(|v| v.as_i64().unwrap().to_string())
                    .unwrap_or_default()
            };
            assert_eq!(
                (int(b"Tray"), int(b"Bundle"), int(b"Sheets")),
                (m[15].clone(), m[16].clone(), m[14].clone())
            );
        }
    }

    assert_eq!(parts, 515, "a document part per piece");
    if have("qpdf") {
        for f in &files {
            run_tool("qpdf", &["--check", f.to_str().unwrap()]);
        }
    }
    // The inserter diverts the single pieces (abroad), which are in no tray.
    let control = read_csv(&tmp.path("out/inserter.csv"));
    for c in &control[1..] {
        let m = manifest.iter().find(|m| m[4] == c[3]).unwrap();
        assert_eq!(c[9] == "1", m[15].is_empty(), "divert {c:?}");
    }
    assert_eq!(control[1..].iter().filter(|c| c[9] == "1").count(), 5);

    // The PDF's pages are in that order.
    if have("pdftotext") {
        let page = |n: usize| {
            let m = manifest.iter().find(|m| m[4] == format!("P{n:07}")).unwrap();
            let p = m[6].clone();
            run_tool(
                "pdftotext",
                &[
                    "-f",
                    &p,
                    "-l",
                    &p,
                    "-layout",
                    &tmp.arg(&format!("out/{}", m[5])),
                    "-",
                ],
            )
        };
        assert!(page(1).contains("75008 PARIS"));
        assert!(page(421).contains("LYON"));
        assert!(page(481).contains("33000 BORDEAUX"));
        assert!(page(515).contains("BELGIQUE"));
        let labels = run_tool("pdftotext", &["-layout", &tmp.arg("out/trays.pdf"), "-"]);
        assert!(labels.contains(&format!("Bac 1 / {}", trays.len())), "{labels}");
        assert!(labels.contains("Plis P0000001 à P0000"), "{labels}");
        assert!(
            labels.contains("Rhône"),
            "the département tray is named: {labels}"
        );
    }
    let doc = lopdf::Document::load(tmp.path("out/trays.pdf")).unwrap();
    assert_eq!(doc.get_pages().len(), trays.len(), "one label per tray");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("out/report.json")).unwrap()).unwrap();
    let p = &report["presort"];
    assert_eq!(
        p["pieces_per_level"],
        serde_json::json!([["postcode", 420], ["departement", 60], ["france", 30]])
    );
    assert_eq!(p["single_pieces"], serde_json::json!([["foreign", 5]]));
    assert_eq!(p["trays"], trays.len());
    assert_eq!(
        (p["saving_eur"].as_str(), p["saving_percent"].as_str()),
        (Some("112.20"), Some("29.84"))
    );

    // The one-page report for people: counts, postage, a bar per tray, no personal data.
    let html = std::fs::read_to_string(tmp.path("out/report.html")).unwrap();
    assert!(
        html.contains("<td>Records read</td><td class=\"n\">515</td>"),
        "{html}"
    );
    assert!(html.contains("<td>Trays</td>"));
    assert!(html.contains("112.20 EUR (29.84 %)"), "{html}");
    assert_eq!(html.matches("<rect class=\"tray\"").count(), trays.len());
    assert_eq!(
        html.matches("<rect class=\"bar\"").count(),
        4,
        "three levels and the single pieces"
    );
    assert!(
        !html.contains("Martin") && !html.contains("rue de la Gare"),
        "no names or addresses"
    );
}

#[test]
fn presort_alone_plans_and_prices_without_composing() {
    let tmp = TempDir::new("quote");
    std::fs::write(tmp.path("contacts.csv"), contacts()).unwrap();
    let out = pli(&[
        "presort",
        &tmp.arg("contacts.csv"),
        "--rules",
        "presort/laposte-industriel.toml",
        "-o",
        &tmp.arg("quote"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let plan = read_csv(&tmp.path("quote/presort.csv"));
    assert_eq!(plan.len(), 516);
    assert_eq!(plan[1][4..6], ["postcode", "75008"]);
    assert!(tmp.path("quote/trays.pdf").exists());
    assert!(
        stream_files(&tmp.path("quote"), "letter").is_empty(),
        "nothing composed"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("quote/report.json")).unwrap()).unwrap();
    assert_eq!(report["mailpieces"], 515);
    assert_eq!(report["presort"]["postage_presorted_eur"], "263.75");

    // A deposit below the carrier's minimum is priced single-piece, with a warning.
    let small: String = contacts().lines().take(101).map(|l| format!("{l}\n")).collect();
    std::fs::write(tmp.path("small.csv"), small).unwrap();
    let out = pli(&[
        "presort",
        &tmp.arg("small.csv"),
        "--rules",
        "presort/laposte-industriel.toml",
        "-o",
        &tmp.arg("small"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("below the carrier's minimum"),
        "{}",
        describe(&out)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("small/report.json")).unwrap()).unwrap();
    assert_eq!(report["presort"]["saving_eur"], "0.00");
}

#[test]
fn presorted_catalogues_are_weighed_by_the_pages_they_were_composed_with() {
    let tmp = TempDir::new("presort-catalogue");
    let out = pli(&[
        "compose",
        "layouts/catalogue.toml",
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--presort",
        "presort/laposte-industriel.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let manifest = read_csv(&tmp.path("out/manifest.csv"));
    let plan = read_csv(&tmp.path("out/presort.csv"));
    let (mut four, mut eight) = (0, 0);
    for r in &plan[1..] {
        let m = manifest.iter().find(|m| m[0] == r[2]).unwrap();
        // 115 g/m² A4 printed both sides, no envelope (a self-mailer): 4 pages are two
        // sheets (14.3 g, 15 rounded up), 8 pages four (28.7 g: the 20-50 g step).
        let (weight, presorted_price) = match m[7].as_str() {
            "4" => {
                four += 1;
                ("15", "0.51")
            }
            "8" => {
                eight += 1;
                ("29", "0.84")
            }
            other => panic!("a catalogue of {other} pages"),
        };
        assert_eq!(r[8], weight, "{r:?}");
        if r[10] == "presorted" {
            assert_eq!(r[9], presorted_price, "{r:?}");
        }
    }
    assert!(four > 0 && eight > 0, "both lengths in the sample");
}
