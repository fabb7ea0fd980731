//! Composing one mailpiece: its record's templates rendered, text flowed into
//! frames and onto continuation pages, images placed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::rc::Rc;

use super::compiled::{Fit, ImageSource, Layout, PageKind, Variable};
use super::image::ImageId;
use super::markup::{self, Block};
use super::page::{Item, Page, TextRun};
use super::text::{layout_paragraph, LaidLine};
use crate::record::Rejection;
use crate::units::{Length, Rect};

/// A composed mailpiece: its pages, and what the print room should know about it.
#[derive(Debug)]
pub struct Piece {
    /// The pages, in order.
    pub pages: Vec<Page>,
    /// Warnings, such as characters drawn without a glyph.
    pub warnings: Vec<String>,
    /// Blank pages added to make the page count a multiple of 4 (saddle stitching).
    pub blank_pages: u32,
}

/// Lays out every page of one mailpiece from its template data.
///
/// Text with characters the fonts lack rejects the piece, unless `allow_missing_glyphs`,
/// where they are drawn as the font's missing-glyph box and named in a warning.
pub fn compose_piece(
    layout: &Layout,
    data: &serde_json::Value,
    allow_missing_glyphs: bool,
) -> Result<Piece, Rejection> {
    if let Some(catalogue) = &layout.catalogue {
        return super::booklet::compose(layout, catalogue, data, allow_missing_glyphs);
    }
    let mut missing = Vec::new();
    let mut pages = vec![layout.start_page(&layout.first, data, &mut missing)?];
    if let Some(body) = &layout.body {
        let out = layout
            .templates
            .render(&body.template, data)
            .map_err(Rejection::Template)?;
        let blocks = markup::parse(&out).map_err(|e| Rejection::Template(format!("body: {e}")))?;
        check_classes(layout, &blocks).map_err(|e| Rejection::Template(format!("body: {e}")))?;
        let mut flow = Flow::new(layout, &blocks, body.style);
        let mut frame = body.first;
        loop {
            let page = pages.last_mut().expect("first page pushed");
            if flow.fill(frame, &mut page.items) {
                break;
            }
            if pages.len() >= MAX_PAGES {
                return Err(Rejection::TextOverflow {
                    frame: format!("body (over {MAX_PAGES} pages)"),
                });
            }
            pages.push(layout.start_page(&layout.continuation, data, &mut missing)?);
            frame = body.next;
        }
        missing.extend(flow.missing);
    }
    finish_piece(pages, missing, allow_missing_glyphs)
}

/// The piece, unless its text has characters the fonts lack and that is not allowed.
pub(super) fn finish_piece(
    pages: Vec<Page>,
    missing: Vec<char>,
    allow_missing_glyphs: bool,
) -> Result<Piece, Rejection> {
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        let mut unique: Vec<char> = Vec::new();
        for c in missing {
            if !unique.contains(&c) {
                unique.push(c);
            }
        }
        if !allow_missing_glyphs {
            return Err(Rejection::MissingGlyphs(unique));
        }
        warnings.push(format!(
            "missing_glyph: {} drawn as a missing-glyph box",
            crate::record::describe_chars(&unique)
        ));
    }
    Ok(Piece {
        pages,
        warnings,
        blank_pages: 0,
    })
}

/// A piece longer than this is surely a runaway template, not a letter.
const MAX_PAGES: usize = 500;

impl Layout {
    /// A new page of a kind: its static form and its record-dependent elements drawn.
    pub(super) fn start_page(
        &self,
        kind: &PageKind,
        data: &serde_json::Value,
        missing: &mut Vec<char>,
    ) -> Result<Page, Rejection> {
        let mut page = Page {
            bleed: self
                .catalogue
                .as_ref()
                .map_or_else(Default::default, |c| c.finishing.bleed),
            width: self.width,
            height: self.height,
            items: Vec::with_capacity(64),
        };
        if let Some(form) = kind.form {
            page.items.push(Item::Form(form));
        }
        for v in &kind.variable {
            self.draw_variable(v, (Length::ZERO, Length::ZERO), data, &mut page.items, missing)?;
        }
        Ok(page)
    }

