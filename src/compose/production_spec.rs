//! The `[production]` table of a layout (or of a production file): what a mailpiece is
//! made of, for its weight and thickness, and how its sheets are made and marked for the
//! inserter (duplex, OMR, DataMatrix, output intent), with the limits each is checked
//! against.

use serde::Deserialize;

/// The `[production]` table: what a mailpiece is made of, for its weight and thickness
/// (postal presort and postage). Defaults: 80 g/m² paper, one sheet, a 5 g envelope.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionSpec {
    /// Paper weight in g/m².
    #[serde(default = "default_gsm")]
    pub paper_gsm: u32,
    /// Sheets a piece is planned with before it is composed (a letter: 1; a piece
    /// whose body runs onto a second page weighs what it is composed with in the report).
    #[serde(default = "default_sheets")]
    pub sheets: u32,
    /// Printed on both sides (two pages a sheet).
    #[serde(default)]
    pub duplex: bool,
    /// The envelope's weight in grams.
    #[serde(default = "default_envelope")]
    pub envelope_g: f32,
    /// Inserts' weight in grams (leaflets, reply cards).
    #[serde(default)]
    pub inserts_g: f32,
    /// Thickness of one sheet in mm (about 0.1 mm for 80 g/m² paper).
    #[serde(default = "default_sheet_mm")]
    pub sheet_mm: f32,
    /// Thickness of the envelope and inserts in mm.
    #[serde(default = "default_envelope_mm")]
    pub envelope_mm: f32,
    /// Inserter marks (OMR) on the front of every sheet, when given.
    pub omr: Option<OmrSpec>,
    /// A DataMatrix on every sheet naming job, piece and sheet, when given.
    pub datamatrix: Option<DataMatrixSpec>,
    /// Write the inserter control file (`inserter.csv`, one row per sheet); always
    /// written with OMR marks or a DataMatrix.
    #[serde(default)]
    pub control_file: bool,
    /// With a household document as insert: the letters that carry it go to a stream of
    /// their own (`<letters>+<document>-…pdf`), for an inserter run with that feeder.
    #[serde(default)]
    pub split_inserts: bool,
    /// The print room's output intent for PDF/X-4 (`--pdfx4`); pli's generic CMYK
    /// profile when not given.
    pub output_intent: Option<OutputIntentSpec>,
}

/// The `[production.output_intent]` table: the printing condition PDF/X-4 files are
/// made for, with its ICC output profile.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputIntentSpec {
    /// The ICC output profile (CMYK or Gray, class `prtr`), relative to the layout file.
    pub profile: String,
    /// The registered name of the printing condition (`FOGRA39`, `CGATS TR 006`…);
    /// `Custom` when not given.
    pub condition: Option<String>,
    /// The condition in words (default: the profile's file name).
    pub info: Option<String>,
    /// The registry the condition is found in (default `http://www.color.org`).
    pub registry: Option<String>,
}

/// The `[production.omr]` table: where the column of OMR marks goes and how it is drawn
/// (see `pli::production` for the code). Limits: marks 0.35-0.7 mm thick, at least
/// 10 mm long, at least 2.5 mm apart.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmrSpec {
    /// Distance of the marks' left end from the page's left edge, in mm.
    #[serde(default = "default_omr_x")]
    pub x: f32,
    /// Distance of the first mark's centre line from the page's top edge, in mm.
    #[serde(default = "default_omr_y")]
    pub y: f32,
    /// Distance between marks, centre to centre, in mm (4.23 mm is 1/6 inch).
    #[serde(default = "default_omr_pitch")]
    pub pitch: f32,
    /// Length of a mark, in mm.
    #[serde(default = "default_omr_length")]
    pub length: f32,
    /// Thickness of a mark, in mm.
    #[serde(default = "default_omr_thickness")]
    pub thickness: f32,
}

impl OmrSpec {
    /// What is wrong with these marks, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(0.35..=0.7).contains(&self.thickness) {
            p.push(format!(
                "thickness {} mm: marks are 0.35 to 0.7 mm thick",
                self.thickness
            ));
        }
        // NaN is below every limit.
        let below = |v: f32, min: f32| v.is_nan() || v < min;
        if below(self.length, 10.0) {
            p.push(format!(
                "length {} mm: marks are at least 10 mm long",
                self.length
            ));
        }
        if below(self.pitch, 2.5) || self.pitch < self.thickness * 2.0 {
            p.push(format!(
                "pitch {} mm: marks are at least 2.5 mm apart",
                self.pitch
            ));
        }
        if below(self.x, 0.0) || below(self.y, 0.0) {
            p.push("x and y are distances from the page's edges, not negative".into());
        }
        p
    }
}

