//! Where a piece goes, as the presort sees it: its postcode, the form a carrier
//! accepts, and the sort key each level takes from it.

use crate::mailprep::{PostalCode, MAX_POSTCODE};

/// Where a piece is addressed, as the presort sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// In the carrier's country, with its postcode.
    Domestic(PostalCode),
    /// In the carrier's country, but without a readable postcode.
    NoPostcode,
    /// Abroad: never presorted.
    Foreign,
}

/// The postcodes a product accepts (`postcode_form` in the rules file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostcodeForm {
    /// `fr`: a French postcode, five digits of an existing département ([`PostalCode::french`]).
    French,
    /// `digits:N`: exactly N digits (`digits:5` for US ZIP codes).
    Digits(u8),
}

impl PostcodeForm {
    /// Reads `fr` or `digits:N` (N from 1 to [`MAX_POSTCODE`]).
    pub fn parse(text: &str) -> Result<PostcodeForm, String> {
        if text == "fr" {
            return Ok(PostcodeForm::French);
        }
        match text.strip_prefix("digits:").map(str::parse::<u8>) {
            Some(Ok(n)) if (1..=MAX_POSTCODE as u8).contains(&n) => Ok(PostcodeForm::Digits(n)),
            _ => Err(format!(
                "`{text}` is no postcode form: `fr` or `digits:N` (N from 1 to {MAX_POSTCODE}) expected"
            )),
        }
    }

    /// Whether a postcode has this form.
    pub fn accepts(&self, code: &PostalCode) -> bool {
        match self {
            PostcodeForm::French => code.french().is_some(),
            PostcodeForm::Digits(n) => {
                code.as_str().len() == usize::from(*n) && code.as_str().bytes().all(|b| b.is_ascii_digit())
            }
        }
    }

    /// The length of every postcode of this form.
    pub fn code_len(&self) -> usize {
        match self {
            PostcodeForm::French => 5,
            PostcodeForm::Digits(n) => usize::from(*n),
        }
    }
}

/// The key that groups pieces at a sort level (`key` in a `[[level]]` of the rules file).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeyRule {
    /// `postcode`: the whole postcode.
    Postcode,
    /// `department`: La Poste's département, two characters (Corsica `2A` for
    /// 20000–20199, `2B` from 20200) or three overseas (`971`–`976`, and `977`, `978`, `98x`).
    Department,
    /// `prefix:N`: the first N characters (`prefix:3` for the US 3-digit ZIP).
    Prefix(u8),
    /// `all`: every piece in one group, the residual level; its key is [`RESIDUAL_KEY`].
    All,
}

/// The key of every piece at an `all` level.
pub const RESIDUAL_KEY: &str = "*";

impl KeyRule {
    /// Reads `postcode`, `department`, `prefix:N` or `all`.
    pub fn parse(text: &str) -> Result<KeyRule, String> {
        match text {
            "postcode" => return Ok(KeyRule::Postcode),
            "department" => return Ok(KeyRule::Department),
            "all" => return Ok(KeyRule::All),
            _ => {}
        }
        match text.strip_prefix("prefix:").map(str::parse::<u8>) {
            Some(Ok(n)) if n >= 1 => Ok(KeyRule::Prefix(n)),
            _ => Err(format!(
                "`{text}` is no key: `postcode`, `department`, `prefix:N` or `all` expected"
            )),
        }
    }

    /// How many characters of the postcode the key keeps, to check that levels go
    /// from finest to coarsest: a coarser level must keep fewer.
    pub(crate) fn fineness(self, form: &PostcodeForm) -> usize {
        match self {
            KeyRule::Postcode => form.code_len(),
            KeyRule::Department => 2,
            KeyRule::Prefix(n) => usize::from(n),
            KeyRule::All => 0,
        }
    }

    /// The key of a postcode that has the product's form.
    pub fn key(self, code: &PostalCode) -> &str {
        let s = code.as_str();
        match self {
            KeyRule::Postcode => s,
            KeyRule::Prefix(n) => &s[..usize::from(n).min(s.len())],
            KeyRule::All => RESIDUAL_KEY,
            KeyRule::Department => match code.french() {
                Some(p) if p.department() == "20" => {
                    if s[2..] < *"200" {
                        "2A"
                    } else {
                        "2B"
                    }
                }
                Some(p) => &s[..p.department().len()],
                None => &s[..2.min(s.len())],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> PostalCode {
        PostalCode::new(s).unwrap()
    }

    #[test]
    fn departements_follow_la_poste() {
        let d = |s| KeyRule::Department.key(&code(s)).to_owned();
        assert_eq!(d("75008"), "75");
        assert_eq!(d("01400"), "01");
        assert_eq!(d("20000"), "2A");
        assert_eq!(d("20199"), "2A");
        assert_eq!(d("20200"), "2B");
        assert_eq!(d("20600"), "2B");
        assert_eq!(d("97110"), "971");
        assert_eq!(d("97600"), "976");
        assert_eq!(d("98000"), "980");
    }

    #[test]
    fn keys_are_data() {
        let c = code(" 90210 ");
        assert_eq!(KeyRule::parse("postcode").unwrap().key(&c), "90210");
        assert_eq!(KeyRule::parse("prefix:3").unwrap().key(&c), "902");
        assert_eq!(KeyRule::parse("all").unwrap().key(&c), RESIDUAL_KEY);
        assert!(KeyRule::parse("prefix:0").is_err());
        assert!(KeyRule::parse("zip").unwrap_err().contains("`zip`"));
    }

    #[test]
    fn forms_check_postcodes() {
        let fr = PostcodeForm::parse("fr").unwrap();
        assert!(fr.accepts(&code("20090")));
        assert!(!fr.accepts(&code("96000")));
        assert!(!fr.accepts(&code("SW1A 1AA")));
        let zip = PostcodeForm::parse("digits:5").unwrap();
        assert!(zip.accepts(&code("02134")));
        assert!(!zip.accepts(&code("0213")));
        assert!(PostcodeForm::parse("digits:11").is_err());
    }
}
