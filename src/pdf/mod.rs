//! PDF output: pages encoded into compressed content streams by the workers, in parallel
//! ([`encode_page`]), then streamed by a single [`PdfWriter`] per file, which embeds the
//! images and forms a file uses once each and the fonts subset to the glyphs it used.

mod deflate;
mod font;

pub mod icc;

pub mod content;
pub mod writer;

#[cfg(test)]
mod tests;

pub use content::{encode_page, EncodedPage, GlyphSet, Usage};
pub use writer::{FileSummary, PdfWriter, Shared};