impl OmrSpec {
    /// The column of marks, from the top of the first to the bottom of the last:
    /// `(left, top, right, bottom)` in mm.
    pub fn extent(&self) -> (f32, f32, f32, f32) {
        let half = self.thickness / 2.0;
        let last = self.y + self.pitch * (crate::production::TRACKS - 1) as f32;
        (self.x, self.y - half, self.x + self.length, last + half)
    }
}

/// The `[production.datamatrix]` table: where each sheet's DataMatrix goes and its size
/// (see `pli::production::datamatrix` for what it says). Limits: modules 0.25-1 mm, a
/// quiet zone of at least one module.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataMatrixSpec {
    /// Distance of the symbol's left edge (not its quiet zone's) from the page's left
    /// edge, in mm.
    pub x: f32,
    /// Distance of the symbol's top edge from the page's top edge, in mm.
    pub y: f32,
    /// Size of a module (one square), in mm.
    #[serde(default = "default_dm_module")]
    pub module: f32,
    /// The white margin kept around the symbol, in modules.
    #[serde(default = "default_dm_quiet")]
    pub quiet: u32,
    /// Modules a side: one of the square ECC 200 sizes (10, 12, … 26, 32, … 144); the
    /// same on every sheet, so it must hold the longest text of the job.
    #[serde(default = "default_dm_size")]
    pub size: u32,
    /// The side of the sheet it is printed on.
    #[serde(default)]
    pub side: SheetSide,
}

/// A side of a sheet.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetSide {
    /// The front: the sheet's first page.
    #[default]
    Front,
    /// The back: the sheet's second page (duplex only).
    Back,
}

impl DataMatrixSpec {
    /// The symbol with its quiet zone: `(left, top, right, bottom)` in mm.
    pub fn extent(&self) -> (f32, f32, f32, f32) {
        let quiet = self.quiet as f32 * self.module;
        let side = self.size as f32 * self.module;
        (
            self.x - quiet,
            self.y - quiet,
            self.x + side + quiet,
            self.y + side + quiet,
        )
    }

    /// What is wrong with this symbol on a page of `width` × `height` mm, beside `omr`
    /// marks, in duplex or not, if anything.
    pub fn problems(&self, width: f32, height: f32, duplex: bool, omr: Option<&OmrSpec>) -> Vec<String> {
        let mut p = Vec::new();
        if !(0.25..=1.0).contains(&self.module) {
            p.push(format!(
                "module {} mm: modules are 0.25 to 1 mm (0.5 mm reads well at 300 dpi)",
                self.module
            ));
        }
        if self.quiet < 1 {
            p.push("quiet 0: the quiet zone is at least 1 module (2 recommended)".into());
        }
        if !crate::production::datamatrix::is_square_size(self.size) {
            p.push(format!(
                "size {}: square ECC 200 symbols are 10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132 or 144 modules a side",
                self.size
            ));
        }
        if self.side == SheetSide::Back && !duplex {
            p.push("side = \"back\" needs a duplex job ([production] duplex = true)".into());
        }
        if self.x.is_nan() || self.y.is_nan() {
            p.push("x and y are distances from the page's edges, in mm".into());
            return p;
        }
        let (left, top, right, bottom) = self.extent();
        if left < -0.01 || top < -0.01 || right > width + 0.01 || bottom > height + 0.01 {
            p.push(format!(
                "the symbol with its quiet zone ({left:.1} to {right:.1} mm across, {top:.1} to {bottom:.1} mm down) does not lie on the {width:.0} × {height:.0} mm page"
            ));
        }
        if let (Some(omr), SheetSide::Front) = (omr, self.side) {
            let (ol, ot, or, ob) = omr.extent();
            if left < or && ol < right && top < ob && ot < bottom {
                p.push(format!(
                    "the symbol with its quiet zone ({left:.1} to {right:.1} mm across, {top:.1} to {bottom:.1} mm down) overlaps the OMR marks ({ol:.1} to {or:.1} mm across, {ot:.1} to {ob:.1} mm down)"
                ));
            }
        }
        p
    }
}

