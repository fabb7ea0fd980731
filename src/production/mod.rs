//! Production for inserting machines: each mailpiece's pages made into sheets (duplex
//! padding) and each sheet marked for the inserter (OMR, a DataMatrix).
//!
//! ## The OMR code
//! A column of up to seven horizontal marks on the front of every sheet, `pitch` apart,
//! read top to bottom:
//!
//! | track | mark when |
//! | ---: | --- |
//! | 0 | always: the benchmark (start) mark that tells the reader a code begins |
//! | 1 | the sheet is the piece's last: end of collation, the inserter closes the envelope |
//! | 2, 3, 4 | the wrap-around sequence: the sheet's position in its file, from 0, modulo 8 (bit 0 on track 2) |
//! | 5 | parity: set so that the code has an even number of marks |
//! | 6 | always: the safety (stop) mark that closes the code |
//!
//! The sequence runs through the whole file, across pieces, so any sheet missing or
//! extra (up to seven in a row) breaks it, even a one-sheet piece lost whole or the last
//! sheet of a piece, whose loss would otherwise merge two pieces into one envelope; end
//! of collation says where each piece ends. Because a sheet's position in its file is
//! known only when it is written, the writer draws the marks, as a small content stream
//! of their own after the page's (one per code, shared by every page of a file that
//! carries it): the page's own content is the same wherever the piece is printed, so a
//! reprint's pages are byte for byte the original's, with marks of the reprint's run.

mod control;
pub mod datamatrix;

pub use control::{ControlFile, PieceSheets, CONTROL_COLUMNS, CONTROL_FILE};
pub use datamatrix::{DataMatrixError, SheetLabel, Symbol};

use std::cell::RefCell;

use crate::compose::layout_file::{OmrSpec, ProductionSpec, SheetSide};
use crate::compose::page::Page;
use crate::units::{Length, Rect};

/// Tracks of the code, top to bottom.
pub const TRACKS: usize = 7;

/// The marks of one sheet, as tracks set or not.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OmrCode {
    /// End of collation: the piece's last sheet.
    pub end_of_collation: bool,
    /// The sheet's position in its file, modulo 8.
    pub sequence: u8,
}

impl OmrCode {
    /// The code of sheet `sheet` (from 0) of a piece of `sheets` sheets, at position
    /// `position` (from 0) in its file.
    pub fn of_sheet(sheet: u32, sheets: u32, position: u32) -> OmrCode {
        OmrCode {
            end_of_collation: sheet + 1 == sheets,
            sequence: (position % 8) as u8,
        }
    }

    /// A number for each of the 16 codes, to share their drawing.
    pub fn key(self) -> u32 {
        u32::from(self.sequence) | u32::from(self.end_of_collation) << 3
    }

    /// Which tracks carry a mark.
    pub fn tracks(self) -> [bool; TRACKS] {
        let mut t = [false; TRACKS];
        t[0] = true;
        t[1] = self.end_of_collation;
        for bit in 0..3 {
            t[2 + bit] = self.sequence >> bit & 1 == 1;
        }
        t[6] = true;
        let marks = t.iter().filter(|&&m| m).count();
        t[5] = marks % 2 == 1;
        t
    }

    /// Reads a code back from its tracks; `None` when the benchmark, safety or parity
    /// mark says it is not a sound code.
    pub fn read(tracks: [bool; TRACKS]) -> Option<OmrCode> {
        let marks = tracks.iter().filter(|&&m| m).count();
        if !tracks[0] || !tracks[6] || marks % 2 == 1 {
            return None;
        }
        let sequence = (0..3).map(|bit| (tracks[2 + bit] as u8) << bit).sum();
        Some(OmrCode {
            end_of_collation: tracks[1],
            sequence,
        })
    }
}

/// Where the marks of a sheet's front page are drawn (tracks with a mark only).
pub fn mark_rects(spec: &OmrSpec, code: OmrCode) -> Vec<Rect> {
    code.tracks()
        .iter()
        .enumerate()
        .filter(|(_, &on)| on)
        .map(|(k, _)| Rect {
            x: Length::mm(spec.x),
            y: Length::mm(spec.y + spec.pitch * k as f32) - Length::mm(spec.thickness / 2.0),
            width: Length::mm(spec.length),
            height: Length::mm(spec.thickness),
        })
        .collect()
}

/// The content stream drawing a code's marks on a page `page_height` high: solid CMYK
/// black rectangles, in a saved graphics state.
pub fn omr_overlay(spec: &OmrSpec, code: OmrCode, page_height: Length) -> Vec<u8> {
    let mut ops = String::from("q\n0 0 0 1 k\n");
    let h = page_height.to_pt();
    for r in mark_rects(spec, code) {
        let (x, w, ht) = (r.x.to_pt(), r.width.to_pt(), r.height.to_pt());
        let y = h - r.y.to_pt() - ht;
        ops.push_str(&format!("{x:.2} {y:.2} {w:.2} {ht:.2} re\n"));
    }
    ops.push_str("f\nQ\n");
    ops.into_bytes()
}

