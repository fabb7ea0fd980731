//! The DataMatrix (ECC 200) on each sheet, for inserters that read a 2D code: which job,
//! which piece, which sheet of how many.
//!
//! ## The text
//! `<job>|<piece id>|<sheet>|<sheets>`, e.g. `letter|P0000042|2|3`: the job (`job` in
//! `inserter.csv`), the piece id (`piece_id` in `manifest.csv` and `inserter.csv`), the
//! sheet's number in its piece counted from 1, and the piece's sheets. The inserter
//! checks the sheets come 1, 2, … up to the last, and can match each sheet to its row
//! of the control file. The text is plain ASCII (a job id is letters, digits, `-`, `_`
//! and `.`: `ComposeOptions::checked_job_id`), encoded in ASCII encodation.
//!
//! ## The symbol
//! Square ECC 200 symbols of a fixed size per job (`size` modules a side, 22 by
//! default), so that the reader's window and the white quiet zone are the same on every
//! sheet; a text that does not fit is refused. Dark modules are drawn as vector
//! rectangles: each horizontal run of dark modules is one rectangle, and runs of the
//! same columns in consecutive rows are merged into one taller rectangle (a 22×22
//! symbol takes about 120 rectangles instead of some 250 modules), written in module
//! units under one transform and filled at once.

use std::fmt::Write as _;

use datamatrix::{DataMatrixBuilder, EncodationType, SymbolSize};

use crate::compose::layout_file::DataMatrixSpec;
use crate::compose::page::{CellRect, Item};
use crate::record::PieceId;
use crate::units::{Color, Length, Rect};

/// The square ECC 200 sizes, modules a side, smallest first.
pub const SQUARE_SIZES: [u32; 24] = [
    10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132, 144,
];

/// The separator between the text's parts.
pub const SEPARATOR: char = '|';

/// What the DataMatrix of a piece's sheets names besides the sheet: the job and the piece.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SheetLabel<'a> {
    /// The job id (`job` in `inserter.csv`).
    pub job: &'a str,
    /// The piece's id, written `P0000042`.
    pub piece_id: PieceId,
}

impl SheetLabel<'_> {
    /// Writes the text of sheet `sheet` (from 1) of `sheets` into `out`, replacing what it held.
    pub fn text(&self, sheet: u32, sheets: u32, out: &mut String) {
        out.clear();
        write!(
            out,
            "{}{SEPARATOR}{}{SEPARATOR}{sheet}{SEPARATOR}{sheets}",
            self.job, self.piece_id
        )
        .expect("writing to a String does not fail");
    }
}

/// Why a sheet's DataMatrix cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataMatrixError {
    /// The text holds more than the symbol size can.
    #[error("`{text}` does not fit a {size}×{size} DataMatrix{}", hint(*.needs))]
    TooLong {
        /// The text.
        text: String,
        /// The symbol's size, modules a side.
        size: u32,
        /// The smallest square size that holds it, if any.
        needs: Option<u32>,
    },
    /// The size is not one of ECC 200's square sizes.
    #[error("{size} modules is not a square ECC 200 size ({list})", size = .0, list = sizes_list())]
    NoSuchSize(u32),
}

fn hint(needs: Option<u32>) -> String {
    match needs {
        Some(n) => format!(": it needs {n}×{n} ([production.datamatrix] size = {n})"),
        None => ": it is too long for any symbol".into(),
    }
}

fn sizes_list() -> String {
    let sizes: Vec<String> = SQUARE_SIZES.iter().map(u32::to_string).collect();
    sizes.join(", ")
}

/// The crate's symbol size for `size` modules a side, when it is a square ECC 200 size.
fn square(size: u32) -> Option<SymbolSize> {
    use SymbolSize::*;
    const SYMBOLS: [SymbolSize; 24] = [
        Square10, Square12, Square14, Square16, Square18, Square20, Square22, Square24, Square26, Square32,
        Square36, Square40, Square44, Square48, Square52, Square64, Square72, Square80, Square88, Square96,
        Square104, Square120, Square132, Square144,
    ];
    SQUARE_SIZES.iter().position(|&s| s == size).map(|k| SYMBOLS[k])
}

