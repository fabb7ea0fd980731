//! Catalogue layouts compiled: master pages (cover, inner, back) with their static
//! content and variable frames, the grid inner pages repeat, the products file and
//! how records select from it, and print finishing.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::compiled::{ImageSource, Layout, PageKind, Variable};
use super::compiler::{Compiled, Compiler, StaticEl};
use super::image::ImageStore;
use super::layout_file::{FinishingSpec, LayoutFile, MasterSpec};
use super::page::{Bleed, Item};
use super::selection::Selection;
use super::template::Templates;
use crate::data::Products;
use crate::units::{Length, Rect};

/// A compiled catalogue: the pages a record's piece is made of.
pub struct Catalogue {
    /// How records select products.
    pub selection: Option<Selection>,
    /// The products, loaded once per job.
    pub products: Option<Arc<Products>>,
    /// The front cover.
    pub cover: Option<Master>,
    /// Inner pages.
    pub inner: Master,
    /// The back cover.
    pub back: Option<Master>,
    /// Print finishing.
    pub finishing: Finishing,
}

impl Catalogue {
    /// The record-dependent elements of the master pages (not of grid cells).
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        [self.cover.as_ref(), Some(&self.inner), self.back.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|m| &m.kind.variable)
    }

    /// Two products with `x` for every field, to try templates with.
    pub fn placeholder_products(&self) -> serde_json::Value {
        let fields: Vec<String> = match &self.products {
            Some(p) => p.columns().to_vec(),
            None => ["id", "name", "price", "price_eur"].map(String::from).to_vec(),
        };
        let one: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|f| (f, "x".into())).collect();
        serde_json::Value::Array(vec![one.clone().into(), one.into()])
    }
}

/// A master page: static form, variable frames, and on inner pages a grid.
pub struct Master {
    /// Its static content and record-dependent elements.
    pub kind: PageKind,
    /// The plain template deciding whether the page is printed.
    pub when: Option<String>,
    /// The grid that repeats the page.
    pub grid: Option<Grid>,
}

/// A grid of cells filled from a list.
pub struct Grid {
    /// Name for messages.
    pub name: String,
    /// The grid's frame.
    pub frame: Rect,
    /// Cells across and down.
    pub columns: u32,
    /// Cells down.
    pub rows: u32,
    /// A cell's size.
    pub cell: (Length, Length),
    /// Gaps between columns and rows.
    pub gap: (Length, Length),
    /// The list it lays out.
    pub items: String,
    /// What a cell draws, placed from the cell's top-left corner.
    pub elements: Vec<CellElement>,
    /// The item fields the cell's templates use.
    pub fields: BTreeSet<String>,
}

impl Grid {
    /// Cells on one page.
    pub fn per_page(&self) -> usize {
        (self.columns * self.rows) as usize
    }

    /// The top-left corner of the `i`th cell of a page, row by row.
    pub fn cell_origin(&self, i: usize) -> (Length, Length) {
        let (col, row) = (i as u32 % self.columns, i as u32 / self.columns);
        (
            self.frame.x + (self.cell.0 + self.gap.0) * col as f32,
            self.frame.y + (self.cell.1 + self.gap.1) * row as f32,
        )
    }
}

/// Something a grid cell draws.
pub enum CellElement {
    /// A text or image filled from the item.
    Variable(Variable),
    /// A line or rect, the same in every cell.
    Item(Item),
}

/// Print finishing, compiled.
#[derive(Copy, Clone, Debug, Default)]
pub struct Finishing {
    /// Pad pieces to a multiple of 4 pages.
    pub saddle_stitch: bool,
    /// The trim's margin and bleed on the sheet.
    pub bleed: Bleed,
    /// Draw crop marks.
    pub crop_marks: bool,
}

/// Room for crop marks outside the bleed, mm.
const MARKS_MM: f32 = 10.0;

/// A catalogue compiled but for its static forms, which need the finished layout.
pub(super) struct Draft {
    pub(super) catalogue: Catalogue,
    /// Static elements of the cover, inner and back pages.
    pub(super) statics: [Vec<(String, StaticEl)>; 3],
}

/// What compiling a catalogue's parts needs from the layout compiler.
pub(super) struct Ctx<'a> {
    pub(super) templates: &'a mut Templates,
    pub(super) used: &'a mut BTreeSet<String>,
    pub(super) images: &'a ImageStore,
    pub(super) assets: &'a Path,
    pub(super) base: &'a Path,
    pub(super) products_file: Option<&'a Path>,
    pub(super) size: (Length, Length),
    pub(super) style_of: &'a dyn Fn(&str, &mut Compiler, &str) -> usize,
}

