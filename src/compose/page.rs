//! Laid-out pages as display lists: what to draw and where, before any PDF syntax.
//!
//! Coordinates are measured from the page's top-left corner, y growing downwards,
//! as designers measure them; the PDF writer turns them into PDF space.

use std::sync::Arc;

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
    pub glyphs: Arc<[PlacedGlyph]>,
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
}

/// Static content compiled once: drawn as a Form XObject in every file that uses it.
#[derive(Clone, Debug)]
pub struct Form {
    /// Its id.
    pub id: FormId,
    /// What it draws, in page coordinates (its bounding box is the whole page).
    pub page: Arc<Page>,
}
