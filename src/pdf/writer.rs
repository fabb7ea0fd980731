//! The single writer: pages streamed into a PDF file as they come, fonts and trees at the end.
//!
//! Objects go to the file as soon as they are known; only their offsets, the page refs and
//! the piece list stay in memory. Object 1 is the page tree root, object 2 the one resources
//! dictionary shared by every page and form; both are written by [`PdfWriter::finish`], with
//! the fonts (subset to the glyphs the file used), the outline, the catalog and the xref.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pdf_writer::types::{OutputIntentSubtype, PageMode, TrappingStatus};
use pdf_writer::writers::{Catalog, DocumentInfo};
use pdf_writer::{Chunk, Filter, Name, Rect, Ref, Settings, TextStr};

use super::content::{EncodedPage, GlyphSet};
use super::deflate::zlib;
use super::font;
use super::pdfx::{uuid, PdfX, Xmp};
use crate::compose::fonts::Face;
use crate::compose::image::ImageStore;

mod records;
mod resources;

/// Pages per intermediate node of the page tree.
const PAGES_PER_NODE: usize = 128;
/// The page tree root.
const PAGE_TREE: Ref = Ref::new(1);
/// The resources dictionary every page and form refers to.
const RESOURCES: Ref = Ref::new(2);
/// Zlib level for ICC profiles (written once per file).
const PROFILE_LEVEL: u8 = 9;
/// The producer named in the Info dictionary and the XMP metadata.
const PRODUCER: &str = "pli";

/// Everything shared by every file of a run: faces, images, the layout's static forms (already encoded).
pub struct Shared {
    /// The faces, indexed by `FontId`.
    pub faces: Vec<Arc<Face>>,
    /// The run's images.
    pub images: Arc<ImageStore>,
    /// The layout's forms, encoded, indexed by `FormId`.
    pub forms: Vec<EncodedPage>,
    /// PDF/X-4 output (`--pdfx4`): the output intent and the job's date; `None` for plain PDF.
    /// The pages and forms must then be encoded with its [`PdfX::color_mode`].
    pub pdfx: Option<PdfX>,
}

impl Shared {
    /// How pages for these files are to be encoded.
    pub fn color_mode(&self) -> super::ColorMode {
        self.pdfx.as_ref().map_or_else(Default::default, PdfX::color_mode)
    }
}

/// A mailpiece's metadata in its document part.
#[derive(Copy, Clone, Debug, Default)]
pub struct RecordMeta<'a> {
    /// The piece's id.
    pub piece_id: &'a str,
    /// Its record's id (empty: none).
    pub record_id: &'a str,
    /// Sheets it is printed on (0: not given).
    pub sheets: u32,
    /// Its tray (0: not presorted).
    pub tray: u32,
    /// Its bundle (0: not presorted).
    pub bundle: u32,
}

/// What a finished file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    /// Where it was written.
    pub path: PathBuf,
    /// Number of pages.
    pub pages: u32,
    /// Size in bytes.
    pub bytes: u64,
}

/// A PDF file being written, page after page.
pub struct PdfWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<Out>,
    shared: Arc<Shared>,
    title: String,
    refs: Refs,
    /// Page object refs, in page order.
    pages: Vec<Ref>,
    /// Intermediate page tree nodes, one per `PAGES_PER_NODE` pages.
    nodes: Vec<Ref>,
    /// Glyphs used per face, indexed by `FontId`.
    fonts: Vec<Option<GlyphSet>>,
    /// Image XObjects written, indexed by `ImageId`.
    images: Vec<Option<Ref>>,
    /// Form XObjects written, indexed by `FormId`.
    forms: Vec<Option<Ref>>,
    /// Piece ids, concatenated.
    piece_text: String,
    /// Per piece: end of its id in `piece_text`, and its first page (1-based).
    pieces: Vec<(usize, u32)>,
    /// Per piece: its document part (PDF/VT-style record node), reserved when it begins.
    dparts: Vec<Ref>,
    /// Record ids, concatenated, and where each piece's ends (empty when not given).
    record_text: String,
    record_ends: Vec<usize>,
    /// Per piece: its sheets, tray and bundle (0: not given).
    record_place: Vec<[u32; 3]>,
    /// The content stream moving trim coordinates onto a sheet with bleed, by margin.
    shifts: Vec<(u32, Ref)>,
    /// Overlay streams written, by key.
    overlays: Vec<(u32, Ref)>,
    /// PDF/X-4: the ICC profile streams images refer to, sRGB and generic CMYK, once written.
    srgb: Option<Ref>,
    generic_cmyk: Option<Ref>,
}

