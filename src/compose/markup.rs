//! The small markup that templates produce: paragraphs, line breaks, bold and italic.
//!
//! Paragraphs are separated by a blank line, or written `<p class="style">…</p>` to
//! take a named paragraph style. Inside a paragraph: `<b>`/`<strong>`, `<i>`/`<em>`,
//! `<br>`; runs of white space count as one space. Record values reach the markup
//! HTML-escaped (`&lt;`, `&amp;`, …), so they always print as the text they are.

/// A paragraph: an optional style name and its inline content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Block {
    /// The paragraph style named by `<p class="…">`, if any.
    pub style: Option<String>,
    /// The content.
    pub inlines: Vec<Inline>,
}

/// A piece of a paragraph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inline {
    /// Text in one style.
    Text {
        /// The characters, with white space already collapsed.
        text: String,
        /// Bold.
        bold: bool,
        /// Italic.
        italic: bool,
    },
    /// A forced line break.
    Break,
}

/// Parses markup into paragraphs; an unknown tag or a bad entity is an error saying which.
pub fn parse(src: &str) -> Result<Vec<Block>, String> {
    let mut p = Parser::default();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = bytes[i];
        if c == b'<' {
            let end = src[i..]
                .find('>')
                .ok_or_else(|| format!("unclosed tag at `{}`", snippet(&src[i..])))?;
            p.tag(&src[i + 1..i + end])?;
            i += end + 1;
        } else if c == b'&' {
            let end = src[i..].find(';').filter(|&e| e <= 10).ok_or_else(|| {
                format!(
                    "`&` must start an entity such as `&amp;`, at `{}`",
                    snippet(&src[i..])
                )
            })?;
            let ch = entity(&src[i + 1..i + end])?;
            p.push_char(ch);
            i += end + 1;
        } else if c == b'\n' {
            // A blank line ends the paragraph.
            let rest = &src[i + 1..];
            let blank = rest.find('\n').is_some_and(|n| rest[..n].trim().is_empty());
            if blank {
                p.end_block();
                i += 1 + rest.find('\n').unwrap_or(0);
            } else {
                p.push_char(' ');
            }
            i += 1;
        } else if c.is_ascii_whitespace() {
            p.push_char(' ');
            i += 1;
        } else {
            // A run of ordinary characters goes in at once (bytes of multi-byte UTF-8
            // characters are never ASCII, so the run ends on a character boundary).
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'<' || b == b'&' || b.is_ascii_whitespace())
                .map_or(bytes.len(), |n| i + n);
            p.push_str(&src[i..end]);
            i = end;
        }
    }
    p.end_block();
    if p.bold > 0 || p.italic > 0 {
        return Err("a `<b>` or `<i>` is not closed".into());
    }
    Ok(p.blocks)
}

fn snippet(s: &str) -> String {
    s.chars().take(20).collect()
}

fn entity(name: &str) -> Result<char, String> {
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                None
            };
            return code
                .and_then(char::from_u32)
                .ok_or_else(|| format!("unknown entity `&{name};`"));
        }
    })
}

#[derive(Default)]
struct Parser {
    blocks: Vec<Block>,
    current: Block,
    text: String,
    bold: u32,
    italic: u32,
    /// The last character pushed was white space (or nothing yet on this line).
    space: bool,
}

impl Parser {
    fn push_char(&mut self, ch: char) {
        if ch.is_ascii_whitespace() {
            let at_start =
                self.text.is_empty() && matches!(self.current.inlines.last(), None | Some(Inline::Break));
            if self.space || at_start {
                return;
            }
            self.space = true;
            self.text.push(' ');
        } else {
            self.space = false;
            self.text.push(ch);
        }
    }

