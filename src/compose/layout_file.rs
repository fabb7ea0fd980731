//! Layout files (TOML): what a designer writes, read and checked.
//!
//! Geometry is in millimetres from the page's top-left corner; type sizes, leading
//! and paragraph spacing are in points, as typographers give them.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::production_spec::{DataMatrixSpec, OmrSpec, OutputIntentSpec, ProductionSpec, SheetSide};

/// A layout file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutFile {
    /// Name and folders.
    pub layout: Meta,
    /// Page size and margins.
    pub page: PageSpec,
    /// Defaults for record fields; a field with a default may be empty or absent.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    /// The data file's column for a field, when its name differs: `field = "Column"`.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// Paragraph styles by name.
    pub styles: BTreeMap<String, StyleSpec>,
    /// Placed elements. Those that use no record field are painted first (drawn once
    /// per file as static content), then the record-dependent ones in file order,
    /// then the body.
    #[serde(default)]
    pub elements: Vec<ElementSpec>,
    /// The flowing body text.
    pub body: Option<BodySpec>,
    /// The continuation page's body frame.
    pub continuation: Option<FrameSpec>,
    /// The campaign's e-mail, made from the same records.
    pub email: Option<EmailSpec>,
    /// The campaign's SMS, made from the same records.
    pub sms: Option<SmsSpec>,
    /// How a mailpiece is made up, for its weight and postage.
    #[serde(default)]
    pub production: ProductionSpec,
    /// Where a catalogue's products come from and which ones each record gets.
    pub products: Option<ProductsSpec>,
    /// A catalogue's master pages (instead of `[[elements]]` and `[body]`).
    pub pages: Option<PagesSpec>,
    /// Print finishing: saddle stitching, bleed, crop marks.
    pub finishing: Option<FinishingSpec>,
}

/// The `[layout]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// A human name for the layout.
    pub name: String,
    /// The fonts folder, relative to the layout file.
    #[serde(default = "default_fonts")]
    pub fonts: String,
    /// The folder images are taken from, relative to the layout file.
    #[serde(default = "default_assets")]
    pub assets: String,
}

fn default_fonts() -> String {
    "../fonts".into()
}

fn default_assets() -> String {
    "assets".into()
}

/// The `[page]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSpec {
    /// `"A3"`, `"A4"`, `"A5"`, `"A6"`, `"Letter"` or `[width, height]` in mm.
    pub size: PageSize,
    /// Margins `[top, right, bottom, left]` in mm: nothing may be placed outside them.
    #[serde(default)]
    pub margins: Option<[f32; 4]>,
}

/// A page size by name or in millimetres.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum PageSize {
    /// A named size.
    Named(String),
    /// Width and height in mm.
    Custom([f32; 2]),
}

/// A field's settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Value used when the record's is empty or the column is absent.
    pub default: Option<String>,
}

/// A paragraph style as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    /// Font family, found in the fonts folder.
    pub font: String,
    /// Size in points.
    pub size: f32,
    /// Distance between baselines in points (default 1.2 × size).
    pub leading: Option<f32>,
    /// Colour: `#RRGGBB`, `rgb(…)`, `cmyk(…)` or `gray(…)` (default 100% black).
    pub color: Option<String>,
    /// `left`, `right`, `center` or `justify` (default `left`).
    pub align: Option<String>,
    /// Space above, in points.
    #[serde(default)]
    pub space_before: f32,
    /// Space below, in points.
    #[serde(default)]
    pub space_after: f32,
    /// First-line indent, in points.
    #[serde(default)]
    pub first_line_indent: f32,
    /// Hyphenate words (French rules); default true for justified text.
    pub hyphenate: Option<bool>,
}

/// Which pages an element is drawn on.
#[derive(Copy, Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Pages {
    /// The first page of each piece.
    #[default]
    First,
    /// Continuation pages.
    Continuation,
    /// Every page.
    All,
}

