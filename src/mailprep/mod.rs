//! Mail preparation: each record becomes a mailpiece with its address block, or is
//! suppressed (the contact objected) or rejected (the address cannot be used).

use crate::data::Rejection;

/// Why a record is deliberately not mailed, as the manifest prints it (`suppressed:optout`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Suppression {
    /// The contact objected to postal mail (`postal_optout` set).
    OptOut,
}

impl Suppression {
    /// The reason code.
    pub fn code(self) -> &'static str {
        match self {
            Suppression::OptOut => "optout",
        }
    }
}

/// The record fields mail preparation reads, by their standard names.
pub const ADDRESS_FIELDS: &[&str] = &[
    "civility",
    "first_name",
    "last_name",
    "company",
    "address2",
    "address3",
    "street",
    "address5",
    "postcode",
    "city",
    "country",
];

/// The field that carries a postal opt-out.
pub const OPTOUT_FIELD: &str = "postal_optout";

/// Whether a flag field says yes (`1`, `true`, `oui`, `yes`, `x`).
pub fn is_yes(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "1" | "true" | "oui" | "o" | "yes" | "y" | "x" | "vrai"
    )
}

/// Builds the recipient block from the address fields (looked up by name; absent = empty).
///
/// Lines in the order of NF Z10-011: recipient, company, delivery point, building,
/// street, lieu-dit, postcode and locality (capitals, no accents or punctuation), country.
pub fn address_lines<'a>(get: impl Fn(&str) -> &'a str) -> Result<Vec<String>, Rejection> {
    check_address(&get)?;
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = clean(&format!(
        "{} {} {}",
        get("civility"),
        get("first_name"),
        get("last_name")
    ));
    let company = clean(get("company"));
    let street = clean(get("street"));
    let address5 = clean(get("address5"));
    let postcode = clean(get("postcode"));
    let city = clean(get("city"));
    let country = postal_caps(get("country"));
    let domestic = is_domestic(&country);
    let mut lines = Vec::with_capacity(7);
    for line in [name, company, clean(get("address2")), clean(get("address3"))] {
        if !line.is_empty() {
            lines.push(line);
        }
    }
    for line in [street, address5] {
        if !line.is_empty() {
            lines.push(no_punctuation(&line));
        }
    }
    lines.push(format!("{postcode} {}", postal_caps(&city)));
    if !domestic {
        lines.push(country);
    }
    Ok(lines)
}

/// Whether the address block can be built, without building it (for the first pass
/// over a file, which only decides each record's fate).
pub fn check_address<'a>(get: &impl Fn(&str) -> &'a str) -> Result<(), Rejection> {
    let blank = |f: &str| get(f).trim().is_empty();
    if blank("last_name") && blank("company") {
        return Err(Rejection::MissingField("last_name".into()));
    }
    if blank("street") && blank("address5") {
        return Err(Rejection::MissingField("street".into()));
    }
    if blank("postcode") {
        return Err(Rejection::MissingField("postcode".into()));
    }
    if blank("city") {
        return Err(Rejection::MissingField("city".into()));
    }
    let postcode = get("postcode").trim();
    let country = get("country").trim();
    let domestic = country.is_empty() || is_domestic(&postal_caps(country));
    if domestic && !(postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit())) {
        let shown = postcode.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(Rejection::InvalidField {
            field: "postcode".into(),
            message: format!("`{shown}` is not a French postcode (5 digits expected)"),
        });
    }
    Ok(())
}

/// Whether a country line (in postal capitals) means France.
fn is_domestic(country: &str) -> bool {
    country.is_empty() || country == "FRANCE"
}

/// Capitals without accents or punctuation, as the last lines of an address are written.
pub fn postal_caps(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_uppercase) {
        match c {
            'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' => out.push('A'),
            'Ç' => out.push('C'),
            'É' | 'È' | 'Ê' | 'Ë' => out.push('E'),
            'Î' | 'Ï' | 'Í' | 'Ì' => out.push('I'),
            'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => out.push('O'),
            'Ù' | 'Û' | 'Ü' | 'Ú' => out.push('U'),
            'Ÿ' | 'Ý' => out.push('Y'),
            'Ñ' => out.push('N'),
            'Œ' => out.push_str("OE"),
            'Æ' => out.push_str("AE"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Punctuation replaced by spaces (NF Z10-011 asks for none from line 4 down).
fn no_punctuation(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() || c == ' ' { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn block(pairs: &[(&str, &str)]) -> Result<Vec<String>, Rejection> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let map: &'static HashMap<String, String> = Box::leak(Box::new(map));
        address_lines(|k| map.get(k).map(String::as_str).unwrap_or(""))
    }

    #[test]
    fn a_french_block_in_order() {
        let lines = block(&[
            ("civility", "Mme"),
            ("first_name", "Hélène"),
            ("last_name", "Béranger"),
            ("address2", "Appartement 12"),
            ("street", "3 bis, avenue du Général-Leclerc"),
            ("postcode", "42000"),
            ("city", "Saint-Étienne"),
        ])
        .unwrap();
        assert_eq!(
            lines,
            [
                "Mme Hélène Béranger",
                "Appartement 12",
                "3 bis avenue du Général Leclerc",
                "42000 SAINT ETIENNE"
            ]
        );
    }

    #[test]
    fn foreign_addresses_end_with_the_country() {
        let lines = block(&[
            ("last_name", "Dupont"),
            ("street", "12 rue Haute"),
            ("postcode", "1000"),
            ("city", "Bruxelles"),
            ("country", "Belgique"),
        ])
        .unwrap();
        assert_eq!(lines.last().unwrap(), "BELGIQUE");
    }

    #[test]
    fn missing_parts_are_named() {
        let err = block(&[("last_name", "Dupont"), ("street", "1 rue A"), ("city", "Lyon")]).unwrap_err();
        assert_eq!(err.code(), "missing_field:postcode");
        let err = block(&[
            ("last_name", "X"),
            ("street", "1 rue A"),
            ("city", "Lyon"),
            ("postcode", "6900"),
        ])
        .unwrap_err();
        assert_eq!(err.code(), "invalid_field:postcode");
    }

    #[test]
    fn flags() {
        assert!(is_yes("1") && is_yes(" Oui ") && is_yes("TRUE"));
        assert!(!is_yes("0") && !is_yes("") && !is_yes("non"));
    }
}
