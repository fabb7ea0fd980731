//! Page content streams: a display list turned into compressed PDF operators (done by workers).
//!
//! The operators are written by hand into a reused buffer: numbers with at most two
//! decimals (three for colour components), text as one `TJ` array per baseline segment
//! with 2-byte glyph ids (CID = glyph id, Identity-H) and integer kerning adjustments.

use std::cell::RefCell;
use std::sync::Arc;

use super::deflate::zlib;
use super::icc::{cmyk_to_rgb, rgb_to_cmyk, rgb_to_gray};
use crate::compose::fonts::{Face, FontId};
use crate::compose::image::ImageId;
use crate::compose::page::{Bleed, FormId, Item, Page, TextRun};
use crate::units::{Color, Length, Rect};

/// Zlib level for page and form content streams: 1, chosen by measurement (zlib-rs, sample letter):
/// level 1 gives 2.6 KB per page for 15% of the CPU time, level 2 2.1 KB for 31%, level 3 2.0 KB.
pub const CONTENT_LEVEL: u8 = 1;

/// Which device colour spaces a page's fills and strokes may use.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum ColorMode {
    /// Colours as the layout gives them: grey, RGB or CMYK.
    #[default]
    AsGiven,
    /// RGB becomes CMYK ([`rgb_to_cmyk`]): PDF/X-4 with a CMYK output intent.
    Cmyk,
    /// RGB and CMYK become grey (through the naive RGB of CMYK, [`rgb_to_gray`]):
    /// PDF/X-4 with a Gray output intent.
    Gray,
}

impl ColorMode {
    /// The colour as written under this mode.
    pub fn convert(self, color: Color) -> Color {
        match (self, color) {
            (ColorMode::Cmyk, Color::Rgb(r, g, b)) => {
                let [c, m, y, k] = rgb_to_cmyk(r, g, b);
                Color::Cmyk(c, m, y, k)
            }
            (ColorMode::Gray, Color::Rgb(r, g, b)) => Color::Gray(rgb_to_gray(r, g, b)),
            (ColorMode::Gray, Color::Cmyk(c, m, y, k)) => {
                let [r, g, b] = cmyk_to_rgb(c, m, y, k);
                Color::Gray(rgb_to_gray(r, g, b))
            }
            (_, color) => color,
        }
    }
}

/// A set of glyph ids of one face (bitset).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlyphSet {
    /// Bit `g % 64` of word `g / 64` is set when glyph `g` is in the set; no trailing zero words.
    words: Vec<u64>,
}

impl GlyphSet {
    /// An empty set.
    pub fn new() -> GlyphSet {
        GlyphSet::default()
    }

    /// Adds a glyph; returns whether it was not there yet.
    pub fn insert(&mut self, gid: u16) -> bool {
        let (word, bit) = (gid as usize / 64, 1u64 << (gid % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let fresh = self.words[word] & bit == 0;
        self.words[word] |= bit;
        fresh
    }

    /// Whether the glyph is in the set.
    pub fn contains(&self, gid: u16) -> bool {
        self.words
            .get(gid as usize / 64)
            .is_some_and(|w| w & (1u64 << (gid % 64)) != 0)
    }

    /// The glyphs, in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    (i * 64) as u16 + bit as u16
                })
            })
        })
    }

    /// Adds every glyph of `other`.
    pub fn union_with(&mut self, other: &GlyphSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (mine, theirs) in self.words.iter_mut().zip(&other.words) {
            *mine |= theirs;
        }
    }

    /// Number of glyphs in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }
}

/// What a page's content refers to.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    /// Faces used (sorted by id) and their glyphs.
    pub fonts: Vec<(FontId, GlyphSet)>,
    /// Images drawn, in order of first use.
    pub images: Vec<ImageId>,
    /// Forms drawn, in order of first use.
    pub forms: Vec<FormId>,
}

