//! PDF output: pages encoded into compressed content streams by the workers, in parallel
//! ([`encode_page`]), then streamed by a single [`PdfWriter`] per file, which embeds the
//! images and forms a file uses once each and the fonts subset to the glyphs it used.
//! Files are plain PDF 1.7, or PDF/X-4 ([`pdfx`]) with ICC profiles pli makes itself ([`icc`]).

mod deflate;
mod font;

pub mod icc;
pub mod pdfx;

pub mod content;
pub mod writer;

#[cfg(test)]
mod tests;

pub use content::{encode_page, encode_page_with, ColorMode, EncodedPage, GlyphSet, Usage};
pub use pdfx::{OutputIntent, PdfX};
pub use writer::{FileSummary, PdfWriter, RecordMeta, Shared};
