//! Paragraph layout: markup paragraphs shaped, broken into lines and placed glyph by glyph.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use hypher::Lang;
use unicode_linebreak::{linebreaks, BreakOpportunity};

use super::fonts::{Face, FontId, Shaped};
use super::linebreak::{break_lines, Params, Split, Splitter, Word};
use super::markup::{Block, Inline};
use super::page::{Glyphs, PlacedGlyph};
use crate::units::{Color, Length};

/// Horizontal alignment of a paragraph's lines.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Align {
    /// Flush left, ragged right.
    Left,
    /// Flush right.
    Right,
    /// Centred.
    Center,
    /// Flush on both sides, the last line flush left.
    Justify,
}

/// The four faces of a family a paragraph may switch between.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FaceSet {
    /// Regular.
    pub regular: FontId,
    /// Bold.
    pub bold: FontId,
    /// Italic.
    pub italic: FontId,
    /// Bold italic.
    pub bold_italic: FontId,
}

impl FaceSet {
    fn pick(&self, bold: bool, italic: bool) -> FontId {
        match (bold, italic) {
            (false, false) => self.regular,
            (true, false) => self.bold,
            (false, true) => self.italic,
            (true, true) => self.bold_italic,
        }
    }
}

/// A compiled paragraph style.
#[derive(Clone, Debug, PartialEq)]
pub struct ParaStyle {
    /// Faces of its family.
    pub faces: FaceSet,
    /// Font size.
    pub size: Length,
    /// Distance between baselines.
    pub leading: Length,
    /// Text colour.
    pub color: Color,
    /// Alignment.
    pub align: Align,
    /// Space above the paragraph (not at the top of a frame).
    pub space_before: Length,
    /// Space below the paragraph.
    pub space_after: Length,
    /// Indent of the first line.
    pub first_line_indent: Length,
    /// Whether words may be hyphenated (French rules).
    pub hyphenate: bool,
}

/// A laid-out line: glyphs with x measured from the frame's left edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LaidLine {
    /// Glyph runs, one per face change.
    pub runs: Vec<(FontId, Arc<Glyphs>)>,
}

/// Lays out a paragraph in a frame `width` wide; characters no face has are added to `missing`.
pub fn layout_paragraph(
    block: &Block,
    style: &ParaStyle,
    width: Length,
    faces: &[Arc<Face>],
    missing: &mut Vec<char>,
) -> Vec<LaidLine> {
    let para = Flat::new(block, style);
    if para.text.is_empty() {
        return Vec::new();
    }
    let mut ctx = Measure {
        para: &para,
        style,
        faces,
        words: Vec::new(),
        missing: RefCell::new(Vec::new()),
    };
    ctx.words = ctx.find_words();
    let words: Vec<Word> = ctx.words.iter().map(|w| w.word.clone()).collect();
    let params = Params {
        justify: style.align == Align::Justify,
        ..Params::default()
    };
    let lines = break_lines(
        &words,
        width.to_pt(),
        style.first_line_indent.to_pt(),
        params,
        &mut ctx,
    );
    let mut out = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let indent = if n == 0 {
            style.first_line_indent.to_pt()
        } else {
            0.0
        };
        let avail = width.to_pt() - indent;
        let slack = (avail - line.width).max(0.0);
        let gaps = line.pieces.len().saturating_sub(1);
        let (mut x, extra) = match style.align {
            Align::Left => (indent, 0.0),
            Align::Right => (indent + slack, 0.0),
            Align::Center => (indent + slack / 2.0, 0.0),
            Align::Justify if !line.last && gaps > 0 => (indent, slack / gaps as f32),
            Align::Justify => (indent, 0.0),
        };
        let mut laid: Runs = Vec::new();
        for (k, piece) in line.pieces.iter().enumerate() {
            let w = &ctx.words[piece.word];
            let start = w.start + piece.from;
            let end = w.start + piece.to;
            x = ctx.place(start, end, x, &mut laid);
            if piece.hyphen {
                let face = ctx.face_at(end.saturating_sub(1));
                x = ctx.place_text(face, "-", x, &mut laid);
            } else if k + 1 < line.pieces.len() {
                // The space is drawn so that text extraction sees it, then stretched.
                let face = ctx.face_at(w.start + w.len);
                let space_end = x + w.word.space + extra;
                ctx.place_text(face, " ", x, &mut laid);
                x = space_end;
            }
        }
        out.push(LaidLine {
            runs: laid
                .into_iter()
                .map(|(face, glyphs)| (face, Glyphs::shared(glyphs)))
                .collect(),
        });
    }
    for c in ctx.missing.into_inner() {
        if !missing.contains(&c) {
            missing.push(c);
        }
    }
    out
}