    /// Draws a record-dependent element, its frame moved by `at`.
    pub(super) fn draw_variable(
        &self,
        v: &Variable,
        at: (Length, Length),
        data: &serde_json::Value,
        items: &mut Vec<Item>,
        missing: &mut Vec<char>,
    ) -> Result<(), Rejection> {
        let moved = |r: &Rect| Rect {
            x: r.x + at.0,
            y: r.y + at.1,
            ..*r
        };
        {
            match v {
                Variable::Text {
                    name,
                    frame,
                    style,
                    template,
                } => {
                    let out = self
                        .templates
                        .render(template, data)
                        .map_err(Rejection::Template)?;
                    let blocks =
                        markup::parse(&out).map_err(|e| Rejection::Template(format!("{name}: {e}")))?;
                    let fits = fill_frame(self, &blocks, moved(frame), *style, items, missing)
                        .map_err(Rejection::Template)?;
                    if !fits {
                        return Err(Rejection::TextOverflow { frame: name.clone() });
                    }
                }
                Variable::Image {
                    name,
                    frame,
                    fit,
                    source,
                } => {
                    let id = match source {
                        ImageSource::Fixed(id) => *id,
                        ImageSource::Template(t) => {
                            let out = self.templates.render(t, data).map_err(Rejection::Template)?;
                            let file =
                                plain_text(&out).map_err(|e| Rejection::Image(format!("{name}: {e}")))?;
                            let path = self
                                .asset_path(&file)
                                .map_err(|e| Rejection::Image(format!("{name}: {e}")))?;
                            self.images
                                .load(&path)
                                .map_err(|e| Rejection::Image(format!("{name}: {e}")))?
                        }
                    };
                    draw_image(self, id, moved(frame), *fit, items);
                }
            }
        }
        Ok(())
    }
}

/// The text of rendered markup, entities decoded (for values such as file names).
fn plain_text(markup_out: &str) -> Result<String, String> {
    let blocks = markup::parse(markup_out)?;
    let mut s = String::new();
    for b in blocks {
        for i in b.inlines {
            if let markup::Inline::Text { text, .. } = i {
                s.push_str(&text);
            }
        }
    }
    Ok(s)
}

/// Flows paragraphs into a fixed frame; `Ok(false)` when they do not all fit.
pub fn fill_frame(
    layout: &Layout,
    blocks: &[Block],
    frame: Rect,
    style: usize,
    items: &mut Vec<Item>,
    missing: &mut Vec<char>,
) -> Result<bool, String> {
    check_classes(layout, blocks)?;
    let mut flow = Flow::new(layout, blocks, style);
    let fits = flow.fill(frame, items);
    missing.extend(flow.missing);
    Ok(fits)
}

/// Every `<p class>` must name a style of the layout.
fn check_classes(layout: &Layout, blocks: &[Block]) -> Result<(), String> {
    for b in blocks {
        if let Some(name) = &b.style {
            if !layout.style_names.contains_key(name) {
                return Err(format!("<p class=\"{name}\">: the layout has no style `{name}`"));
            }
        }
    }
    Ok(())
}

/// Paragraphs being poured into frames, remembering where the last frame stopped.
struct Flow<'a> {
    layout: &'a Layout,
    blocks: &'a [Block],
    default_style: usize,
    /// Next paragraph to place, its lines (once laid out) and the next line.
    block: usize,
    lines: Rc<Vec<LaidLine>>,
    line: usize,
    /// Characters the faces lack.
    missing: Vec<char>,
}

impl<'a> Flow<'a> {
    fn new(layout: &'a Layout, blocks: &'a [Block], default_style: usize) -> Flow<'a> {
        Flow {
            layout,
            blocks,
            default_style,
            block: 0,
            lines: Rc::default(),
            line: 0,
            missing: Vec::new(),
        }
    }

    fn style_of(&self, b: &Block) -> usize {
        b.style
            .as_ref()
            .and_then(|n| self.layout.style_names.get(n).copied())
            .unwrap_or(self.default_style)
    }

    /// Places as much as fits in `frame`; true when everything has been placed.
    fn fill(&mut self, frame: Rect, items: &mut Vec<Item>) -> bool {
        let bottom = frame.y + frame.height;
        // The pen: the top of the next line's box.
        let mut y = frame.y;
        let mut at_top = true;
        while self.block < self.blocks.len() {
            let block = &self.blocks[self.block];
            let st = &self.layout.styles[self.style_of(block)];
            if self.line == 0 {
                self.lines = laid_out(
                    self.layout,
                    block,
                    self.style_of(block),
                    frame.width,
                    &mut self.missing,
                );
                if !at_top {
                    y += st.space_before;
                }
            }
            let face = &self.layout.faces[st.faces.regular.0 as usize];
            let scale = st.size.to_pt() / face.upem as f32;
            let ascent = Length::pt(face.ascent * scale);
            let descent = Length::pt(-face.descent * scale);
            // The first line's baseline sits one ascent below the pen, later ones one leading below the previous.
            while self.line < self.lines.len() {
                let baseline = if at_top {
                    y + ascent
                } else {
                    y + st.leading - descent
                };
                if (baseline + descent).to_pt() > bottom.to_pt() + 0.01 {
                    return false;
                }
                let line = &self.lines[self.line];
                for (font, glyphs) in &line.runs {
                    items.push(Item::Text(TextRun {
                        font: *font,
                        size: st.size,
                        color: st.color,
                        baseline,
                        dx: frame.x,
                        glyphs: glyphs.clone(),
                    }));
                }
                y = baseline + descent;
                at_top = false;
                self.line += 1;
            }
            y += st.space_after;
            self.block += 1;
            self.line = 0;
            self.lines = Rc::default();
        }
        true
    }
}