impl Usage {
    fn glyphs(&mut self, font: FontId) -> &mut GlyphSet {
        let at = match self.fonts.binary_search_by_key(&font, |(id, _)| *id) {
            Ok(at) => at,
            Err(at) => {
                self.fonts.insert(at, (font, GlyphSet::new()));
                at
            }
        };
        &mut self.fonts[at].1
    }
}

/// A page ready for the writer.
pub struct EncodedPage {
    /// Page width.
    pub width: Length,
    /// Page height.
    pub height: Length,
    /// The zlib-compressed content stream.
    pub content: Vec<u8>,
    /// The fonts, images and forms the content refers to.
    pub usage: Usage,
    /// Bleed and crop-mark room around the trimmed page.
    pub bleed: Bleed,
}

/// The width the PDF states for a glyph (`/W`), in thousandths of an em, as the content stream assumes it.
pub(crate) fn glyph_width(face: &Face, gid: u16) -> i32 {
    face.pdf_width_int(gid)
}

/// Rounds half away from zero, as `f64::round`, without a call into libm (this runs for
/// every glyph of every page).
#[inline]
fn round_i64(x: f64) -> i64 {
    if x >= 0.0 {
        (x + 0.5) as i64
    } else {
        (x - 0.5) as i64
    }
}

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Encodes a page (done by workers, in parallel), its colours as given.
pub fn encode_page(page: &Page, faces: &[Arc<Face>]) -> EncodedPage {
    encode_page_with(page, faces, ColorMode::AsGiven)
}

/// Encodes a page, its fills and strokes written in the device spaces `colors` allows.
pub fn encode_page_with(page: &Page, faces: &[Arc<Face>], colors: ColorMode) -> EncodedPage {
    BUFFER.with(|cell| {
        let mut reused = cell.try_borrow_mut().ok();
        let mut fresh = Vec::new();
        let out = reused.as_deref_mut().unwrap_or(&mut fresh);
        out.clear();
        let mut encoder = Encoder {
            out,
            height: page.height.to_pt(),
            usage: Usage::default(),
            fill: None,
            stroke: None,
            line_width: None,
            font: None,
            colors,
        };
        for item in &page.items {
            encoder.item(item, faces);
        }
        let usage = encoder.usage;
        EncodedPage {
            width: page.width,
            height: page.height,
            content: zlib(out, CONTENT_LEVEL),
            usage,
            bleed: page.bleed,
        }
    })
}

/// A run's `TJ` arrays, without the text matrix that places them on the page.
struct EncodedRun {
    /// One segment per stretch of glyphs on the same rise.
    segments: Vec<Segment>,
    /// The segments' `[…]TJ\n` operators, one after the other.
    bytes: Vec<u8>,
    /// The glyphs drawn, each once.
    gids: Vec<u16>,
}

struct Segment {
    /// The text matrix's x, in points (already rounded as the reader will read it).
    x0: f32,
    /// Offset from the baseline, in points.
    rise: f32,
    /// The segment's operator in `bytes`.
    bytes: std::ops::Range<usize>,
}

