//! The letter's date: a job input, written the French way.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(s: &str) -> Result<Date, String> {
        let err = || format!("`{s}` is not a date: expected YYYY-MM-DD, e.g. 2026-11-28");
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (
            it.next().ok_or_else(err)?,
            it.next().ok_or_else(err)?,
            it.next().ok_or_else(err)?,
        );
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        let day: u32 = d.parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(format!("`{s}` is not a day of the calendar"));
        }
        Ok(Date { year, month, day })
    }

    /// Today's date (UTC), from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_days(days: i64) -> Date {
        // Shift the epoch to 0000-03-01 so that leap days fall at the end of a 400-year era.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u32 {
        self.day
    }

    /// The date in French: `28 novembre 2026`, `1er décembre 2026`.
    pub fn french(&self) -> String {
        let day = if self.day == 1 {
            "1er".to_owned()
        } else {
            self.day.to_string()
        };
        format!("{day} {} {}", MONTHS[self.month as usize - 1], self.year)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `2026-11-28` in a job file.
impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_dates() {
        assert_eq!(Date::parse("2026-11-28").unwrap().french(), "28 novembre 2026");
        assert_eq!(Date::parse("2027-02-01").unwrap().french(), "1er février 2027");
        assert_eq!(Date::parse("2026-08-15").unwrap().to_string(), "2026-08-15");
    }

    #[test]
    fn bad_dates_are_refused() {
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("28/11/2026").is_err());
        assert!(Date::parse("2026-13-01").is_err());
    }

    #[test]
    fn days_since_epoch() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_785).to_string(), "2026-11-28");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }
}