/// Glyph runs of a line being built.
type Runs = Vec<(FontId, Vec<PlacedGlyph>)>;

/// A paragraph flattened to one string with the face of each byte range.
struct Flat {
    text: String,
    /// (start, end, face) in text order.
    spans: Vec<(usize, usize, FontId)>,
}

impl Flat {
    fn new(block: &Block, style: &ParaStyle) -> Flat {
        let mut text = String::new();
        let mut spans = Vec::new();
        for inline in &block.inlines {
            let (s, face) = match inline {
                Inline::Text { text, bold, italic } => {
                    (french_spacing(text), style.faces.pick(*bold, *italic))
                }
                Inline::Break => ("\n".to_owned(), style.faces.regular),
            };
            let start = text.len();
            text.push_str(&s);
            spans.push((start, text.len(), face));
        }
        Flat { text, spans }
    }
}

/// French typography: the spaces inside « » never break.
fn french_spacing(text: &str) -> String {
    text.replace("« ", "«\u{a0}").replace(" »", "\u{a0}»")
}

/// A word found in the flat text: its byte range, measurement and inner cut points.
struct FoundWord {
    start: usize,
    len: usize,
    word: Word,
    /// Offsets (within the word) just after an existing hyphen or slash.
    explicit: Vec<usize>,
}

struct Measure<'a> {
    para: &'a Flat,
    style: &'a ParaStyle,
    faces: &'a [Arc<Face>],
    words: Vec<FoundWord>,
    /// Characters drawn without a glyph.
    missing: RefCell<Vec<char>>,
}

impl Measure<'_> {
    fn scale(&self, face: FontId) -> f32 {
        self.style.size.to_pt() / self.faces[face.0 as usize].upem as f32
    }

    fn face_at(&self, byte: usize) -> FontId {
        self.para
            .spans
            .iter()
            .find(|&&(s, e, _)| byte >= s && byte < e)
            .or(self.para.spans.last())
            .map(|s| s.2)
            .unwrap_or(self.style.faces.regular)
    }

    fn shape(&self, face: FontId, text: &str) -> Rc<Shaped> {
        self.faces[face.0 as usize].shape(text)
    }

    /// Width in points of text[start..end], shaped span by span.
    fn width(&self, start: usize, end: usize) -> f32 {
        let mut w = 0.0;
        for &(s, e, face) in &self.para.spans {
            let (a, b) = (s.max(start), e.min(end));
            if a < b {
                w += self.shape(face, &self.para.text[a..b]).width as f32 * self.scale(face);
            }
        }
        w
    }

    fn find_words(&self) -> Vec<FoundWord> {
        let text = &self.para.text;
        let mut words = Vec::new();
        let mut word_start = 0;
        let mut explicit = Vec::new();
        let mut prev = 0;
        for (pos, kind) in linebreaks(text) {
            let segment = &text[prev..pos];
            let forced = segment.ends_with('\n');
            let spaced = segment.ends_with(' ');
            if !forced && !spaced && kind == BreakOpportunity::Allowed {
                // A break inside a word (after a hyphen): kept as a cut point.
                explicit.push(pos - word_start);
                prev = pos;
                continue;
            }
            let body_end = prev + segment.trim_end_matches([' ', '\n']).len();
            let space = if spaced && !forced {
                let face = self.face_at(body_end);
                self.shape(face, " ").width as f32 * self.scale(face)
            } else {
                0.0
            };
            words.push(FoundWord {
                start: word_start,
                len: body_end - word_start,
                word: Word {
                    width: self.width(word_start, body_end),
                    space,
                    forced_break: forced && pos < text.len(),
                },
                explicit: std::mem::take(&mut explicit),
            });
            word_start = pos;
            prev = pos;
        }
        if let Some(last) = words.last_mut() {
            last.word.space = 0.0;
        }
        words
    }

    /// Places text[start..end] at x; returns the pen position after it.
    fn place(&self, start: usize, end: usize, mut x: f32, line: &mut Runs) -> f32 {
        for &(s, e, face) in &self.para.spans {
            let (a, b) = (s.max(start), e.min(end));
            if a < b {
                x = self.place_text(face, &self.para.text[a..b], x, line);
            }
        }
        x
    }

    fn place_text(&self, face: FontId, text: &str, mut x: f32, line: &mut Runs) -> f32 {
        let shaped = self.shape(face, text);
        if !shaped.missing.is_empty() {
            self.missing.borrow_mut().extend_from_slice(&shaped.missing);
        }
        let scale = self.scale(face);
        if line.last().is_none_or(|r| r.0 != face) {
            line.push((face, Vec::with_capacity(text.len())));
        }
        let run = &mut line.last_mut().expect("pushed above").1;
        for g in shaped.glyphs.iter() {
            run.push(PlacedGlyph {
                gid: g.gid,
                x: Length::pt(x + g.dx as f32 * scale),
                rise: Length::pt(g.dy as f32 * scale),
            });
            x += g.advance as f32 * scale;
        }
        x
    }

    fn hyphen_width(&self, face: FontId) -> f32 {
        self.shape(face, "-").width as f32 * self.scale(face)
    }
}