impl EncodedRun {
    fn new(run: &TextRun, face: &Face) -> EncodedRun {
        let dx = run.dx.to_pt();
        // Thousandths of the font size per point.
        let per_point = 1000.0 / run.size.to_pt() as f64;
        let glyphs = &run.glyphs[..];
        // Each glyph takes two bytes, sometimes escaped, sometimes with an adjustment.
        let mut bytes = Vec::with_capacity(glyphs.len() * 5 + 8);
        let mut segments = Vec::with_capacity(1);
        let mut gids: Vec<u16> = Vec::with_capacity(glyphs.len());
        let mut start = 0;
        while start < glyphs.len() {
            let rise = glyphs[start].rise;
            let end = glyphs[start..]
                .iter()
                .position(|g| g.rise != rise)
                .map_or(glyphs.len(), |n| start + n);
            // The text matrix at the segment's first glyph, as the reader will round it.
            let x0 = round2(glyphs[start].x.to_pt() + dx);
            let from = bytes.len();
            bytes.push(b'[');
            // Pen position in thousandths of the font size, as the reader computes it.
            let mut pen: i64 = 0;
            let mut open = false;
            for (i, glyph) in glyphs[start..end].iter().enumerate() {
                let want = if i == 0 {
                    0
                } else {
                    round_i64((glyph.x.to_pt() + dx - x0) as f64 * per_point)
                };
                if i > 0 && pen != want {
                    if open {
                        bytes.push(b')');
                        open = false;
                    }
                    push_int(&mut bytes, pen - want);
                }
                if !open {
                    bytes.push(b'(');
                    open = true;
                }
                for byte in glyph.gid.to_be_bytes() {
                    match byte {
                        b'(' | b')' | b'\\' => bytes.extend_from_slice(&[b'\\', byte]),
                        b'\r' => bytes.extend_from_slice(b"\\r"),
                        _ => bytes.push(byte),
                    }
                }
                gids.push(glyph.gid);
                pen = want + glyph_width(face, glyph.gid) as i64;
            }
            if open {
                bytes.push(b')');
            }
            bytes.extend_from_slice(b"]TJ\n");
            segments.push(Segment {
                x0,
                rise: rise.to_pt(),
                bytes: from..bytes.len(),
            });
            start = end;
        }
        gids.sort_unstable();
        gids.dedup();
        EncodedRun {
            segments,
            bytes,
            gids,
        }
    }
}

/// The graphics state written so far, to skip operators that change nothing.
struct Encoder<'a> {
    out: &'a mut Vec<u8>,
    height: f32,
    usage: Usage,
    fill: Option<Color>,
    stroke: Option<Color>,
    line_width: Option<f32>,
    font: Option<(FontId, f32)>,
    colors: ColorMode,
}

