//! End-to-end tests: pages built by hand, written, read back with lopdf and checked with poppler/qpdf.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use lopdf::{Document, Object};

use super::*;
use crate::compose::fonts::{Face, FontBook, FontId};
use crate::compose::image::ImageStore;
use crate::compose::page::{FormId, Glyphs, Item, Page, PlacedGlyph, TextRun};
use crate::units::{Color, Length, Rect};

const TEXT: &str = "Chère Françoise, défi";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pli-pdf-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lato() -> (FontBook, FontId) {
    let mut book = FontBook::scan(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts"))).unwrap();
    let id = book.select("Lato", false, false).unwrap();
    (book, id)
}

/// `text` shaped and placed from `x` on `baseline`, as the compositor would.
fn run(face: &Face, text: &str, size: f32, x: f32, baseline: f32) -> TextRun {
    let shaped = face.shape(text);
    let unit = size / face.upem as f32;
    let mut pen = x;
    let glyphs: Vec<PlacedGlyph> = shaped
        .glyphs
        .iter()
        .map(|g| {
            let placed = PlacedGlyph {
                gid: g.gid,
                x: Length::pt(pen + g.dx as f32 * unit),
                rise: Length::pt(g.dy as f32 * unit),
            };
            pen += g.advance as f32 * unit;
            placed
        })
        .collect();
    TextRun {
        font: face.id,
        size: Length::pt(size),
        color: Color::BLACK,
        baseline: Length::pt(baseline),
        dx: Length::ZERO,
        glyphs: Glyphs::shared(glyphs),
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Rect {
    Rect::new(Length::pt(x), Length::pt(y), Length::pt(w), Length::pt(h)).unwrap()
}

struct Fixture {
    shared: Arc<Shared>,
    pages: Vec<EncodedPage>,
    jpeg: Vec<u8>,
    font_size: usize,
}

fn fixture(dir: &Path) -> Fixture {
    fixture_with(dir, None)
}

/// The fixture, for PDF/X-4 files when `pdfx` is given (pages and forms encoded to match).
fn fixture_with(dir: &Path, pdfx: Option<PdfX>) -> Fixture {
    let colors = pdfx.as_ref().map_or_else(Default::default, PdfX::color_mode);
    let (book, id) = lato();
    let face = book.face(id);
    let png_path = dir.join("logo.png");
    let rgba: Vec<u8> = (0..16u32 * 16)
        .flat_map(|i| {
            [
                (i * 3) as u8,
                (i * 7) as u8,
                200,
                if i % 5 == 0 { 0 } else { 255 },
            ]
        })
        .collect();
    let mut encoder = png::Encoder::new(std::fs::File::create(&png_path).unwrap(), 16, 16);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(&rgba).unwrap();
    let jpeg_path = dir.join("photo.jpg");
    let pixels: Vec<u8> = (0..24u32 * 16 * 3).map(|i| (i * 5 % 256) as u8).collect();
    jpeg_encoder::Encoder::new_file(&jpeg_path, 85)
        .unwrap()
        .encode(&pixels, 24, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let images = ImageStore::new();
    let png_id = images.load(&png_path).unwrap();
    let jpeg_id = images.load(&jpeg_path).unwrap();

    let (width, height) = (Length::mm(210.0), Length::mm(297.0));
    let faces = book.faces().to_vec();
    let form = Page {
        bleed: Default::default(),
        width,
        height,
        items: vec![
            Item::Text(run(face, "Réf. client", 8.0, 400.0, 60.0)),
            Item::Rect {
                rect: rect(20.0, 20.0, 100.0, 30.0),
                fill: Some(Color::Cmyk(0.1, 0.0, 0.0, 0.0)),
                stroke: None,
            },
            Item::Image {
                image: png_id,
                rect: rect(25.0, 22.0, 26.0, 26.0),
                clip: None,
            },
        ],
    };
    let shared = Arc::new(Shared {
        forms: vec![encode_page_with(&form, &faces, colors)],
        faces,
        images: Arc::new(images),
        pdfx,
    });
    let page = |number: usize| {
        let mut items = vec![
            Item::Form(FormId(0)),
            Item::Text(run(face, TEXT, 11.0, 70.0, 200.0 + number as f32)),
            Item::Line {
                from: (Length::pt(70.0), Length::pt(210.0)),
                to: (Length::pt(500.0), Length::pt(210.0)),
                width: Length::pt(0.5),
                color: Color::Gray(0.0),
            },
            Item::Rect {
                rect: rect(70.0, 300.0, 200.0, 50.0),
                fill: Some(Color::Rgb(0.9, 0.9, 1.0)),
                stroke: Some((Color::Cmyk(1.0, 0.0, 0.0, 0.0), Length::pt(1.0))),
            },
        ];
        if number != 2 {
            items.push(Item::Image {
                image: png_id,
                rect: rect(300.0, 400.0, 80.0, 80.0),
                clip: None,
            });
        }
        if number >= 2 {
            items.push(Item::Image {
                image: jpeg_id,
                rect: rect(300.0, 500.0, 120.0, 80.0),
                clip: Some(rect(310.0, 510.0, 60.0, 60.0)),
            });
        }
        encode_page_with(
            &Page {
                width,
                height,
                items,
                bleed: Default::default(),
            },
            &shared.faces,
            colors,
        )
    };
    Fixture {
        pages: (1..=3).map(page).collect(),
        jpeg: std::fs::read(&jpeg_path).unwrap(),
        font_size: face.data.len(),
        shared,
    }
}

fn write(fixture: &Fixture, path: &Path) -> FileSummary {
    let mut writer = PdfWriter::create(path, fixture.shared.clone(), "Test run – lettres").unwrap();
    for (i, page) in fixture.pages.iter().enumerate() {
        if i != 1 {
            writer.begin_piece(&format!("P{:04}", i + 1));
        }
        assert_eq!(writer.add_page(page).unwrap(), i as u32 + 1);
    }
    assert_eq!(writer.pages(), 3);
    writer.finish().unwrap()
}

fn subtype(object: &Object) -> Option<&[u8]> {
    let dict = match object {
        Object::Stream(s) => &s.dict,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    dict.get(b"Subtype").and_then(Object::as_name).ok()
}

#[test]
fn writes_a_valid_pdf_with_shared_forms_images_and_subset_fonts() {
    let dir = temp_dir("file");
    let fixture = fixture(&dir);
    let path = dir.join("out.pdf");
    let summary = write(&fixture, &path);
    assert_eq!(summary.pages, 3);
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    assert!(!dir.join("out.pdf.tmp").exists());

    let doc = Document::load(&path).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 3);
    let forms: Vec<_> = doc
        .objects
        .iter()
        .filter(|(_, o)| subtype(o) == Some(b"Form"))
        .collect();
    assert_eq!(forms.len(), 1, "one form object for all pages");
    let images: Vec<_> = doc
        .objects
        .values()
        .filter(|o| subtype(o) == Some(b"Image"))
        .collect();
    assert_eq!(images.len(), 3, "PNG, its soft mask and the JPEG, once each");
    let jpeg: Vec<_> = images
        .iter()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Filter").and_then(Object::as_name).ok() == Some(b"DCTDecode"))
        .collect();
    assert_eq!(jpeg.len(), 1);
    assert_eq!(jpeg[0].content, fixture.jpeg, "JPEG passed through");

    let resources = doc
        .get_dictionary(pages[&1])
        .unwrap()
        .get(b"Resources")
        .unwrap()
        .as_reference()
        .unwrap();
    for &page in pages.values() {
        let dict = doc.get_dictionary(page).unwrap();
        assert_eq!(dict.get(b"Resources").unwrap().as_reference().unwrap(), resources);
        let content = String::from_utf8_lossy(&doc.get_page_content(page).unwrap()).into_owned();
        assert!(content.contains("TJ") && content.contains("/X0 Do"), "{content}");
    }
    let xobjects = doc
        .get_dictionary(resources)
        .unwrap()
        .get(b"XObject")
        .unwrap()
        .as_dict()
        .unwrap();
    assert_eq!(xobjects.get(b"X0").unwrap().as_reference().unwrap(), *forms[0].0);

    let fonts: Vec<_> = doc
        .objects
        .values()
        .filter(|o| subtype(o) == Some(b"Type0"))
        .collect();
    assert_eq!(fonts.len(), 1);
    let font = fonts[0].as_dict().unwrap();
    assert_eq!(font.get(b"Encoding").unwrap().as_name().unwrap(), b"Identity-H");
    let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
    assert!(
        base.len() == 7 + "Lato-Regular".len() && base[6] == b'+',
        "{}",
        String::from_utf8_lossy(base)
    );
    let cid = doc
        .get_dictionary(
            font.get(b"DescendantFonts").unwrap().as_array().unwrap()[0]
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    let descriptor = doc
        .get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap())
        .unwrap();
    let file = doc
        .get_object(descriptor.get(b"FontFile2").unwrap().as_reference().unwrap())
        .unwrap();
    let subset = file.as_stream().unwrap().decompressed_content().unwrap();
    assert!(
        subset.len() * 5 < fixture.font_size,
        "{} vs {}",
        subset.len(),
        fixture.font_size
    );

    let catalog = doc.catalog().unwrap();
    let outline = doc
        .get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap())
        .unwrap();
    assert_eq!(outline.get(b"Count").unwrap().as_i64().unwrap(), 2);

    run_tools(&path);
    if std::env::var_os("PLI_KEEP").is_none() {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// Checks the file with qpdf, pdftotext and pdffonts when they are installed.
fn run_tools(path: &Path) {
    let tool = |name: &str, args: &[&str]| -> Option<std::process::Output> {
        match Command::new(name)
            .args(args)
            .arg(path)
            .args(if name == "pdftotext" { &["-"][..] } else { &[] })
            .output()
        {
            Ok(output) => Some(output),
            Err(_) if std::env::var("PLI_REQUIRE_TOOLS").as_deref() == Ok("1") => {
                panic!("{name} is required (PLI_REQUIRE_TOOLS=1) but not installed")
            }
            Err(_) => {
                println!("skipped: {name} not installed");
                None
            }
        }
    };
    let Some(qpdf) = tool("qpdf", &["--check"]) else {
        return;
    };
    let report = String::from_utf8_lossy(&qpdf.stdout).into_owned() + &String::from_utf8_lossy(&qpdf.stderr);
    assert!(qpdf.status.success(), "qpdf --check failed:\n{report}");
    assert!(!report.contains("WARNING"), "{report}");
    let Some(text) = tool("pdftotext", &["-enc", "UTF-8"]) else {
        return;
    };
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(TEXT), "pdftotext gave:\n{text}");
    assert!(text.contains("Réf. client"), "pdftotext gave:\n{text}");
    let Some(fonts) = tool("pdffonts", &[]) else {
        return;
    };
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let line = fonts
        .lines()
        .find(|l| l.contains("Lato-Regular"))
        .unwrap_or_else(|| panic!("{fonts}"));
    assert!(
        line.contains("CID TrueType") && line.contains("yes yes yes"),
        "{fonts}"
    );
}

#[test]
fn same_input_gives_identical_bytes() {
    let dir = temp_dir("identical");
    let fixture = fixture(&dir);
    write(&fixture, &dir.join("a.pdf"));
    write(&fixture, &dir.join("b.pdf"));
    let a = std::fs::read(dir.join("a.pdf")).unwrap();
    assert!(
        a == std::fs::read(dir.join("b.pdf")).unwrap(),
        "a.pdf and b.pdf differ"
    );
    // Freshly loaded fonts and images, on a thread whose shaping cache is empty (the cache is
    // per thread and keyed by font id, so a second FontBook on this thread would skip recording
    // the glyphs' text).
    let again = dir.join("again");
    std::fs::create_dir_all(&again).unwrap();
    let c = again.join("c.pdf");
    std::thread::spawn(move || write(&self::fixture(&again), &c))
        .join()
        .unwrap();
    let c = std::fs::read(dir.join("again").join("c.pdf")).unwrap();
    assert!(a == c, "a.pdf and c.pdf (fresh inputs) differ");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn dropping_an_unfinished_writer_removes_the_temp_file() {
    let dir = temp_dir("drop");
    let fixture = fixture(&dir);
    let path = dir.join("never.pdf");
    let mut writer = PdfWriter::create(&path, fixture.shared.clone(), "x").unwrap();
    writer.add_page(&fixture.pages[0]).unwrap();
    assert!(dir.join("never.pdf.tmp").exists());
    drop(writer);
    assert!(!dir.join("never.pdf.tmp").exists() && !path.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn kerning_follows_the_desired_positions_without_drift() {
    let (book, id) = lato();
    let face = book.face(id);
    let a = face.shape("a").glyphs[0].gid;
    let w = crate::pdf::content::glyph_width(face, a) as f32;
    // 30 glyphs, each placed its width plus exactly 0.1 pt (≈ 8.33 thousandths at 12 pt) further.
    let glyphs: Vec<PlacedGlyph> = (0..30)
        .map(|i| PlacedGlyph {
            gid: a,
            x: Length::pt(100.0 + i as f32 * (w * 12.0 / 1000.0 + 0.1)),
            rise: Length::ZERO,
        })
        .collect();
    let page = Page {
        bleed: Default::default(),
        width: Length::pt(600.0),
        height: Length::pt(800.0),
        items: vec![Item::Text(TextRun {
            font: id,
            size: Length::pt(12.0),
            color: Color::Gray(0.0),
            baseline: Length::pt(100.0),
            dx: Length::ZERO,
            glyphs: Glyphs::shared(glyphs),
        })],
    };
    let encoded = encode_page(&page, book.faces());
    let content = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
    let adjustments: Vec<i64> = String::from_utf8_lossy(&content)
        .split([')', '('])
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(adjustments.len(), 29);
    assert!(adjustments.iter().all(|&a| a == -8 || a == -9), "{adjustments:?}");
    // Summed, they give the total offset: 29 × 8.33 ≈ 242 thousandths, no drift.
    assert_eq!(
        adjustments.iter().sum::<i64>(),
        -(29.0f32 * 100.0 / 12.0).round() as i64
    );
    assert!(String::from_utf8_lossy(&content).starts_with("0 g\nBT\n/F0 12 Tf\n1 0 0 1 100 700 Tm\n[("));
    assert_eq!(encoded.usage.fonts.len(), 1);
    assert_eq!(encoded.usage.fonts[0].1.iter().collect::<Vec<_>>(), [a]);
}

#[test]
fn a_letter_page_compresses_well_under_4_kb() {
    let (book, id) = lato();
    let face = book.face(id);
    let words = "Madame, nous avons le plaisir de vous informer que votre contrat \
                 d'assurance habitation sera renouvelé le premier janvier prochain. \
                 Les garanties restent identiques et la cotisation annuelle évolue";
    let mut items = Vec::new();
    for line in 0..45 {
        let text: String = words
            .split(' ')
            .cycle()
            .skip(line * 3)
            .take(13)
            .collect::<Vec<_>>()
            .join(" ");
        items.push(Item::Text(run(
            face,
            &text,
            10.0,
            70.0,
            120.0 + line as f32 * 13.0,
        )));
    }
    let page = Page {
        bleed: Default::default(),
        width: Length::mm(210.0),
        height: Length::mm(297.0),
        items,
    };
    let encoded = encode_page(&page, book.faces());
    assert!(encoded.content.len() < 4096, "{} bytes", encoded.content.len());
    assert!(encoded.usage.images.is_empty());
}

#[test]
fn many_pages_and_pieces_and_an_empty_file_are_valid() {
    let dir = temp_dir("many");
    let (book, id) = lato();
    let shared = Arc::new(Shared {
        faces: book.faces().to_vec(),
        images: Arc::new(ImageStore::new()),
        forms: Vec::new(),
        pdfx: None,
    });
    let path = dir.join("many.pdf");
    let mut writer = PdfWriter::create(&path, shared.clone(), "many").unwrap();
    for n in 0..300 {
        let page = Page {
            bleed: Default::default(),
            width: Length::mm(210.0),
            height: Length::mm(297.0),
            items: vec![Item::Text(run(
                book.face(id),
                &format!("Page {n}"),
                10.0,
                50.0,
                50.0,
            ))],
        };
        if n % 2 == 0 {
            writer.begin_piece(&format!("piece-{n}"));
        }
        writer.add_page(&encode_page(&page, &shared.faces)).unwrap();
    }
    writer.begin_piece("no pages");
    assert_eq!(writer.finish().unwrap().pages, 300);
    let doc = Document::load(&path).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 300);
    let last = String::from_utf8_lossy(&doc.get_page_content(pages[&300]).unwrap()).into_owned();
    assert!(last.contains("Tm"), "{last}");
    check_with_qpdf(&path);

    let empty = dir.join("empty.pdf");
    let summary = PdfWriter::create(&empty, shared, "empty")
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(summary.pages, 0);
    assert_eq!(Document::load(&empty).unwrap().get_pages().len(), 0);
    check_with_qpdf(&empty);
    std::fs::remove_dir_all(dir).unwrap();
}

fn check_with_qpdf(path: &Path) {
    match Command::new("qpdf").arg("--check").arg(path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) if std::env::var("PLI_REQUIRE_TOOLS").as_deref() == Ok("1") => panic!("qpdf is not installed"),
        Err(_) => println!("skipped: qpdf not installed"),
    }
}

#[test]
fn writer_and_pages_move_between_threads() {
    fn send<T: Send>() {}
    send::<PdfWriter>();
    send::<EncodedPage>();
    send::<Arc<Shared>>();
}

#[test]
fn raised_glyphs_get_their_own_matrix_and_string_bytes_are_escaped() {
    let (book, id) = lato();
    let glyph = |gid: u16, x: f32, rise: f32| PlacedGlyph {
        gid,
        x: Length::pt(x),
        rise: Length::pt(rise),
    };
    let page = Page {
        bleed: Default::default(),
        width: Length::pt(100.0),
        height: Length::pt(100.0),
        items: vec![Item::Text(TextRun {
            font: id,
            size: Length::pt(10.0),
            color: Color::Gray(0.0),
            baseline: Length::pt(50.0),
            dx: Length::ZERO,
            glyphs: Glyphs::shared(vec![
                glyph(0x28, 10.0, 0.0),
                glyph(0x29, 20.0, 0.0),
                glyph(0x5C, 30.0, 3.0),
                glyph(0x0D, 40.0, 0.0),
            ]),
        })],
    };
    let encoded = encode_page(&page, book.faces());
    let content = miniz_oxide::inflate::decompress_to_vec_zlib(&encoded.content).unwrap();
    let text = String::from_utf8(content).unwrap();
    assert_eq!(text.matches(" Tm\n").count(), 3, "{text}");
    assert!(text.contains("1 0 0 1 30 53 Tm\n[(\0\\\\)]TJ\n"), "{text:?}");
    assert!(text.contains("1 0 0 1 40 50 Tm\n[(\0\\r)]TJ\n"), "{text:?}");
    assert!(text.contains("[(\0\\("), "{text:?}");
    assert!(text.contains("(\0\\))]TJ"), "{text:?}");
    assert_eq!(encoded.usage.fonts[0].1.len(), 4);
}

/// Names anywhere in a file's objects (not following references).
fn all_names(doc: &Document) -> std::collections::BTreeSet<Vec<u8>> {
    fn walk(object: &Object, out: &mut std::collections::BTreeSet<Vec<u8>>) {
        match object {
            Object::Name(n) => {
                out.insert(n.clone());
            }
            Object::Array(items) => items.iter().for_each(|o| walk(o, out)),
            Object::Dictionary(d) => d.iter().for_each(|(_, o)| walk(o, out)),
            Object::Stream(s) => s.dict.iter().for_each(|(_, o)| walk(o, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    doc.objects.values().for_each(|o| walk(o, &mut out));
    out
}

/// The ICC profile stream of an image drawn in an `/ICCBased` space, and its `/N`.
fn image_profile(doc: &Document, image: &lopdf::Stream) -> Option<(lopdf::ObjectId, i64)> {
    let space = image.dict.get(b"ColorSpace").ok()?.as_array().ok()?;
    assert_eq!(space[0].as_name().unwrap(), b"ICCBased");
    let id = space[1].as_reference().unwrap();
    let n = doc
        .get_object(id)
        .unwrap()
        .as_stream()
        .unwrap()
        .dict
        .get(b"N")
        .unwrap();
    Some((id, n.as_i64().unwrap()))
}

#[test]
fn pdfx4_files_tag_rgb_images_and_keep_colours_to_the_output_intent() {
    let dir = temp_dir("pdfx4");
    let date = crate::date::Date::parse("2026-11-28").unwrap();
    let pdfx = PdfX {
        intent: OutputIntent::builtin(),
        date,
    };
    let fixture = fixture_with(&dir, Some(pdfx));
    let path = dir.join("x4.pdf");
    write(&fixture, &path);
    let raw = std::fs::read(&path).unwrap();
    assert!(raw.starts_with(b"%PDF-1.6\n"));
    let doc = Document::load(&path).unwrap();
    assert!(!all_names(&doc).contains(b"DeviceRGB".as_slice()));
    // Both RGB images (PNG and JPEG) share one sRGB profile; the PNG's soft mask stays grey.
    let images: Vec<&lopdf::Stream> = doc
        .objects
        .values()
        .filter(|o| subtype(o) == Some(b"Image"))
        .map(|o| o.as_stream().unwrap())
        .collect();
    let profiles: Vec<_> = images.iter().filter_map(|i| image_profile(&doc, i)).collect();
    assert_eq!(profiles.len(), 2, "{profiles:?}");
    assert!(profiles[0] == profiles[1] && profiles[0].1 == 3);
    assert_eq!(images.len(), 3, "two images and a soft mask");
    for &id in doc.get_pages().values() {
        let page = doc.get_dictionary(id).unwrap();
        assert_eq!(page.get(b"BleedBox").unwrap(), page.get(b"TrimBox").unwrap());
    }
    check_with_qpdf(&path);

    // A Gray intent: CMYK images go through the generic CMYK profile, colours become grey.
    let mut gray_profile = icc::generic_cmyk().to_vec();
    gray_profile[16..20].copy_from_slice(b"GRAY");
    let intent = OutputIntent {
        profile: Arc::from(gray_profile),
        space: icc::OutputSpace::Gray,
        condition: "Custom".into(),
        registry: pdfx::ICC_REGISTRY.into(),
        info: "grey press".into(),
    };
    let jpeg_path = dir.join("cmyk.jpg");
    let pixels: Vec<u8> = (0..8u32 * 8 * 4).map(|i| (i * 7 % 256) as u8).collect();
    jpeg_encoder::Encoder::new_file(&jpeg_path, 85)
        .unwrap()
        .encode(&pixels, 8, 8, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let images = ImageStore::new();
    let jpeg = images.load(&jpeg_path).unwrap();
    let shared = Arc::new(Shared {
        faces: Vec::new(),
        images: Arc::new(images),
        forms: Vec::new(),
        pdfx: Some(PdfX { intent, date }),
    });
    assert_eq!(shared.color_mode(), ColorMode::Gray);
    let page = Page {
        bleed: Default::default(),
        width: Length::pt(200.0),
        height: Length::pt(100.0),
        items: vec![
            Item::Image {
                image: jpeg,
                rect: rect(10.0, 10.0, 40.0, 40.0),
                clip: None,
            },
            Item::Rect {
                rect: rect(60.0, 10.0, 40.0, 40.0),
                fill: Some(Color::Cmyk(0.0, 0.0, 0.0, 0.5)),
                stroke: Some((Color::Rgb(1.0, 1.0, 1.0), Length::pt(1.0))),
            },
        ],
    };
    let path = dir.join("gray.pdf");
    let mut writer = PdfWriter::create(&path, shared.clone(), "grey").unwrap();
    writer
        .add_page(&encode_page_with(&page, &[], shared.color_mode()))
        .unwrap();
    writer.finish().unwrap();
    let doc = Document::load(&path).unwrap();
    let names = all_names(&doc);
    assert!(!names.contains(b"DeviceCMYK".as_slice()) && !names.contains(b"DeviceRGB".as_slice()));
    let image = doc
        .objects
        .values()
        .find(|o| subtype(o) == Some(b"Image"))
        .unwrap()
        .as_stream()
        .unwrap();
    assert_eq!(image_profile(&doc, image).unwrap().1, 4);
    let page = doc.get_pages()[&1];
    let content = doc.get_page_content(page).unwrap();
    let text = String::from_utf8(content).unwrap();
    assert!(text.contains(".5 g\n1 G\n"), "{text}");
    check_with_qpdf(&path);
    std::fs::remove_dir_all(dir).unwrap();
}