impl Splitter for Measure<'_> {
    fn splits(&mut self, word: usize, from: usize, room: f32) -> Vec<Split> {
        let w = &self.words[word];
        // Only the part that could fit in `room` matters: no glyph is narrower than a
        // tenth of an em, so a very long word is never scanned past one line's worth.
        let max_chars = (room / (self.style.size.to_pt() * 0.1)).max(1.0) as usize + 1;
        let window_end = self.para.text[w.start + from..w.start + w.len]
            .char_indices()
            .nth(max_chars)
            .map_or(w.len, |(i, _)| from + i);
        let mut cuts: Vec<(usize, bool)> = w
            .explicit
            .iter()
            .filter(|&&at| at > from && at <= window_end)
            .map(|&at| (at, false))
            .collect();
        if self.style.hyphenate {
            // Hyphenation looks at whole words; a window cut inside one only loses cuts near its end.
            let text = &self.para.text[w.start + from..w.start + window_end];
            cuts.extend(hyphenation_points(text).into_iter().map(|at| (from + at, true)));
        }
        cuts.sort_unstable();
        cuts.dedup_by_key(|c| c.0);
        let mut out = Vec::new();
        for (at, hyphenated) in cuts.into_iter().filter(|&(at, _)| at > from && at < w.len) {
            let head = self.width(w.start + from, w.start + at);
            let hyphen = if hyphenated {
                self.hyphen_width(self.face_at(w.start + at - 1))
            } else {
                0.0
            };
            if head + hyphen > room {
                break;
            }
            out.push(Split { at, head, hyphen });
        }
        out
    }

    fn emergency_splits(&mut self, word: usize, from: usize, room: f32) -> Vec<Split> {
        // Character by character, each measured alone (kerning is ignored for such a cut).
        let w = &self.words[word];
        let start = w.start + from;
        let text = &self.para.text[start..w.start + w.len];
        let mut out = Vec::new();
        let mut head = 0.0;
        for (i, c) in text.char_indices() {
            if i > 0 {
                out.push(Split {
                    at: from + i,
                    head,
                    hyphen: 0.0,
                });
            }
            head += self.width(start + i, start + i + c.len_utf8());
            if head > room {
                break;
            }
        }
        out
    }

    fn len(&self, word: usize) -> usize {
        self.words[word].len
    }
}

/// The longest word hyphenation is tried on.
const MAX_HYPHENATED: usize = 40;

