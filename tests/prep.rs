//! End to end: mail preparation in `pli compose`: La Poste's postcode base, suppression
//! lists in clear and hashed, de-duplication, and the manifest that accounts for it all.

mod common;

use std::path::PathBuf;

use common::*;
use sha2::{Digest, Sha256};

/// La Poste's postcode base from the shared reference data (never copied into the
/// project), or `None` after a skip line; with `PLI_REQUIRE_TOOLS=1` its absence fails.
fn postcode_base() -> Option<PathBuf> {
    let candidates = [
        root().join("../shared/data/019HexaSmal.csv"),
        PathBuf::from("/work/shared/data/019HexaSmal.csv"),
    ];
    if let Some(found) = candidates.iter().find(|p| p.exists()) {
        return Some(found.clone());
    }
    let message = "skipped: the postcode base 019HexaSmal.csv is not in ../shared/data";
    if std::env::var("PLI_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("{message}");
    }
    eprintln!("{message}");
    None
}

const CONTACTS: &str = "\
id,civility,first_name,last_name,company,address2,address3,street,address5,postcode,city,country,email,mobile,postal_optout,vehicle,dealer,dealer_city
P01,M.,Jean,Dupont,,,,12 rue des Lilas,,75008,Paris,,jean.dupont@exemple.com,,0,Boréal hybride,Garage des Chartrons,Bordeaux
P02,M.,JEAN,DUPONT,,,,12 Rue des Lilas,,75008,PARIS,,,,0,Boréal hybride,Garage des Chartrons,Bordeaux
P03,M.,J.,Dupont,,,,12 rue des lilas,,75008,Paris,,,,0,Boréal hybride,Garage des Chartrons,Bordeaux
P04,Mme,Marie,Curie,,,,3 place Bellecour,,69003,Lyon,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P05,Mme,Anne,Martin,,,,5 rue Victor Hugo,,33000,Bordeaux,,Anne.Martin@Exemple.com,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P06,M.,Paul,Bernard,,,,8 boulevard Gambetta,,17000,La Rochelle,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P07,M.,Luc,Petit,,,,1 rue de la Paix,,42000,Paris,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P08,M.,Marc,Roux,,,,2 rue Neuve,,99999,Nulle Part,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P09,Mme,Julie,Moreau,,,,4 avenue de la Libération,,42000,Saint-Étienne,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P10,M.,Eric,Blanc,,,,6 rue Haute,,69003,Lyon,,,,1,Cévenole SUV,Garage de l'Ill,Strasbourg
P11,M.,Jean-Pierre,Durand,,,,7 allée des Pins,,33000,Bordeaux,,,06 11 22 33 44,0,Cévenole SUV,Garage de l'Ill,Strasbourg
P12,M.,Jean Pierre,DURAND,,,,7 Allée des Pins,,33000,Bordeaux,,,,0,Cévenole SUV,Garage de l'Ill,Strasbourg
";

/// Hex SHA-256, as a mailing house hashes the keys of a list it must not keep in clear.
fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `pli compose` of the sample letter on the test contacts, with `extra` options.
fn compose(tmp: &TempDir, extra: &[&str]) -> std::process::Output {
    std::fs::write(tmp.path("contacts.csv"), CONTACTS).unwrap();
    let (data, out) = (tmp.arg("contacts.csv"), tmp.arg("out"));
    let mut args = vec!["compose", LETTER, &data, "-o", &out, "--date", "2026-11-28"];
    args.extend_from_slice(extra);
    pli(&args)
}

fn status_of(manifest: &[Vec<String>], id: &str) -> (String, String) {
    let row = manifest
        .iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("{id} is not in the manifest"));
    (row[2].clone(), row[3].clone())
}

