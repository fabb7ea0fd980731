//! The recipient's address block after NF Z10-011: at most six lines of at most 38
//! characters (seven abroad, the country last), in the standard's order.
//!
//! | line | holds | field |
//! |------|-------|-------|
//! | 1 | recipient: civility, first name, last name | `civility`, `first_name`, `last_name` |
//! | 2 | company, or complement of the recipient | `company` |
//! | 2–3 | delivery point (flat, floor, staircase), building (bâtiment, résidence) | `address2`, `address3` |
//! | 4 | number and street | `street` |
//! | 5 | lieu-dit, BP, special delivery mention | `address5` |
//! | 6 | postcode and locality or CEDEX, in capitals | `postcode`, `city` |
//! | 7 | country, abroad only, in capitals | `country` |
//!
//! A person and a company: the person comes first and the company second, as the
//! letter is for the person at that company (the contact files pli reads are of
//! people). A company with no person named (no `last_name`) takes line 1, as the
//! standard numbers it for a company addressee; civility and first name are then left out.
//! When a person, a company, a delivery point and a building would make one line too
//! many, delivery point and building share a line, shortened like any other.
//!
//! Lines 1 to 3 keep their punctuation; from line 4 down there is none. A line longer
//! than 38 characters is written in capitals without accents and shortened with the
//! abbreviation table ([`super::abbrev`]); if it still does not fit the record is rejected.

use std::fmt;

use super::abbrev::{Abbreviations, Names, Step};
use super::destination::{Destination, PostalCode};
use super::normalise::{collapse, no_punctuation, postal_caps};
use super::postcodes::{
    split_cedex, AddressPolicy, LocalityProblem, Postcode, PostcodeBase, PostcodeFormError,
};
use crate::record::Rejection;

/// Characters a line may hold, spaces included.
pub const MAX_LINE_CHARS: usize = 38;

/// Lines a French block may have.
pub const MAX_LINES: usize = 6;

/// Lines a block may have abroad, the country line included.
pub const MAX_LINES_ABROAD: usize = 7;

/// What a line of the block says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LineRole {
    /// Civility, first name and last name.
    Recipient,
    /// The company (line 1 when no person is named).
    Company,
    /// Flat, floor, staircase (`address2`); also holds the building when the two share a line.
    DeliveryPoint,
    /// Building or residence (`address3`).
    Building,
    /// Number and street.
    Street,
    /// Lieu-dit, BP or special delivery mention (`address5`).
    Special,
    /// Postcode and locality, or CEDEX.
    Locality,
    /// Country, abroad only.
    Country,
}

impl LineRole {
    /// The record field a rejection of this line names.
    pub fn field(self) -> &'static str {
        match self {
            LineRole::Recipient => "last_name",
            LineRole::Company => "company",
            LineRole::DeliveryPoint => "address2",
            LineRole::Building => "address3",
            LineRole::Street => "street",
            LineRole::Special => "address5",
            LineRole::Locality => "city",
            LineRole::Country => "country",
        }
    }

    /// The shortening steps that suit the line: never the initials of a person's or a
    /// company's name, never anything but saints and articles in an official locality.
    fn steps(self) -> &'static [Step] {
        match self {
            LineRole::Recipient => &[Step::Title, Step::FirstName],
            LineRole::Company => &[Step::Title, Step::Word, Step::Saint, Step::Article],
            LineRole::Locality => &[Step::Saint, Step::Article],
            LineRole::Country => &[],
            _ => &Step::ALL,
        }
    }
}

impl fmt::Display for LineRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineRole::Recipient => "recipient",
            LineRole::Company => "company",
            LineRole::DeliveryPoint => "delivery point",
            LineRole::Building => "building",
            LineRole::Street => "street",
            LineRole::Special => "lieu-dit or special mention",
            LineRole::Locality => "postcode and locality",
            LineRole::Country => "country",
        })
    }
}

/// One line of the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressLine {
    /// What the line says.
    pub role: LineRole,
    /// Its text, at most [`MAX_LINE_CHARS`] characters.
    pub text: String,
}

/// A recipient block ready to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressBlock {
    lines: Vec<AddressLine>,
    normalised: bool,
    warnings: Vec<LocalityProblem>,
    destination: Destination,
}

