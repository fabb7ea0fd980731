//! A layout compiled once per job: fonts chosen, styles resolved, templates parsed,
//! static content laid out and every problem found listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::catalogue::{self, Catalogue};
use super::channels::{self, EmailTemplate, SmsTemplate};
use super::compiler::{safe_join, Compiled, Compiler, StaticEl};
pub use super::fit::{Anchor, Edge, Fit};
use super::fonts::{Face, FontBook};
use super::image::{ImageId, ImageStore};
use super::layout_file::{LayoutFile, Pages, ProductionSpec};
use super::page::{Bleed, Form, FormId, Item, Page};
use super::template::{Templates, JOB_FIELDS};
use super::text::ParaStyle;
use crate::units::{Length, Rect};

/// Fields computed by pli rather than read from the record.
pub const COMPUTED_FIELDS: &[&str] = &["address_lines", "products"];

/// Where an image comes from.
#[derive(Clone, Debug)]
pub enum ImageSource {
    /// The same image for every record.
    Fixed(ImageId),
    /// A template naming a file in the assets folder.
    Template(String),
}

/// An element that depends on the record.
#[derive(Clone, Debug)]
pub enum Variable {
    /// A text frame.
    Text {
        /// Name for messages.
        name: String,
        /// The frame.
        frame: Rect,
        /// Default style index.
        style: usize,
        /// Template name.
        template: String,
    },
    /// An image chosen by the record.
    Image {
        /// Name for messages.
        name: String,
        /// The frame.
        frame: Rect,
        /// How it fits.
        fit: Fit,
        /// Its source.
        source: ImageSource,
    },
}

/// What a kind of page (first or continuation) draws.
#[derive(Clone, Debug, Default)]
pub struct PageKind {
    /// Its static content, if any.
    pub form: Option<FormId>,
    /// Its record-dependent elements.
    pub variable: Vec<Variable>,
}

/// The flowing body.
#[derive(Clone, Debug)]
pub struct Body {
    /// Frame on the first page.
    pub first: Rect,
    /// Frame on continuation pages.
    pub next: Rect,
    /// Default style index.
    pub style: usize,
    /// Template name.
    pub template: String,
}

/// Values that are the same for every record of a job.
#[derive(Clone, Debug)]
pub struct JobValues {
    /// The letter's date, `YYYY-MM-DD`.
    pub date_iso: String,
    /// The date written the French way, e.g. `28 novembre 2026`.
    pub date: String,
}

/// A compiled layout.
pub struct Layout {
    /// Unique among the layouts compiled by this process (keys per-thread caches).
    pub uid: u64,
    /// The layout's name.
    pub name: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// Page width.
    pub width: Length,
    /// Page height.
    pub height: Length,
    /// Loaded faces, indexed by font id.
    pub faces: Vec<Arc<Face>>,
    /// Paragraph styles, by index; `style_names` maps names to indexes.
    pub styles: Vec<ParaStyle>,
    /// Style names to indexes.
    pub style_names: BTreeMap<String, usize>,
    /// Compiled templates.
    pub templates: Templates,
    /// Record fields the layout uses, with their defaults.
    pub fields: BTreeMap<String, Option<String>>,
    /// The first page.
    pub first: PageKind,
    /// Continuation pages.
    pub continuation: PageKind,
    /// The flowing body, if any.
    pub body: Option<Body>,
    /// Static content, by form id.
    pub forms: Vec<Form>,
    /// Images of the run.
    pub images: Arc<ImageStore>,
    /// The assets folder.
    pub assets: PathBuf,
    /// Job values.
    pub job: JobValues,
    /// Every style the file declares, compiled or not (so one bad font is reported once).
    pub declared_styles: BTreeSet<String>,
    /// `[fields]` defaults of the address columns, used when building the address block.
    pub address_defaults: BTreeMap<String, String>,
    /// Fields bound to differently named columns of the data file.
    pub mapping: BTreeMap<String, String>,
    /// Computed fields (such as `address_lines`) the templates use.
    pub computed_used: BTreeSet<String>,
    /// How a mailpiece is made up (`[production]`), for its weight and postage.
    pub production: super::layout_file::ProductionSpec,
    /// The print room's output intent (`[production.output_intent]`), its profile read and
    /// checked; PDF/X-4 output uses pli's generic CMYK profile when there is none.
    pub output_intent: Option<crate::pdf::OutputIntent>,
    /// The `[email]` table, compiled (see `Layout::email`).
    pub(super) email: Option<EmailTemplate>,
    /// The `[sms]` table, compiled (see `Layout::sms`).
    pub(super) sms: Option<SmsTemplate>,
    /// A catalogue's master pages, products and finishing; `None` for a letter.
    pub catalogue: Option<Catalogue>,
}

