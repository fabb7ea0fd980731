//! Laid-out pages as display lists: what to draw and where, before any PDF syntax.
//!
//! Coordinates are measured from the page's top-left corner, y growing downwards,
//! as designers measure them; the PDF writer turns them into PDF space.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use super::fonts::FontId;
use super::image::ImageId;
use crate::units::{Color, Length, Rect};

/// Index of a static Form XObject of the compiled layout (the content every page of a kind shares).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FormId(pub u16);

/// A glyph placed on a line: its id in the face and its pen position.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct PlacedGlyph {
    /// Glyph id in the face (also its CID in the PDF).
    pub gid: u16,
    /// Horizontal position of the glyph origin from the page's left edge.
    pub x: Length,
    /// Vertical offset from the run's baseline, upwards positive (for marks).
    pub rise: Length,
}

/// The glyphs of a laid-out line, shared by every page that draws the line, with room
/// for one derived form of them (the PDF writer keeps the line's encoded operators
/// there, so that a line repeated on a million pages is encoded once).
#[derive(Default)]
pub struct Glyphs {
    list: Box<[PlacedGlyph]>,
    memo: OnceLock<(u128, Box<dyn Any + Send + Sync>)>,
}

impl Glyphs {
    /// Glyphs ready to share.
    pub fn shared(list: Vec<PlacedGlyph>) -> Arc<Glyphs> {
        Arc::new(Glyphs {
            list: list.into_boxed_slice(),
            memo: OnceLock::new(),
        })
    }

    /// The value derived under `key`: made by `make` the first time, kept with the
    /// glyphs after. Only the first key's value is kept; any other key gives `None`,
    /// and the caller derives its value itself. Whatever is kept, callers see the
    /// same values, so output never depends on what was kept.
    pub fn memo<T: Any + Send + Sync>(&self, key: u128, make: impl FnOnce() -> T) -> Option<&T> {
        let (k, value) = self.memo.get_or_init(|| (key, Box::new(make())));
        if *k == key {
            value.downcast_ref()
        } else {
            None
        }
    }
}

impl std::ops::Deref for Glyphs {
    type Target = [PlacedGlyph];
    fn deref(&self) -> &[PlacedGlyph] {
        &self.list
    }
}

impl PartialEq for Glyphs {
    fn eq(&self, other: &Glyphs) -> bool {
        self.list == other.list
    }
}

impl std::fmt::Debug for Glyphs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.list.fmt(f)
    }
}

/// Glyphs on one baseline in one face, size and colour.
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// The face.
    pub font: FontId,
    /// Font size.
    pub size: Length,
    /// Fill colour.
    pub color: Color,
    /// Baseline position from the page's top edge.
    pub baseline: Length,
    /// Added to every glyph's `x`: a laid-out line is shared by the pages that use it
    /// and placed in its frame by this offset.
    pub dx: Length,
    /// The glyphs, left to right.
    pub glyphs: Arc<Glyphs>,
}

/// One thing to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Shaped text.
    Text(TextRun),
    /// An image scaled into `rect`, clipped to `clip` when given.
    Image {
        /// The image.
        image: ImageId,
        /// Where the whole image is drawn.
        rect: Rect,
        /// The visible part, when the image is cropped to its frame.
        clip: Option<Rect>,
    },
    /// A straight line.
    Line {
        /// Start point (x, y).
        from: (Length, Length),
        /// End point (x, y).
        to: (Length, Length),
        /// Stroke width.
        width: Length,
        /// Stroke colour.
        color: Color,
    },
    /// A rectangle, filled and/or stroked.
    Rect {
        /// The rectangle.
        rect: Rect,
        /// Fill colour.
        fill: Option<Color>,
        /// Stroke colour and width.
        stroke: Option<(Color, Length)>,
    },
    /// The layout's static content for this kind of page, drawn once per file.
    Form(FormId),
    /// Filled rectangles on a grid of square cells, such as a 2D code's dark modules:
    /// written in cells under one transform and filled at once, so that a symbol of a
    /// hundred rectangles stays small and has no seams between them.
    Cells {
        /// The grid's top-left corner (x, y).
        origin: (Length, Length),
        /// A cell's side.
        cell: Length,
        /// The rectangles, in cells from the origin.
        rects: Vec<CellRect>,
        /// Fill colour.
        fill: Color,
    },
}

/// A rectangle of whole cells, from the top-left corner of its grid.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CellRect {
    /// Column of the left edge.
    pub x: u16,
    /// Row of the top edge.
    pub y: u16,
    /// Width in cells.
    pub width: u16,
    /// Height in cells.
    pub height: u16,
}

/// A page of a mailpiece.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Page width.
    pub width: Length,
    /// Page height.
    pub height: Length,
    /// What to draw, in painting order.
    pub items: Vec<Item>,
    /// Bleed and room for crop marks around the trimmed page (none for letters).
    pub bleed: Bleed,
}

/// Where the trimmed page lies on the sheet the PDF describes, for print finishing:
/// the media box is the trim box grown by `margin` on each side, the bleed box the
/// trim box grown by `bleed`. Display lists stay in trim coordinates; what bleeds is
/// placed at negative positions or past the page's size.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Bleed {
    /// From the media box's edges to the trim box's (bleed, and room for crop marks).
    pub margin: Length,
    /// How far printing extends past the trim, at most `margin`.
    pub bleed: Length,
}

/// Static content compiled once: drawn as a Form XObject in every file that uses it.
#[derive(Clone, Debug)]
pub struct Form {
    /// Its id.
    pub id: FormId,
    /// What it draws, in page coordinates (its bounding box is the whole page).
    pub page: Arc<Page>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_keep_the_first_keys_value_only() {
        let g = Glyphs::shared(vec![PlacedGlyph {
            gid: 3,
            x: Length::pt(1.0),
            rise: Length::ZERO,
        }]);
        let mut made = 0;
        assert_eq!(
            g.memo(7, || {
                made += 1;
                "seven".to_string()
            }),
            Some(&"seven".to_string())
        );
        assert_eq!(
            g.memo(7, || {
                made += 1;
                "again".to_string()
            }),
            Some(&"seven".to_string())
        );
        assert_eq!(
            g.memo(8, || {
                made += 1;
                "eight".to_string()
            }),
            None
        );
        assert_eq!(made, 1);
        assert_eq!(g.len(), 1);
    }
}
