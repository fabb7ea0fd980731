//! Fonts: finding faces by family and style in a folder, their metrics, and shaping words.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use harfrust::{Buffer, Direction, Language, ShapeOptions, ShaperFont};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

/// Index of a loaded face in its [`FontBook`]; stable for a job.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub u16);

/// A font file found in the fonts folder, not yet loaded.
#[derive(Clone, Debug)]
struct Entry {
    family: String,
    weight: u16,
    italic: bool,
    path: PathBuf,
}

/// The fonts a layout may use: what its fonts folder holds, and the faces loaded from it.
pub struct FontBook {
    dir: PathBuf,
    entries: Vec<Entry>,
    faces: Vec<Arc<Face>>,
}

/// One loaded font face, with what layout and PDF embedding need from it.
pub struct Face {
    /// Its id in the book.
    pub id: FontId,
    /// Unique among all faces loaded by the process (books come and go; caches outlive them).
    uid: u64,
    /// Family name, e.g. `Lato`.
    pub family: String,
    /// PostScript name, e.g. `Lato-Bold`.
    pub postscript_name: String,
    /// Weight class (400 regular, 700 bold).
    pub weight: u16,
    /// Whether the face is italic.
    pub italic: bool,
    /// The file it came from.
    pub path: PathBuf,
    /// The font file's bytes.
    pub data: Arc<Vec<u8>>,
    /// Design units per em.
    pub upem: u16,
    /// Ascender above the baseline, in font units.
    pub ascent: f32,
    /// Descender below the baseline (negative), in font units.
    pub descent: f32,
    /// Capital height, in font units.
    pub cap_height: f32,
    /// Italic angle in degrees.
    pub italic_angle: f32,
    /// Font bounding box `[x0, y0, x1, y1]`, in font units.
    pub bbox: [f32; 4],
    /// Advance width of every glyph, in font units.
    pub widths: Vec<u16>,
    /// Advance width of every glyph as the PDF states it (`/W`): thousandths of an em, rounded.
    pdf_widths: Vec<i32>,
    /// Number of glyphs in the font.
    pub num_glyphs: u16,
    shaper: harfrust::Font,
    /// The text each glyph was first shaped from, for the PDF's Unicode map.
    unicode: Vec<OnceLock<Box<str>>>,
}

/// A glyph as shaped, in font units.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Glyph {
    /// Glyph id in the face.
    pub gid: u16,
    /// Horizontal advance.
    pub advance: i32,
    /// Horizontal offset from the pen.
    pub dx: i32,
    /// Vertical offset from the baseline.
    pub dy: i32,
}

/// A word shaped in one face, in font units.
#[derive(Debug)]
pub struct Shaped {
    /// The glyphs in visual order.
    pub glyphs: Box<[Glyph]>,
    /// Sum of the advances.
    pub width: i32,
    /// The characters the face has no glyph for, in order of first appearance.
    pub missing: Box<[char]>,
}