    /// Pushes characters that are neither white space nor markup.
    fn push_str(&mut self, s: &str) {
        self.space = false;
        self.text.push_str(s);
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.current.inlines.push(Inline::Text {
                text,
                bold: self.bold > 0,
                italic: self.italic > 0,
            });
        }
    }

    fn tag(&mut self, tag: &str) -> Result<(), String> {
        let tag = tag.trim();
        let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        match name.to_ascii_lowercase().trim_end_matches('/') {
            "b" | "strong" => {
                self.flush();
                self.bold += 1;
            }
            "/b" | "/strong" => {
                self.flush();
                self.bold = self.bold.checked_sub(1).ok_or("`</b>` without `<b>`")?;
            }
            "i" | "em" => {
                self.flush();
                self.italic += 1;
            }
            "/i" | "/em" => {
                self.flush();
                self.italic = self.italic.checked_sub(1).ok_or("`</i>` without `<i>`")?;
            }
            "br" => {
                self.trim_trailing_space();
                self.flush();
                self.current.inlines.push(Inline::Break);
                self.space = true;
            }
            "p" => {
                self.end_block();
                self.current.style = class(attrs)?;
            }
            "/p" => self.end_block(),
            _ => {
                return Err(format!(
                    "unknown tag `<{tag}>`: use <p class=\"…\">, <b>, <i> or <br>"
                ))
            }
        }
        Ok(())
    }

    fn trim_trailing_space(&mut self) {
        if self.text.ends_with(' ') {
            self.text.pop();
        } else if self.text.is_empty() {
            if let Some(Inline::Text { text, .. }) = self.current.inlines.last_mut() {
                if text.ends_with(' ') {
                    text.pop();
                }
            }
        }
    }

    fn end_block(&mut self) {
        self.trim_trailing_space();
        self.flush();
        let mut block = std::mem::take(&mut self.current);
        while matches!(block.inlines.last(), Some(Inline::Break)) {
            block.inlines.pop();
        }
        block
            .inlines
            .retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
        if !block.inlines.is_empty() {
            self.blocks.push(block);
        }
        self.space = false;
    }
}

fn class(attrs: &str) -> Result<Option<String>, String> {
    let attrs = attrs.trim().trim_end_matches('/').trim();
    if attrs.is_empty() {
        return Ok(None);
    }
    let value = attrs
        .strip_prefix("class")
        .map(str::trim_start)
        .and_then(|a| a.strip_prefix('='))
        .map(str::trim)
        .and_then(|v| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
        .ok_or_else(|| format!("`<p {attrs}>`: the only attribute is class=\"style\""))?;
    Ok(Some(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str, bold: bool, italic: bool) -> Inline {
        Inline::Text {
            text: t.into(),
            bold,
            italic,
        }
    }

    #[test]
    fn blank_lines_separate_paragraphs_and_spaces_collapse() {
        let blocks = parse("  Bonjour\n  Madame,\n\n\nSecond   paragraphe.\n").unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].inlines, vec![text("Bonjour Madame,", false, false)]);
        assert_eq!(blocks[1].inlines, vec![text("Second paragraphe.", false, false)]);
    }

    #[test]
    fn bold_italic_and_breaks() {
        let blocks = parse("Le <b>nouveau <i>modèle</i></b> arrive<br>\nchez vous<br>").unwrap();
        assert_eq!(
            blocks[0].inlines,
            vec![
                text("Le ", false, false),
                text("nouveau ", true, false),
                text("modèle", true, true),
                text(" arrive", false, false),
                Inline::Break,
                text("chez vous", false, false),
            ]
        );
    }

    #[test]
    fn styled_paragraphs() {
        let blocks = parse("<p class=\"signature\">Jean Dupont</p><p>Autre</p>").unwrap();
        assert_eq!(blocks[0].style.as_deref(), Some("signature"));
        assert_eq!(blocks[1].style, None);
    }

    #[test]
    fn escaped_values_print_literally() {
        let blocks = parse("Dupont &amp; Fils &lt;b&gt; {{x}} &#x27;a&#x27; &#x3D;").unwrap();
        assert_eq!(
            blocks[0].inlines,
            vec![text("Dupont & Fils <b> {{x}} 'a' =", false, false)]
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(parse("<u>x</u>").unwrap_err().contains("unknown tag `<u>`"));
        assert!(parse("a & b").unwrap_err().contains("entity"));
        assert!(parse("<b>x").unwrap_err().contains("not closed"));
        assert!(parse("x</i>").is_err());
        assert!(parse("<p style=\"x\">").is_err());
    }
}
