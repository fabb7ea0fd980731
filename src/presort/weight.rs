//! A piece's weight from what it is made of (printed sheets, envelope, inserts), and
//! the weight step and price per piece that follow from the rules.

use super::quantities::{Cents, Grams};
use super::rules::{Rules, WeightStep};
use crate::units::Length;

/// A paper: its grammage and the size of one sheet (or one leaf of a catalogue).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Paper {
    grammage: u32,
    width_tenths_mm: u32,
    height_tenths_mm: u32,
}

impl Paper {
    /// A paper of `grammage` g/m², sheets `width` × `height` (to the tenth of a millimetre).
    pub fn new(grammage: u32, width: Length, height: Length) -> Paper {
        let tenths = |l: Length| (f64::from(l.to_mm()) * 10.0).round().max(0.0) as u32;
        Paper {
            grammage,
            width_tenths_mm: tenths(width),
            height_tenths_mm: tenths(height),
        }
    }

    /// The weight of `sheets` sheets, in units of 10 ng: g/m² × (0.1 mm)² = 10⁻⁸ g.
    fn weigh(&self, sheets: u32) -> u64 {
        u64::from(sheets)
            * u64::from(self.grammage)
            * u64::from(self.width_tenths_mm)
            * u64::from(self.height_tenths_mm)
    }
}

/// Something added to the printed sheets in the envelope.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Insert {
    /// A weighed insert (a leaflet, a card, a reply envelope), in milligrams.
    Weighed {
        /// Its weight in milligrams.
        milligrams: u32,
    },
    /// A printed catalogue or booklet: `pages` pages on leaves of `paper`
    /// (two pages a leaf), plus its cover or binding in milligrams.
    Catalogue {
        /// Pages, counting both sides of every leaf.
        pages: u32,
        /// The paper of the leaves, sized as one leaf.
        paper: Paper,
        /// Cover and binding beyond the leaves, in milligrams.
        extra_milligrams: u32,
    },
}

/// What one piece is made of, from the layout's production settings and its page count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Makeup {
    /// Printed sheets in the piece.
    pub sheets: u32,
    /// Their paper.
    pub paper: Paper,
    /// The envelope, in milligrams (0 for a self-mailer).
    pub envelope_milligrams: u32,
    /// Inserts added by the inserter.
    pub inserts: Vec<Insert>,
}

/// 10 ng units per milligram.
const PER_MG: u64 = 100_000;
/// 10 ng units per gram.
const PER_G: u64 = 100_000_000;

impl Makeup {
    /// The piece's weight: sheets × grammage × sheet area, plus envelope and inserts,
    /// rounded up to the whole gram (a carrier's steps are "up to" a weight).
    pub fn weight(&self) -> Grams {
        let inserts: u64 = self
            .inserts
            .iter()
            .map(|i| match *i {
                Insert::Weighed { milligrams } => u64::from(milligrams) * PER_MG,
                Insert::Catalogue {
                    pages,
                    paper,
                    extra_milligrams,
                } => paper.weigh(pages.div_ceil(2)) + u64::from(extra_milligrams) * PER_MG,
            })
            .sum();
        let total = self.paper.weigh(self.sheets) + u64::from(self.envelope_milligrams) * PER_MG + inserts;
        Grams(u32::try_from(total.div_ceil(PER_G)).unwrap_or(u32::MAX))
    }
}

impl Rules {
    /// The weight step of a piece, or `None` when it is heavier than the last step.
    pub fn step(&self, weight: Grams) -> Option<&WeightStep> {
        let steps = self.steps();
        let at = steps.partition_point(|s| s.up_to < weight);
        steps.get(at)
    }

    /// The price of one piece presorted and single-piece, or `None` when it is too heavy.
    pub fn prices(&self, weight: Grams) -> Option<(Cents, Cents)> {
        self.step(weight).map(|s| (s.presorted, s.single_piece))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn a4_80() -> Paper {
        Paper::new(80, Length::mm(210.0), Length::mm(297.0))
    }

    #[test]
    fn a_letter_weighs_its_sheets_and_envelope() {
        // 3 × 80 g/m² × 0.06237 m² = 14.9688 g, + 5 g envelope = 19.9688 g → 20 g.
        let letter = Makeup {
            sheets: 3,
            paper: a4_80(),
            envelope_milligrams: 5_000,
            inserts: vec![],
        };
        assert_eq!(letter.weight(), Grams(20));
        // One more milligram goes over 20 g, and rounds up.
        let heavier = Makeup {
            envelope_milligrams: 5_032,
            ..letter.clone()
        };
        assert_eq!(heavier.weight(), Grams(21));
        let exact = Makeup {
            envelope_milligrams: 5_031,
            ..letter
        };
        assert_eq!(exact.weight(), Grams(20)); // 19.9998 g
    }

    #[test]
    fn catalogues_weigh_their_leaves() {
        // 32 pages = 16 leaves of A5 at 90 g/m²: 16 × 90 × 0.031185 = 44.9064 g, + 2 g cover.
        let a5 = Paper::new(90, Length::mm(148.5), Length::mm(210.0));
        let piece = Makeup {
            sheets: 1,
            paper: a4_80(),
            envelope_milligrams: 10_000,
            inserts: vec![
                Insert::Catalogue {
                    pages: 31,
                    paper: a5,
                    extra_milligrams: 2_000,
                },
                Insert::Weighed { milligrams: 1_500 },
            ],
        };
        // 4.9896 + 10 + 44.9064 + 2 + 1.5 = 63.396 g → 64 g.
        assert_eq!(piece.weight(), Grams(64));
    }

    #[test]
    fn steps_price_pieces() {
        let text = format!(
            "{}\n[[weight_step]]\nup_to_g = 50\npresorted_cents = 84\nsingle_piece_cents = 122\n",
            super::super::rules::tests::SMALL
        );
        let rules = Rules::parse(&text, Path::new("r.toml")).unwrap();
        assert_eq!(rules.prices(Grams(0)), Some((Cents(51), Cents(73))));
        assert_eq!(rules.prices(Grams(20)), Some((Cents(51), Cents(73))));
        assert_eq!(rules.prices(Grams(21)), Some((Cents(84), Cents(122))));
        assert_eq!(rules.prices(Grams(50)), Some((Cents(84), Cents(122))));
        assert_eq!(rules.prices(Grams(51)), None);
    }
}