#[test]
fn postcodes_lists_and_duplicates_decide_each_records_fate() {
    let Some(base) = postcode_base() else { return };
    let tmp = TempDir::new("prep");
    // Opt-outs in clear (an e-mail, any case); undeliverable returns hashed: the key of
    // Paul Bernard's name and address, normalised, then SHA-256.
    std::fs::write(
        tmp.path("optout.txt"),
        "# right to object\nanne.martin@exemple.com\n",
    )
    .unwrap();
    let key = pli::mailprep::name_address_key("Bernard", "Paul", "8 boulevard Gambetta", "17000")
        .expect("a key for a full name and address");
    std::fs::write(tmp.path("pnd.txt"), format!("{}\n", sha256_hex(&key))).unwrap();
    let (optout, pnd) = (
        format!("optout={}", tmp.arg("optout.txt")),
        format!("pnd={}", tmp.arg("pnd.txt")),
    );
    let base = base.to_str().unwrap();
    let lists = ["--suppress", &optout, "--suppress", &pnd];
    let out = compose(
        &tmp,
        &[&["--postcodes", base, "--dedupe", "individual"][..], &lists].concat(),
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "rejections exit 3: {}",
        describe(&out)
    );
    let m = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(m.len(), 13, "one row per record");
    let expect = [
        ("P01", "composed", ""),
        ("P02", "suppressed", "suppressed:duplicate_of:P01"),
        ("P03", "suppressed", "suppressed:duplicate_of:P01"),
        ("P04", "composed", ""),
        ("P05", "suppressed", "suppressed:optout"),
        ("P06", "suppressed", "suppressed:pnd"),
        ("P07", "rejected", "invalid_field:city"),
        ("P08", "rejected", "invalid_field:postcode"),
        ("P09", "composed", "address_normalised"),
        // A postal opt-out with no consent for the layout's e-mail or SMS.
        ("P10", "suppressed", "suppressed:no_channel"),
        ("P11", "composed", ""),
        ("P12", "suppressed", "suppressed:duplicate_of:P11"),
    ];
    for (id, status, reason) in expect {
        let (got_status, got_reason) = status_of(&m, id);
        assert_eq!(got_status, status, "{id}: {got_reason}");
        assert!(got_reason.starts_with(reason), "{id}: {got_reason}");
    }
    // Names and addresses stay out of the reasons.
    for row in &m[1..] {
        assert!(!row[3].contains("Paris") && !row[3].contains("Petit"), "{row:?}");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("out/report.json")).unwrap()).unwrap();
    let c = &report["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("records"), 12);
    assert_eq!(
        n("composed") + n("exported") + n("suppressed") + n("rejected"),
        12
    );
    assert_eq!(c["reasons"]["suppressed:duplicate"], 3);
    assert_eq!(c["reasons"]["suppressed:pnd"], 1);
    assert_eq!(c["reasons"]["suppressed:optout"], 1);
    assert_eq!(c["reasons"]["suppressed:no_channel"], 1);

    // The letters carry the base's delivery names, in capitals without accents.
    if have("pdftotext") {
        let text = run_tool(
            "pdftotext",
            &[
                "-layout",
                first_file(&tmp.path("out"), "letter").to_str().unwrap(),
                "-",
            ],
        );
        assert!(text.contains("75008 PARIS"), "{text}");
        assert!(text.contains("69003 LYON"), "{text}");
        assert!(text.contains("42000 ST ETIENNE"), "{text}");
    }
}

#[test]
fn with_the_warn_policy_an_unconfirmed_town_is_composed_with_a_warning() {
    let Some(base) = postcode_base() else { return };
    let tmp = TempDir::new("prep-warn");
    let out = compose(
        &tmp,
        &["--postcodes", base.to_str().unwrap(), "--address-policy", "warn"],
    );
    let m = read_csv(&tmp.path("out/manifest.csv"));
    let (status, reason) = status_of(&m, "P07");
    assert_eq!(status, "composed", "{}", describe(&out));
    assert!(reason.contains("address_warning:"), "{reason}");
    // Without --dedupe, near-duplicates are all mailed.
    assert_eq!(status_of(&m, "P02").0, "composed");
}

#[test]
fn a_bad_suppression_option_or_list_stops_the_job_before_it_starts() {
    let tmp = TempDir::new("prep-bad");
    std::fs::write(tmp.path("contacts.csv"), CONTACTS).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["compose", LETTER, "samples/contacts.csv", "--date", "2026-11-28"];
        let out_dir = tmp.arg("out");
        args.extend_from_slice(&["-o", &out_dir]);
        args.extend_from_slice(extra);
        pli(&args)
    };
    let unknown = run(&["--suppress", "spam=list.txt"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", describe(&unknown));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown list kind `spam`"));
    let missing = compose(
        &tmp,
        &["--suppress", &format!("optout={}", tmp.arg("nowhere.txt"))],
    );
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere.txt"));
    assert!(!tmp.path("out/manifest.csv").exists(), "nothing written");
}