/// Compiles `[products]`, `[pages]` and `[finishing]`; `None` for a letter.
pub(super) fn compile(c: &mut Compiler, file: &LayoutFile, cx: &mut Ctx) -> Option<Draft> {
    let Some(pages) = &file.pages else {
        if file.products.is_some() || file.finishing.is_some() {
            c.err("[products] and [finishing] are for catalogues: add [pages]".into());
        }
        return None;
    };
    if !file.elements.is_empty() || file.body.is_some() || file.continuation.is_some() {
        c.err("[pages] makes a catalogue: put its elements in [pages.cover], [pages.inner] or [pages.back], not in [[elements]], [body] or [continuation]".into());
    }
    let finishing = finishing(c, file.finishing.as_ref());
    let reach = finishing.bleed.bleed;
    let mut statics: [Vec<(String, StaticEl)>; 3] = Default::default();
    let mut master = |c: &mut Compiler, spec: &MasterSpec, which: usize, cx: &mut Ctx| {
        let label = ["cover", "inner", "back"][which];
        let mut kind = PageKind::default();
        for (i, el) in spec.elements.iter().enumerate() {
            let scope = format!("{label}:");
            let (name, _, compiled) = c.element(
                &scope,
                i,
                el,
                cx.templates,
                cx.used,
                cx.images,
                cx.assets,
                cx.style_of,
            );
            let Some(compiled) = compiled else { continue };
            if let Some(r) = compiled.bounds() {
                let (w, h) = cx.size;
                let tol = reach + Length::pt(0.01);
                if r.x.to_pt() < -tol.to_pt()
                    || r.y.to_pt() < -tol.to_pt()
                    || (r.x + r.width).to_pt() > (w + tol).to_pt()
                    || (r.y + r.height).to_pt() > (h + tol).to_pt()
                {
                    c.err(format!(
                        "[pages.{label}] element `{name}` lies outside the page and its bleed"
                    ));
                }
            }
            match compiled {
                Compiled::Static(s) => statics[which].push((name, s)),
                Compiled::Variable(v) => kind.variable.push(v),
            }
        }
        let when = spec.when.as_ref().map(|w| {
            let tname = format!("{label}:when");
            match cx.templates.add_plain(&tname, w) {
                Ok(f) => cx.used.extend(f),
                Err(e) => c.err(format!("[pages.{label}] when: {e}")),
            }
            tname
        });
        let grid = spec.grid.as_ref().and_then(|g| grid(c, label, g, cx));
        Master { kind, when, grid }
    };
    let cover = pages.cover.as_ref().map(|s| master(c, s, 0, cx));
    let inner = master(c, &pages.inner, 1, cx);
    let back = pages.back.as_ref().map(|s| master(c, s, 2, cx));
    for (label, m) in [("cover", &cover), ("back", &back)] {
        if m.as_ref().is_some_and(|m| m.grid.is_some()) {
            c.err(format!(
                "[pages.{label}] grid: grids repeat inner pages: put it in [pages.inner]"
            ));
        }
    }
    let selection = file.products.as_ref().map(|spec| {
        let mut errors = Vec::new();
        let s = Selection::compile(spec, cx.templates, cx.used, &mut errors);
        for e in errors {
            c.err(e);
        }
        s
    });
    let products = load_products(c, file, cx);
    if let (Some(p), Some(s)) = (&products, &selection) {
        for field in s.product_fields() {
            if !p.columns().iter().any(|c| c == field) {
                c.err(format!(
                    "[products] rules: the products have no field `{field}` (fields: {})",
                    p.columns().join(", ")
                ));
            }
        }
    }
    if let (Some(p), Some(g)) = (&products, &inner.grid) {
        for field in g.fields.iter().filter(|_| g.items == "products") {
            if !p.columns().iter().any(|c| c == field) {
                c.err(format!(
                    "{} cell: the products have no field `{field}` (fields: {})",
                    g.name,
                    p.columns().join(", ")
                ));
            }
        }
    }
    let chosen = |v: &Variable| {
        matches!(
            v,
            Variable::Image {
                source: ImageSource::Template(_),
                ..
            }
        )
    };
    let in_cells = inner.grid.iter().flat_map(|g| &g.elements).any(|e| match e {
        CellElement::Variable(v) => chosen(v),
        CellElement::Item(_) => false,
    });
    let on_pages = [cover.as_ref(), Some(&inner), back.as_ref()]
        .into_iter()
        .flatten()
        .any(|m| m.kind.variable.iter().any(chosen));
    // Images named by records get ids in path order now, not in the order workers meet them.
    if in_cells || on_pages {
        if let Err(e) = cx.images.register(cx.assets) {
            c.err(format!(
                "[layout] assets: cannot read {}: {e}",
                cx.assets.display()
            ));
        }
    }
    Some(Draft {
        catalogue: Catalogue {
            selection,
            products,
            cover,
            inner,
            back,
            finishing,
        },
        statics,
    })
}

