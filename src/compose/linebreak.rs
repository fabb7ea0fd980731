//! The line breaker: fills lines word by word, splitting a word (at its own hyphen,
//! or by hyphenation) only when the line would otherwise be too loose.
//!
//! It works on widths alone, so it can be tested without fonts: [`Word`]s are the
//! text between spaces, and a [`Splitter`] offers the places a word may be cut.

/// The text between two spaces (or a forced break), measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// Natural width in points.
    pub width: f32,
    /// Width of the space that follows it; 0 at a forced break or the paragraph's end.
    pub space: f32,
    /// A forced line break follows the word.
    pub forced_break: bool,
}

/// A place where a word may be cut.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Byte offset of the cut within the word's text.
    pub at: usize,
    /// Width of the part before the cut.
    pub head: f32,
    /// Width of the hyphen added at the end of the line; 0 when none is (a cut after an
    /// existing hyphen, or an emergency cut).
    pub hyphen: f32,
}

/// Offers the places where part of a word, from byte `from`, may be cut.
///
/// Both methods return the cuts whose head (hyphen included) fits in `room`, in
/// increasing order; they need not look further, so a very long word costs no more
/// than one line's worth of measuring.
pub trait Splitter {
    /// Cuts allowed by the text (after a hyphen) and by hyphenation.
    fn splits(&mut self, word: usize, from: usize, room: f32) -> Vec<Split>;
    /// Cuts between any two characters, for a word wider than a whole line.
    fn emergency_splits(&mut self, word: usize, from: usize, room: f32) -> Vec<Split>;
    /// Byte length of the word's text.
    fn len(&self, word: usize) -> usize;
}

/// A part of a word placed on a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// The word.
    pub word: usize,
    /// Byte range of the part within the word.
    pub from: usize,
    /// End of the byte range.
    pub to: usize,
    /// A hyphen is drawn after it.
    pub hyphen: bool,
}

/// One line: its pieces and how it is to be spaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The pieces, left to right; a space follows each piece but the last.
    pub pieces: Vec<Piece>,
    /// Natural width, spaces included.
    pub width: f32,
    /// The line ends the paragraph or a forced break: never stretched.
    pub last: bool,
}

/// How strictly lines are filled.
#[derive(Copy, Clone, Debug)]
pub struct Params {
    /// Lines are justified: looseness is judged by how much spaces stretch.
    pub justify: bool,
    /// In justified text, a space stretched beyond this multiple of its width makes a line loose.
    pub max_stretch: f32,
    /// In ragged text, a line filled below this share of the width is loose.
    pub min_fill: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            justify: true,
            max_stretch: 2.0,
            min_fill: 0.8,
        }
    }
}

/// Breaks words into lines of at most `width`; the first line is `first_indent` narrower.
pub fn break_lines(
    words: &[Word],
    width: f32,
    first_indent: f32,
    params: Params,
    splitter: &mut dyn Splitter,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut cur: Vec<Piece> = Vec::new();
    let mut cur_w = 0.0f32;
    let mut spaces_w = 0.0f32;
    let mut i = 0;
    // Start of the current word's remaining part, and that part's width.
    let mut from = 0usize;
    let mut rest_w = words.first().map_or(0.0, |w| w.width);
    let eps = 0.001;
    while i < words.len() {
        let avail = width - if lines.is_empty() { first_indent } else { 0.0 };
        let word = &words[i];
        let gap = match cur.last() {
            Some(p) if !p.hyphen => words[p.word].space,
            _ => 0.0,
        };
        if cur_w + gap + rest_w <= avail + eps {
            cur.push(Piece {
                word: i,
                from,
                to: splitter.len(i),
                hyphen: false,
            });
            cur_w += gap + rest_w;
            spaces_w += gap;
            if word.forced_break {
                lines.push(finish(&mut cur, &mut cur_w, &mut spaces_w, true));
            }
            i += 1;
            from = 0;
            rest_w = words.get(i).map_or(0.0, |w| w.width);
            continue;
        }
        // The word does not fit: cut it if the line would be too loose without it.
        let room = avail - cur_w - gap;
        let loose = cur.is_empty() || is_loose(avail, cur_w, spaces_w, cur.len(), params);
        let mut cut = None;
        if loose {
            cut = best_fit(splitter.splits(i, from, room), room);
            if cut.is_none() && cur.is_empty() {
                cut = best_fit(splitter.emergency_splits(i, from, room), room);
                if cut.is_none() {
                    // Not even one character fits: place the whole part, overfull.
                    cur.push(Piece {
                        word: i,
                        from,
                        to: splitter.len(i),
                        hyphen: false,
                    });
                    cur_w += rest_w;
                    let forced = word.forced_break;
                    lines.push(finish(&mut cur, &mut cur_w, &mut spaces_w, forced));
                    i += 1;
                    from = 0;
                    rest_w = words.get(i).map_or(0.0, |w| w.width);
                    continue;
                }
            }
        }
        if let Some(split) = cut {
            cur.push(Piece {
                word: i,
                from,
                to: split.at,
                hyphen: split.hyphen > 0.0,
            });
            cur_w += gap + split.head + split.hyphen;
            spaces_w += gap;
            from = split.at;
            rest_w = (rest_w - split.head).max(0.0);
        }
        lines.push(finish(&mut cur, &mut cur_w, &mut spaces_w, false));
    }
    if !cur.is_empty() {
        lines.push(finish(&mut cur, &mut cur_w, &mut spaces_w, true));
    } else if let Some(last) = lines.last_mut() {
        last.last = true;
    }
    lines
}