impl Encoder<'_> {
    fn item(&mut self, item: &Item, faces: &[Arc<Face>]) {
        match item {
            Item::Text(run) => {
                if let Some(face) = faces.get(run.font.0 as usize) {
                    self.text(run, face);
                }
            }
            Item::Image { image, rect, clip } => self.image(*image, rect, clip.as_ref()),
            Item::Line {
                from,
                to,
                width,
                color,
            } => {
                self.set_stroke(*color, width.to_pt());
                self.point(from.0, from.1);
                self.op(b"m");
                self.point(to.0, to.1);
                self.op(b"l\nS");
            }
            Item::Rect { rect, fill, stroke } => {
                let op: &[u8] = match (fill, stroke) {
                    (Some(_), Some(_)) => b"B",
                    (Some(_), None) => b"f",
                    (None, Some(_)) => b"S",
                    (None, None) => return,
                };
                if let Some(color) = fill {
                    self.set_fill(*color);
                }
                if let Some((color, width)) = stroke {
                    self.set_stroke(*color, width.to_pt());
                }
                self.rect(rect);
                self.op(b"re");
                self.out.extend_from_slice(op);
                self.out.push(b'\n');
            }
            Item::Cells {
                origin,
                cell,
                rects,
                fill,
            } => {
                if rects.is_empty() {
                    return;
                }
                // The fill is set outside q…Q, where the state tracked here stays true.
                self.set_fill(*fill);
                self.out.extend_from_slice(b"q\n");
                push_num(self.out, cell.to_pt(), 4);
                self.out.extend_from_slice(b" 0 0 ");
                push_num(self.out, -cell.to_pt(), 4);
                self.out.push(b' ');
                self.point(origin.0, origin.1);
                self.out.extend_from_slice(b" cm\n");
                for r in rects {
                    for (k, v) in [r.x, r.y, r.width, r.height].into_iter().enumerate() {
                        if k > 0 {
                            self.out.push(b' ');
                        }
                        push_int(self.out, v as i64);
                    }
                    self.out.extend_from_slice(b" re\n");
                }
                self.out.extend_from_slice(b"f\nQ\n");
            }
            Item::Form(id) => {
                if !self.usage.forms.contains(id) {
                    self.usage.forms.push(*id);
                }
                self.out.extend_from_slice(b"/X");
                push_int(self.out, id.0 as i64);
                self.out.extend_from_slice(b" Do\n");
            }
        }
    }

    fn text(&mut self, run: &TextRun, face: &Face) {
        let size = run.size.to_pt();
        if run.glyphs.is_empty() || size.is_nan() || size <= 0.0 {
            return;
        }
        self.set_fill(run.color);
        self.out.extend_from_slice(b"BT\n");
        if self.font != Some((run.font, size)) {
            self.font = Some((run.font, size));
            self.out.extend_from_slice(b"/F");
            push_int(self.out, run.font.0 as i64);
            self.out.push(b' ');
            push_num(self.out, size, 2);
            self.out.extend_from_slice(b" Tf\n");
        }
        let baseline = self.height - run.baseline.to_pt();
        // A line's operators depend on its glyphs, face, size and offset, not on the page:
        // they are made once and kept with the (shared) glyphs; only the text matrix,
        // which carries the baseline, is written for each page.
        let key =
            (run.font.0 as u128) << 64 | (size.to_bits() as u128) << 32 | run.dx.to_pt().to_bits() as u128;
        let fresh;
        let encoded = match run.glyphs.memo(key, || EncodedRun::new(run, face)) {
            Some(kept) => kept,
            None => {
                fresh = EncodedRun::new(run, face);
                &fresh
            }
        };
        for seg in &encoded.segments {
            self.out.extend_from_slice(b"1 0 0 1 ");
            push_num(self.out, seg.x0, 2);
            self.out.push(b' ');
            push_num(self.out, baseline + seg.rise, 2);
            self.out.extend_from_slice(b" Tm\n");
            self.out.extend_from_slice(&encoded.bytes[seg.bytes.clone()]);
        }
        let glyphs = self.usage.glyphs(run.font);
        for &gid in &encoded.gids {
            glyphs.insert(gid);
        }
        self.out.extend_from_slice(b"ET\n");
    }

    fn image(&mut self, image: ImageId, rect: &Rect, clip: Option<&Rect>) {
        if !self.usage.images.contains(&image) {
            self.usage.images.push(image);
        }
        self.out.extend_from_slice(b"q\n");
        if let Some(clip) = clip {
            self.rect(clip);
            self.op(b"re\nW\nn");
        }
        push_num(self.out, rect.width.to_pt(), 2);
        self.out.extend_from_slice(b" 0 0 ");
        push_num(self.out, rect.height.to_pt(), 2);
        self.out.push(b' ');
        self.point(rect.x, rect.y + rect.height);
        self.out.extend_from_slice(b" cm\n/Im");
        push_int(self.out, image.0 as i64);
        self.out.extend_from_slice(b" Do\nQ\n");
    }

    /// Writes ` op\n` after operands.
    fn op(&mut self, op: &[u8]) {
        self.out.push(b' ');
        self.out.extend_from_slice(op);
        self.out.push(b'\n');
    }

    /// Writes a point given from the top-left as `x y` in PDF space.
    fn point(&mut self, x: Length, y: Length) {
        push_num(self.out, x.to_pt(), 2);
        self.out.push(b' ');
        push_num(self.out, self.height - y.to_pt(), 2);
    }

    /// Writes `x y w h` of a rectangle given from the top-left, in PDF space.
    fn rect(&mut self, rect: &Rect) {
        self.point(rect.x, rect.y + rect.height);
        self.out.push(b' ');
        push_num(self.out, rect.width.to_pt(), 2);
        self.out.push(b' ');
        push_num(self.out, rect.height.to_pt(), 2);
    }

    fn set_fill(&mut self, color: Color) {
        if self.fill != Some(color) {
            self.fill = Some(color);
            push_color(self.out, self.colors.convert(color), false);
        }
    }

    fn set_stroke(&mut self, color: Color, width: f32) {
        if self.stroke != Some(color) {
            self.stroke = Some(color);
            push_color(self.out, self.colors.convert(color), true);
        }
        if self.line_width != Some(width) {
            self.line_width = Some(width);
            push_num(self.out, width, 2);
            self.out.extend_from_slice(b" w\n");
        }
    }
}