/// Whether `size` modules a side is a square ECC 200 size.
pub fn is_square_size(size: u32) -> bool {
    square(size).is_some()
}

/// The smallest square symbol that holds `text`, modules a side.
pub fn smallest_square(text: &[u8]) -> Option<u32> {
    SQUARE_SIZES
        .iter()
        .copied()
        .find(|&size| encode(text, size).is_ok())
}

/// Encodes in ASCII encodation only: for these short texts of digits and a few letters
/// the optimising encoder's other modes save no symbol size and cost ten times the time.
fn encode(text: &[u8], size: u32) -> Result<datamatrix::DataMatrix, DataMatrixError> {
    let symbol = square(size).ok_or(DataMatrixError::NoSuchSize(size))?;
    DataMatrixBuilder::new()
        .with_encodation_types(EncodationType::Ascii)
        .with_symbol_list(symbol)
        .encode(text)
        .map_err(|_| DataMatrixError::TooLong {
            text: String::from_utf8_lossy(text).into_owned(),
            size,
            needs: None,
        })
}

/// Checks, before a job starts, that its id leaves room in every sheet's symbol of
/// `size` modules for the longest text of the job (pieces up to `P99999999`, sheets up
/// to 99 of 99: in ASCII encodation their digits take as many codewords as those of any
/// smaller number).
pub fn check_job(job: &str, size: u32) -> Result<(), String> {
    let mut text = String::new();
    let longest = SheetLabel {
        job,
        piece_id: PieceId::letter(99_999_999),
    };
    longest.text(99, 99, &mut text);
    Symbol::new()
        .encode(text.as_bytes(), size)
        .map_err(|e| format!("the job's longest DataMatrix text {e}"))
}

/// An encoded symbol: its size and its dark modules as rectangles.
#[derive(Clone, Debug, Default)]
pub struct Symbol {
    size: u32,
    rects: Vec<CellRect>,
    /// Scratch: indices in `rects` of the rectangles ending on the previous row, and on
    /// this one, by column.
    above: Vec<u32>,
    here: Vec<u32>,
}

impl Symbol {
    /// An empty symbol, to encode into again and again without allocating anew.
    pub fn new() -> Symbol {
        Symbol::default()
    }

    /// Encodes `text` as a square symbol of `size` modules a side.
    pub fn encode(&mut self, text: &[u8], size: u32) -> Result<(), DataMatrixError> {
        let code = encode(text, size).map_err(|e| match e {
            DataMatrixError::TooLong { text, size, .. } => DataMatrixError::TooLong {
                needs: smallest_square(text.as_bytes()),
                text,
                size,
            },
            other => other,
        })?;
        self.size = size;
        self.merge(code.bitmap().pixels());
        Ok(())
    }

    /// Modules a side (without the quiet zone).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The dark modules as rectangles, in modules from the symbol's top-left corner; they
    /// neither overlap nor touch end to end in a row.
    pub fn rects(&self) -> &[CellRect] {
        &self.rects
    }

    /// Turns dark modules, given row by row and left to right, into rectangles: a run of
    /// modules in a row is one rectangle, grown downwards while the next row has a run
    /// of exactly the same columns.
    fn merge(&mut self, dark: impl Iterator<Item = (usize, usize)>) {
        self.rects.clear();
        self.above.clear();
        self.here.clear();
        let mut row = usize::MAX;
        // The run being gathered: its row, first column and width.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut next_above = 0;
        for (x, y) in dark {
            match &mut run {
                Some((ry, rx, w)) if *ry == y && *rx + *w == x => *w += 1,
                _ => {
                    if let Some(done) = run.take() {
                        self.close_run(done, &mut row, &mut next_above);
                    }
                    run = Some((y, x, 1));
                }
            }
        }
        if let Some(done) = run {
            self.close_run(done, &mut row, &mut next_above);
        }
    }