/// Object numbers handed out so far, and where each object starts in the file.
pub(super) struct Refs {
    offsets: Vec<u64>,
}

impl Refs {
    /// A fresh object number.
    pub(super) fn bump(&mut self) -> Ref {
        self.offsets.push(0);
        Ref::new(self.offsets.len() as i32)
    }
}

/// Objects written into one chunk, with where each starts in it.
pub(super) struct Objects {
    chunk: Chunk,
    starts: Vec<(Ref, usize)>,
}

impl Objects {
    /// An empty chunk for about `capacity` bytes.
    pub(super) fn new(capacity: usize) -> Objects {
        Objects {
            chunk: Chunk::with_settings_and_capacity(Settings { pretty: false }, capacity),
            starts: Vec::new(),
        }
    }

    /// The chunk, to write the object `id` (exactly one object per call).
    pub(super) fn at(&mut self, id: Ref) -> &mut Chunk {
        self.starts.push((id, self.chunk.len()));
        &mut self.chunk
    }
}

/// The output file, counting and hashing what goes through.
struct Out {
    file: BufWriter<File>,
    pos: u64,
    hash: Hash128,
}

impl Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.hash.update(bytes);
        self.pos += bytes.len() as u64;
        Ok(())
    }
}

impl PdfWriter {
    /// Starts a PDF at `path` (written to `path` + ".tmp" then renamed by finish). `title` goes
    /// into /Info (no dates: output must be byte-identical across runs; PDF/X-4 files carry
    /// the job's date). A PDF/X-4 file (`shared.pdfx`) declares PDF 1.6, else 1.7.
    pub fn create(path: &Path, shared: Arc<Shared>, title: &str) -> io::Result<PdfWriter> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = BufWriter::with_capacity(256 * 1024, File::create(&tmp)?);
        let mut writer = PdfWriter {
            path: path.to_owned(),
            tmp,
            out: Some(Out {
                file,
                pos: 0,
                hash: Hash128::default(),
            }),
            fonts: vec![None; shared.faces.len()],
            forms: vec![None; shared.forms.len()],
            shared,
            title: title.to_owned(),
            refs: Refs { offsets: Vec::new() },
            pages: Vec::new(),
            nodes: Vec::new(),
            images: Vec::new(),
            piece_text: String::new(),
            pieces: Vec::new(),
            dparts: Vec::new(),
            record_text: String::new(),
            record_ends: Vec::new(),
            record_place: Vec::new(),
            shifts: Vec::new(),
            overlays: Vec::new(),
            srgb: None,
            generic_cmyk: None,
        };
        assert_eq!((writer.refs.bump(), writer.refs.bump()), (PAGE_TREE, RESOURCES));
        let header: &[u8] = match writer.shared.pdfx {
            Some(_) => b"%PDF-1.6\n%\xE2\xE3\xCF\xD3\n",
            None => b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
        };
        writer.out()?.write(header)?;
        Ok(writer)
    }

    /// Appends a page; returns its 1-based page number in the file.
    pub fn add_page(&mut self, page: &EncodedPage) -> io::Result<u32> {
        self.add_page_with(page, None)
    }

    /// Appends a page with an overlay drawn after its content, in its own coordinates:
    /// `(key, operators)`, the stream written once per file for each key (e.g. the 16
    /// OMR codes), so that the page's own content stays as it was composed.
    pub fn add_page_with(&mut self, page: &EncodedPage, overlay: Option<(u32, &[u8])>) -> io::Result<u32> {
        self.use_resources(&page.usage)?;
        if self.pages.len() % PAGES_PER_NODE == 0 {
            let node = self.refs.bump();
            self.nodes.push(node);
        }
        let parent = *self.nodes.last().expect("a node for this page");
        let content = self.refs.bump();
        let page_ref = self.refs.bump();
        let mut objects = Objects::new(page.content.len() + 300);
        objects
            .at(content)
            .stream(content, &page.content)
            .filter(Filter::FlateDecode);
        let margin = page.bleed.margin.to_pt();
        let shift = if margin > 0.0 {
            Some(self.shift(&mut objects, margin))
        } else {
            None
        };
        let overlay = overlay.map(|(key, ops)| self.overlay(&mut objects, key, ops));
        let mut w = objects.at(page_ref).page(page_ref);
        w.parent(parent)
            .media_box(page_box(page))
            .trim_box(trim_box(page));
        if shift.is_some() {
            w.bleed_box(grown(trim_box(page), page.bleed.bleed.to_pt()));
        } else if self.shared.pdfx.is_some() {
            // PDF/X-4 wants a BleedBox on every page: without bleed, the trim.
            w.bleed_box(trim_box(page));
        }
        match (shift, overlay) {
            (None, None) => {
                w.contents(content);
            }
            // The display list is in trim coordinates: a shared prefix moves it onto the sheet.
            (shift, overlay) => {
                let parts = shift.into_iter().chain([content]).chain(overlay);
                w.insert(Name(b"Contents")).array().items(parts);
            }
        }
        w.pair(Name(b"Resources"), RESOURCES);
        if let Some(&dpart) = self.dparts.last() {
            w.pair(Name(b"DPart"), dpart);
        }
        drop(w);
        self.emit(objects)?;
        self.pages.push(page_ref);
        Ok(self.pages.len() as u32)
    }

    /// The stream `1 0 0 1 m m cm` for a margin of `m` points, written once per file.
    fn shift(&mut self, objects: &mut Objects, margin: f32) -> Ref {
        let m = (margin * 100.0).round() / 100.0;
        if let Some((_, r)) = self.shifts.iter().find(|(k, _)| *k == m.to_bits()) {
            return *r;
        }
        let r = self.refs.bump();
        let ops = format!("1 0 0 1 {m} {m} cm\n");
        objects.at(r).stream(r, ops.as_bytes());
        self.shifts.push((m.to_bits(), r));
        r
    }

    /// The overlay stream of `key`, written once per file.
    fn overlay(&mut self, objects: &mut Objects, key: u32, ops: &[u8]) -> Ref {
        if let Some((_, r)) = self.overlays.iter().find(|(k, _)| *k == key) {
            return *r;
        }
        let r = self.refs.bump();
        objects.at(r).stream(r, ops);
        self.overlays.push((key, r));
        r
    }

    /// Renames the file `finish` moves into place (a name that says which pieces it
    /// holds is known only when it is full).
    pub fn set_path(&mut self, path: &Path) {
        self.path = path.to_owned();
    }

    /// Pages so far.
    pub fn pages(&self) -> u32 {
        self.pages.len() as u32
    }

    /// Writes fonts (subset to the glyphs this file used), resources, page tree, outline, catalog, xref and trailer; renames the temp file into place.
    pub fn finish(mut self) -> io::Result<FileSummary> {
        let mut objects = Objects::new(64 * 1024);
        // Fonts, in face order.
        let mut font_refs = Vec::new();
        let shared = self.shared.clone();
        for (index, glyphs) in self.fonts.iter().enumerate() {
            if let Some(glyphs) = glyphs.as_ref().filter(|g| !g.is_empty()) {
                let face = &shared.faces[index];
                font_refs.push((index, font::embed(face, glyphs, &mut self.refs, &mut objects)?));
            }
        }
        // The shared resources.
        {
            let mut dict = objects.at(RESOURCES).indirect(RESOURCES).dict();
            if !font_refs.is_empty() {
                let mut fonts = dict.insert(Name(b"Font")).dict();
                for (index, font) in &font_refs {
                    fonts.pair(Name(format!("F{index}").as_bytes()), *font);
                }
            }
            let images = self
                .images
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (i, r)));
            let forms = self
                .forms
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (i, r)));
            if self.images.iter().chain(&self.forms).any(Option::is_some) {
                let mut xobjects = dict.insert(Name(b"XObject")).dict();
                for (index, image) in images {
                    xobjects.pair(Name(format!("Im{index}").as_bytes()), image);
                }
                for (index, form) in forms {
                    xobjects.pair(Name(format!("X{index}").as_bytes()), form);
                }
            }
        }
        // The page tree: a root over nodes of up to PAGES_PER_NODE pages.
        for (node, kids) in self.nodes.iter().zip(self.pages.chunks(PAGES_PER_NODE)) {
            objects
                .at(*node)
                .pages(*node)
                .parent(PAGE_TREE)
                .kids(kids.iter().copied())
                .count(kids.len() as i32);
        }
        objects
            .at(PAGE_TREE)
            .pages(PAGE_TREE)
            .kids(self.nodes.iter().copied())
            .count(self.pages.len() as i32);
        self.emit(objects)?;
        let dparts = self.write_dparts()?;
        let outline = self.write_outline()?;
        let pdfx = self.write_pdfx()?;
        // Catalog and info.
        let catalog = self.refs.bump();
        let info = self.refs.bump();
        let mut objects = Objects::new(512);
        {
            let mut cat = objects.at(catalog).indirect(catalog).start::<Catalog>();
            cat.pages(PAGE_TREE).page_mode(PageMode::UseNone);
            if let Some(outline) = outline {
                cat.outlines(outline);
            }
            if let (Some((profile, metadata)), Some(x)) = (pdfx, &shared.pdfx) {
                cat.metadata(metadata);
                cat.output_intents()
                    .push()
                    .subtype(OutputIntentSubtype::PDFX)
                    .output_condition_identifier(TextStr(&x.intent.condition))
                    .registry_name(TextStr(&x.intent.registry))
                    .info(TextStr(&x.intent.info))
                    .dest_output_profile(profile);
            }
            if let Some(root) = dparts {
                let mut d = cat.insert(Name(b"DPartRoot")).dict();
                d.pair(Name(b"Type"), Name(b"DPartRoot"));
                d.pair(Name(b"DPartRootNode"), root);
                d.pair(Name(b"RecordLevel"), 1);
                d.insert(Name(b"NodeNameList"))
                    .array()
                    .items([Name(b"File"), Name(b"Mailpiece")]);
            }
        }
        {
            let mut i = objects.at(info).indirect(info).start::<DocumentInfo>();
            i.title(TextStr(&self.title)).producer(TextStr(PRODUCER));
            if let Some(x) = &shared.pdfx {
                // The same instant as the XMP packet's dates.
                i.creation_date(x.pdf_date())
                    .modified_date(x.pdf_date())
                    .trapped(TrappingStatus::NotTrapped);
                i.pair(Name(b"GTS_PDFXVersion"), TextStr("PDF/X-4"));
            }
        }
        self.emit(objects)?;
        self.write_xref(catalog, info)?;
        let mut out = self.out.take().expect("not finished twice");
        out.file.flush()?;
        let file = out.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        if let Err(e) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e);
        }
        Ok(FileSummary {
            path: self.path.clone(),
            pages: self.pages.len() as u32,
            bytes: out.pos,
        })
    }

    /// PDF/X-4: writes the output intent's profile and the XMP metadata; returns their refs.
    ///
    /// The document id comes from the file's name, title and date (the same file of the
    /// same job keeps it); the instance id also from everything written so far.
    fn write_pdfx(&mut self) -> io::Result<Option<(Ref, Ref)>> {
        let shared = self.shared.clone();
        let Some(pdfx) = &shared.pdfx else {
            return Ok(None);
        };
        let profile = self.refs.bump();
        let metadata = self.refs.bump();
        let packed = zlib(&pdfx.intent.profile, PROFILE_LEVEL);
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let date = pdfx.xmp_date();
        let document_id = uuid(&[name.as_bytes(), self.title.as_bytes(), date.as_bytes()]);
        let written = self.out()?.hash.digest();
        let instance_id = uuid(&[document_id.as_bytes(), &written]);
        let packet = Xmp {
            title: &self.title,
            producer: PRODUCER,
            date: &date,
            document_id: &document_id,
            instance_id: &instance_id,
        }
        .packet();
        let mut objects = Objects::new(packed.len() + packet.len() + 300);
        objects
            .at(profile)
            .icc_profile(profile, &packed)
            .n(pdfx.intent.space.components())
            .filter(Filter::FlateDecode);
        // Uncompressed, so that tools that do not parse PDF can find it.
        objects.at(metadata).metadata(metadata, packet.as_bytes());
        self.emit(objects)?;
        Ok(Some((profile, metadata)))
    }

    fn write_xref(&mut self, catalog: Ref, info: Ref) -> io::Result<()> {
        let out = self.out.as_mut().expect("writer open");
        let id = out.hash.digest();
        let start = out.pos;
        let count = self.refs.offsets.len() + 1;
        let mut table = Vec::with_capacity(count * 20 + 256);
        write!(table, "xref\n0 {count}\n0000000000 65535 f\r\n")?;
        for offset in &self.refs.offsets {
            debug_assert!(*offset > 0, "every object is written");
            write!(table, "{offset:010} 00000 n\r\n")?;
        }
        let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
        write!(
            table,
            "trailer\n<</Size {count}/Root {} 0 R/Info {} 0 R/ID[<{hex}><{hex}>]>>\nstartxref\n{start}\n%%EOF\n",
            catalog.get(),
            info.get()
        )?;
        out.write(&table)
    }

    fn out(&mut self) -> io::Result<&mut Out> {
        self.out
            .as_mut()
            .ok_or_else(|| io::Error::other("the PDF writer is already finished"))
    }

    /// Writes a chunk of objects to the file, recording where each starts.
    fn emit(&mut self, objects: Objects) -> io::Result<()> {
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| io::Error::other("the PDF writer is finished"))?;
        let base = out.pos;
        for (id, at) in &objects.starts {
            self.refs.offsets[id.get() as usize - 1] = base + *at as u64;
        }
        out.write(objects.chunk.as_bytes())
    }
}

