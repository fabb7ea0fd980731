//! Where a mailpiece goes, read once from its address: the country line and the
//! postcode, typed, so that the stages after mail preparation never read them as text again.

use std::fmt;

use super::address::is_domestic;
use super::normalise::postal_caps;
use super::postcodes::Postcode;

/// The longest postcode kept (UK `SW1A 1AA` is 8, Canadian `K1A 0B1` 7).
pub const MAX_POSTCODE: usize = 10;

/// A postcode as written, of any country, in ASCII capitals, kept inline (no allocation
/// per piece). A French one converts to a [`Postcode`] with [`PostalCode::french`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode {
    bytes: [u8; MAX_POSTCODE],
    len: u8,
}

impl PostalCode {
    /// The trimmed text in ASCII capitals, or `None` when it is empty, longer than
    /// [`MAX_POSTCODE`] or not ASCII letters, digits, spaces and hyphens.
    pub fn new(text: &str) -> Option<PostalCode> {
        let t = text.trim();
        if t.is_empty()
            || t.len() > MAX_POSTCODE
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        {
            return None;
        }
        let mut bytes = [0; MAX_POSTCODE];
        for (to, from) in bytes.iter_mut().zip(t.bytes()) {
            *to = from.to_ascii_uppercase();
        }
        Some(PostalCode {
            bytes,
            len: t.len() as u8,
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The French postcode it is, when it has that form (five digits of a département).
    pub fn french(&self) -> Option<Postcode> {
        Postcode::parse(self.as_str()).ok()
    }
}

impl From<Postcode> for PostalCode {
    fn from(code: Postcode) -> PostalCode {
        PostalCode::new(code.as_str()).expect("five digits are a postal code")
    }
}

impl fmt::Debug for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a piece is addressed: its country line in postal capitals (empty when the
/// address has none) and its postcode, when it has a readable one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Destination {
    country: String,
    postcode: Option<PostalCode>,
}

impl Destination {
    /// The destination of an address with this country line and postcode, as the record
    /// gives them (any case, accents or spacing).
    pub fn new(country: &str, postcode: &str) -> Destination {
        Destination {
            country: postal_caps(country),
            postcode: PostalCode::new(postcode),
        }
    }

    /// A destination already folded: the country line in postal capitals, the postcode read.
    pub(crate) fn of(country: String, postcode: Option<PostalCode>) -> Destination {
        Destination { country, postcode }
    }

    /// The country line in postal capitals (`BELGIQUE`), empty when there is none.
    pub fn country(&self) -> &str {
        &self.country
    }

    /// The postcode, when the address has a readable one.
    pub fn postcode(&self) -> Option<PostalCode> {
        self.postcode
    }

    /// Whether the address is French (no country line, or France written out).
    pub fn is_france(&self) -> bool {
        is_domestic(&self.country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_are_kept_as_written_in_capitals() {
        assert_eq!(PostalCode::new(" sw1a 1aa ").unwrap().as_str(), "SW1A 1AA");
        assert!(PostalCode::new("").is_none());
        assert!(PostalCode::new("75008 PARIS CEDEX").is_none());
        assert!(PostalCode::new("75é08").is_none());
        let paris = PostalCode::new("75008").unwrap();
        assert_eq!(
            paris.french().map(|p| p.department().to_owned()).as_deref(),
            Some("75")
        );
        assert_eq!(PostalCode::new("96000").unwrap().french(), None);
        assert_eq!(
            PostalCode::from(Postcode::parse("20090").unwrap()).as_str(),
            "20090"
        );
    }

    #[test]
    fn destinations_fold_the_country_once() {
        let d = Destination::new("Royaume-Uni", "sw1a 2aa");
        assert_eq!(d.country(), "ROYAUME UNI");
        assert_eq!(d.postcode().unwrap().as_str(), "SW1A 2AA");
        assert!(!d.is_france());
        assert!(Destination::new("france", "75008").is_france());
        assert!(Destination::new("", "").is_france());
        assert_eq!(Destination::new("", "").postcode(), None);
    }
}