    /// Adds a finished run: grows the rectangle above it when that has the same columns,
    /// else starts a rectangle.
    fn close_run(&mut self, (y, x, width): (usize, usize, usize), row: &mut usize, next_above: &mut usize) {
        if *row != y {
            // A new row: the rectangles that ended on the row just done can grow into it
            // only when it is the very next row.
            std::mem::swap(&mut self.above, &mut self.here);
            self.here.clear();
            if row.wrapping_add(1) != y {
                self.above.clear();
            }
            *row = y;
            *next_above = 0;
        }
        let (x, y, width) = (x as u16, y as u16, width as u16);
        while *next_above < self.above.len() && self.rects[self.above[*next_above] as usize].x < x {
            *next_above += 1;
        }
        let grow = self.above.get(*next_above).copied().filter(|&i| {
            let r = &self.rects[i as usize];
            r.x == x && r.width == width
        });
        let index = match grow {
            Some(i) => {
                self.rects[i as usize].height += 1;
                i
            }
            None => {
                self.rects.push(CellRect {
                    x,
                    y,
                    width,
                    height: 1,
                });
                (self.rects.len() - 1) as u32
            }
        };
        self.here.push(index);
    }

    /// Draws the symbol where `spec` puts it: a white quiet-zone square under the dark
    /// modules in 100% black, so that background art cannot break it. The modules are
    /// one item, written in module units (see [`Item::Cells`]).
    pub fn draw(&self, spec: &DataMatrixSpec, items: &mut Vec<Item>) {
        let module = spec.module;
        let quiet = spec.quiet as f32 * module;
        let side = self.size as f32 * module;
        items.push(Item::Rect {
            rect: Rect {
                x: Length::mm(spec.x - quiet),
                y: Length::mm(spec.y - quiet),
                width: Length::mm(side + 2.0 * quiet),
                height: Length::mm(side + 2.0 * quiet),
            },
            fill: Some(Color::Cmyk(0.0, 0.0, 0.0, 0.0)),
            stroke: None,
        });
        items.push(Item::Cells {
            origin: (Length::mm(spec.x), Length::mm(spec.y)),
            cell: Length::mm(module),
            rects: self.rects.clone(),
            fill: Color::BLACK,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label() -> SheetLabel<'static> {
        SheetLabel {
            job: "letter",
            piece_id: PieceId::letter(42),
        }
    }

    /// The modules the crate places for `text`, row by row.
    fn modules(text: &str, size: u32) -> Vec<Vec<bool>> {
        let bitmap = encode(text.as_bytes(), size).unwrap().bitmap();
        let mut m = vec![vec![false; bitmap.width()]; bitmap.height()];
        for (x, y) in bitmap.pixels() {
            m[y][x] = true;
        }
        m
    }

    /// Paints rectangles into a matrix, failing when two overlap.
    fn paint(rects: &[CellRect], size: u32) -> Vec<Vec<bool>> {
        let mut m = vec![vec![false; size as usize]; size as usize];
        for r in rects {
            assert!(r.width > 0 && r.height > 0, "{r:?}");
            for y in r.y..r.y + r.height {
                for x in r.x..r.x + r.width {
                    let cell = &mut m[y as usize][x as usize];
                    assert!(!*cell, "{r:?} overlaps another rectangle");
                    *cell = true;
                }
            }
        }
        m
    }

    #[test]
    fn the_text_names_job_piece_sheet_and_sheets() {
        let mut text = String::from("left over");
        label().text(2, 3, &mut text);
        assert_eq!(text, "letter|P0000042|2|3");
    }

    #[test]
    fn a_typical_text_takes_an_18_module_symbol_and_fits_the_default() {
        let mut text = String::new();
        label().text(2, 3, &mut text);
        assert_eq!(smallest_square(text.as_bytes()), Some(18));
        // The default size leaves room for a job id of some 20 characters and sheet
        // numbers up to 99.
        let long = SheetLabel {
            job: "relance-clients-2026",
            piece_id: PieceId::letter(9_999_999),
        };
        long.text(99, 99, &mut text);
        assert_eq!(smallest_square(text.as_bytes()), Some(22));
        let mut symbol = Symbol::new();
        symbol.encode(text.as_bytes(), 22).unwrap();
        assert_eq!(symbol.size(), 22);
    }

    #[test]
    fn rectangles_cover_exactly_the_dark_modules() {
        let mut symbol = Symbol::new();
        let mut text = String::new();
        for (sheet, sheets, size) in [(1, 1, 18), (2, 3, 22), (12, 40, 26), (1, 2, 144)] {
            label().text(sheet, sheets, &mut text);
            symbol.encode(text.as_bytes(), size).unwrap();
            assert_eq!(
                paint(symbol.rects(), size),
                modules(&text, size),
                "{text} in {size}"
            );
        }
    }

    #[test]
    fn runs_are_merged_across_rows_and_along_them() {
        let mut symbol = Symbol::new();
        symbol.encode(b"letter|P0000042|2|3", 22).unwrap();
        let dark: usize = modules("letter|P0000042|2|3", 22)
            .iter()
            .map(|row| row.iter().filter(|&&d| d).count())
            .sum();
        let rects = symbol.rects();
        // The solid left edge of the finder pattern is one tall rectangle, its bottom
        // edge one wide one.
        assert!(rects.iter().any(|r| r.x == 0 && r.height > 1));
        assert!(rects.contains(&CellRect {
            x: 0,
            y: 21,
            width: 22,
            height: 1
        }));
        assert!(
            rects.len() * 2 < dark,
            "{} rectangles for {dark} modules",
            rects.len()
        );
        // No two rectangles of one row touch: they would have been one run.
        for a in rects {
            for b in rects {
                assert!(!(a.y == b.y && a.height == 1 && b.height == 1 && a.x + a.width == b.x));
            }
        }
    }

    #[test]
    fn merging_handles_rows_without_dark_modules_and_single_modules() {
        let mut symbol = Symbol::new();
        // Rows 0 and 2 have the same run; row 1 is empty, so they must not be merged.
        symbol.merge([(1, 0), (2, 0), (1, 2), (2, 2), (0, 3), (2, 3), (0, 4), (2, 4)].into_iter());
        assert_eq!(
            symbol.rects(),
            [
                CellRect {
                    x: 1,
                    y: 0,
                    width: 2,
                    height: 1
                },
                CellRect {
                    x: 1,
                    y: 2,
                    width: 2,
                    height: 1
                },
                CellRect {
                    x: 0,
                    y: 3,
                    width: 1,
                    height: 2
                },
                CellRect {
                    x: 2,
                    y: 3,
                    width: 1,
                    height: 2
                },
            ]
        );
    }

    #[test]
    fn a_text_too_long_for_the_size_says_which_size_it_needs() {
        let mut symbol = Symbol::new();
        let long = SheetLabel {
            job: "campagne-de-relance-des-clients-inactifs",
            piece_id: PieceId::letter(1),
        };
        let mut text = String::new();
        long.text(1, 1, &mut text);
        let err = symbol.encode(text.as_bytes(), 22).unwrap_err();
        assert_eq!(
            err,
            DataMatrixError::TooLong {
                text: text.clone(),
                size: 22,
                needs: Some(32)
            }
        );
        assert!(err.to_string().contains("size = 32"), "{err}");
        assert_eq!(
            symbol.encode(b"x", 23).unwrap_err(),
            DataMatrixError::NoSuchSize(23)
        );
    }
}