/// Where a word may be hyphenated by French rules: within runs of lowercase-led
/// letters, at least two letters before the cut and three after. Proper names
/// (capitalised words) are not hyphenated.
pub fn hyphenation_points(word: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut run_start = None;
    let bytes_end = word.len();
    let mut iter = word.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let letter = c.is_alphabetic();
        if letter && run_start.is_none() {
            run_start = Some(i);
        }
        let at_end = iter.peek().is_none_or(|&(_, n)| !n.is_alphabetic());
        if let (Some(s), true) = (run_start, letter && at_end) {
            let end = iter.peek().map_or(bytes_end, |&(j, _)| j);
            let run = &word[s..end];
            // Longer runs are not words a dictionary knows (and hyphenating them would be slow).
            let letters = run.chars().count();
            if run.chars().next().is_some_and(char::is_lowercase) && (5..=MAX_HYPHENATED).contains(&letters) {
                let mut offset = s;
                let syllables: Vec<&str> = hypher::hyphenate(run, Lang::French).collect();
                for syl in &syllables[..syllables.len().saturating_sub(1)] {
                    offset += syl.len();
                    let before = word[s..offset].chars().count();
                    let after = word[offset..end].chars().count();
                    if before >= 2 && after >= 3 {
                        out.push(offset);
                    }
                }
            }
            run_start = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::fonts::tests::shipped;
    use crate::compose::markup::parse;

    fn style(book: &mut crate::compose::fonts::FontBook, align: Align) -> ParaStyle {
        ParaStyle {
            faces: FaceSet {
                regular: book.select("Lato", false, false).unwrap(),
                bold: book.select("Lato", true, false).unwrap(),
                italic: book.select("Lato", false, true).unwrap(),
                bold_italic: book.select("Lato", true, true).unwrap(),
            },
            size: Length::pt(10.0),
            leading: Length::pt(13.0),
            color: Color::BLACK,
            align,
            space_before: Length::ZERO,
            space_after: Length::ZERO,
            first_line_indent: Length::ZERO,
            hyphenate: true,
        }
    }

    const BODY: &str = "Nous avons le plaisir de vous présenter la nouvelle Aurore électrique, \
        disponible dès aujourd’hui chez votre concessionnaire. Son autonomie exceptionnelle \
        et son confort remarquable en font la compagne idéale de vos déplacements quotidiens.";

    #[test]
    fn justified_lines_reach_the_right_edge() {
        let mut book = shipped();
        let st = style(&mut book, Align::Justify);
        let block = &parse(BODY).unwrap()[0];
        let width = Length::mm(60.0);
        let lines = layout_paragraph(block, &st, width, book.faces(), &mut Vec::new());
        assert!(lines.len() >= 4);
        for line in &lines[..lines.len() - 1] {
            let (face, glyphs) = line.runs.last().unwrap();
            let last = glyphs.last().unwrap();
            let right = last.x.to_pt() + book.face(*face).pdf_width(last.gid) * 10.0 / 1000.0;
            assert!(
                (right - width.to_pt()).abs() < 0.6,
                "line ends at {right}, not {}",
                width.to_pt()
            );
        }
    }

    #[test]
    fn bold_switches_face_and_lines_never_overflow() {
        let mut book = shipped();
        let st = style(&mut book, Align::Left);
        let block = &parse("Bonjour <b>Jean-François</b> Béranger, à bientôt").unwrap()[0];
        let lines = layout_paragraph(block, &st, Length::mm(100.0), book.faces(), &mut Vec::new());
        assert_eq!(lines.len(), 1);
        let faces: Vec<FontId> = lines[0].runs.iter().map(|r| r.0).collect();
        assert_eq!(faces, [st.faces.regular, st.faces.bold, st.faces.regular]);
    }

    #[test]
    fn french_hyphenation_points() {
        let points = hyphenation_points("renouvellement");
        assert!(!points.is_empty());
        for p in &points {
            assert!(*p >= 2 && "renouvellement".len() - p >= 3);
        }
        assert!(
            hyphenation_points("Béranger").is_empty(),
            "proper names are not hyphenated"
        );
        assert!(hyphenation_points("l’électrique,")
            .iter()
            .all(|&p| p > "l’".len()));
    }

    #[test]
    fn forced_breaks_start_new_lines() {
        let mut book = shipped();
        let st = style(&mut book, Align::Left);
        let block = &parse("12 rue de la Paix<br>75002 PARIS").unwrap()[0];
        let lines = layout_paragraph(block, &st, Length::mm(100.0), book.faces(), &mut Vec::new());
        assert_eq!(lines.len(), 2);
    }
}