/// Problems found in a layout: each says where and what.
#[derive(Debug)]
pub struct LayoutErrors(pub Vec<String>);

impl std::fmt::Display for LayoutErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LayoutErrors {}

impl Layout {
    /// Reads, checks and compiles the layout at `path`; lists every problem found.
    pub fn compile(path: &Path, job: &JobValues) -> Result<Layout, LayoutErrors> {
        Layout::compile_with(path, job, None)
    }

    /// As [`Layout::compile_with`], the `[production]` table taken from a production
    /// file when one is given: the same layout made up for another line (paper, duplex,
    /// inserter marks, output intent). The file holds a `[production]` table, or its keys
    /// at the top; its paths are relative to it.
    pub fn compile_for(
        path: &Path,
        job: &JobValues,
        products: Option<&Path>,
        production: Option<&Path>,
    ) -> Result<Layout, LayoutErrors> {
        let production = production.map(read_production).transpose()?;
        Layout::compile_inner(path, job, products, production)
    }

    /// As [`Layout::compile`], a catalogue taking its products from `products` rather
    /// than from the file its `[products]` names.
    pub fn compile_with(
        path: &Path,
        job: &JobValues,
        products: Option<&Path>,
    ) -> Result<Layout, LayoutErrors> {
        Layout::compile_inner(path, job, products, None)
    }

