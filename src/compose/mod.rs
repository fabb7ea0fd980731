//! Composition: layouts compiled once, then each mailpiece laid out into pages.

pub mod fonts;
pub mod markup;
pub mod template;
