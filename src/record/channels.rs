//! The channels a record goes by (post, e-mail, SMS), as a small set: mail preparation
//! decides them, the writer and the manifest carry them.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// A set of channels.
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash)]
pub struct Channels(u8);

impl Channels {
    /// No channel.
    pub const NONE: Channels = Channels(0);
    /// Postal mail.
    pub const POST: Channels = Channels(1);
    /// E-mail.
    pub const EMAIL: Channels = Channels(2);
    /// SMS.
    pub const SMS: Channels = Channels(4);

    /// Whether every channel of `other` is in the set.
    pub fn contains(self, other: Channels) -> bool {
        self.0 & other.0 == other.0
    }

    /// The channels as bits (post 1, e-mail 2, SMS 4), for storing.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Channels from their bits; unknown bits are dropped.
    pub fn from_bits(bits: u8) -> Channels {
        Channels(bits & 7)
    }

    /// The channels in both sets.
    pub fn intersect(self, other: Channels) -> Channels {
        Channels(self.0 & other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The channels' names, in the order post, email, sms.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        [
            (Channels::POST, "post"),
            (Channels::EMAIL, "email"),
            (Channels::SMS, "sms"),
        ]
        .into_iter()
        .filter(move |(c, _)| self.contains(*c))
        .map(|(_, name)| name)
    }
}

impl BitOr for Channels {
    type Output = Channels;
    fn bitor(self, rhs: Channels) -> Channels {
        Channels(self.0 | rhs.0)
    }
}

impl BitOrAssign for Channels {
    fn bitor_assign(&mut self, rhs: Channels) {
        self.0 |= rhs.0;
    }
}

/// `post+email`, or `none`.
impl fmt::Display for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&self.names().collect::<Vec<_>>().join("+"))
    }
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channels({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_behaves_as_a_set() {
        let both = Channels::POST | Channels::SMS;
        assert!(both.contains(Channels::POST) && both.contains(Channels::SMS));
        assert!(!both.contains(Channels::EMAIL) && !both.contains(Channels::POST | Channels::EMAIL));
        assert_eq!(both.to_string(), "post+sms");
        assert_eq!(Channels::NONE.to_string(), "none");
        assert!(Channels::default().is_empty());
    }
}