impl Drop for PdfWriter {
    fn drop(&mut self) {
        if let Some(out) = self.out.take() {
            drop(out);
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Rounds to hundredths of a point.
fn round(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// The media box: the trimmed page and its margin, from `[0 0]`, in points.
fn page_box(page: &EncodedPage) -> Rect {
    let m = 2.0 * page.bleed.margin.to_pt();
    Rect::new(
        0.0,
        0.0,
        round(page.width.to_pt() + m),
        round(page.height.to_pt() + m),
    )
}

/// The trim box: the page's own size, inside its margin.
fn trim_box(page: &EncodedPage) -> Rect {
    let m = round(page.bleed.margin.to_pt());
    Rect::new(
        m,
        m,
        round(m + page.width.to_pt()),
        round(m + page.height.to_pt()),
    )
}

/// A box grown by `by` points on each side.
fn grown(r: Rect, by: f32) -> Rect {
    let by = round(by);
    Rect::new(r.x1 - by, r.y1 - by, r.x2 + by, r.y2 + by)
}

/// A simple 128-bit hash of everything written, for the file's deterministic `/ID`.
#[derive(Clone, Default)]
pub(super) struct Hash128 {
    a: u64,
    b: u64,
    tail: [u8; 8],
    tail_len: usize,
    total: u64,
}

impl Hash128 {
    /// Adds bytes.
    pub(super) fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&data[..take]);
            self.tail_len += take;
            data = &data[take..];
            if self.tail_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = data.chunks_exact(8);
        for word in &mut words {
            self.mix(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    fn mix(&mut self, word: u64) {
        self.a = (self.a ^ word)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
        self.b = (self.b.wrapping_add(word) ^ self.a)
            .wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            .rotate_left(31);
    }

    /// The hash of what was added so far.
    pub(super) fn digest(&self) -> [u8; 16] {
        let mut end = self.clone();
        let mut last = [0u8; 8];
        last[..self.tail_len].copy_from_slice(&self.tail[..self.tail_len]);
        end.mix(u64::from_le_bytes(last));
        end.mix(self.total);
        let fmix = |mut k: u64| {
            k ^= k >> 33;
            k = k.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
            k ^= k >> 33;
            k = k.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
            k ^ (k >> 33)
        };
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&fmix(end.a ^ end.b.rotate_left(17)).to_be_bytes());
        id[8..].copy_from_slice(&fmix(end.b ^ end.a.rotate_left(41)).to_be_bytes());
        id
    }
}