fn default_dm_module() -> f32 {
    0.5
}

fn default_dm_quiet() -> u32 {
    2
}

fn default_dm_size() -> u32 {
    22
}

fn default_omr_x() -> f32 {
    5.0
}

fn default_omr_y() -> f32 {
    100.0
}

fn default_omr_pitch() -> f32 {
    4.23
}

fn default_omr_length() -> f32 {
    12.0
}

fn default_omr_thickness() -> f32 {
    0.5
}

impl Default for ProductionSpec {
    fn default() -> ProductionSpec {
        ProductionSpec {
            paper_gsm: default_gsm(),
            sheets: default_sheets(),
            duplex: false,
            envelope_g: default_envelope(),
            inserts_g: 0.0,
            sheet_mm: default_sheet_mm(),
            envelope_mm: default_envelope_mm(),
            omr: None,
            datamatrix: None,
            control_file: false,
            split_inserts: false,
            output_intent: None,
        }
    }
}

fn default_gsm() -> u32 {
    80
}

fn default_sheets() -> u32 {
    1
}

fn default_envelope() -> f32 {
    5.0
}

fn default_sheet_mm() -> f32 {
    0.1
}

fn default_envelope_mm() -> f32 {
    0.4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datamatrix(table: &str) -> DataMatrixSpec {
        toml::from_str(table).unwrap()
    }

    fn omr() -> OmrSpec {
        toml::from_str("x = 5\ny = 100").unwrap()
    }

    #[test]
    fn a_datamatrix_takes_defaults_and_fits_an_a4_page() {
        let dm = datamatrix("x = 185\ny = 12");
        assert_eq!(
            (dm.module, dm.quiet, dm.size, dm.side),
            (0.5, 2, 22, SheetSide::Front)
        );
        assert_eq!(dm.extent(), (184.0, 11.0, 197.0, 24.0));
        assert!(dm.problems(210.0, 297.0, false, Some(&omr())).is_empty());
    }

    #[test]
    fn datamatrix_limits_are_layout_errors() {
        let dm = datamatrix("x = 185\ny = 12\nmodule = 0.2\nquiet = 0\nsize = 23\nside = \"back\"");
        let p = dm.problems(210.0, 297.0, false, None);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert!(
            p[0].starts_with("module 0.2 mm: modules are 0.25 to 1 mm"),
            "{}",
            p[0]
        );
        assert!(
            p[1].starts_with("quiet 0: the quiet zone is at least 1 module"),
            "{}",
            p[1]
        );
        assert!(
            p[2].starts_with("size 23: square ECC 200 symbols are 10, 12"),
            "{}",
            p[2]
        );
        assert!(p[3].contains("needs a duplex job"), "{}", p[3]);
        assert!(dm.problems(210.0, 297.0, true, None).len() == 3);
        let bad: Result<DataMatrixSpec, _> = toml::from_str("x = 1\ny = 1\nside = \"left\"");
        assert!(bad.unwrap_err().to_string().contains("unknown variant `left`"));
    }

    #[test]
    fn a_datamatrix_off_the_page_or_over_the_omr_marks_is_a_layout_error() {
        // 22 modules of 1 mm and 2 of quiet zone each side: 26 mm from x - 2 = 190 mm.
        let off = datamatrix("x = 192\ny = 1\nmodule = 1");
        let p = off.problems(210.0, 297.0, false, None);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].contains(
                "(190.0 to 216.0 mm across, -1.0 to 25.0 mm down) does not lie on the 210 × 297 mm page"
            ),
            "{}",
            p[0]
        );
        // The OMR column: 5 to 17 mm across, 99.75 to 125.63 mm down.
        let over = datamatrix("x = 15\ny = 120");
        let p = over.problems(210.0, 297.0, false, Some(&omr()));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].contains("overlaps the OMR marks (5.0 to 17.0 mm across"),
            "{}",
            p[0]
        );
        // Just clear of the last mark; or on the back, where there are no marks.
        assert!(datamatrix("x = 15\ny = 126.7")
            .problems(210.0, 297.0, false, Some(&omr()))
            .is_empty());
        assert!(datamatrix("x = 15\ny = 120\nside = \"back\"")
            .problems(210.0, 297.0, true, Some(&omr()))
            .is_empty());
    }
}