#[test]
fn prepare_writes_the_cleaned_file_without_composing() {
    let tmp = TempDir::new("prepare");
    std::fs::write(tmp.path("contacts.csv"), CONTACTS).unwrap();
    let data = tmp.arg("contacts.csv");
    let csv_out = tmp.arg("cleaned.csv");
    let out = pli(&["prepare", &data, "--dedupe", "household", "-o", &csv_out]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "P08's postcode is rejected: {}",
        describe(&out)
    );
    let rows = read_csv(&tmp.path("cleaned.csv"));
    assert_eq!(
        rows[0][..8],
        [
            "record_id",
            "line",
            "status",
            "reason",
            "channels",
            "household",
            "duplicate_of",
            "address_normalised"
        ]
    );
    assert_eq!(rows[0][14], "address_line7");
    assert_eq!(rows.len(), 13, "one row per record");
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    // Without a layout every channel is offered: P01 consents to nothing but has no opt-out.
    assert_eq!(row("P01")[2..5], ["ready", "", "post"]);
    assert_eq!(
        row("P01")[8..11],
        ["M. Jean Dupont", "12 rue des Lilas", "75008 PARIS"]
    );
    assert_eq!(
        row("P02")[2..7],
        ["suppressed", "suppressed:duplicate_of:P01", "", "P01", "P01"]
    );
    assert_eq!(
        row("P12")[6],
        "P11",
        "Jean-Pierre and Jean Pierre Durand are one household"
    );
    // Capitals without accents on the last line are the standard's form, not a change.
    assert_eq!(
        row("P09")[7..11],
        [
            "no",
            "Mme Julie Moreau",
            "4 avenue de la Libération",
            "42000 SAINT ETIENNE"
        ]
    );
    assert_eq!(row("P10")[2..4], ["suppressed", "suppressed:no_channel"]);
    assert_eq!(row("P08")[2], "rejected");
    assert!(!tmp.path("out").exists(), "nothing composed");

    // Standard output gives the same file; JSON Lines the same records.
    let out = pli(&["prepare", &data, "--dedupe", "household", "-o", "-", "-q"]);
    assert_eq!(out.stdout, std::fs::read(tmp.path("cleaned.csv")).unwrap());
    let jsonl = tmp.arg("cleaned.jsonl");
    pli(&["prepare", &data, "--dedupe", "household", "-o", &jsonl, "-q"]);
    let objects: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(objects.len(), 12);
    assert_eq!(objects[1]["duplicate_of"], "P01");
    assert_eq!(objects[0]["channels"], serde_json::json!(["post"]));
    assert_eq!(objects[0]["address_lines"][2], "75008 PARIS");
}

#[test]
fn each_household_gets_one_document_and_each_person_a_letter() {
    let tmp = TempDir::new("households");
    // The Durands share an address (one household, no household column); Anne Martin
    // and Paul Martin share the file's household column; Marie Curie lives alone.
    let contacts = "\
id,civility,first_name,last_name,company,address2,address3,street,address5,postcode,city,country,postal_optout,household,vehicle,dealer,dealer_city
F01,M.,Jean-Pierre,Durand,,,,7 allée des Pins,,33000,Bordeaux,,0,,Boréal hybride,Garage des Chartrons,Bordeaux
F02,Mme,Sophie,DURAND,,,,7 Allée des Pins,,33000,Bordeaux,,0,,Boréal hybride,Garage des Chartrons,Bordeaux
F03,Mme,Marie,Curie,,,,3 place Bellecour,,69003,Lyon,,0,,Cévenole SUV,Garage de l'Ill,Strasbourg
F04,Mme,Anne,Martin,,,,5 rue Victor Hugo,,33000,Bordeaux,,0,HH-9,Cévenole SUV,Garage de l'Ill,Strasbourg
F05,M.,Paul,Martin,,,,9 rue Neuve,,33000,Bordeaux,,0,HH-9,Cévenole SUV,Garage de l'Ill,Strasbourg
F06,M.,Luc,Durand,,,,7 allée des Pins,,33000,Bordeaux,,1,,Cévenole SUV,Garage de l'Ill,Strasbourg
";
    std::fs::write(tmp.path("family.csv"), contacts).unwrap();
    // The sample letter stands in for the household's document (a catalogue).
    let out = pli(&[
        "compose",
        LETTER,
        &tmp.arg("family.csv"),
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-11-28",
        "--household-docs",
        LETTER,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let m = read_csv(&tmp.path("out/manifest.csv"));
    assert_eq!(
        m[0][10..14],
        [
            "household_doc",
            "household_doc_file",
            "household_doc_first_page",
            "household_doc_pages"
        ]
    );
    let row = |id: &str| m.iter().find(|r| r[0] == id).unwrap().clone();
    // Everyone mailed keeps a letter.
    for id in ["F01", "F02", "F03", "F04", "F05"] {
        assert_eq!(row(id)[2], "composed", "{id}");
    }
    // One document per household, for its first mailed member.
    assert_eq!(row("F01")[9], row("F02")[9], "the Durands are one household");
    assert_eq!(row("F04")[9], "HH-9");
    assert_eq!(row("F05")[9], "HH-9");
    let docs: Vec<(&str, &str)> = m[1..]
        .iter()
        .filter(|r| !r[10].is_empty())
        .map(|r| (r[0].as_str(), r[10].as_str()))
        .collect();
    assert_eq!(
        docs,
        [("F01", "D0000001"), ("F03", "D0000002"), ("F04", "D0000003")]
    );
    assert!(row("F01")[11].starts_with("letter-household-0001-D0000001-"));
    let doc = lopdf::Document::load(first_file(&tmp.path("out"), "letter-household")).unwrap();
    assert_eq!(doc.get_pages().len(), 3, "three households, one document each");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path("out/report.json")).unwrap()).unwrap();
    assert_eq!(report["counts"]["household_docs"], 3);
}

#[test]
fn products_given_on_the_command_line_serve_the_household_catalogue() {
    let tmp = TempDir::new("household-products");
    let missing = tmp.arg("no-products.csv");
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--household-docs",
        "layouts/catalogue.toml",
        "--products",
        &missing,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-products.csv"),
        "{}",
        describe(&out)
    );
}
