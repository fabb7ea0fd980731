//! Fonts embedded as CID-keyed TrueType subsets: Type0 (Identity-H) over a CIDFontType2.
//!
//! Content streams use the original glyph ids as CIDs; the subset renumbers the glyphs,
//! so a `/CIDToGIDMap` stream maps each used CID to its glyph in the subset.

use std::io;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use super::content::{glyph_width, GlyphSet};
use super::deflate::zlib;
use super::writer::{Objects, Refs};
use crate::compose::fonts::Face;

/// Zlib level for embedded fonts and maps (written once per font per file).
const FONT_LEVEL: u8 = 9;

/// Writes the objects of `face` subset to `glyphs`; returns the Type0 font's ref.
pub(super) fn embed(
    face: &Face,
    glyphs: &GlyphSet,
    refs: &mut Refs,
    objects: &mut Objects,
) -> io::Result<Ref> {
    let mut gids: Vec<u16> = glyphs.iter().collect();
    if gids.first() != Some(&0) {
        gids.insert(0, 0);
    }
    let remapper = GlyphRemapper::new_from_glyphs_sorted(&gids);
    let subset = subsetter::subset(&face.data, 0, &remapper).map_err(|e| {
        io::Error::other(format!(
            "cannot subset font {} ({}): {e}",
            face.postscript_name,
            face.path.display()
        ))
    })?;
    let base_font = format!("{}+{}", subset_tag(face, &gids), face.postscript_name);
    let base_font = Name(base_font.as_bytes());

    let type0 = refs.bump();
    let cid_font = refs.bump();
    let descriptor = refs.bump();
    let font_file = refs.bump();
    let cid_to_gid = refs.bump();
    let to_unicode = refs.bump();

    objects
        .at(type0)
        .type0_font(type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    {
        let mut cid = objects.at(cid_font).cid_font(cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_stream(cid_to_gid);
        let mut widths = cid.widths();
        let used: Vec<u16> = glyphs.iter().collect();
        for run in used.chunk_by(|a, b| *a as u32 + 1 == *b as u32) {
            widths.consecutive(run[0], run.iter().map(|&g| glyph_width(face, g) as f32));
        }
        widths.finish();
    }

    let scale = 1000.0 / face.upem as f32;
    let mut flags = FontFlags::NON_SYMBOLIC;
    if face.italic {
        flags |= FontFlags::ITALIC;
    }
    let [x0, y0, x1, y1] = face.bbox.map(|v| (v * scale).round());
    // A usual estimate of the dominant vertical stem width from the weight class.
    let stem_v = (50.0 + (face.weight as f32 / 65.0).powi(2)).round();
    objects
        .at(descriptor)
        .font_descriptor(descriptor)
        .name(base_font)
        .flags(flags)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(face.italic_angle)
        .ascent((face.ascent * scale).round())
        .descent((face.descent * scale).round())
        .cap_height((face.cap_height * scale).round())
        .stem_v(stem_v)
        .font_file2(font_file);

    let packed = zlib(&subset, FONT_LEVEL);
    objects
        .at(font_file)
        .stream(font_file, &packed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);

    // CID (original glyph id) -> glyph id in the subset, 2 bytes each, up to the last used CID.
    let last = *gids.last().expect("at least .notdef") as usize;
    let mut map = vec![0u8; (last + 1) * 2];
    for &gid in &gids {
        let new = remapper.get(gid).expect("every kept glyph is remapped");
        map[gid as usize * 2..gid as usize * 2 + 2].copy_from_slice(&new.to_be_bytes());
    }
    let packed = zlib(&map, FONT_LEVEL);
    objects
        .at(cid_to_gid)
        .stream(cid_to_gid, &packed)
        .filter(Filter::FlateDecode);

    let mut cmap = UnicodeCmap::new(
        Name(b"Adobe-Identity-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for gid in glyphs.iter() {
        if let Some(text) = face.glyph_text(gid).filter(|t| !t.is_empty()) {
            cmap.pair_with_multiple(gid, text.chars());
        }
    }
    let packed = zlib(&cmap.finish(), FONT_LEVEL);
    objects
        .at(to_unicode)
        .stream(to_unicode, &packed)
        .filter(Filter::FlateDecode);
    Ok(type0)
}

/// The six capital letters naming a subset, derived from the face and its glyphs.
fn subset_tag(face: &Face, gids: &[u16]) -> String {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    let bytes = face
        .postscript_name
        .bytes()
        .chain(gids.iter().flat_map(|g| g.to_le_bytes()));
    for byte in bytes {
        hash = (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01B3);
    }
    (0..6)
        .map(|_| {
            let letter = (b'A' + (hash % 26) as u8) as char;
            hash /= 26;
            letter
        })
        .collect()
}