/// Problems found while finding or loading fonts.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The fonts folder cannot be read.
    #[error("cannot read the fonts folder {dir}: {source}")]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No face of the family and style asked for.
    #[error("no font `{family}` {style} in {dir} (found: {found})")]
    NotFound {
        /// The family.
        family: String,
        /// `regular`, `bold`, `italic` or `bold italic`.
        style: String,
        /// The folder searched.
        dir: PathBuf,
        /// What the folder holds.
        found: String,
    },
    /// A font file that cannot be used.
    #[error("{path}: {message}")]
    Unusable {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl FontBook {
    /// Lists the fonts in `dir` (`.ttf` and `.otf` files) by family and style.
    pub fn scan(dir: &Path) -> Result<FontBook, FontError> {
        let folder = |source| FontError::Folder {
            dir: dir.to_owned(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(folder)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("ttf") || e.eq_ignore_ascii_case("otf"))
            })
            .collect();
        paths.sort();
        let mut entries = Vec::new();
        for path in paths {
            let data = std::fs::read(&path).map_err(folder)?;
            let font = FontRef::new(&data).map_err(|e| FontError::Unusable {
                path: path.clone(),
                message: format!("not a usable OpenType font ({e})"),
            })?;
            let family = name(&font, StringId::TYPOGRAPHIC_FAMILY_NAME)
                .or_else(|| name(&font, StringId::FAMILY_NAME))
                .unwrap_or_default();
            let attrs = font.attributes();
            entries.push(Entry {
                family,
                weight: attrs.weight.value().round() as u16,
                italic: !matches!(attrs.style, skrifa::attribute::Style::Normal),
                path,
            });
        }
        Ok(FontBook {
            dir: dir.to_owned(),
            entries,
            faces: Vec::new(),
        })
    }

    /// Finds (loading it the first time) the face of `family` closest to the style asked for.
    pub fn select(&mut self, family: &str, bold: bool, italic: bool) -> Result<FontId, FontError> {
        let want = if bold { 700 } else { 400 };
        let best = self
            .entries
            .iter()
            .filter(|e| e.family.eq_ignore_ascii_case(family) && e.italic == italic)
            .min_by_key(|e| (e.weight as i32 - want).abs())
            .filter(|e| (e.weight as i32 - want).abs() <= 150)
            .cloned();
        let Some(entry) = best else {
            let style = match (bold, italic) {
                (false, false) => "regular",
                (true, false) => "bold",
                (false, true) => "italic",
                (true, true) => "bold italic",
            };
            let mut found: Vec<String> = self
                .entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}{}",
                        e.family,
                        e.weight,
                        if e.italic { " italic" } else { "" }
                    )
                })
                .collect();
            found.dedup();
            return Err(FontError::NotFound {
                family: family.to_owned(),
                style: style.to_owned(),
                dir: self.dir.clone(),
                found: if found.is_empty() {
                    "no fonts".into()
                } else {
                    found.join(", ")
                },
            });
        };
        if let Some(face) = self.faces.iter().find(|f| f.path == entry.path) {
            return Ok(face.id);
        }
        let id = FontId(self.faces.len() as u16);
        let face = Face::load(id, &entry)?;
        self.faces.push(Arc::new(face));
        Ok(id)
    }

    /// A loaded face.
    pub fn face(&self, id: FontId) -> &Arc<Face> {
        &self.faces[id.0 as usize]
    }

    /// All loaded faces, indexed by [`FontId`].
    pub fn faces(&self) -> &[Arc<Face>] {
        &self.faces
    }
}

fn name(font: &FontRef, id: StringId) -> Option<String> {
    font.localized_strings(id)
        .english_or_first()
        .map(|s| s.chars().collect::<String>())
        .filter(|s| !s.is_empty())
}

impl Face {
    fn load(id: FontId, entry: &Entry) -> Result<Face, FontError> {
        let unusable = |message: String| FontError::Unusable {
            path: entry.path.clone(),
            message,
        };
        let data = Arc::new(std::fs::read(&entry.path).map_err(|e| unusable(e.to_string()))?);
        let font = FontRef::new(&data).map_err(|e| unusable(format!("not a usable OpenType font ({e})")))?;
        if font.glyf().is_err() {
            return Err(unusable(
                "only fonts with TrueType outlines (glyf table) can be embedded; convert this font to TTF"
                    .into(),
            ));
        }
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let glyph_metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let num_glyphs = metrics.glyph_count.min(u16::MAX as u32) as u16;
        let widths: Vec<u16> = (0..num_glyphs)
            .map(|g| glyph_metrics.advance_width(g.into()).unwrap_or(0.0).round() as u16)
            .collect();
        let bbox = metrics
            .bounds
            .map(|b| [b.x_min, b.y_min, b.x_max, b.y_max])
            .unwrap_or([0.0, metrics.descent, metrics.units_per_em as f32, metrics.ascent]);
        let postscript_name = name(&font, StringId::POSTSCRIPT_NAME)
            .unwrap_or_else(|| format!("{}-{}", entry.family.replace(' ', ""), entry.weight));
        let shared: Arc<dyn AsRef<[u8]> + Send + Sync> = data.clone();
        let shaper = harfrust::Font::new(shared, 0)
            .ok_or_else(|| unusable("the shaper cannot read this font".into()))?;
        static NEXT_UID: AtomicU64 = AtomicU64::new(0);
        Ok(Face {
            id,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            family: entry.family.clone(),
            postscript_name,
            weight: entry.weight,
            italic: entry.italic,
            path: entry.path.clone(),
            upem: metrics.units_per_em,
            ascent: metrics.ascent,
            descent: metrics.descent,
            cap_height: metrics.cap_height.unwrap_or(metrics.ascent * 0.7),
            italic_angle: metrics.italic_angle,
            bbox,
            pdf_widths: widths
                .iter()
                .map(|&w: &u16| (w as f32 * 1000.0 / metrics.units_per_em as f32).round() as i32)
                .collect(),
            widths,
            num_glyphs,
            unicode: nominal_text(&font, num_glyphs),
            shaper,
            data,
        })
    }

