//! Composition: layouts compiled once, then each mailpiece laid out into pages.

pub mod booklet;
pub mod catalogue;
pub mod channels;
pub mod compiled;
mod compiler;
pub mod fit;
pub mod fonts;
pub mod image;
pub mod layout_file;
pub mod linebreak;
pub mod markup;
pub mod page;
pub mod piece;
pub mod production_spec;
pub mod selection;
pub mod template;
pub mod text;

pub use channels::{Email, EmailTemplate, Sms, SmsTemplate};
pub use compiled::{JobValues, Layout, LayoutErrors};
pub use piece::{compose_piece, Piece};
