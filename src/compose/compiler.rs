//! Checking and compiling the parts of a layout file: page size, styles, elements;
//! every problem is collected, with where it is, rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::compiled::{Anchor, Fit, ImageSource, Variable};
use super::fonts::FontBook;
use super::image::{ImageId, ImageStore};
use super::layout_file::{ElementSpec, LayoutFile, PageSize, Pages, StyleSpec};
use super::page::Item;
use super::template::{Templates, JOB_FIELDS};
use super::text::{Align, FaceSet, ParaStyle};
use crate::units::{Color, Length, Rect};

/// Joins a relative path below `root`, refusing absolute paths and `..`.
pub fn safe_join(root: &Path, name: &str) -> Result<PathBuf, String> {
    join_inside(root, name, "the image path", "the assets folder")
}

/// Joins a relative path below `root`, refusing absolute paths and `..`; `what` names
/// the path and `folder` the root in messages.
pub(super) fn join_inside(root: &Path, name: &str, what: &str, folder: &str) -> Result<PathBuf, String> {
    let rel = Path::new(name.trim());
    if name.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "`{name}` leaves {folder}: only paths inside it are allowed"
        ));
    }
    Ok(root.join(rel))
}

#[derive(Clone, Debug)]
pub(super) enum StaticEl {
    Item(Item),
    Text {
        frame: Rect,
        style: usize,
        template: String,
    },
    Image {
        frame: Rect,
        fit: Fit,
        image: ImageId,
    },
}

pub(super) enum Compiled {
    Static(StaticEl),
    Variable(Variable),
}

impl Compiled {
    pub(super) fn bounds(&self) -> Option<Rect> {
        match self {
            Compiled::Static(StaticEl::Text { frame, .. })
            | Compiled::Static(StaticEl::Image { frame, .. })
            | Compiled::Variable(Variable::Text { frame, .. })
            | Compiled::Variable(Variable::Image { frame, .. }) => Some(*frame),
            Compiled::Static(StaticEl::Item(Item::Rect { rect, .. })) => Some(*rect),
            _ => None,
        }
    }
}

pub(super) struct Compiler {
    pub(super) errors: Vec<String>,
    pub(super) shown: String,
    pub(super) book: Option<FontBook>,
    /// Templates that did not compile (their fields are unknown).
    pub(super) template_failures: usize,
}

impl Compiler {
    pub(super) fn err(&mut self, msg: String) {
        self.errors.push(format!("{}: {msg}", self.shown));
    }

    pub(super) fn page_size(&mut self, size: &PageSize) -> (Length, Length) {
        let (w, h) = match size {
            PageSize::Named(n) => match n.to_ascii_uppercase().as_str() {
                "A3" => (297.0, 420.0),
                "A4" => (210.0, 297.0),
                "A5" => (148.0, 210.0),
                "A6" => (105.0, 148.0),
                "LETTER" => (215.9, 279.4),
                _ => {
                    self.err(format!(
                        "[page] size: unknown size `{n}`: use A3, A4, A5, A6, Letter or [width, height] in mm"
                    ));
                    (210.0, 297.0)
                }
            },
            PageSize::Custom([w, h]) => {
                if !(10.0..=5000.0).contains(w) || !(10.0..=5000.0).contains(h) {
                    self.err(format!(
                        "[page] size: {w} x {h} mm is not a printable page (10 to 5000 mm)"
                    ));
                    (210.0, 297.0)
                } else {
                    (*w, *h)
                }
            }
        };
        (Length::mm(w), Length::mm(h))
    }

    pub(super) fn rect(&mut self, what: &str, x: f32, y: f32, w: f32, h: f32) -> Rect {
        match Rect::new(Length::mm(x), Length::mm(y), Length::mm(w), Length::mm(h)) {
            Some(r) => r,
            None => {
                self.err(format!(
                    "{what}: width and height must be numbers of millimetres, not negative"
                ));
                Rect::new(Length::ZERO, Length::ZERO, Length::ZERO, Length::ZERO).expect("zero rect")
            }
        }
    }