fn push_color(out: &mut Vec<u8>, color: Color, stroke: bool) {
    let (components, op): (&[f32], &[u8; 2]) = match &color {
        Color::Gray(g) => (std::slice::from_ref(g), b"g\0"),
        Color::Rgb(r, g, b) => (&[*r, *g, *b], b"rg"),
        Color::Cmyk(c, m, y, k) => (&[*c, *m, *y, *k], b"k\0"),
    };
    for c in components {
        push_num(out, c.clamp(0.0, 1.0), 3);
        out.push(b' ');
    }
    for &b in op.iter().filter(|&&b| b != 0) {
        out.push(if stroke { b.to_ascii_uppercase() } else { b });
    }
    out.push(b'\n');
}

fn round2(v: f32) -> f32 {
    (round_i64(v as f64 * 100.0) as f64 / 100.0) as f32
}

/// Writes `v` with at most `decimals` decimals (1 to 3), trailing zeros and leading `0` dropped.
pub(crate) fn push_num(out: &mut Vec<u8>, v: f32, decimals: u32) {
    let scale = 10i64.pow(decimals);
    let n = if v.is_finite() {
        round_i64(v as f64 * scale as f64)
    } else {
        0
    };
    if n < 0 {
        out.push(b'-');
    }
    let n = n.unsigned_abs() as i64;
    let (int, mut frac) = (n / scale, n % scale);
    if int != 0 || frac == 0 {
        push_int(out, int);
    }
    if frac != 0 {
        out.push(b'.');
        let mut digits = decimals;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let mut div = 10i64.pow(digits - 1);
        while div > 0 {
            out.push(b'0' + (frac / div % 10) as u8);
            div /= 10;
        }
    }
}

