//! The quantities a presort counts in: grams, thickness and money, as integers so
//! that totals over a million pieces are exact and the same on every machine.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

/// A weight in whole grams (a piece's weight is rounded up to the gram).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grams(pub u32);

/// A thickness, stored in micrometres; files and callers speak millimetres.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Thickness(u32);

/// An amount of money in hundredths of the rules' currency (euro cents for La Poste).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub i64);

impl Thickness {
    /// No thickness.
    pub const ZERO: Thickness = Thickness(0);

    /// A thickness in millimetres, to the nearest micrometre (negative or not finite: zero).
    pub fn mm(millimetres: f64) -> Thickness {
        let um = (millimetres * 1000.0).round();
        Thickness(if um.is_finite() && um > 0.0 {
            um.min(u32::MAX as f64) as u32
        } else {
            0
        })
    }

    /// A thickness in micrometres.
    pub const fn um(micrometres: u32) -> Thickness {
        Thickness(micrometres)
    }

    /// This thickness in micrometres.
    pub const fn to_um(self) -> u32 {
        self.0
    }

    /// This thickness in millimetres.
    pub fn to_mm(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl fmt::Display for Grams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} g", self.0)
    }
}

impl fmt::Display for Thickness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} mm", self.to_mm())
    }
}

impl Cents {
    /// Nothing to pay.
    pub const ZERO: Cents = Cents(0);

    /// `n` times this amount.
    pub fn times(self, n: u64) -> Cents {
        Cents(self.0.saturating_mul(i64::try_from(n).unwrap_or(i64::MAX)))
    }
}

/// Shown with two decimals and no currency sign: `-12.05`, `0.51`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl AddAssign for Cents {
    fn add_assign(&mut self, rhs: Cents) {
        self.0 += rhs.0;
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_with_two_decimals() {
        assert_eq!(Cents(51).to_string(), "0.51");
        assert_eq!(Cents(-1205).to_string(), "-12.05");
        assert_eq!(Cents(73).times(3), Cents(219));
        assert_eq!([Cents(1), Cents(2)].into_iter().sum::<Cents>(), Cents(3));
    }

    #[test]
    fn thickness_is_kept_in_micrometres() {
        assert_eq!(Thickness::mm(0.25).to_um(), 250);
        assert_eq!(Thickness::mm(-1.0), Thickness::ZERO);
        assert_eq!(Thickness::mm(f64::NAN), Thickness::ZERO);
        assert_eq!(Thickness::um(300_000).to_mm(), 300.0);
    }
}
