//! Mail preparation: each record becomes a mailpiece with its address block, or is
//! suppressed (the contact objected or is on a suppression list) or rejected (the address cannot be used).
//!
//! A record is read once into a [`Contact`] (its consents, keys, destination and block,
//! on any thread); a [`Preparer`] then decides its fate in file order, and what goes by
//! post leaves as a [`Mailpiece`], the type the presort takes.

mod abbrev;
mod address;
mod channels;
mod contact;
mod dedupe;
mod destination;
mod gsm7;
mod normalise;
mod piece;
mod postcodes;
mod prepare;
mod suppress;
#[cfg(test)]
mod testdata;

pub use abbrev::{Abbreviations, Names, Rule, Step, TableError, TooLong};
pub use address::{
    is_domestic, AddressBlock, AddressLine, LineRole, MAX_LINES, MAX_LINES_ABROAD, MAX_LINE_CHARS,
};
pub use channels::{
    allowed_channels, plausible_email, plausible_mobile, EMAIL_CONSENT_FIELD, EMAIL_FIELD, MOBILE_FIELD,
    SMS_CONSENT_FIELD,
};
pub use contact::{Contact, Needs};
pub use dedupe::{Deduper, MatchKeys, MatchLevel, Verdict, HOUSEHOLD_FIELD};
pub use destination::{Destination, PostalCode, MAX_POSTCODE};
pub use gsm7::{gsm7_septets, single_sms, SmsError, SINGLE_SMS_SEPTETS};
pub use normalise::{email_key, phone_key, postal_caps};
pub use piece::Mailpiece;
pub use postcodes::{
    split_cedex, AddressPolicy, Commune, Locality, LocalityProblem, Postcode, PostcodeBase,
    PostcodeBaseError, PostcodeFormError,
};
pub use prepare::{Decision, Preparer};
pub use suppress::{
    digest, name_address_key, KeyDigest, RecordKeys, SuppressionList, SuppressionListError, SuppressionLists,
};

use crate::record::Rejection;

/// Why a record is deliberately not mailed, as the manifest prints it (`suppressed:optout`);
/// a job file names it by the same code.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suppression {
    /// The contact objected to postal mail (`postal_optout` set, or on the opt-out list).
    OptOut,
    /// The contact asked for their data to be erased (right to erasure).
    Erasure,
    /// The contact refuses unaddressed and addressed advertising (Stop Publicité / Robinson list).
    Robinson,
    /// Mail to this address came back undelivered (« pli non distribuable », REFLEX returns).
    Pnd,
    /// The contact moved away from this address.
    Moved,
}

impl Suppression {
    /// The reason code.
    pub fn code(self) -> &'static str {
        match self {
            Suppression::OptOut => "optout",
            Suppression::Erasure => "erasure",
            Suppression::Robinson => "robinson",
            Suppression::Pnd => "pnd",
            Suppression::Moved => "moved",
        }
    }

    /// The reason named by a code (`pnd`), as a list is declared.
    pub fn from_code(code: &str) -> Option<Suppression> {
        Suppression::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Every reason, by precedence: a record on several lists is reported under the
    /// first, the legal obligations before the postal ones.
    pub const ALL: [Suppression; 5] = [
        Suppression::Erasure,
        Suppression::OptOut,
        Suppression::Robinson,
        Suppression::Pnd,
        Suppression::Moved,
    ];

    /// Rank in [`Suppression::ALL`].
    fn precedence(self) -> usize {
        Suppression::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or(usize::MAX)
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

/// Builds the recipient block from the address fields (looked up by name; absent = empty),
/// checking the postcode's form only: see [`AddressBlock::build`] for the rules.
pub fn address_lines<'a>(get: impl Fn(&str) -> &'a str) -> Result<Vec<String>, Rejection> {
    AddressBlock::build(get, None, AddressPolicy::Reject).map(AddressBlock::into_texts)
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
    fn a_job_file_names_suppressions_by_their_codes() {
        for kind in Suppression::ALL {
            let written = serde_json::to_value(kind).unwrap();
            assert_eq!(written, kind.code());
            assert_eq!(serde_json::from_value::<Suppression>(written).unwrap(), kind);
        }
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