    /// The PDF width (thousandths of an em) of a glyph.
    pub fn pdf_width(&self, gid: u16) -> f32 {
        let w = self.widths.get(gid as usize).copied().unwrap_or(0);
        w as f32 * 1000.0 / self.upem as f32
    }

    /// The width the PDF states for a glyph (`/W`), in whole thousandths of an em.
    pub fn pdf_width_int(&self, gid: u16) -> i32 {
        self.pdf_widths.get(gid as usize).copied().unwrap_or(0)
    }

    /// The text a glyph stands for, once it has been shaped.
    pub fn glyph_text(&self, gid: u16) -> Option<&str> {
        self.unicode.get(gid as usize).and_then(|c| c.get()).map(|s| &**s)
    }

    /// Shapes `text` (kerning, ligatures), using this thread's cache of shaped words.
    pub fn shape(&self, text: &str) -> Rc<Shaped> {
        SHAPE_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(hit) = cache.young.get(&self.uid).and_then(|words| words.get(text)) {
                return hit.clone();
            }
            let shaped = match cache.old.get(&self.uid).and_then(|words| words.get(text)) {
                Some(old) => old.clone(),
                None => {
                    let buffer = cache.buffer.take().unwrap_or_default();
                    let (shaped, buffer) = self.shape_uncached(text, buffer);
                    cache.buffer = Some(buffer);
                    Rc::new(shaped)
                }
            };
            if cache.young_len >= MAX_CACHED_WORDS {
                cache.old = std::mem::take(&mut cache.young);
                cache.young_len = 0;
            }
            cache.young_len += 1;
            cache
                .young
                .entry(self.uid)
                .or_default()
                .insert(text.into(), shaped.clone());
            shaped
        })
    }

    fn shape_uncached(&self, text: &str, mut buffer: Buffer) -> (Shaped, Buffer) {
        buffer.clear();
        buffer.push_str(text);
        buffer.set_direction(Direction::LeftToRight);
        buffer.guess_segment_properties();
        buffer.set_language(Some(
            FRENCH
                .get_or_init(|| "fr".parse().expect("valid language tag"))
                .clone(),
        ));
        let shaper = ShaperFont::new(&self.shaper);
        if harfrust::shape(&shaper, &mut buffer, ShapeOptions::new()).is_err() {
            // Shaping only fails on inconsistent buffer settings, which are fixed above;
            // fall back to the nominal glyphs rather than lose the text.
            return (self.nominal(text), buffer);
        }
        let infos = buffer.glyph_infos();
        let positions = buffer.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0;
        let mut missing: Vec<char> = Vec::new();
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let gid = info.glyph_id.min(u16::MAX as u32) as u16;
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .map(|n| n.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let first_of_cluster = i == 0 || infos[i - 1].cluster as usize != start;
            if first_of_cluster && start < end {
                if let (Some(slot), Some(t)) = (self.unicode.get(gid as usize), text.get(start..end)) {
                    let _ = slot.get_or_init(|| t.into());
                }
            }
            if gid == 0 {
                // Every character of the cluster lacks a glyph (a cluster is one grapheme here).
                for c in text.get(start..end).unwrap_or_default().chars() {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                }
            }
            glyphs.push(Glyph {
                gid,
                advance: pos.x_advance,
                dx: pos.x_offset,
                dy: pos.y_offset,
            });
            width += pos.x_advance;
        }
        (
            Shaped {
                glyphs: glyphs.into_boxed_slice(),
                width,
                missing: missing.into_boxed_slice(),
            },
            buffer,
        )
    }

    fn nominal(&self, text: &str) -> Shaped {
        let font = FontRef::new(&self.data).expect("face was parsed when loaded");
        let cmap = font.charmap();
        let mut missing: Vec<char> = Vec::new();
        let glyphs: Box<[Glyph]> = text
            .chars()
            .map(|c| {
                let gid = cmap.map(c).map(|g| g.to_u32() as u16).unwrap_or(0);
                if gid == 0 && !missing.contains(&c) {
                    missing.push(c);
                }
                Glyph {
                    gid,
                    advance: self.widths.get(gid as usize).copied().unwrap_or(0) as i32,
                    dx: 0,
                    dy: 0,
                }
            })
            .collect();
        let width = glyphs.iter().map(|g| g.advance).sum();
        Shaped {
            glyphs,
            width,
            missing: missing.into(),
        }
    }
}