fn finish(cur: &mut Vec<Piece>, w: &mut f32, spaces: &mut f32, last: bool) -> Line {
    let line = Line {
        pieces: std::mem::take(cur),
        width: *w,
        last,
    };
    *w = 0.0;
    *spaces = 0.0;
    line
}

fn is_loose(avail: f32, cur_w: f32, spaces_w: f32, pieces: usize, p: Params) -> bool {
    if p.justify {
        let gaps = pieces.saturating_sub(1);
        if gaps == 0 || spaces_w <= 0.0 {
            return true;
        }
        let stretch = (avail - cur_w + spaces_w) / spaces_w;
        stretch > p.max_stretch
    } else {
        cur_w < avail * p.min_fill
    }
}

/// The cut with the widest head that still fits in `room`.
fn best_fit(splits: Vec<Split>, room: f32) -> Option<Split> {
    splits
        .into_iter()
        .filter(|s| s.head + s.hyphen <= room + 0.001 && s.at > 0)
        .max_by(|a, b| (a.head + a.hyphen).total_cmp(&(b.head + b.hyphen)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monospaced test text: every character 1 wide, spaces 1 wide.
    struct Mono {
        words: Vec<&'static str>,
        hyphenation: bool,
    }

    impl Mono {
        fn words(&self) -> Vec<Word> {
            let n = self.words.len();
            self.words
                .iter()
                .enumerate()
                .map(|(i, w)| Word {
                    width: w.chars().count() as f32,
                    space: if i + 1 < n { 1.0 } else { 0.0 },
                    forced_break: false,
                })
                .collect()
        }
    }

    impl Splitter for Mono {
        fn splits(&mut self, word: usize, from: usize, _room: f32) -> Vec<Split> {
            let text = self.words[word];
            let mut out = Vec::new();
            for (at, c) in text.char_indices() {
                if at <= from {
                    continue;
                }
                let prev = text[..at].chars().last().unwrap();
                let explicit = prev == '-';
                // Test hyphenation: every 3 letters in a lowercase word.
                let hyph = self.hyphenation
                    && text.starts_with(|c: char| c.is_lowercase())
                    && (at - from) % 3 == 0
                    && text.len() - at >= 3
                    && c.is_alphabetic()
                    && prev.is_alphabetic();
                if explicit || hyph {
                    out.push(Split {
                        at,
                        head: text[from..at].chars().count() as f32,
                        hyphen: if explicit { 0.0 } else { 1.0 },
                    });
                }
            }
            out
        }
        fn emergency_splits(&mut self, word: usize, from: usize, _room: f32) -> Vec<Split> {
            let text = self.words[word];
            text.char_indices()
                .filter(|&(at, _)| at > from)
                .map(|(at, _)| Split {
                    at,
                    head: text[from..at].chars().count() as f32,
                    hyphen: 0.0,
                })
                .collect()
        }
        fn len(&self, word: usize) -> usize {
            self.words[word].len()
        }
    }

    fn text_of(m: &Mono, lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .map(|p| {
                        format!(
                            "{}{}",
                            &m.words[p.word][p.from..p.to],
                            if p.hyphen { "-" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn fills_lines_greedily_and_never_overflows() {
        let mut m = Mono {
            words: vec!["le", "chat", "dort", "sur", "le", "tapis", "rouge"],
            hyphenation: false,
        };
        let words = m.words();
        let lines = break_lines(&words, 10.0, 0.0, Params::default(), &mut m);
        assert_eq!(text_of(&m, &lines), ["le chat", "dort sur", "le tapis", "rouge"]);
        assert!(lines.iter().all(|l| l.width <= 10.0));
        assert!(lines.last().unwrap().last);
        assert!(!lines[0].last);
    }

    #[test]
    fn a_compound_name_stays_whole_when_the_line_is_not_loose() {
        let mut m = Mono {
            words: vec!["Cher", "monsieur", "Jean-François", "Dupont"],
            hyphenation: true,
        };
        let words = m.words();
        // "Cher monsieur" is 13 of 16: tight enough, so the name moves down whole.
        let lines = break_lines(&words, 16.0, 0.0, Params::default(), &mut m);
        assert_eq!(text_of(&m, &lines)[1], "Jean-François");
        assert_eq!(text_of(&m, &lines)[0], "Cher monsieur");
    }

    #[test]
    fn a_compound_name_breaks_after_its_hyphen_when_it_must() {
        let mut m = Mono {
            words: vec!["à", "Jean-François"],
            hyphenation: true,
        };
        let words = m.words();
        // "à" alone on a 9-wide line would be far too loose: cut after the hyphen.
        let lines = break_lines(&words, 9.0, 0.0, Params::default(), &mut m);
        assert_eq!(text_of(&m, &lines), ["à Jean-", "François"]);
        assert!(
            !lines[0].pieces[1].hyphen,
            "the existing hyphen is kept, none added"
        );
    }

    #[test]
    fn hyphenation_is_used_for_loose_lines_only() {
        let mut m = Mono {
            words: vec!["un", "renouvellement"],
            hyphenation: true,
        };
        let words = m.words();
        let lines = break_lines(&words, 10.0, 0.0, Params::default(), &mut m);
        let text = text_of(&m, &lines);
        assert!(text[0].starts_with("un ") && text[0].ends_with('-'), "{text:?}");
        assert!(lines.iter().all(|l| l.width <= 10.0));
    }

    #[test]
    fn ragged_text_uses_the_fill_rule() {
        let mut m = Mono {
            words: vec!["aaaaa", "bbbbbbbbbbbbbbb"],
            hyphenation: true,
        };
        let words = m.words();
        let ragged = Params {
            justify: false,
            ..Params::default()
        };
        // 5 of 10 filled is below 80%: hyphenate the next word.
        let lines = break_lines(&words, 10.0, 0.0, ragged, &mut m);
        assert!(text_of(&m, &lines)[0].ends_with('-'));
    }

    #[test]
    fn over_long_words_are_cut_anywhere_and_forced_breaks_are_kept() {
        let mut m = Mono {
            words: vec!["ABCDEFGHIJKLMNOP", "x"],
            hyphenation: false,
        };
        let mut words = m.words();
        words[0].forced_break = true;
        let lines = break_lines(&words, 6.0, 0.0, Params::default(), &mut m);
        assert_eq!(text_of(&m, &lines), ["ABCDEF", "GHIJKL", "MNOP", "x"]);
        assert!(lines[2].last, "a forced break ends a line that is not stretched");
    }

    #[test]
    fn first_line_indent_narrows_the_first_line() {
        let mut m = Mono {
            words: vec!["aa", "bb", "cc"],
            hyphenation: false,
        };
        let words = m.words();
        let lines = break_lines(&words, 5.0, 2.0, Params::default(), &mut m);
        assert_eq!(text_of(&m, &lines), ["aa", "bb cc"]);
    }
}
