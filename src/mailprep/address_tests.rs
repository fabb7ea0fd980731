//! The address block, case by case: every line role, shortening, CEDEX, abroad, rejections.
//!
//! A case's fields are `name=value` pairs separated by `|`; a leading `~` starts from
//! the plain record `X, 1 rue A, 75008 Paris` and changes the fields named (an empty
//! value empties one). Expected lines are separated by ` / `.

use super::*;
use crate::mailprep::postcodes::sample_base;

/// Which base a case checks against.
#[derive(Copy, Clone, PartialEq)]
enum Base {
    /// Form check only.
    None,
    /// The sample base, rejecting what it cannot confirm.
    Reject,
    /// The sample base, warning about what it cannot confirm.
    Warn,
}

/// What a case expects.
enum Want {
    /// These lines; whether the block counts as normalised.
    Lines(&'static str, bool),
    /// These lines and one warning code.
    Warned(&'static str, &'static str),
    /// A rejection with this code.
    Rejected(&'static str),
}

use Base::{None as Form, Reject, Warn};
use Want::{Lines, Rejected, Warned};

/// The record `~` starts from.
const PLAIN: &str = "last_name=X|street=1 rue A|postcode=75008|city=Paris";

#[rustfmt::skip]
const CASES: &[(&str, Base, &str, Want)] = &[
    ("the fewest fields: name, street, locality", Form,
        "last_name=Dupont|street=12 rue des Lilas|postcode=75008|city=Paris",
        Lines("Dupont / 12 rue des Lilas / 75008 PARIS", false)),
    ("civility, first name and accents stay on line 1", Form,
        "civility=Mme|first_name=Hélène|last_name=Béranger|street=3 place Bellecour|postcode=69002|city=Lyon",
        Lines("Mme Hélène Béranger / 3 place Bellecour / 69002 LYON", false)),
    ("white space is collapsed and empty fields give no line", Form,
        "civility= M. |first_name=Jean  |last_name=  Martin|company=   |street=  4   rue   Neuve |postcode=75008|city= paris ",
        Lines("M. Jean Martin / 4 rue Neuve / 75008 PARIS", false)),
    ("a person at a company: person first, company keeps its punctuation", Form,
        "civility=M.|first_name=Grégoire|last_name=Richard|company=Cabinet André & Associés|street=39 bis rue Pasteur|postcode=17000|city=La Rochelle",
        Lines("M. Grégoire Richard / Cabinet André & Associés / 39 bis rue Pasteur / 17000 LA ROCHELLE", false)),
    ("a company with no person takes line 1", Form,
        "~last_name=|company=Boulangerie Caron",
        Lines("Boulangerie Caron / 1 rue A / 75008 PARIS", false)),
    ("a first name with no last name names nobody and is left out", Form,
        "~last_name=|first_name=Jean|company=Caron SA",
        Lines("Caron SA / 1 rue A / 75008 PARIS", true)),
    ("delivery point on line 2", Form,
        "~address2=Appartement 12",
        Lines("X / Appartement 12 / 1 rue A / 75008 PARIS", false)),
    ("building on line 3 keeps its punctuation", Form,
        "~address3=Bât. B, Résidence les Pins",
        Lines("X / Bât. B, Résidence les Pins / 1 rue A / 75008 PARIS", false)),
    ("delivery point then building", Form,
        "~address2=Escalier C étage 3|address3=Résidence du Parc",
        Lines("X / Escalier C étage 3 / Résidence du Parc / 1 rue A / 75008 PARIS", false)),
    ("lieu-dit on line 5, without punctuation", Form,
        "~street=8 allée du Maréchal Foch|address5=Lieu-dit Le Chêne Vert",
        Lines("X / 8 allée du Maréchal Foch / Lieu dit Le Chêne Vert / 75008 PARIS", false)),
    ("a BP needs no street, and a CEDEX number gets two digits", Form,
        "company=ACME|address5=B.P. 123|postcode=69421|city=Lyon Cedex 3",
        Lines("ACME / BP 123 / 69421 LYON CEDEX 03", true)),
    ("CEDEX as written", Form,
        "~postcode=69421|city=Lyon CEDEX 03",
        Lines("X / 1 rue A / 69421 LYON CEDEX 03", false)),
    ("CEDEX checked by its locality in the base", Reject,
        "~postcode=42029|city=Saint-Étienne Cedex 1",
        Lines("X / 1 rue A / 42029 ST ETIENNE CEDEX 01", true)),
    ("street punctuation becomes spaces, case and accents stay", Form,
        "~street=3 bis, avenue du Général-Leclerc",
        Lines("X / 3 bis avenue du Général Leclerc / 75008 PARIS", false)),
    ("apostrophes become spaces", Form,
        "~street=12 rue de l'Église",
        Lines("X / 12 rue de l Église / 75008 PARIS", false)),
    ("line 6 in capitals without accents", Form,
        "~postcode=42000|city=Saint-Étienne",
        Lines("X / 1 rue A / 42000 SAINT ETIENNE", false)),
    ("the base renames the town to its delivery name", Reject,
        "~postcode=42000|city=Saint-Étienne",
        Lines("X / 1 rue A / 42000 ST ETIENNE", true)),
    ("a Paris arrondissement is delivered as PARIS", Reject,
        "~city=Paris 8e",
        Lines("X / 1 rue A / 75008 PARIS", true)),
    ("a commune's name becomes its delivery name", Reject,
        "~postcode=04370|city=Colmars",
        Lines("X / 1 rue A / 04370 COLMARS LES ALPES", true)),
    ("a Ligne_5 name moves to line 5", Reject,
        "~postcode=13008|city=Les Goudes",
        Lines("X / 1 rue A / LES GOUDES / 13008 MARSEILLE", true)),
    ("a Ligne_5 name does not replace a line 5 given", Reject,
        "~postcode=13008|city=Les Goudes|address5=BP 12",
        Lines("X / 1 rue A / BP 12 / 13008 MARSEILLE", true)),
    ("an unknown postcode is rejected", Reject,
        "~postcode=69009|city=Lyon",
        Rejected("invalid_field:postcode")),
    ("a town its postcode does not serve is rejected", Reject,
        "~postcode=69003|city=Marseille",
        Rejected("invalid_field:city")),
    ("or only warned about", Warn,
        "~postcode=69003|city=Marseille",
        Warned("X / 1 rue A / 69003 MARSEILLE", "town_not_in_postcode")),
    ("an unknown postcode warned about", Warn,
        "~postcode=75200",
        Warned("X / 1 rue A / 75200 PARIS", "unknown_postcode")),
    ("a CEDEX locality unknown in its département", Warn,
        "~postcode=69421|city=Tarare cedex",
        Warned("X / 1 rue A / 69421 TARARE CEDEX", "unknown_cedex_locality")),
    ("four digits are no French postcode", Form,
        "~postcode=6900",
        Rejected("invalid_field:postcode")),
    ("no département starts with 00", Form,
        "~postcode=00100",
        Rejected("invalid_field:postcode")),
    ("overseas postcodes", Form,
        "~postcode=97400|city=Saint-Denis",
        Lines("X / 1 rue A / 97400 SAINT DENIS", false)),
    ("Corsica is 20xxx", Form,
        "~street=1 cours Napoléon|postcode=20000|city=Ajaccio",
        Lines("X / 1 cours Napoléon / 20000 AJACCIO", false)),
    ("nobody to address", Form,
        "~last_name=|first_name=Jean",
        Rejected("missing_field:last_name")),
    ("no street and no lieu-dit", Form,
        "~street=",
        Rejected("missing_field:street")),
    ("no town", Form,
        "~city=",
        Rejected("missing_field:city")),
    ("no postcode in France", Form,
        "~postcode=",
        Rejected("missing_field:postcode")),
    ("abroad: the country line comes last", Reject,
        "last_name=Dupont|street=12 rue Haute|postcode=1000|city=Bruxelles|country=Belgique",
        Lines("Dupont / 12 rue Haute / 1000 BRUXELLES / BELGIQUE", false)),
    ("abroad: any postcode form", Form,
        "last_name=Smith|street=10 Downing Street|postcode=sw1a 2aa|city=London|country=Royaume-Uni",
        Lines("Smith / 10 Downing Street / SW1A 2AA LONDON / ROYAUME UNI", false)),
    ("abroad: no postcode at all", Form,
        "last_name=Byrne|street=4 Grafton Street|city=Dublin 2|country=Irlande",
        Lines("Byrne / 4 Grafton Street / DUBLIN 2 / IRLANDE", false)),
    ("Monaco is abroad", Form,
        "last_name=Rossi|street=2 avenue de Monte-Carlo|postcode=98000|city=Monaco|country=Monaco",
        Lines("Rossi / 2 avenue de Monte Carlo / 98000 MONACO / MONACO", false)),
    ("France written out is no country line", Form,
        "~country=France",
        Lines("X / 1 rue A / 75008 PARIS", false)),
    ("abroad, seven lines with the country", Form,
        "last_name=Dupont|company=Dupont SA|address2=Étage 4|address3=Bloc B|street=12 rue Haute|address5=Quartier Nord|postcode=1000|city=Bruxelles|country=Belgique",
        Lines("Dupont / Dupont SA / Étage 4 Bloc B / 12 rue Haute / Quartier Nord / 1000 BRUXELLES / BELGIQUE", false)),
    ("seven French lines: delivery point and building share one", Form,
        "~company=Dupont SA|address2=Apt 12|address3=Bât. B|address5=Lieu-dit Le Bourg",
        Lines("X / Dupont SA / Apt 12 Bât. B / 1 rue A / Lieu dit Le Bourg / 75008 PARIS", false)),
    ("seven French lines: a shared line shortened", Form,
        "~company=Dupont SA|address2=Appartement 1204 escalier B|address3=Résidence des Tilleuls|address5=Lieu-dit Le Bourg",
        Lines("X / Dupont SA / APT 1204 ESC B RES DES TILLEULS / 1 rue A / Lieu dit Le Bourg / 75008 PARIS", true)),
    ("seven French lines that cannot share", Form,
        "~company=Dupont SA|address2=Appartement 1204 escalier B|address3=Résidence Hottentottenstottertrottelmutterattentaeter|address5=Lieu-dit Le Bourg",
        Rejected("invalid_field:address3")),
    ("exactly 38 characters fit as written", Form,
        "~street=123 avenue des Anciens Combattants Un",
        Lines("X / 123 avenue des Anciens Combattants Un / 75008 PARIS", false)),
    ("39 characters: one abbreviation, in capitals", Form,
        "~street=123 avenue des Anciens Combattants Unis",
        Lines("X / 123 AV DES ANCIENS COMBATTANTS UNIS / 75008 PARIS", true)),
    ("one step: the street type", Form,
        "~street=15 boulevard des Anciens Combattants Unis",
        Lines("X / 15 BD DES ANCIENS COMBATTANTS UNIS / 75008 PARIS", true)),
    ("two steps: street type and title", Form,
        "~street=1275 boulevard du Maréchal Maurice Guillaudotte",
        Lines("X / 1275 BD DU MAL MAURICE GUILLAUDOTTE / 75008 PARIS", true)),
    ("several steps: street type, title, first names", Form,
        "~street=2 boulevard du Maréchal Jean-Marie de Lattre de Tassigny",
        Lines("X / 2 BD DU MAL J M DE LATTRE DE TASSIGNY / 75008 PARIS", true)),
    ("saints, then articles", Form,
        "~street=140 rue Sainte-Catherine des Grands Jardins",
        Lines("X / 140 RUE STE CATHERINE GRANDS JARDINS / 75008 PARIS", true)),
    ("initials as the last resort", Form,
        "~street=3 chemin des Grandes Vignes Blanches du Haut Plateau Calcaire",
        Lines("X / 3 CHEM G V B HAUT PLATEAU CALCAIRE / 75008 PARIS", true)),
    ("a street that cannot fit", Form,
        "~street=12 rue Hottentottenstottertrottelmutterattentaeter",
        Rejected("invalid_field:street")),
    ("a recipient shortened: civility and first names", Form,
        "~civility=Monsieur|first_name=Jean-Baptiste|last_name=Dupont-Aignan de Montalembert",
        Lines("M J B DUPONT AIGNAN DE MONTALEMBERT / 1 rue A / 75008 PARIS", true)),
    ("a recipient whose last name alone is too long", Form,
        "~civility=Madame|first_name=Marie-Christine|last_name=de la Rochefoucauld-Montmorency-Laval",
        Rejected("invalid_field:last_name")),
    ("a company shortened: words, saints", Form,
        "~last_name=|company=Association des Amis du Vieux Moulin de Saint-Jean",
        Lines("ASSOC DES AMIS DU VX MOULIN DE ST JEAN / 1 rue A / 75008 PARIS", true)),
    ("a company that cannot fit", Form,
        "~last_name=|company=Société Coopérative des Producteurs de Lait et Fromages du Jura",
        Rejected("invalid_field:company")),
    ("a delivery point shortened", Form,
        "~address2=Appartement 1204, escalier B, 12e étage, porte gauche",
        Lines("X / APT 1204 ESC B 12E ETG PORTE GAUCHE / 1 rue A / 75008 PARIS", true)),
    ("a building shortened", Form,
        "~address3=Résidence les Jardins de l'Observatoire Bâtiment C",
        Lines("X / RES JARDINS OBSERVATOIRE BAT C / 1 rue A / 75008 PARIS", true)),
    ("a special mention shortened", Form,
        "~last_name=|company=ACME|street=|address5=Boîte postale 12345 Zone Industrielle des Grandes Terres",
        Lines("ACME / BP 12345 ZI DES GRANDES TERRES / 75008 PARIS", true)),
    ("a country name that cannot fit", Form,
        "last_name=Smith|street=1 High Street|city=Belfast|country=Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        Rejected("invalid_field:country")),
];

/// The fields of a case, as (name, value) pairs.
fn fields(spec: &str) -> Vec<(String, String)> {
    let pairs = |s: &str| -> Vec<(String, String)> {
        s.split('|')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let Some(changes) = spec.strip_prefix('~') else {
        return pairs(spec);
    };
    let mut record = pairs(PLAIN);
    for (k, v) in pairs(changes) {
        record.retain(|(n, _)| *n != k);
        record.push((k, v));
    }
    record
}

fn build(base: Base, spec: &str) -> Result<AddressBlock, Rejection> {
    let sample = sample_base();
    let record = fields(spec);
    let get = |k: &str| {
        record
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    match base {
        Base::None => AddressBlock::build(get, None, AddressPolicy::Reject),
        Base::Reject => AddressBlock::build(get, Some(&sample), AddressPolicy::Reject),
        Base::Warn => AddressBlock::build(get, Some(&sample), AddressPolicy::Warn),
    }
}

/// The case named so.
fn case(name: &str) -> Result<AddressBlock, Rejection> {
    let (_, base, spec, _) = CASES.iter().find(|c| c.0 == name).expect("a case of that name");
    build(*base, spec)
}

#[test]
fn every_case() {
    assert!(CASES.len() >= 40);
    let mut failures = Vec::new();
    for (name, base, spec, want) in CASES {
        let got = build(*base, spec);
        let joined = |b: &AddressBlock| b.clone().into_texts().join(" / ");
        let ok = match (want, &got) {
            (Lines(lines, normalised), Ok(b)) => {
                joined(b) == *lines && b.is_normalised() == *normalised && b.warnings().is_empty()
            }
            (Warned(lines, code), Ok(b)) => {
                joined(b) == *lines && b.warnings().iter().map(|w| w.code()).eq([*code])
            }
            (Rejected(code), Err(r)) => r.code() == *code,
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_line_fits_and_blocks_stay_short() {
    for (name, base, spec, _) in CASES {
        if let Ok(block) = build(*base, spec) {
            assert!(
                block
                    .lines()
                    .iter()
                    .all(|l| l.text.chars().count() <= MAX_LINE_CHARS),
                "{name}"
            );
            assert!(block.lines().len() <= MAX_LINES_ABROAD, "{name}");
        }
    }
}

#[test]
fn rejections_name_the_field_and_length_but_never_the_text() {
    let message = case("a street that cannot fit").unwrap_err().to_string();
    assert!(
        message.contains("street") && message.contains("48 characters"),
        "{message}"
    );
    assert!(!message.to_uppercase().contains("HOTTENTOT"), "{message}");
    let message = case("a town its postcode does not serve is rejected")
        .unwrap_err()
        .to_string();
    assert!(!message.to_uppercase().contains("MARSEILLE"), "{message}");
    let message = case("seven French lines that cannot share")
        .unwrap_err()
        .to_string();
    assert!(message.contains("delivery point and building"), "{message}");
}

#[test]
fn line_roles_follow_the_standard_order() {
    let roles: Vec<LineRole> = case("abroad, seven lines with the country")
        .unwrap()
        .lines()
        .iter()
        .map(|l| l.role)
        .collect();
    use LineRole::*;
    assert_eq!(
        roles,
        [
            Recipient,
            Company,
            DeliveryPoint,
            Street,
            Special,
            Locality,
            Country
        ]
    );
}