impl AddressBlock {
    /// Builds the block from the record's fields (looked up by their standard names;
    /// absent = empty), checking postcode and town against `postcodes` when given.
    /// Without a base, a French postcode is only checked for its form.
    pub fn build<'a>(
        get: impl Fn(&str) -> &'a str,
        postcodes: Option<&PostcodeBase>,
        policy: AddressPolicy,
    ) -> Result<AddressBlock, Rejection> {
        // Each field collapsed once (the block reads some of them several times).
        let collapsed: Vec<(&str, String)> = super::ADDRESS_FIELDS
            .iter()
            .map(|&name| (name, collapse(get(name))))
            .collect();
        let field = |name: &str| match collapsed.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => v.clone(),
            None => collapse(get(name)),
        };
        let country = postal_caps(&field("country"));
        let domestic = is_domestic(&country);
        require(&field, domestic)?;

        let mut lines: Vec<(LineRole, String)> = Vec::with_capacity(8);
        let mut raw = Vec::with_capacity(12);
        if field("last_name").is_empty() {
            lines.push((LineRole::Company, field("company")));
            raw.push(field("company"));
            // Dropped: a civility or first name with no last name names nobody.
            raw.push(collapse(&format!(
                "{} {}",
                field("civility"),
                field("first_name")
            )));
        } else {
            let person = collapse(&format!(
                "{} {} {}",
                field("civility"),
                field("first_name"),
                field("last_name")
            ));
            raw.push(person.clone());
            lines.push((LineRole::Recipient, person));
            lines.push((LineRole::Company, field("company")));
            raw.push(field("company"));
        }
        for (role, name) in [
            (LineRole::DeliveryPoint, "address2"),
            (LineRole::Building, "address3"),
        ] {
            lines.push((role, field(name)));
            raw.push(field(name));
        }
        for (role, name) in [(LineRole::Street, "street"), (LineRole::Special, "address5")] {
            lines.push((role, no_punctuation(&field(name))));
            raw.push(field(name));
        }
        let (postcode, city) = (field("postcode"), field("city"));
        raw.extend([postcode.clone(), city.clone()]);
        let mut warnings = Vec::new();
        let (locality, code_read) = if domestic {
            let code = Postcode::parse(&postcode).map_err(|e| Rejection::InvalidField {
                field: "postcode".into(),
                message: not_a_postcode(&postcode, e),
            })?;
            let (name, line5) = locality(code, &city, postcodes, policy, &mut warnings)?;
            if let Some(line5) = line5 {
                let special = lines.iter_mut().find(|(r, _)| *r == LineRole::Special);
                if let Some((_, text)) = special.filter(|(_, t)| t.is_empty()) {
                    *text = line5;
                }
            }
            (format!("{code} {name}"), Some(PostalCode::from(code)))
        } else {
            let locality = collapse(&format!("{} {}", postal_caps(&postcode), postal_caps(&city)));
            (locality, PostalCode::new(&postcode))
        };
        lines.push((LineRole::Locality, locality));
        if !domestic {
            lines.push((LineRole::Country, country.clone()));
            raw.push(country.clone());
        }

        lines.retain(|(_, text)| !text.is_empty());
        let max = if domestic { MAX_LINES } else { MAX_LINES_ABROAD };
        let merged = lines.len() > max && merge_delivery_point_and_building(&mut lines);
        if lines.len() > max {
            return Err(Rejection::InvalidField {
                field: "address3".into(),
                message: format!(
                    "the block needs {} lines and NF Z10-011 allows {max}",
                    lines.len()
                ),
            });
        }
        let table = Abbreviations::builtin();
        let first_name = field("first_name");
        let mut block = Vec::with_capacity(lines.len());
        for (role, text) in lines {
            let names = match role {
                LineRole::Recipient => Names::Given(&first_name),
                _ => Names::Table,
            };
            let text = table
                .shorten(&text, MAX_LINE_CHARS, role.steps(), names)
                .map_err(|too| too_long(role, too.length, merged))?;
            block.push(AddressLine { role, text });
        }
        let written = block
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let normalised = postal_caps(&written) != postal_caps(&raw.join(" "));
        Ok(AddressBlock {
            lines: block,
            normalised,
            warnings,
            destination: Destination::of(country, code_read),
        })
    }

    /// The lines, top to bottom.
    pub fn lines(&self) -> &[AddressLine] {
        &self.lines
    }

    /// The lines' texts, top to bottom.
    pub fn into_texts(self) -> Vec<String> {
        self.lines.into_iter().map(|l| l.text).collect()
    }

    /// Whether the block says something other than the fields did, beyond layout:
    /// words abbreviated, a town renamed to its delivery name, a line-5 name moved, a
    /// CEDEX number padded. Case, accents, punctuation and spacing do not count, as
    /// the standard asks for them. The manifest prints it as `address_normalised`.
    pub fn is_normalised(&self) -> bool {
        self.normalised
    }

    /// What the postcode base could not confirm, when the policy only warns.
    pub fn warnings(&self) -> &[LocalityProblem] {
        &self.warnings
    }

    /// Where the block sends the piece: its country line and postcode, as read once.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }
}