    pub(super) fn color(&mut self, what: &str, c: &Option<String>) -> Option<Color> {
        c.as_ref().and_then(|c| match Color::parse(c) {
            Ok(c) => Some(c),
            Err(e) => {
                self.err(format!("{what}: {e}"));
                None
            }
        })
    }

    pub(super) fn style(&mut self, name: &str, s: &StyleSpec) -> Option<ParaStyle> {
        let what = format!("[styles.{name}]");
        let mut faces = Vec::new();
        for (bold, italic) in [(false, false), (true, false), (false, true), (true, true)] {
            let book = self.book.as_mut()?;
            match book.select(&s.font, bold, italic) {
                Ok(id) => faces.push(id),
                Err(e) => {
                    // Only the regular face is mandatory; others fall back to it.
                    if !bold && !italic {
                        self.err(format!("{what} font: {e}"));
                        return None;
                    }
                    faces.push(faces[0]);
                }
            }
        }
        if !(1.0..=500.0).contains(&s.size) {
            self.err(format!(
                "{what} size: {} pt is not a usable size (1 to 500)",
                s.size
            ));
        }
        let align = match s.align.as_deref().unwrap_or("left") {
            "left" => Align::Left,
            "right" => Align::Right,
            "center" | "centre" => Align::Center,
            "justify" | "justified" => Align::Justify,
            other => {
                self.err(format!(
                    "{what} align: `{other}`: use left, right, center or justify"
                ));
                Align::Left
            }
        };
        let color = self
            .color(&format!("{what} color"), &s.color)
            .unwrap_or(Color::BLACK);
        Some(ParaStyle {
            faces: FaceSet {
                regular: faces[0],
                bold: faces[1],
                italic: faces[2],
                bold_italic: faces[3],
            },
            size: Length::pt(s.size),
            leading: Length::pt(s.leading.unwrap_or(s.size * 1.2)),
            color,
            align,
            space_before: Length::pt(s.space_before),
            space_after: Length::pt(s.space_after),
            first_line_indent: Length::pt(s.first_line_indent),
            hyphenate: s.hyphenate.unwrap_or(align == Align::Justify),
        })
    }