/// The text of each glyph the character map reaches: its smallest code point, so the
/// Unicode map does not depend on which text a worker happened to shape first.
/// Glyphs only reached through shaping (ligatures) get their text when shaped.
fn nominal_text(font: &FontRef, num_glyphs: u16) -> Vec<OnceLock<Box<str>>> {
    let mut best: Vec<Option<char>> = vec![None; num_glyphs as usize];
    for (cp, gid) in font.charmap().mappings() {
        let (Some(slot), Some(c)) = (best.get_mut(gid.to_u32() as usize), char::from_u32(cp)) else {
            continue;
        };
        // Control characters, and presentation forms such as U+FB01 (the "fi" ligature):
        // a ligature glyph must map back to its letters, which shaping records.
        if c.is_control() || ('\u{FB00}'..='\u{FB4F}').contains(&c) {
            continue;
        }
        if slot.is_none_or(|old| c < old) {
            *slot = Some(c);
        }
    }
    best.into_iter()
        .map(|c| {
            let cell = OnceLock::new();
            if let Some(c) = c {
                let _ = cell.set(c.to_string().into_boxed_str());
            }
            cell
        })
        .collect()
}

static FRENCH: OnceLock<Language> = OnceLock::new();

/// Words kept per thread in each generation of the cache.
const MAX_CACHED_WORDS: usize = 50_000;

/// Shaped words of one face, by text (a fast hash: the cache is looked up for every word).
type WordMap = HashMap<Box<str>, Rc<Shaped>, foldhash::fast::FixedState>;

/// Shaped words per thread, in two generations: when the young one is full it becomes
/// the old one, and words found there are brought back. The words every letter repeats
/// stay; names seen once age out, so memory stays flat over a million records.
#[derive(Default)]
struct ShapeCache {
    /// By face uid (faces of several books may meet on one thread), then by text.
    young: HashMap<u64, WordMap>,
    young_len: usize,
    old: HashMap<u64, WordMap>,
    buffer: Option<Buffer>,
}

thread_local! {
    static SHAPE_CACHE: RefCell<ShapeCache> = RefCell::new(ShapeCache::default());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The fonts shipped with pli, for tests.
    pub fn shipped() -> FontBook {
        FontBook::scan(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap()
    }

    #[test]
    fn families_and_styles_are_found() {
        let mut book = shipped();
        let regular = book.select("Lato", false, false).unwrap();
        let bold = book.select("lato", true, false).unwrap();
        let italic = book.select("Lato", false, true).unwrap();
        assert_ne!(regular, bold);
        assert_ne!(regular, italic);
        assert_eq!(book.face(bold).weight, 700);
        assert!(book.face(italic).italic);
        assert_eq!(book.select("Lato", false, false).unwrap(), regular);
        let err = book.select("Garamond", false, false).unwrap_err().to_string();
        assert!(err.contains("no font `Garamond` regular"), "{err}");
    }

    #[test]
    fn shaping_makes_ligatures_and_kerns() {
        let mut book = shipped();
        let id = book.select("Lato", false, false).unwrap();
        let face = book.face(id);
        let fi = face.shape("fin");
        assert_eq!(fi.glyphs.len(), 2, "fi ligature expected");
        assert_eq!(face.glyph_text(fi.glyphs[0].gid), Some("fi"));
        // "AV" is kerned: its advance is less than the sum of the glyph widths.
        let av = face.shape("AV");
        let nominal: i32 = av.glyphs.iter().map(|g| face.widths[g.gid as usize] as i32).sum();
        assert!(av.width < nominal, "{} !< {}", av.width, nominal);
        let accents = face.shape("Élodie Hélène Françoise");
        assert!(
            accents.glyphs.iter().all(|g| g.gid != 0),
            "every accent has a glyph"
        );
    }
}