fn finishing(c: &mut Compiler, spec: Option<&FinishingSpec>) -> Finishing {
    let Some(spec) = spec else {
        return Finishing::default();
    };
    if !(0.0..=20.0).contains(&spec.bleed) {
        c.err(format!(
            "[finishing] bleed: {} mm: give 0 to 20 mm (3 to 5 is usual)",
            spec.bleed
        ));
    }
    let bleed = Length::mm(spec.bleed.clamp(0.0, 20.0));
    let margin = if spec.crop_marks {
        bleed + Length::mm(MARKS_MM)
    } else {
        bleed
    };
    Finishing {
        saddle_stitch: spec.saddle_stitch,
        bleed: Bleed { margin, bleed },
        crop_marks: spec.crop_marks,
    }
}

fn load_products(c: &mut Compiler, file: &LayoutFile, cx: &Ctx) -> Option<Arc<Products>> {
    let named = file.products.as_ref().and_then(|p| p.file.as_ref());
    let path = match (cx.products_file, named) {
        (Some(given), _) => given.to_path_buf(),
        (None, Some(named)) => cx.base.join(named),
        (None, None) => {
            if file.products.is_some() {
                c.err("[products]: no products file: name it with `file` or give --products".into());
            }
            return None;
        }
    };
    match Products::load(&path) {
        Ok(p) => Some(Arc::new(p)),
        Err(e) => {
            c.err(format!("[products] file: {e}"));
            None
        }
    }
}

fn grid(c: &mut Compiler, label: &str, g: &super::layout_file::GridSpec, cx: &mut Ctx) -> Option<Grid> {
    let what = format!("[pages.{label}] grid");
    let frame = c.rect(&what, g.x, g.y, g.width, g.height);
    if g.columns == 0 || g.rows == 0 || g.columns * g.rows > 1000 {
        c.err(format!(
            "{what}: columns and rows must be 1 or more (at most 1000 cells)"
        ));
        return None;
    }
    let cell_w = (g.width - g.column_gap * (g.columns - 1) as f32) / g.columns as f32;
    let cell_h = (g.height - g.row_gap * (g.rows - 1) as f32) / g.rows as f32;
    if cell_w <= 0.0 || cell_h <= 0.0 || g.column_gap < 0.0 || g.row_gap < 0.0 {
        c.err(format!("{what}: the gaps leave no room for the cells"));
        return None;
    }
    let items = g.items.clone().unwrap_or_else(|| "products".into());
    if items != "products" {
        cx.used.insert(items.clone());
    }
    let mut elements = Vec::new();
    // Cell templates use the item's fields, not the record's: collected apart.
    let mut item_fields = BTreeSet::new();
    for (i, el) in g.cell.iter().enumerate() {
        let (name, _, compiled) = c.element(
            "cell:",
            i,
            el,
            cx.templates,
            &mut item_fields,
            cx.images,
            cx.assets,
            cx.style_of,
        );
        let Some(compiled) = compiled else { continue };
        if let Some(r) = compiled.bounds() {
            if !r.fits_in(Length::mm(cell_w), Length::mm(cell_h)) {
                c.err(format!(
                    "{what} cell element `{name}` lies outside the cell ({cell_w:.1} x {cell_h:.1} mm)"
                ));
            }
        }
        elements.push(match compiled {
            Compiled::Variable(v) => CellElement::Variable(v),
            Compiled::Static(StaticEl::Item(item)) => CellElement::Item(item),
            Compiled::Static(StaticEl::Text {
                frame,
                style,
                template,
            }) => CellElement::Variable(Variable::Text {
                name,
                frame,
                style,
                template,
            }),
            Compiled::Static(StaticEl::Image { frame, fit, image }) => {
                CellElement::Variable(Variable::Image {
                    name,
                    frame,
                    fit,
                    source: ImageSource::Fixed(image),
                })
            }
        });
    }
    Some(Grid {
        name: what,
        frame,
        columns: g.columns,
        rows: g.rows,
        cell: (Length::mm(cell_w), Length::mm(cell_h)),
        gap: (Length::mm(g.column_gap), Length::mm(g.row_gap)),
        items,
        elements,
        fields: item_fields,
    })
}

impl Layout {
    /// Lays out the static content of the cover, inner and back pages once, each into
    /// a form drawn by every page of that master.
    pub(super) fn catalogue_forms(
        &mut self,
        statics: [Vec<(String, StaticEl)>; 3],
        shown: &str,
        errors: &mut Vec<String>,
    ) {
        let Some(bleed) = self.catalogue.as_ref().map(|c| c.finishing.bleed) else {
            return;
        };
        for (which, list) in statics.into_iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let id = self.add_form(list, bleed, shown, errors);
            let Some(cat) = self.catalogue.as_mut() else {
                return;
            };
            let master = match which {
                0 => cat.cover.as_mut(),
                1 => Some(&mut cat.inner),
                _ => cat.back.as_mut(),
            };
            if let Some(m) = master {
                m.kind.form = Some(id);
            }
        }
    }
}