    pub(super) fn style_index(
        &mut self,
        names: &BTreeMap<String, usize>,
        file: &LayoutFile,
        name: &str,
        what: &str,
    ) -> usize {
        match names.get(name) {
            Some(&i) => i,
            None => {
                // A style that exists but failed to compile has been reported already.
                if !file.styles.contains_key(name) {
                    self.err(format!(
                        "{what}: no style `{name}` (styles: {})",
                        file.styles.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                0
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn element(
        &mut self,
        scope: &str,
        index: usize,
        el: &ElementSpec,
        templates: &mut Templates,
        used: &mut BTreeSet<String>,
        images: &ImageStore,
        assets: &Path,
        styles_of: &dyn Fn(&str, &mut Compiler, &str) -> usize,
    ) -> (String, Pages, Option<Compiled>) {
        let label = |name: &Option<String>, kind: &str| {
            name.clone().unwrap_or_else(|| format!("{kind} #{}", index + 1))
        };
        match el {
            ElementSpec::Text {
                name,
                x,
                y,
                width,
                height,
                style,
                text,
                pages,
            } => {
                let name = label(name, "text");
                let frame = self.rect(&format!("element `{name}`"), *x, *y, *width, *height);
                let tname = format!("element:{scope}{index}");
                let fields = match templates.add(&tname, text) {
                    Ok(f) => f,
                    Err(e) => {
                        self.template_failures += 1;
                        self.err(format!("element `{name}` text: {e}"));
                        return (name, *pages, None);
                    }
                };
                let record_dependent = fields.iter().any(|f| !is_job_field(f));
                used.extend(fields);
                let style = styles_of(style, self, &format!("element `{name}`"));
                let compiled = if record_dependent {
                    Compiled::Variable(Variable::Text {
                        name: name.clone(),
                        frame,
                        style,
                        template: tname,
                    })
                } else {
                    Compiled::Static(StaticEl::Text {
                        frame,
                        style,
                        template: tname,
                    })
                };
                (name, *pages, Some(compiled))
            }
            ElementSpec::Image {
                name,
                x,
                y,
                width,
                height,
                file,
                fit,
                align,
                pages,
            } => {
                let name = label(name, "image");
                let frame = self.rect(&format!("element `{name}`"), *x, *y, *width, *height);
                let anchor = match Anchor::parse(align.as_deref().unwrap_or("center")) {
                    Ok(a) => a,
                    Err(e) => {
                        self.err(format!("element `{name}` align: {e}"));
                        Anchor::default()
                    }
                };
                let fit = match fit.as_deref().unwrap_or("contain") {
                    "contain" => Fit::Contain(anchor),
                    "cover" => Fit::Cover(anchor),
                    "stretch" => Fit::Stretch,
                    other => {
                        self.err(format!(
                            "element `{name}` fit: `{other}`: use contain, cover or stretch"
                        ));
                        Fit::Contain(anchor)
                    }
                };
                if file.contains("{{") {
                    // The fixed parts of the path must already stay inside the assets folder.
                    let fixed = literal_parts(file);
                    if let Err(e) = safe_join(assets, &fixed) {
                        self.err(format!("element `{name}` file: {e}"));
                    }
                    let tname = format!("element:{scope}{index}");
                    match templates.add(&tname, file) {
                        Ok(f) => used.extend(f),
                        Err(e) => {
                            self.template_failures += 1;
                            self.err(format!("element `{name}` file: {e}"))
                        }
                    }
                    let v = Variable::Image {
                        name: name.clone(),
                        frame,
                        fit,
                        source: ImageSource::Template(tname),
                    };
                    return (name, *pages, Some(Compiled::Variable(v)));
                }
                let path = match safe_join(assets, file) {
                    Ok(p) => p,
                    Err(e) => {
                        self.err(format!("element `{name}` file: {e}"));
                        return (name, *pages, None);
                    }
                };
                match images.load(&path) {
                    Ok(image) => (
                        name,
                        *pages,
                        Some(Compiled::Static(StaticEl::Image { frame, fit, image })),
                    ),
                    Err(e) => {
                        self.err(format!("element `{name}` file: {e}"));
                        (name, *pages, None)
                    }
                }
            }
            ElementSpec::Line {
                name,
                x1,
                y1,
                x2,
                y2,
                stroke_width,
                color,
                pages,
            } => {
                let name = label(name, "line");
                let color = self
                    .color(&format!("element `{name}` color"), color)
                    .unwrap_or(Color::BLACK);
                let item = Item::Line {
                    from: (Length::mm(*x1), Length::mm(*y1)),
                    to: (Length::mm(*x2), Length::mm(*y2)),
                    width: Length::pt(stroke_width.unwrap_or(0.5)),
                    color,
                };
                (name, *pages, Some(Compiled::Static(StaticEl::Item(item))))
            }
            ElementSpec::Rect {
                name,
                x,
                y,
                width,
                height,
                fill,
                stroke,
                stroke_width,
                pages,
            } => {
                let name = label(name, "rect");
                let rect = self.rect(&format!("element `{name}`"), *x, *y, *width, *height);
                let fill = self.color(&format!("element `{name}` fill"), fill);
                let stroke = self
                    .color(&format!("element `{name}` stroke"), stroke)
                    .map(|c| (c, Length::pt(stroke_width.unwrap_or(0.5))));
                if fill.is_none() && stroke.is_none() {
                    self.err(format!(
                        "element `{name}`: a rect needs a fill or a stroke colour"
                    ));
                }
                let item = Item::Rect { rect, fill, stroke };
                (name, *pages, Some(Compiled::Static(StaticEl::Item(item))))
            }
        }
    }
}

/// A template with each `{{…}}` replaced by `x`, to check the parts that do not vary.
fn literal_parts(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        out.push('x');
        rest = rest[start..]
            .find("}}")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

pub(super) fn is_job_field(f: &str) -> bool {
    JOB_FIELDS.contains(&f) && f != "record_id"
}
