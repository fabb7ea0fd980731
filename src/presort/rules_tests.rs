//! The rules file, case by case: what reads, and the errors that name the line and the fault.

use super::*;
use crate::mailprep::PostalCode;

pub(crate) const SMALL: &str = r#"
[product]
name = "test"
currency = "EUR"
deposit_min_pieces = 5

[eligibility]
domestic_countries = ["", "France", "FR"]
postcode_form = "fr"

[bundle]
max_pieces = 50

[tray]
max_pieces = 400
max_thickness_mm = 300

[[level]]
name = "postcode"
key = "postcode"
bundle_min = 10
tray_min = 50

[[level]]
name = "departement"
key = "department"
bundle_min = 10
tray_min = 50

[[level]]
name = "france"
key = "all"

[[weight_step]]
up_to_g = 20
presorted_cents = 51
single_piece_cents = 73
"#;

fn parse(text: &str) -> Result<Rules, RulesError> {
    Rules::parse(text, Path::new("r.toml"))
}

/// A destination as mail preparation reads it.
fn to(country: &str, postcode: &str) -> crate::mailprep::Destination {
    crate::mailprep::Destination::new(country, postcode)
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn a_small_file_reads() {
    let r = parse(SMALL).unwrap();
    assert_eq!(r.levels().len(), 3);
    assert!(r.levels()[2].is_residual());
    assert_eq!(r.levels()[1].key, KeyRule::Department);
    assert_eq!(r.tray().max_thickness, Some(Thickness::mm(300.0)));
    assert_eq!(r.tray().max_weight, None);
    assert!(!r.mix_levels());
    assert_eq!(
        r.destination(&to("france", "75008")),
        Destination::Domestic(PostalCode::new("75008").unwrap())
    );
    assert_eq!(r.destination(&to("", "")), Destination::NoPostcode);
    assert_eq!(r.destination(&to("Belgique", "1000")), Destination::Foreign);
}

#[test]
fn errors_name_the_file_the_line_and_the_fault() {
    let e = error(&SMALL.replace("max_pieces = 400", "max_pieces = 400\ncolour = 1"));
    assert!(
        e.starts_with("presort rules r.toml, line 16:") && e.contains("colour"),
        "{e}"
    );
    let e = error(&SMALL.replace("key = \"department\"", "key = \"dept\""));
    assert!(
        e.contains("line 26: [[level]] key: (`departement`) `dept` is no key"),
        "{e}"
    );
    let e = error(&SMALL.replace("up_to_g = 20", "up_to_g = 0"));
    assert!(
        e.contains("line 35: [[weight_step]] up_to_g: 0 must be above"),
        "{e}"
    );
    let e = error(&SMALL.replace("currency = \"EUR\"", "currency = \"euro\""));
    assert!(e.contains("line 4: [product] currency: `euro`"), "{e}");
    let e = Rules::load(Path::new("/nonexistent/rules.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/rules.toml"), "{e}");
}

#[test]
fn the_shipped_files_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("presort");
    let laposte = Rules::load(&dir.join("laposte-industriel.toml")).unwrap();
    assert_eq!(laposte.currency(), "EUR");
    assert_eq!(laposte.prices(Grams(20)), Some((Cents(51), Cents(73))));
    let names: Vec<&str> = laposte.levels().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["postcode", "departement", "france"]);
    let usps = Rules::load(&dir.join("usps-style.toml")).unwrap();
    assert_eq!(usps.levels()[1].key, KeyRule::Prefix(3));
    assert!(usps.mix_levels());
    assert_eq!(
        usps.destination(&to("United States", "02134")),
        Destination::Domestic(PostalCode::new("02134").unwrap())
    );
    assert_eq!(usps.destination(&to("France", "75008")), Destination::Foreign);
}

#[test]
fn levels_must_go_finest_to_coarsest() {
    let swapped = SMALL
        .replacen("key = \"postcode\"", "key = \"TMP\"", 1)
        .replacen("key = \"department\"", "key = \"postcode\"", 1)
        .replacen("key = \"TMP\"", "key = \"department\"", 1);
    assert!(error(&swapped).contains("not coarser"));
    let residual_first = SMALL.replacen("key = \"postcode\"", "key = \"all\"", 1);
    assert!(error(&residual_first).contains("residual"));
    let no_min = SMALL.replacen("tray_min = 50\n", "", 1);
    assert!(error(&no_min).contains("tray_min are needed"));
    let zero = SMALL.replacen("bundle_min = 10", "bundle_min = 0", 1);
    assert!(error(&zero).contains("1 or more"));
    let tray_below_bundle = SMALL.replacen("tray_min = 50", "tray_min = 5", 1);
    assert!(error(&tray_below_bundle).contains("at least bundle_min"));
    let half = SMALL.replacen("bundle_min = 10", "bundle_min = 30", 1);
    assert!(error(&half).contains("more than half"));
    let zip_dept = SMALL.replace("postcode_form = \"fr\"", "postcode_form = \"digits:5\"");
    assert!(error(&zip_dept).contains("needs `postcode_form"));
}

#[test]
fn capacities_prices_and_steps_are_checked() {
    assert!(error(&SMALL.replace("max_pieces = 400", "max_pieces = 0")).contains("[tray]"));
    assert!(error(&SMALL.replace("max_thickness_mm = 300", "max_thickness_mm = -1.0")).contains("[tray]"));
    assert!(error(&SMALL.replace("presorted_cents = 51", "presorted_cents = -1")).contains("negative"));
    let two =
        format!("{SMALL}\n[[weight_step]]\nup_to_g = 20\npresorted_cents = 1\nsingle_piece_cents = 2\n");
    assert!(error(&two).contains("previous step"));
    assert!(error(&SMALL.replace("\"EUR\"", "\"euro\"")).contains("ISO 4217"));
    assert!(error(&SMALL.replace("deposit_min_pieces = 5", "deposit_min_pieces = 0")).contains("1 or more"));
}
