//! Units of the page: lengths in points or millimetres, and print colours.

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

/// Points per millimetre (1 pt = 1/72 inch, 1 inch = 25.4 mm).
const PT_PER_MM: f32 = 72.0 / 25.4;

/// A length on the page, stored in PostScript points.
#[derive(Copy, Clone, Default, PartialEq, PartialOrd)]
pub struct Length(f32);

impl Length {
    /// Zero length.
    pub const ZERO: Length = Length(0.0);

    /// A length in points.
    pub const fn pt(points: f32) -> Self {
        Length(points)
    }

    /// A length in millimetres.
    pub fn mm(millimetres: f32) -> Self {
        Length(millimetres * PT_PER_MM)
    }

    /// This length in points.
    pub const fn to_pt(self) -> f32 {
        self.0
    }

    /// This length in millimetres.
    pub fn to_mm(self) -> f32 {
        self.0 / PT_PER_MM
    }

    /// The larger of two lengths.
    pub fn max(self, other: Length) -> Length {
        Length(self.0.max(other.0))
    }

    /// The smaller of two lengths.
    pub fn min(self, other: Length) -> Length {
        Length(self.0.min(other.0))
    }
}

impl fmt::Debug for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}pt", self.0)
    }
}

impl Add for Length {
    type Output = Length;
    fn add(self, rhs: Length) -> Length {
        Length(self.0 + rhs.0)
    }
}

impl AddAssign for Length {
    fn add_assign(&mut self, rhs: Length) {
        self.0 += rhs.0;
    }
}

impl Sub for Length {
    type Output = Length;
    fn sub(self, rhs: Length) -> Length {
        Length(self.0 - rhs.0)
    }
}

impl SubAssign for Length {
    fn sub_assign(&mut self, rhs: Length) {
        self.0 -= rhs.0;
    }
}

impl Mul<f32> for Length {
    type Output = Length;
    fn mul(self, rhs: f32) -> Length {
        Length(self.0 * rhs)
    }
}

impl Div<f32> for Length {
    type Output = Length;
    fn div(self, rhs: f32) -> Length {
        Length(self.0 / rhs)
    }
}

impl Div for Length {
    type Output = f32;
    fn div(self, rhs: Length) -> f32 {
        self.0 / rhs.0
    }
}

impl Neg for Length {
    type Output = Length;
    fn neg(self) -> Length {
        Length(-self.0)
    }
}

/// A rectangle on the page, measured from the page's top-left corner.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Rect {
    /// Distance of the left edge from the page's left edge.
    pub x: Length,
    /// Distance of the top edge from the page's top edge.
    pub y: Length,
    /// Width; never negative.
    pub width: Length,
    /// Height; never negative.
    pub height: Length,
}

impl Rect {
    /// A rectangle, or `None` when a side is negative or not finite.
    pub fn new(x: Length, y: Length, width: Length, height: Length) -> Option<Rect> {
        let ok = [x, y, width, height].iter().all(|l| l.0.is_finite()) && width.0 >= 0.0 && height.0 >= 0.0;
        ok.then_some(Rect { x, y, width, height })
    }

    /// Whether this rectangle lies inside a page of the given size.
    pub fn fits_in(&self, width: Length, height: Length) -> bool {
        let eps = 0.01;
        self.x.0 >= -eps
            && self.y.0 >= -eps
            && (self.x + self.width).0 <= width.0 + eps
            && (self.y + self.height).0 <= height.0 + eps
    }
}

/// A print colour.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Color {
    /// Device grey, 0 (black) to 1 (white).
    Gray(f32),
    /// Device RGB, each component 0 to 1.
    Rgb(f32, f32, f32),
    /// Device CMYK, each component 0 to 1.
    Cmyk(f32, f32, f32, f32),
}

impl Color {
    /// Solid black as printers mean it: 100% K.
    pub const BLACK: Color = Color::Cmyk(0.0, 0.0, 0.0, 1.0);

    /// Parses `#RRGGBB`, `rgb(R, G, B)` (0-255), `cmyk(C, M, Y, K)` (percent) or `gray(G)` (percent black).
    pub fn parse(text: &str) -> Result<Color, String> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix('#') {
            if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f32 / 255.0;
                return Ok(Color::Rgb(v(0), v(2), v(4)));
            }
            return Err(format!(
                "`{t}` is not a colour: `#` must be followed by 6 hex digits"
            ));
        }
        let (name, args) = t
            .split_once('(')
            .and_then(|(n, rest)| rest.strip_suffix(')').map(|a| (n.trim(), a)))
            .ok_or_else(|| {
                format!("`{t}` is not a colour: expected `#RRGGBB`, `rgb(R, G, B)`, `cmyk(C, M, Y, K)` or `gray(G)`")
            })?;
        let nums: Result<Vec<f32>, _> = args.split(',').map(|a| a.trim().parse::<f32>()).collect();
        let nums = nums.map_err(|_| format!("`{t}` is not a colour: its components must be numbers"))?;
        let check = |max: f32, count: usize, unit: &str| -> Result<(), String> {
            if nums.len() != count {
                return Err(format!(
                    "`{t}`: {name} takes {count} components, found {}",
                    nums.len()
                ));
            }
            if nums.iter().any(|&n| !(0.0..=max).contains(&n)) {
                return Err(format!("`{t}`: each component must be between 0 and {max}{unit}"));
            }
            Ok(())
        };
        match name.to_ascii_lowercase().as_str() {
            "rgb" => {
                check(255.0, 3, "")?;
                Ok(Color::Rgb(nums[0] / 255.0, nums[1] / 255.0, nums[2] / 255.0))
            }
            "cmyk" => {
                check(100.0, 4, "%")?;
                Ok(Color::Cmyk(
                    nums[0] / 100.0,
                    nums[1] / 100.0,
                    nums[2] / 100.0,
                    nums[3] / 100.0,
                ))
            }
            "gray" | "grey" => {
                check(100.0, 1, "%")?;
                Ok(Color::Gray(1.0 - nums[0] / 100.0))
            }
            _ => Err(format!("`{t}` is not a colour: unknown colour model `{name}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millimetres_convert_to_points() {
        assert!((Length::mm(210.0).to_pt() - 595.2756).abs() < 0.001);
        assert!((Length::pt(72.0).to_mm() - 25.4).abs() < 0.001);
    }

    #[test]
    fn colours_parse_in_every_model() {
        assert_eq!(Color::parse("#ff0000").unwrap(), Color::Rgb(1.0, 0.0, 0.0));
        assert_eq!(Color::parse("cmyk(0, 0, 0, 100)").unwrap(), Color::BLACK);
        assert_eq!(Color::parse("gray(100)").unwrap(), Color::Gray(0.0));
        assert!(Color::parse("cmyk(0,0,0)").unwrap_err().contains("4 components"));
        assert!(Color::parse("cmyk(0,0,0,120)").is_err());
        assert!(Color::parse("#12").is_err());
        assert!(Color::parse("blue").is_err());
    }

    #[test]
    fn rectangles_validate() {
        assert!(Rect::new(Length::ZERO, Length::ZERO, Length::mm(-1.0), Length::ZERO).is_none());
        let r = Rect::new(
            Length::mm(10.0),
            Length::mm(10.0),
            Length::mm(100.0),
            Length::mm(20.0),
        )
        .unwrap();
        assert!(r.fits_in(Length::mm(210.0), Length::mm(297.0)));
        assert!(!r.fits_in(Length::mm(100.0), Length::mm(297.0)));
    }
}