/// Whether a country line (in postal capitals) means France.
pub fn is_domestic(country: &str) -> bool {
    matches!(country, "" | "FRANCE" | "FR" | "FRA" | "FRANCE METROPOLITAINE")
}

/// The fields without which no block can be built.
fn require(field: &impl Fn(&str) -> String, domestic: bool) -> Result<(), Rejection> {
    let missing = |name: &str| Rejection::MissingField(name.into());
    if field("last_name").is_empty() && field("company").is_empty() {
        return Err(missing("last_name"));
    }
    if field("street").is_empty() && field("address5").is_empty() {
        return Err(missing("street"));
    }
    if domestic && field("postcode").is_empty() {
        return Err(missing("postcode"));
    }
    if field("city").is_empty() {
        return Err(missing("city"));
    }
    Ok(())
}

/// Line 6's locality and any line-5 name the base moves there. Without a base, the
/// town as written in capitals (its CEDEX number on two digits).
fn locality(
    code: Postcode,
    city: &str,
    postcodes: Option<&PostcodeBase>,
    policy: AddressPolicy,
    warnings: &mut Vec<LocalityProblem>,
) -> Result<(String, Option<String>), Rejection> {
    let as_written = || {
        let (place, cedex) = split_cedex(city);
        collapse(&format!("{place} {}", cedex.unwrap_or_default()))
    };
    let Some(base) = postcodes else {
        return Ok((as_written(), None));
    };
    match base.locality(code, city) {
        Ok(found) => Ok((found.name, found.line5.map(str::to_owned))),
        Err(problem) if policy == AddressPolicy::Warn => {
            warnings.push(problem);
            Ok((as_written(), None))
        }
        Err(problem) => Err(Rejection::InvalidField {
            field: problem.field().into(),
            message: problem.to_string(),
        }),
    }
}

/// Puts the building after the delivery point on one line (to be shortened like any
/// other), when the block has both; says whether it did.
fn merge_delivery_point_and_building(lines: &mut Vec<(LineRole, String)>) -> bool {
    let at = |role| lines.iter().position(|(r, _)| *r == role);
    let (Some(dp), Some(bld)) = (at(LineRole::DeliveryPoint), at(LineRole::Building)) else {
        return false;
    };
    let (_, building) = lines.remove(bld);
    lines[dp].1 = format!("{} {building}", lines[dp].1);
    true
}

/// Why a field is no French postcode, showing it when it is short enough to be only
/// a mistyped postcode (a longer text might be a whole address put in the wrong column).
fn not_a_postcode(postcode: &str, e: PostcodeFormError) -> String {
    if postcode.chars().count() <= 10 {
        format!("`{postcode}` is not a French postcode: {e}")
    } else {
        format!("not a French postcode: {e}")
    }
}

/// The rejection of a line that does not fit, naming its field and length, never its text.
fn too_long(role: LineRole, length: usize, merged: bool) -> Rejection {
    let (field, what) = match role {
        LineRole::DeliveryPoint if merged => (
            "address3",
            "delivery point and building, sharing a line as the block would otherwise need one line too many,".to_owned(),
        ),
        _ => (role.field(), format!("the {role} line")),
    };
    Rejection::InvalidField {
        field: field.into(),
        message: format!(
            "{what} has {length} characters after every abbreviation; NF Z10-011 allows {MAX_LINE_CHARS}"
        ),
    }
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
