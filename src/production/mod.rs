//! Production for inserting machines: each mailpiece's pages made into sheets (duplex
//! padding) and each sheet marked for the inserter (OMR).
//!
//! ## The OMR code
//! A column of up to seven horizontal marks on the front of every sheet, `pitch` apart,
//! read top to bottom:
//!
//! | track | mark when |
//! | ---: | --- |
//! | 0 | always: the benchmark (start) mark that tells the reader a code begins |
//! | 1 | the sheet is the piece's last: end of collation, the inserter closes the envelope |
//! | 2, 3, 4 | the sheet's number in its piece, from 0, modulo 8 (bit 0 on track 2) |
//! | 5 | parity: set so that the code has an even number of marks |
//! | 6 | always: the safety (stop) mark that closes the code |
//!
//! The sequence starts again at 0 on each piece's first sheet and wraps after 8 sheets, so
//! a sheet missing or extra within a piece breaks it; end of collation marks the last.

mod control;

pub use control::{ControlFile, PieceSheets, CONTROL_COLUMNS, CONTROL_FILE};

use crate::compose::layout::OmrSpec;
use crate::compose::page::{Item, Page};
use crate::units::{Color, Length, Rect};

/// Tracks of the code, top to bottom.
pub const TRACKS: usize = 7;

/// The marks of one sheet, as tracks set or not.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OmrCode {
    /// End of collation: the piece's last sheet.
    pub end_of_collation: bool,
    /// The sheet's number in its piece, modulo 8.
    pub sequence: u8,
}

impl OmrCode {
    /// The code of sheet `sheet` (from 0) of a piece of `sheets` sheets.
    pub fn of_sheet(sheet: u32, sheets: u32) -> OmrCode {
        OmrCode {
            end_of_collation: sheet + 1 == sheets,
            sequence: (sheet % 8) as u8,
        }
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

/// Makes a piece's pages into sheets: in duplex, a blank back is added after an odd last
/// page (so the next piece starts on the front of a new sheet); with OMR, each sheet's
/// front page gets its marks. Returns the sheets and the padding pages added.
pub fn make_sheets(pages: &mut Vec<Page>, duplex: bool, omr: Option<&OmrSpec>) -> (u32, u32) {
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
    if let Some(spec) = omr {
        for (sheet, page) in pages.iter_mut().step_by(per_sheet).enumerate() {
            let code = OmrCode::of_sheet(sheet as u32, sheets);
            page.items
                .extend(mark_rects(spec, code).into_iter().map(|rect| Item::Rect {
                    rect,
                    fill: Some(Color::Cmyk(0.0, 0.0, 0.0, 1.0)),
                    stroke: None,
                }));
        }
    }
    (sheets, padding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(sheets: u32) -> Vec<OmrCode> {
        (0..sheets).map(|s| OmrCode::of_sheet(s, sheets)).collect()
    }

    #[test]
    fn codes_read_back_with_even_parity() {
        for sheets in 1..20 {
            for code in codes(sheets) {
                let tracks = code.tracks();
                assert!(tracks[0] && tracks[6], "benchmark and safety marks always");
                assert_eq!(tracks.iter().filter(|&&m| m).count() % 2, 0);
                assert_eq!(OmrCode::read(tracks), Some(code));
            }
        }
    }

    #[test]
    fn the_sequence_wraps_and_only_the_last_sheet_closes_the_envelope() {
        let c = codes(10);
        let seq: Vec<u8> = c.iter().map(|c| c.sequence).collect();
        assert_eq!(seq, [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]);
        let eoc: Vec<bool> = c.iter().map(|c| c.end_of_collation).collect();
        assert_eq!(eoc.iter().filter(|&&e| e).count(), 1);
        assert!(eoc[9]);
    }

    #[test]
    fn a_flipped_mark_or_a_missing_sheet_is_detected() {
        let mut tracks = OmrCode::of_sheet(3, 5).tracks();
        tracks[3] = !tracks[3];
        assert_eq!(
            OmrCode::read(tracks),
            None,
            "parity catches a single flipped mark"
        );
        // A stream of three pieces (2, 3, 2 sheets) read sheet by sheet: dropping any one
        // sheet breaks the sequence or the collation.
        let stream: Vec<OmrCode> = [2u32, 3, 2].iter().flat_map(|&n| codes(n)).collect();
        assert!(collates(&stream));
        for dropped in 0..stream.len() {
            let mut short = stream.clone();
            short.remove(dropped);
            assert!(!collates(&short), "dropping sheet {dropped} goes unseen");
        }
        let mut long = stream.clone();
        long.insert(2, stream[1]);
        assert!(!collates(&long), "an extra sheet goes unseen");
    }

    /// What an inserter checks: each piece's sheets count 0, 1, 2… and the last one closes.
    fn collates(stream: &[OmrCode]) -> bool {
        let mut expected = 0u8;
        for code in stream {
            if code.sequence != expected {
                return false;
            }
            expected = if code.end_of_collation {
                0
            } else {
                (expected + 1) % 8
            };
        }
        expected == 0
    }
}