    fn compile_inner(
        path: &Path,
        job: &JobValues,
        products: Option<&Path>,
        production: Option<ProductionSpec>,
    ) -> Result<Layout, LayoutErrors> {
        let shown = path.display().to_string();
        let source = std::fs::read_to_string(path)
            .map_err(|e| LayoutErrors(vec![format!("{shown}: cannot read the layout: {e}")]))?;
        let file: LayoutFile = toml::from_str(&source).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = source[..s.start].matches('\n').count() + 1;
                    format!(", line {line}")
                })
                .unwrap_or_default();
            LayoutErrors(vec![format!("{shown}{at}: {}", e.message())])
        })?;
        let mut file = file;
        if let Some(p) = production {
            file.production = p;
        }
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut c = Compiler {
            errors: Vec::new(),
            shown: shown.clone(),
            book: None,
            template_failures: 0,
        };
        let (width, height) = c.page_size(&file.page.size);
        let fonts_dir = base.join(&file.layout.fonts);
        match FontBook::scan(&fonts_dir) {
            Ok(b) => c.book = Some(b),
            Err(e) => c.err(format!("[layout] fonts: {e}")),
        }
        let mut styles = Vec::new();
        let mut style_names = BTreeMap::new();
        for (name, spec) in &file.styles {
            if let Some(st) = c.style(name, spec) {
                style_names.insert(name.clone(), styles.len());
                styles.push(st);
            }
        }
        let style_ok = |name: &str, c: &mut Compiler, what: &str| -> usize {
            c.style_index(&style_names, &file, name, what)
        };
        let mut templates = Templates::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let images = Arc::new(ImageStore::new());
        let assets = base.join(&file.layout.assets);
        let margins = file.page.margins.unwrap_or([0.0; 4]);
        let inner = Rect::new(
            Length::mm(margins[3]),
            Length::mm(margins[0]),
            width - Length::mm(margins[1] + margins[3]),
            height - Length::mm(margins[0] + margins[2]),
        );
        let mut first = PageKind::default();
        let mut continuation = PageKind::default();
        let mut static_first: Vec<(String, StaticEl)> = Vec::new();
        let mut static_next: Vec<(String, StaticEl)> = Vec::new();
        for (i, el) in file.elements.iter().enumerate() {
            let styles_of =
                |st: &str, c: &mut Compiler, what: &str| c.style_index(&style_names, &file, st, what);
            let (name, pages, compiled) =
                c.element("", i, el, &mut templates, &mut used, &images, &assets, &styles_of);
            let Some(compiled) = compiled else { continue };
            if let (Some(inner), Some(rect)) = (inner, compiled.bounds()) {
                if !rect.fits_in(width, height)
                    || (file.page.margins.is_some()
                        && !(rect.x >= inner.x - Length::pt(0.01)
                            && rect.y >= inner.y - Length::pt(0.01)
                            && (rect.x + rect.width).to_pt() <= (inner.x + inner.width).to_pt() + 0.01
                            && (rect.y + rect.height).to_pt() <= (inner.y + inner.height).to_pt() + 0.01))
                {
                    c.err(format!("element `{name}` lies outside the page's margins"));
                }
            }
            let on_first = matches!(pages, Pages::First | Pages::All);
            let on_next = matches!(pages, Pages::Continuation | Pages::All);
            match compiled {
                Compiled::Static(s) => {
                    if on_first {
                        static_first.push((name.clone(), s.clone()));
                    }
                    if on_next {
                        static_next.push((name, s));
                    }
                }
                Compiled::Variable(v) => {
                    if on_first {
                        first.variable.push(v.clone());
                    }
                    if on_next {
                        continuation.variable.push(v);
                    }
                }
            }
        }
        let draft = {
            let style_of =
                |st: &str, c: &mut Compiler, what: &str| c.style_index(&style_names, &file, st, what);
            let mut cx = catalogue::Ctx {
                templates: &mut templates,
                used: &mut used,
                images: &images,
                assets: &assets,
                base: &base,
                products_file: products,
                size: (width, height),
                style_of: &style_of,
            };
            catalogue::compile(&mut c, &file, &mut cx)
        };
        let (catalogue, catalogue_statics) = match draft {
            Some(d) => (Some(d.catalogue), d.statics),
            None => (None, Default::default()),
        };
        // Images named by records get ids in path order now, not in the order workers meet them.
        let variable_images = first
            .variable
            .iter()
            .chain(&continuation.variable)
            .any(|v| matches!(v, Variable::Image { .. }));
        if variable_images {
            if let Err(e) = images.register(&assets) {
                c.err(format!("[layout] assets: cannot read {}: {e}", assets.display()));
            }
        }
        if file.continuation.is_some() && file.body.is_none() {
            c.err("[continuation] is given but there is no [body] to continue".into());
        }
        let body = file.body.as_ref().map(|b| {
            let first_frame = c.rect("[body]", b.x, b.y, b.width, b.height);
            let next_frame = match &file.continuation {
                Some(f) => c.rect("[continuation]", f.x, f.y, f.width, f.height),
                None => first_frame,
            };
            for (what, frame) in [("[body]", first_frame), ("[continuation]", next_frame)] {
                if !frame.fits_in(width, height) {
                    c.err(format!("{what}: the frame does not lie on the page"));
                }
            }
            if next_frame.width.to_pt() + 0.01 < first_frame.width.to_pt() {
                c.err("[continuation]: the frame must be at least as wide as [body]'s (a paragraph split across pages keeps its line width)".into());
            }
            match templates.add("body", &b.text) {
                Ok(f) => used.extend(f),
                Err(e) => {
                    c.template_failures += 1;
                    c.err(format!("[body] text: {e}"))
                }
            }
            Body {
                first: first_frame,
                next: next_frame,
                style: style_ok(&b.style, &mut c, "[body]"),
                template: "body".into(),
            }
        });
        let email = file
            .email
            .as_ref()
            .map(|spec| channels::compile_email(&mut c, spec, &base, &mut templates, &mut used));
        let sms = file
            .sms
            .as_ref()
            .map(|spec| channels::compile_sms(&mut c, spec, &mut templates, &mut used));
        // Fields: everything the templates use that the job does not compute.
        let mut fields = BTreeMap::new();
        for f in &used {
            if JOB_FIELDS.contains(&f.as_str()) || COMPUTED_FIELDS.contains(&f.as_str()) {
                continue;
            }
            fields.insert(f.clone(), file.fields.get(f).and_then(|s| s.default.clone()));
        }
        let address_used = used.contains("address_lines");
        for name in file.fields.keys() {
            let read_by_address = address_used && crate::mailprep::ADDRESS_FIELDS.contains(&name.as_str());
            if JOB_FIELDS.contains(&name.as_str()) || COMPUTED_FIELDS.contains(&name.as_str()) {
                c.err(format!(
                    "[fields.{name}]: `{name}` is given by pli, not read from the record"
                ));
            } else if !used.contains(name) && !read_by_address && c.template_failures == 0 {
                c.err(format!("[fields.{name}]: the layout never uses this field"));
            }
        }
        if let Some(omr) = &file.production.omr {
            for problem in omr.problems() {
                c.err(format!("[production.omr]: {problem}"));
            }
            let bottom = omr.y + omr.pitch * (crate::production::TRACKS - 1) as f32 + omr.thickness;
            if omr.x + omr.length > width.to_mm() || bottom > height.to_mm() {
                c.err("[production.omr]: the marks do not lie on the page".into());
            }
        }
        if let Some(dm) = &file.production.datamatrix {
            let (duplex, omr) = (file.production.duplex, file.production.omr.as_ref());
            for problem in dm.problems(width.to_mm(), height.to_mm(), duplex, omr) {
                c.err(format!("[production.datamatrix]: {problem}"));
            }
        }
        let output_intent = file.production.output_intent.as_ref().and_then(|spec| {
            let path = base.join(&spec.profile);
            crate::pdf::OutputIntent::from_file(
                &path,
                spec.condition.as_deref(),
                spec.info.as_deref(),
                spec.registry.as_deref(),
            )
            .map_err(|e| {
                c.err(format!(
                    "[production.output_intent] profile {}: {e}",
                    path.display()
                ))
            })
            .ok()
        });
        let faces = c.book.as_ref().map(|b| b.faces().to_vec()).unwrap_or_default();
        static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut layout = Layout {
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            name: file.layout.name.clone(),
            path: path.to_owned(),
            width,
            height,
            faces,
            styles,
            style_names,
            templates,
            fields,
            first,
            continuation,
            body,
            forms: Vec::new(),
            images,
            assets,
            job: job.clone(),
            declared_styles: file.styles.keys().cloned().collect(),
            address_defaults: file
                .fields
                .iter()
                .filter(|(k, _)| crate::mailprep::ADDRESS_FIELDS.contains(&k.as_str()))
                .filter_map(|(k, v)| v.default.clone().map(|d| (k.clone(), d)))
                .collect(),
            mapping: file.mapping.clone(),
            computed_used: used
                .iter()
                .filter(|f| COMPUTED_FIELDS.contains(&f.as_str()))
                .cloned()
                .collect(),
            email,
            sms,
            production: file.production.clone(),
            output_intent,
            catalogue,
        };
        // Templates are tried with placeholder values even when other problems were found,
        // so that `pli check` lists everything at once.
        let dry_run: Vec<String> = layout
            .dry_run()
            .into_iter()
            .map(|e| format!("{shown}: {e}"))
            .collect();
        if !c.errors.is_empty() {
            c.errors.extend(dry_run);
            return Err(LayoutErrors(c.errors));
        }
        // Static content: laid out once, with the job's values.
        let mut errors = Vec::new();
        for (kind, list) in [(0usize, static_first), (1, static_next)] {
            if list.is_empty() {
                continue;
            }
            let id = layout.add_form(list, Bleed::default(), &shown, &mut errors);
            if kind == 0 {
                layout.first.form = Some(id);
            } else {
                layout.continuation.form = Some(id);
            }
        }
        layout.catalogue_forms(catalogue_statics, &shown, &mut errors);
        errors.extend(dry_run);
        if !errors.is_empty() {
            return Err(LayoutErrors(errors));
        }
        Ok(layout)
    }

    /// Whether any template uses `field` (such as the computed `address_lines`).
    pub fn templates_use(&self, field: &str) -> bool {
        self.computed_used.contains(field)
    }

    /// The job values as template data.
    pub fn job_json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("date".into(), self.job.date.clone().into());
        m.insert("date_iso".into(), self.job.date_iso.clone().into());
        m
    }

    /// Lays out static elements once into a new form; their problems go into `errors`.
    pub(super) fn add_form(
        &mut self,
        list: Vec<(String, StaticEl)>,
        bleed: Bleed,
        shown: &str,
        errors: &mut Vec<String>,
    ) -> FormId {
        let mut page = Page {
            width: self.width,
            height: self.height,
            items: Vec::new(),
            bleed,
        };
        for (name, el) in list {
            if let Err(e) = self.draw_static(&el, &mut page.items) {
                errors.push(format!("{shown}: element `{name}`: {e}"));
            }
        }
        let id = FormId(self.forms.len() as u16);
        self.forms.push(Form {
            id,
            page: Arc::new(page),
        });
        id
    }

    pub(super) fn draw_static(&self, el: &StaticEl, items: &mut Vec<Item>) -> Result<(), String> {
        match el {
            StaticEl::Item(item) => items.push(item.clone()),
            StaticEl::Text {
                frame,
                style,
                template,
            } => {
                let data = serde_json::Value::Object(self.job_json());
                let out = self.templates.render(template, &data)?;
                let blocks = super::markup::parse(&out)?;
                let mut missing = Vec::new();
                let filled = super::piece::fill_frame(self, &blocks, *frame, *style, items, &mut missing)?;
                if !missing.is_empty() {
                    return Err(format!(
                        "the fonts have no glyph for {}",
                        crate::record::describe_chars(&missing)
                    ));
                }
                if !filled {
                    return Err("the text does not fit in the frame".into());
                }
            }
            StaticEl::Image { frame, fit, image } => {
                super::piece::draw_image(self, *image, *frame, *fit, items)
            }
        }
        Ok(())
    }

    /// Renders every record-dependent template with placeholder values and checks the
    /// markup it makes, so that a markup error, an unknown helper or an unknown
    /// paragraph class is found by `pli check` rather than on every record.
    fn dry_run(&self) -> Vec<String> {
        let mut data = self.job_json();
        data.insert("record_id".into(), "R1".into());
        for (name, default) in &self.fields {
            data.insert(name.clone(), default.clone().unwrap_or_else(|| "x".into()).into());
        }
        data.insert("address_lines".into(), serde_json::json!(["x", "x"]));
        if let Some(cat) = &self.catalogue {
            data.insert("products".into(), cat.placeholder_products());
        }
        let data = serde_json::Value::Object(data);
        let mut problems = Vec::new();
        let mut texts: Vec<(String, &str)> = Vec::new();
        let masters = self.catalogue.iter().flat_map(|c| c.variables());
        for v in self
            .first
            .variable
            .iter()
            .chain(&self.continuation.variable)
            .chain(masters)
        {
            match v {
                Variable::Text { name, template, .. } => texts.push((format!("element `{name}`"), template)),
                Variable::Image {
                    name,
                    source: ImageSource::Template(t),
                    ..
                } => {
                    if let Err(e) = self.templates.render(t, &data) {
                        problems.push(format!("element `{name}` file: {e}"));
                    }
                }
                Variable::Image { .. } => {}
            }
        }
        if let Some(body) = &self.body {
            texts.push(("[body]".into(), &body.template));
        }
        for (what, template) in texts {
            if !self.templates.has(template) {
                continue; // its syntax error is reported already
            }
            let out = match self.templates.render(template, &data) {
                Ok(out) => out,
                Err(e) => {
                    problems.push(format!("{what} text: {e}"));
                    continue;
                }
            };
            match super::markup::parse(&out) {
                Ok(blocks) => {
                    for b in blocks {
                        if let Some(class) = b.style.filter(|c| !self.declared_styles.contains(c)) {
                            problems.push(format!(
                                "{what} text: <p class=\"{class}\">: the layout has no style `{class}`"
                            ));
                        }
                    }
                }
                Err(e) => problems.push(format!("{what} text: {e}")),
            }
        }
        problems.extend(self.dry_run_channels(&data));
        let mut unique = Vec::new();
        for p in problems {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        unique
    }

    /// Resolves a record's image path inside the assets folder, refusing escapes.
    pub fn asset_path(&self, name: &str) -> Result<PathBuf, String> {
        safe_join(&self.assets, name)
    }
}

/// A production file: a `[production]` table, or the same keys at the top. Its output
/// intent's profile is made absolute, relative to the file.
fn read_production(path: &Path) -> Result<ProductionSpec, LayoutErrors> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wrapped {
        production: ProductionSpec,
    }
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| LayoutErrors(vec![format!("{shown}: cannot read the production file: {e}")]))?;
    let wrapped = text
        .parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("production"));
    let parsed = match wrapped {
        true => toml::from_str::<Wrapped>(&text).map(|w| w.production),
        false => toml::from_str::<ProductionSpec>(&text),
    };
    let mut spec = parsed.map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(", line {}", text[..s.start].matches('\n').count() + 1))
            .unwrap_or_default();
        LayoutErrors(vec![format!("{shown}{at}: {}", e.message())])
    })?;
    if let Some(intent) = &mut spec.output_intent {
        let base = path.parent().unwrap_or(Path::new("."));
        intent.profile = base.join(&intent.profile).to_string_lossy().into_owned();
    }
    Ok(spec)
}
