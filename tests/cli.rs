//! End to end: `pli proof`, `pli check`, exit codes and job-level errors.

mod common;

use common::*;

#[test]
fn a_proof_is_one_record() {
    let tmp = TempDir::new("proof");
    let out = pli(&[
        "proof",
        LETTER,
        "samples/contacts.csv",
        "--record",
        "C000042",
        "-o",
        &tmp.arg("p.pdf"),
        "--date",
        "2026-11-28",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc = lopdf::Document::load(tmp.path("p.pdf")).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
    if have("pdftotext") {
        let input = read_csv(&root().join("samples/contacts.csv"));
        let rec = input.iter().find(|r| r[0] == "C000042").unwrap();
        let text = run_tool("pdftotext", &[tmp.path("p.pdf").to_str().unwrap(), "-"]);
        assert!(text.contains(&format!("{} {}", rec[2], rec[3])), "{text}");
    }
    let missing = pli(&[
        "proof",
        LETTER,
        "samples/contacts.csv",
        "--record",
        "NOPE",
        "-o",
        &tmp.arg("q.pdf"),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no record `NOPE`"));
    assert!(!tmp.path("q.pdf").exists());
}

#[test]
fn check_accepts_the_sample_and_lists_every_problem_of_a_broken_layout() {
    let ok = pli(&["check", LETTER, "samples/contacts.csv"]);
    assert_eq!(ok.status.code(), Some(0), "{}", describe(&ok));

    let tmp = TempDir::new("check");
    let sample = std::fs::read_to_string(root().join(LETTER)).unwrap();
    let broken = sample
        .replace("style = \"address\"", "style = \"adress\"")
        .replace("file = \"logo.png\"", "file = \"missing.png\"")
        .replace("font = \"Lato\"\nsize = 7", "font = \"Garamond\"\nsize = 7")
        .replace(
            "fonts = \"../fonts\"",
            &format!("fonts = \"{}\"", root().join("fonts").display()),
        )
        .replace(
            "assets = \"assets\"",
            &format!("assets = \"{}\"", root().join("layouts/assets").display()),
        );
    std::fs::write(tmp.path("broken.toml"), broken).unwrap();
    let out = pli(&["check", &tmp.arg("broken.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("no style `adress`"), "{msg}");
    assert!(msg.contains("missing.png"), "{msg}");
    assert!(msg.contains("Garamond"), "{msg}");
    assert!(msg.contains("3 problem(s) found"), "{msg}");
}

#[test]
fn check_with_data_names_missing_columns() {
    let tmp = TempDir::new("columns");
    std::fs::write(
        tmp.path("c.csv"),
        "id,last_name,street,postcode,city\n1,A,B,69001,Lyon\n",
    )
    .unwrap();
    let out = pli(&["check", LETTER, &tmp.arg("c.csv")]);
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    for col in ["vehicle", "dealer", "dealer_city"] {
        assert!(msg.contains(&format!("no column `{col}`")), "{msg}");
    }
    let compose = pli(&["compose", LETTER, &tmp.arg("c.csv"), "-o", &tmp.arg("out")]);
    assert_eq!(compose.status.code(), Some(2), "a job that cannot run exits 2");
    assert!(!tmp.path("out/manifest.csv").exists(), "no partial output");
}

#[test]
fn job_level_errors_exit_2_with_a_clear_message() {
    let tmp = TempDir::new("errors");
    let out = pli(&["compose", LETTER, "no/such/file.csv", "-o", &tmp.arg("out")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.csv"));

    std::fs::write(tmp.path("empty.csv"), "").unwrap();
    let out = pli(&["compose", LETTER, &tmp.arg("empty.csv"), "-o", &tmp.arg("out")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));

    std::fs::write(tmp.path("not-a-dir"), "x").unwrap();
    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("not-a-dir/out"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));

    let out = pli(&[
        "compose",
        LETTER,
        "samples/contacts.csv",
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-02-30",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_has_examples() {
    for cmd in ["compose", "proof", "check"] {
        let out = pli(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Examples:") && help.contains(&format!("pli {cmd}")),
            "{help}"
        );
    }
}

/// A copy of the sample layout in `dir`, with fonts and assets pointing back at the project's.
fn layout_copy(dir: &TempDir, edit: impl Fn(String) -> String) -> String {
    let sample = std::fs::read_to_string(root().join(LETTER)).unwrap();
    let text = sample
        .replace(
            "fonts = \"../fonts\"",
            &format!("fonts = \"{}\"", root().join("fonts").display()),
        )
        .replace(
            "assets = \"assets\"",
            &format!("assets = \"{}\"", dir.path("assets").display()),
        );
    std::fs::create_dir_all(dir.path("assets")).unwrap();
    for f in ["logo.png", "signature.jpg"] {
        std::fs::copy(root().join("layouts/assets").join(f), dir.path("assets").join(f)).unwrap();
    }
    std::fs::write(dir.path("layout.toml"), edit(text)).unwrap();
    dir.arg("layout.toml")
}

#[test]
fn check_renders_templates_to_find_markup_and_path_problems() {
    let tmp = TempDir::new("dryrun");
    let layout = layout_copy(&tmp, |t| {
        t.replace("Pour convenir d’un rendez-vous", "<u>Pour</u> convenir & d’un rendez-vous")
            .replace("<p class=\"subject\">", "<p class=\"sujet\">")
            + "\n[[elements]]\ntype = \"image\"\nname = \"photo\"\nfile = \"../{{vehicle}}.png\"\nx = 150\ny = 14\nwidth = 40\nheight = 20\n"
    });
    let out = pli(&["check", &layout]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("leaves the assets folder"), "{msg}");
    // The first markup error in the body stops its parse; the class error shows once the markup is fixed.
    assert!(msg.contains("[body] text: unknown tag `<u>`"), "{msg}");
    let fixed = layout_copy(&tmp, |t| {
        t.replace("<p class=\"subject\">", "<p class=\"sujet\">")
    });
    let out = pli(&["check", &fixed]);
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("no style `sujet`"), "{msg}");
}