/// A placed element as written.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ElementSpec {
    /// A text frame.
    Text {
        /// Name used in messages.
        name: Option<String>,
        /// Left edge, mm.
        x: f32,
        /// Top edge, mm.
        y: f32,
        /// Width, mm.
        width: f32,
        /// Height, mm; text that does not fit is an error.
        height: f32,
        /// Default paragraph style.
        style: String,
        /// The template.
        text: String,
        /// Pages drawn on.
        #[serde(default)]
        pages: Pages,
    },
    /// An image.
    Image {
        /// Name used in messages.
        name: Option<String>,
        /// Left edge, mm.
        x: f32,
        /// Top edge, mm.
        y: f32,
        /// Width, mm.
        width: f32,
        /// Height, mm.
        height: f32,
        /// Path in the assets folder; may be a template such as `{{dealer_logo}}`.
        file: String,
        /// `contain` (default), `cover` or `stretch`.
        fit: Option<String>,
        /// Where a contained or covering image sits: `center` (default), `top`, `bottom left`…
        align: Option<String>,
        /// Pages drawn on.
        #[serde(default)]
        pages: Pages,
    },
    /// A straight line.
    Line {
        /// Name used in messages.
        name: Option<String>,
        /// Start, mm.
        x1: f32,
        /// Start, mm.
        y1: f32,
        /// End, mm.
        x2: f32,
        /// End, mm.
        y2: f32,
        /// Stroke width in points (default 0.5).
        stroke_width: Option<f32>,
        /// Colour.
        color: Option<String>,
        /// Pages drawn on.
        #[serde(default)]
        pages: Pages,
    },
    /// A rectangle.
    Rect {
        /// Name used in messages.
        name: Option<String>,
        /// Left edge, mm.
        x: f32,
        /// Top edge, mm.
        y: f32,
        /// Width, mm.
        width: f32,
        /// Height, mm.
        height: f32,
        /// Fill colour.
        fill: Option<String>,
        /// Stroke colour.
        stroke: Option<String>,
        /// Stroke width in points (default 0.5).
        stroke_width: Option<f32>,
        /// Pages drawn on.
        #[serde(default)]
        pages: Pages,
    },
}

/// A frame as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameSpec {
    /// Left edge, mm.
    pub x: f32,
    /// Top edge, mm.
    pub y: f32,
    /// Width, mm.
    pub width: f32,
    /// Height, mm.
    pub height: f32,
}

/// The flowing body as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    /// Left edge on the first page, mm.
    pub x: f32,
    /// Top edge on the first page, mm.
    pub y: f32,
    /// Width, mm.
    pub width: f32,
    /// Height on the first page, mm.
    pub height: f32,
    /// Default paragraph style.
    pub style: String,
    /// The template.
    pub text: String,
}

/// The `[email]` table: an e-mail's templates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSpec {
    /// The subject, a plain-text template on one line.
    pub subject: String,
    /// The HTML body, a template whose values are HTML-escaped.
    pub html: Option<String>,
    /// A file holding the HTML body template, relative to the layout's folder.
    pub html_file: Option<String>,
    /// The plain-text alternative, a template.
    pub text: Option<String>,
    /// The sender, `Name <address>`; the same for every record.
    pub from: Option<String>,
}

/// The `[sms]` table: an SMS's template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSpec {
    /// The text, a plain-text template that must make one GSM-7 message.
    pub text: String,
}

/// The `[products]` table: the products file and how a record selects products.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductsSpec {
    /// The products file (CSV or JSON Lines), relative to the layout's folder;
    /// `--products` replaces it.
    pub file: Option<String>,
    /// A record field listing product ids (`A1|A2` or a JSON list), taken first.
    pub list: Option<String>,
    /// Rules adding products, in order; a product is listed once.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// A rule selecting products: those whose fields equal the values given, sorted, the first N.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Product field = plain-text template (`category = "{{segment}}"`); all must hold.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, String>,
    /// The product field to sort by (numbers as numbers), default file order.
    pub sort_by: Option<String>,
    /// Sort from the largest value down.
    #[serde(default)]
    pub descending: bool,
    /// At most this many products.
    pub limit: Option<usize>,
}

/// The `[pages]` table: a catalogue's master pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagesSpec {
    /// The front cover, the first page.
    pub cover: Option<MasterSpec>,
    /// Inner pages: as many as the grid's list needs (one without a grid).
    pub inner: MasterSpec,
    /// The back cover, the last page.
    pub back: Option<MasterSpec>,
}

/// A master page: its elements and, on inner pages, a grid.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterSpec {
    /// A plain-text template: the page is left out when it renders empty or `false`.
    pub when: Option<String>,
    /// Placed elements, as in `[[elements]]` (their `pages` key is ignored).
    #[serde(default)]
    pub elements: Vec<ElementSpec>,
    /// A list laid out in cells, flowing onto as many pages as it needs.
    pub grid: Option<GridSpec>,
}

/// A grid of cells filled from a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// Left edge, mm.
    pub x: f32,
    /// Top edge, mm.
    pub y: f32,
    /// Width, mm.
    pub width: f32,
    /// Height, mm.
    pub height: f32,
    /// Cells across.
    pub columns: u32,
    /// Cells down.
    pub rows: u32,
    /// Space between columns, mm.
    #[serde(default)]
    pub column_gap: f32,
    /// Space between rows, mm.
    #[serde(default)]
    pub row_gap: f32,
    /// The list laid out (default `products`).
    pub items: Option<String>,
    /// The cell's elements, placed from the cell's top-left corner; their templates
    /// use the item's fields.
    pub cell: Vec<ElementSpec>,
}

/// The `[finishing]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinishingSpec {
    /// Pad each piece with blank pages to a multiple of 4 (before the back cover).
    #[serde(default)]
    pub saddle_stitch: bool,
    /// Bleed around the trimmed page, mm.
    #[serde(default)]
    pub bleed: f32,
    /// Draw crop marks outside the bleed.
    #[serde(default)]
    pub crop_marks: bool,
}