/// Writes an integer in decimal.
pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut digits = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f32, decimals: u32) -> String {
        let mut out = Vec::new();
        push_num(&mut out, v, decimals);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(0.0, 2), "0");
        assert_eq!(num(-0.001, 2), "0");
        assert_eq!(num(12.0, 2), "12");
        assert_eq!(num(595.2756, 2), "595.28");
        assert_eq!(num(0.5, 3), ".5");
        assert_eq!(num(-0.05, 2), "-.05");
        assert_eq!(num(0.004, 3), ".004");
        assert_eq!(num(-841.89, 2), "-841.89");
        assert_eq!(num(10.1, 2), "10.1");
        assert_eq!(num(f32::NAN, 2), "0");
        let mut out = Vec::new();
        push_int(&mut out, -1234567);
        push_int(&mut out, 0);
        assert_eq!(out, b"-12345670");
    }

    #[test]
    fn glyph_sets() {
        let mut a = GlyphSet::new();
        assert!(a.is_empty());
        assert!(a.insert(3));
        assert!(!a.insert(3));
        a.insert(200);
        a.insert(64);
        let mut b = GlyphSet::new();
        b.insert(0);
        b.insert(65535);
        a.union_with(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 3, 64, 200, 65535]);
        assert_eq!(a.len(), 5);
        assert!(a.contains(200) && !a.contains(201) && !GlyphSet::new().contains(9));
    }

    #[test]
    fn shapes_and_colours() {
        use crate::compose::page::Item;
        let mm = Length::mm;
        let page = Page {
            bleed: Default::default(),
            width: Length::pt(200.0),
            height: Length::pt(100.0),
            items: vec![
                Item::Line {
                    from: (Length::pt(10.0), Length::pt(10.0)),
                    to: (Length::pt(50.0), Length::pt(10.0)),
                    width: Length::pt(0.5),
                    color: Color::Rgb(1.0, 0.0, 0.0),
                },
                Item::Rect {
                    rect: Rect::new(
                        Length::pt(10.0),
                        Length::pt(20.0),
                        Length::pt(30.0),
                        Length::pt(40.0),
                    )
                    .unwrap(),
                    fill: Some(Color::Cmyk(0.0, 0.5, 0.0, 0.0)),
                    stroke: Some((Color::Gray(0.25), Length::pt(1.0))),
                },
                Item::Image {
                    image: ImageId(4),
                    rect: Rect::new(mm(10.0), Length::pt(0.0), Length::pt(20.0), Length::pt(10.0)).unwrap(),
                    clip: Some(
                        Rect::new(mm(10.0), Length::pt(0.0), Length::pt(10.0), Length::pt(10.0)).unwrap(),
                    ),
                },
                Item::Form(FormId(2)),
                Item::Form(FormId(2)),
            ],
        };
        let encoded = encode_page(&page, &[]);
        let text = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
        let text = String::from_utf8(text).unwrap();
        let expected = "1 0 0 RG\n.5 w\n10 90 m\n50 90 l\nS\n0 .5 0 0 k\n.25 G\n1 w\n10 40 30 40 re\nB\n\
                        q\n28.35 90 10 10 re\nW\nn\n20 0 0 10 28.35 90 cm\n/Im4 Do\nQ\n/X2 Do\n/X2 Do\n";
        assert_eq!(text, expected);
        assert_eq!(encoded.usage.images, [ImageId(4)]);
        assert_eq!(encoded.usage.forms, [FormId(2)]);

        // PDF/X-4 with a CMYK intent: the red line is drawn with magenta and yellow.
        let encoded = encode_page_with(&page, &[], ColorMode::Cmyk);
        let text = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.starts_with("0 1 1 0 K\n.5 w\n"), "{text}");
        assert!(!text.contains("RG") && !text.contains("rg"));
        // With a Gray intent, every colour is a grey.
        let encoded = encode_page_with(&page, &[], ColorMode::Gray);
        let text = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.starts_with(".299 G\n"), "{text}");
        assert!(text.contains("\n.706 g\n.25 G\n"), "{text}");
        assert!(
            ![" k\n", " K\n", "rg", "RG"].iter().any(|op| text.contains(op)),
            "{text}"
        );
    }

    #[test]
    fn cells_are_written_in_cell_units_and_filled_at_once() {
        use crate::compose::page::{CellRect, Item};
        let cell = |x, y, width, height| CellRect { x, y, width, height };
        let page = Page {
            bleed: Default::default(),
            width: Length::pt(200.0),
            height: Length::pt(100.0),
            items: vec![
                Item::Cells {
                    origin: (Length::pt(10.0), Length::pt(20.0)),
                    cell: Length::pt(1.5),
                    rects: vec![cell(0, 0, 1, 4), cell(1, 3, 3, 1)],
                    fill: Color::BLACK,
                },
                Item::Cells {
                    origin: (Length::pt(0.0), Length::pt(0.0)),
                    cell: Length::pt(1.0),
                    rects: Vec::new(),
                    fill: Color::Gray(0.5),
                },
                Item::Line {
                    from: (Length::pt(0.0), Length::pt(0.0)),
                    to: (Length::pt(1.0), Length::pt(0.0)),
                    width: Length::pt(1.0),
                    color: Color::BLACK,
                },
            ],
        };
        let encoded = encode_page(&page, &[]);
        let text = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
        let text = String::from_utf8(text).unwrap();
        // The grid's top-left corner is at y = 100 - 20 in PDF space, rows going down.
        let expected = "0 0 0 1 k\nq\n1.5 0 0 -1.5 10 80 cm\n0 0 1 4 re\n1 3 3 1 re\nf\nQ\n\
                        0 0 0 1 K\n1 w\n0 100 m\n1 100 l\nS\n";
        assert_eq!(text, expected);
    }
}