/// A paragraph laid out for a style and width: its lines and the characters it lacks.
type Laid = (Rc<Vec<LaidLine>>, Vec<char>);

/// A cached paragraph: what it was laid out from, and the result.
struct Cached {
    layout: u64,
    style: usize,
    width: u32,
    block: Block,
    laid: Laid,
}

/// Paragraphs kept per thread in each of the cache's two generations.
const MAX_CACHED_PARAGRAPHS: usize = 2048;

/// Cached paragraphs by hash.
type Generation = HashMap<u64, Vec<Cached>>;

/// Two generations: when the young one is full it becomes the old one, and what is
/// found in the old one is brought back. The paragraphs every letter repeats stay;
/// those of a single record (a salutation with a name) age out.
#[derive(Default)]
struct ParagraphCache {
    young: Generation,
    young_len: usize,
    old: Generation,
}

thread_local! {
    /// Most of a letter's paragraphs are the same for thousands of records (or come in a
    /// few variants: one per vehicle, per dealer); they are shaped and broken once.
    /// Keyed by a hash of the paragraph, compared in full, so a lookup copies nothing.
    static PARAGRAPHS: RefCell<ParagraphCache> = RefCell::new(ParagraphCache::default());
}

impl ParagraphCache {
    fn find(generation: &Generation, key: u64, probe: &Probe) -> Option<Laid> {
        generation
            .get(&key)?
            .iter()
            .find(|c| probe.matches(c))
            .map(|c| c.laid.clone())
    }

    fn insert(&mut self, key: u64, cached: Cached) {
        if self.young_len >= MAX_CACHED_PARAGRAPHS {
            self.old = std::mem::take(&mut self.young);
            self.young_len = 0;
        }
        self.young_len += 1;
        self.young.entry(key).or_default().push(cached);
    }
}

/// What a cached paragraph must match.
struct Probe<'a> {
    layout: u64,
    style: usize,
    width: u32,
    block: &'a Block,
}

impl Probe<'_> {
    fn matches(&self, c: &Cached) -> bool {
        c.layout == self.layout && c.style == self.style && c.width == self.width && c.block == *self.block
    }
}

/// Lays out a paragraph, or takes its lines from this thread's cache.
fn laid_out(
    layout: &Layout,
    block: &Block,
    style: usize,
    width: Length,
    missing: &mut Vec<char>,
) -> Rc<Vec<LaidLine>> {
    let probe = Probe {
        layout: layout.uid,
        style,
        width: width.to_pt().to_bits(),
        block,
    };
    let key = foldhash::quality::FixedState::with_seed(0).hash_one((layout.uid, style, probe.width, block));
    PARAGRAPHS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let laid = if let Some(laid) = ParagraphCache::find(&cache.young, key, &probe) {
            laid
        } else if let Some(laid) = ParagraphCache::find(&cache.old, key, &probe) {
            cache.insert(key, probe.cached(laid.clone()));
            laid
        } else {
            let mut lacking = Vec::new();
            let lines = Rc::new(layout_paragraph(
                block,
                &layout.styles[style],
                width,
                &layout.faces,
                &mut lacking,
            ));
            let laid = (lines, lacking);
            cache.insert(key, probe.cached(laid.clone()));
            laid
        };
        missing.extend_from_slice(&laid.1);
        laid.0
    })
}

impl Probe<'_> {
    fn cached(&self, laid: Laid) -> Cached {
        Cached {
            layout: self.layout,
            style: self.style,
            width: self.width,
            block: self.block.clone(),
            laid,
        }
    }
}

/// Draws an image fitted into `frame`.
pub fn draw_image(layout: &Layout, image: ImageId, frame: Rect, fit: Fit, items: &mut Vec<Item>) {
    let img = layout.images.get(image);
    let (iw, ih) = (img.width.max(1) as f32, img.height.max(1) as f32);
    let (fw, fh) = (frame.width.to_pt(), frame.height.to_pt());
    let scale = match fit {
        Fit::Stretch => None,
        Fit::Contain(a) => Some(((fw / iw).min(fh / ih), a)),
        Fit::Cover(a) => Some(((fw / iw).max(fh / ih), a)),
    };
    let rect = match scale {
        None => frame,
        Some((s, a)) => {
            let (w, h) = (iw * s, ih * s);
            Rect {
                x: frame.x + Length::pt((fw - w) * a.x.share()),
                y: frame.y + Length::pt((fh - h) * a.y.share()),
                width: Length::pt(w),
                height: Length::pt(h),
            }
        }
    };
    let clip = matches!(fit, Fit::Cover(_)).then_some(frame);
    items.push(Item::Image { image, rect, clip });
}