/// Makes a piece's pages into sheets: in duplex, a blank back is added after an odd last
/// page (so the next piece starts on the front of a new sheet); with a DataMatrix, each
/// sheet gets its symbol naming `label`'s job and piece. Returns the sheets and the
/// padding pages added, or why a sheet's DataMatrix cannot be made. (The OMR marks are
/// drawn as the sheets are written; the DataMatrix says nothing that depends on where
/// the piece is printed, so it is part of the page, drawn here on the workers.)
pub fn make_sheets(
    pages: &mut Vec<Page>,
    production: &ProductionSpec,
    label: SheetLabel<'_>,
) -> Result<(u32, u32), DataMatrixError> {
    let duplex = production.duplex;
    let mut padding = 0;
    if duplex && pages.len() % 2 == 1 {
        let last = pages.last().expect("an odd count is not zero");
        pages.push(Page {
            width: last.width,
            height: last.height,
            items: Vec::new(),
            bleed: last.bleed,
        });
        padding = 1;
    }
    let per_sheet = if duplex { 2 } else { 1 };
    let sheets = pages.len().div_ceil(per_sheet) as u32;
    if let Some(spec) = &production.datamatrix {
        let side = match spec.side {
            SheetSide::Front => 0,
            SheetSide::Back => 1,
        };
        // One symbol and text buffer per worker thread, reused for every sheet.
        thread_local! {
            static SCRATCH: RefCell<(Symbol, String)> = RefCell::new((Symbol::new(), String::new()));
        }
        SCRATCH.with_borrow_mut(|(symbol, text)| {
            for (sheet, page) in pages.iter_mut().skip(side).step_by(per_sheet).enumerate() {
                label.text(sheet as u32 + 1, sheets, text);
                symbol.encode(text.as_bytes(), spec.size)?;
                symbol.draw(spec, &mut page.items);
            }
            Ok(())
        })?;
    }
    Ok((sheets, padding))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::layout_file::DataMatrixSpec;
    use crate::compose::page::Item;
    use crate::record::PieceId;
    use crate::units::Color;

    fn blank_pages(n: usize) -> Vec<Page> {
        let page = Page {
            width: Length::mm(210.0),
            height: Length::mm(297.0),
            ..Page::default()
        };
        vec![page; n]
    }

    #[test]
    fn each_sheet_gets_its_datamatrix_over_a_white_quiet_zone() {
        let spec: DataMatrixSpec = toml::from_str("x = 185\ny = 12").unwrap();
        let production = ProductionSpec {
            duplex: true,
            datamatrix: Some(spec.clone()),
            ..ProductionSpec::default()
        };
        let label = SheetLabel {
            job: "letter",
            piece_id: PieceId::letter(42),
        };
        let mut pages = blank_pages(3);
        assert_eq!(make_sheets(&mut pages, &production, label), Ok((2, 1)));
        let mut symbol = Symbol::new();
        for (sheet, text) in [(0, "letter|P0000042|1|2"), (1, "letter|P0000042|2|2")] {
            symbol.encode(text.as_bytes(), 22).unwrap();
            let mut expected = Vec::new();
            symbol.draw(&spec, &mut expected);
            assert_eq!(pages[2 * sheet].items, expected, "sheet {sheet}'s front");
            assert!(pages[2 * sheet + 1].items.is_empty(), "nothing on the back");
        }
        let Item::Rect { rect, fill, .. } = &pages[0].items[0] else {
            panic!("the quiet zone first")
        };
        assert_eq!(*fill, Some(Color::Cmyk(0.0, 0.0, 0.0, 0.0)));
        assert!((rect.x.to_mm() - 184.0).abs() < 1e-3 && (rect.width.to_mm() - 13.0).abs() < 1e-3);
        let Item::Cells {
            origin, cell, fill, ..
        } = &pages[0].items[1]
        else {
            panic!("the modules over it")
        };
        assert_eq!(
            (origin.0.to_mm(), cell.to_mm(), *fill),
            (185.0, 0.5, Color::BLACK)
        );
        assert_eq!(pages[0].items.len(), 2);

        // On the back, in simplex (one page a sheet) each page is a sheet.
        let back = ProductionSpec {
            datamatrix: Some(DataMatrixSpec {
                side: SheetSide::Back,
                ..spec.clone()
            }),
            ..production.clone()
        };
        let mut pages = blank_pages(2);
        make_sheets(&mut pages, &back, label).unwrap();
        assert!(pages[0].items.is_empty() && !pages[1].items.is_empty());
        let simplex = ProductionSpec {
            duplex: false,
            ..production
        };
        let mut pages = blank_pages(3);
        assert_eq!(make_sheets(&mut pages, &simplex, label), Ok((3, 0)));
        assert!(pages.iter().all(|p| !p.items.is_empty()));
    }

    #[test]
    fn a_datamatrix_too_small_for_the_text_is_an_error() {
        let spec: DataMatrixSpec = toml::from_str("x = 185\ny = 12\nsize = 10").unwrap();
        let production = ProductionSpec {
            datamatrix: Some(spec),
            ..ProductionSpec::default()
        };
        let label = SheetLabel {
            job: "letter",
            piece_id: PieceId::letter(42),
        };
        let err = make_sheets(&mut blank_pages(1), &production, label).unwrap_err();
        assert_eq!(err.to_string(), "`letter|P0000042|1|1` does not fit a 10×10 DataMatrix: it needs 18×18 ([production.datamatrix] size = 18)");
        // The job's longest text, `letter|P99999999|99|99`, takes 18 modules too.
        let err = datamatrix::check_job("letter", 16).unwrap_err();
        assert!(err.contains("size = 18"), "{err}");
        assert_eq!(datamatrix::check_job("letter", 18), Ok(()));
        // 26 modules hold any job id `--job` accepts (up to 32 characters).
        assert_eq!(datamatrix::check_job(&"j".repeat(32), 26), Ok(()));
    }

    /// The codes of a file holding pieces of these sheet counts, in order.
    fn stream(pieces: &[u32]) -> Vec<OmrCode> {
        let mut position = 0;
        let mut codes = Vec::new();
        for &n in pieces {
            for s in 0..n {
                codes.push(OmrCode::of_sheet(s, n, position));
                position += 1;
            }
        }
        codes
    }

    #[test]
    fn codes_read_back_with_even_parity() {
        for code in stream(&[1, 2, 9, 3, 17]) {
            let tracks = code.tracks();
            assert!(tracks[0] && tracks[6], "benchmark and safety marks always");
            assert_eq!(tracks.iter().filter(|&&m| m).count() % 2, 0);
            assert_eq!(OmrCode::read(tracks), Some(code));
        }
        let keys: std::collections::BTreeSet<u32> = stream(&[1, 1, 1, 1, 1, 1, 1, 1, 9])
            .iter()
            .map(|c| c.key())
            .collect();
        assert_eq!(keys.len(), 16, "16 codes, 16 keys");
    }

    #[test]
    fn the_sequence_wraps_through_the_file_and_only_last_sheets_close_the_envelope() {
        let c = stream(&[3, 7]);
        let seq: Vec<u8> = c.iter().map(|c| c.sequence).collect();
        assert_eq!(seq, [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]);
        let eoc: Vec<usize> = (0..c.len()).filter(|&k| c[k].end_of_collation).collect();
        assert_eq!(eoc, [2, 9]);
    }

    #[test]
    fn a_flipped_mark_a_missing_or_an_extra_sheet_is_detected() {
        let mut tracks = OmrCode::of_sheet(3, 5, 3).tracks();
        tracks[3] = !tracks[3];
        assert_eq!(
            OmrCode::read(tracks),
            None,
            "parity catches a single flipped mark"
        );
        // Pieces of 1, 9, 2, 1 and 3 sheets: dropping any one sheet (a one-sheet piece
        // whole, the ninth sheet that closes a piece) breaks the sequence.
        let codes = stream(&[1, 9, 2, 1, 3]);
        assert!(collates(&codes));
        for dropped in 0..codes.len() {
            let mut short = codes.clone();
            short.remove(dropped);
            assert!(!collates(&short), "dropping sheet {dropped} goes unseen");
        }
        let mut long = codes.clone();
        long.insert(2, codes[1]);
        assert!(!collates(&long), "an extra sheet goes unseen");
    }

    /// What an inserter checks: the sequence counts 0, 1, 2… through the file and the
    /// last sheet closes an envelope.
    fn collates(codes: &[OmrCode]) -> bool {
        codes
            .iter()
            .enumerate()
            .all(|(k, c)| usize::from(c.sequence) == k % 8)
            && codes.last().is_none_or(|c| c.end_of_collation)
    }

    #[test]
    fn the_overlay_draws_one_rectangle_per_mark() {
        let spec = OmrSpec {
            x: 5.0,
            y: 100.0,
            pitch: 4.23,
            length: 12.0,
            thickness: 0.5,
        };
        let code = OmrCode::of_sheet(0, 1, 5);
        let marks = code.tracks().iter().filter(|&&m| m).count();
        let ops = String::from_utf8(omr_overlay(&spec, code, Length::mm(297.0))).unwrap();
        assert_eq!(ops.matches(" re\n").count(), marks);
        assert!(ops.starts_with("q\n0 0 0 1 k\n") && ops.ends_with("f\nQ\n"));
    }
}
