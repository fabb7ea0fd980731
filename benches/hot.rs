//! Benchmarks of the hot paths of a compose job, through the library's public API, on the
//! sample campaign (`layouts/letter.toml`, `samples/contacts.csv`).
//!
//! Run with `cargo bench --bench hot` (a few minutes on 2 cores), or one group with e.g.
//! `cargo bench --bench hot -- compose`. See `benches/README.md`.
//!
//! | group | what one iteration does |
//! | --- | --- |
//! | `paragraph` | shapes, breaks and places the letter's longest body paragraph (54 words) with `layout_paragraph` |
//! | `compose_piece` | composes one record into its page(s): templates, paragraphs (through the per-thread paragraph cache), address, date |
//! | `encode_page` | encodes one composed page into its compressed content stream |
//! | `pdf_writer` | writes encoded pages into a PDF file (create, pages, finish with font subsetting) |
//! | `datamatrix` | one sheet's DataMatrix: its text, the ECC 200 symbol, its rectangles drawn; and a letter page encoded with it |
//!
//! Shaping goes through a per-thread cache of shaped words (`Face::shape`) and paragraphs
//! through a per-thread cache of laid-out paragraphs (`compose::piece`); each group says
//! which cache state it measures.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::{Map, Value};

use pli::compose::fonts::FontBook;
use pli::compose::layout_file::DataMatrixSpec;
use pli::compose::markup::{self, Block, Inline};
use pli::compose::page::Page;
use pli::compose::text::{layout_paragraph, FaceSet, ParaStyle};
use pli::compose::{compose_piece, JobValues, Layout};
use pli::mailprep::{self, ADDRESS_FIELDS};
use pli::pdf::{encode_page, EncodedPage, PdfWriter, Shared};
use pli::production::{SheetLabel, Symbol};
use pli::record::PieceId;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn compile() -> Layout {
    let job = JobValues {
        date_iso: "2026-11-28".into(),
        date: "28 novembre 2026".into(),
    };
    Layout::compile(&root().join("layouts/letter.toml"), &job)
        .unwrap_or_else(|e| panic!("layouts/letter.toml does not compile: {e}"))
}

/// The template data of every sample contact that would be composed, built as the compose
/// job builds it (`src/job/fields.rs`): the layout's fields (or their defaults), the job's
/// date, `record_id` and the computed `address_lines`. Opted-out and incomplete records
/// are left out, as the job leaves them out, and so are records it would reject.
fn sample_data(layout: &Layout) -> Vec<Value> {
    let path = root().join("samples/contacts.csv");
    let mut reader = csv::Reader::from_path(&path).expect("samples/contacts.csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut out = Vec::new();
    'records: for row in reader.records() {
        let row = row.expect("a CSV record");
        let get = |name: &str| -> &str {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| row.get(i))
                .map_or("", str::trim)
        };
        if mailprep::is_yes(get(mailprep::OPTOUT_FIELD)) {
            continue;
        }
        let mut map: Map<String, Value> = layout.job_json();
        map.insert("record_id".into(), get("id").into());
        for (name, default) in &layout.fields {
            let v = get(name);
            let v = match (v.is_empty(), default) {
                (false, _) => v.to_owned(),
                (true, Some(d)) => d.clone(),
                (true, None) => continue 'records,
            };
            map.insert(name.clone(), v.into());
        }
        if layout.templates_use("address_lines") {
            let defaults = &layout.address_defaults;
            let value = |k: &str| -> String {
                let v = get(k);
                if v.is_empty() {
                    defaults.get(k).cloned().unwrap_or_default()
                } else {
                    v.to_owned()
                }
            };
            let got: Vec<(&str, String)> = ADDRESS_FIELDS.iter().map(|&f| (f, value(f))).collect();
            let Ok(lines) = mailprep::address_lines(|k| {
                got.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| v.as_str())
            }) else {
                continue;
            };
            map.insert(
                "address_lines".into(),
                Value::Array(lines.into_iter().map(Value::String).collect()),
            );
        }
        let data = Value::Object(map);
        // A record the job would reject (e.g. an address too long for its frame) is left out.
        if compose_piece(layout, &data, false).is_ok() {
            out.push(data);
        }
    }
    assert!(out.len() > 900, "expected most sample contacts to be composable");
    out
}

/// A letter's body paragraphs, rendered and parsed for one record.
fn body_blocks(layout: &Layout, data: &Value) -> Vec<Block> {
    let body = layout.body.as_ref().expect("the letter has a body");
    let out = layout
        .templates
        .render(&body.template, data)
        .expect("body renders");
    markup::parse(&out).expect("body markup parses")
}

/// The first long paragraph of the body (the one naming the dealer and the vehicle).
fn long_paragraph(layout: &Layout, data: &Value) -> Block {
    body_blocks(layout, data)
        .into_iter()
        .max_by_key(|b| {
            b.inlines
                .iter()
                .map(|i| match i {
                    Inline::Text { text, .. } => text.len(),
                    Inline::Break => 0,
                })
                .sum::<usize>()
        })
        .expect("a body paragraph")
}

/// A surname-like word unique to `n` (letters only, so hyphenation and shaping treat it
/// as a name, never as a number).
fn unique_name(n: u64) -> String {
    let mut s = String::from("Dela");
    let mut n = n;
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s
}

/// `block` with a record-specific word put at its start (as a salutation's name would be).
fn with_name(block: &Block, n: u64) -> Block {
    let mut b = block.clone();
    if let Some(Inline::Text { text, .. }) = b.inlines.first_mut() {
        *text = format!("{} {text}", unique_name(n));
    }
    b
}

fn words(block: &Block) -> u64 {
    block
        .inlines
        .iter()
        .map(|i| match i {
            Inline::Text { text, .. } => text.split_whitespace().count() as u64,
            Inline::Break => 0,
        })
        .sum()
}

fn paragraph(c: &mut Criterion) {
    let layout = compile();
    let data = sample_data(&layout);
    let body = layout.body.as_ref().expect("body");
    let style = &layout.styles[body.style];
    let width = body.first.width;
    let block = long_paragraph(&layout, &data[0]);
    let regular = &layout.faces[style.faces.regular.0 as usize];
    let family = regular.family.clone();
    let fonts = regular.path.parent().expect("a fonts folder").to_owned();

    let mut g = c.benchmark_group("paragraph");
    g.measurement_time(Duration::from_secs(5))
        .sample_size(30)
        .throughput(Throughput::Elements(words(&block)));
    g.bench_function("warm", |b| {
        let mut missing = Vec::new();
        b.iter(|| layout_paragraph(black_box(&block), style, width, &layout.faces, &mut missing))
    });
    g.bench_function("one_new_word", |b| {
        // Every call has one word never seen before (a record's name); the others hit the
        // cache. This is what a record-specific paragraph costs in a job.
        let mut n = 0u64;
        let mut missing = Vec::new();
        b.iter_batched(
            || {
                n += 1;
                with_name(&block, n)
            },
            |p| layout_paragraph(&p, style, width, &layout.faces, &mut missing),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("cold", |b| {
        // Every word shaped: the first paragraph a thread lays out. The shaped-word cache is
        // keyed by face, and every loaded face is new to it, so each iteration loads the
        // family afresh (not timed) and times only the paragraph.
        let mut missing = Vec::new();
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut book = FontBook::scan(&fonts).expect("the fonts folder");
                let mut pick = |bold, italic| book.select(&family, bold, italic).expect("a face");
                let faces = FaceSet {
                    regular: pick(false, false),
                    bold: pick(true, false),
                    italic: pick(false, true),
                    bold_italic: pick(true, true),
                };
                let fresh = ParaStyle {
                    faces,
                    ..style.clone()
                };
                let start = Instant::now();
                black_box(layout_paragraph(
                    &block,
                    &fresh,
                    width,
                    book.faces(),
                    &mut missing,
                ));
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

fn pieces(c: &mut Criterion) {
    let layout = compile();
    let data = sample_data(&layout);
    let pages_per_piece = {
        let pages: usize = data
            .iter()
            .map(|d| compose_piece(&layout, d, false).map_or(0, |p| p.pages.len()))
            .sum();
        pages as f64 / data.len() as f64
    };
    eprintln!(
        "compose_piece: {} sample records, {pages_per_piece:.3} pages per piece",
        data.len()
    );

    let mut g = c.benchmark_group("compose_piece");
    g.measurement_time(Duration::from_secs(5))
        .sample_size(30)
        .throughput(Throughput::Elements(1));
    g.bench_function("same_record", |b| {
        // Every paragraph from the paragraph cache: the floor of composing a page.
        b.iter(|| compose_piece(&layout, black_box(&data[0]), false).expect("composes"))
    });
    g.bench_function("sample_records", |b| {
        // The 1,000 sample records in turn: the body's paragraphs come in a few variants
        // (vehicle, dealer, civility and name), the address block is the record's own.
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % data.len();
            compose_piece(&layout, black_box(&data[i]), false).expect("composes")
        })
    });
    g.bench_function("unique_names", |b| {
        // A last name never seen before in every record: the salutation and the address
        // miss the paragraph cache and shape one new word each.
        let mut n = 0u64;
        b.iter_batched(
            || {
                n += 1;
                let mut d = data[n as usize % data.len()].clone();
                let name = unique_name(n);
                d["last_name"] = Value::String(name.clone());
                if let Some(Value::Array(lines)) = d.get_mut("address_lines") {
                    if let Some(Value::String(first)) = lines.first_mut() {
                        *first = format!("{first} {name}");
                    }
                }
                d
            },
            |d| compose_piece(&layout, &d, false).expect("composes"),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The first page of each of the first `n` sample records.
fn sample_pages(layout: &Layout, data: &[Value], n: usize) -> Vec<Page> {
    data.iter()
        .take(n)
        .flat_map(|d| compose_piece(layout, d, false).expect("composes").pages)
        .collect()
}

fn encoding(c: &mut Criterion) {
    let layout = compile();
    let data = sample_data(&layout);
    let pages = sample_pages(&layout, &data, 200);
    let sizes: usize = pages
        .iter()
        .map(|p| encode_page(p, &layout.faces).content.len())
        .sum();
    eprintln!(
        "encode_page: {} bytes of compressed content per page on average",
        sizes / pages.len()
    );

    let mut g = c.benchmark_group("encode_page");
    g.measurement_time(Duration::from_secs(5))
        .sample_size(30)
        .throughput(Throughput::Elements(1));
    g.bench_function("letter_page", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % pages.len();
            encode_page(black_box(&pages[i]), &layout.faces)
        })
    });
    g.finish();
}

/// The resources every file shares, built as the compose job builds them.
fn shared(layout: &Layout) -> Arc<Shared> {
    Arc::new(Shared {
        faces: layout.faces.clone(),
        images: layout.images.clone(),
        forms: layout
            .forms
            .iter()
            .map(|f| encode_page(&f.page, &layout.faces))
            .collect(),
        pdfx: None,
    })
}

fn write_file(path: &Path, shared: &Arc<Shared>, pages: &[EncodedPage], n: usize) -> u64 {
    let mut w = PdfWriter::create(path, shared.clone(), "bench").expect("create");
    for (i, page) in pages.iter().cycle().take(n).enumerate() {
        w.begin_piece(&format!("P{:07}", i + 1));
        w.add_page(page).expect("add_page");
    }
    w.finish().expect("finish").bytes
}

fn writing(c: &mut Criterion) {
    let layout = compile();
    let data = sample_data(&layout);
    let encoded: Vec<EncodedPage> = sample_pages(&layout, &data, 1000)
        .iter()
        .map(|p| encode_page(p, &layout.faces))
        .collect();
    let shared = shared(&layout);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("bench.pdf");

    let mut g = c.benchmark_group("pdf_writer");
    g.measurement_time(Duration::from_secs(5)).sample_size(20);
    for n in [1usize, 1000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("file_of_{n}_pages"), |b| {
            b.iter(|| write_file(&path, &shared, &encoded, n))
        });
    }
    g.finish();
}

/// One sheet's DataMatrix, as `make_sheets` makes it on a worker: the text written, the
/// symbol encoded and its rectangles added to the page (into reused buffers).
fn datamatrix(c: &mut Criterion) {
    let layout = compile();
    let data = sample_data(&layout);
    let pages = sample_pages(&layout, &data, 200);
    let spec: DataMatrixSpec = toml::from_str("x = 185\ny = 12").expect("a datamatrix table");
    let mut symbol = Symbol::new();
    let mut text = String::new();
    let marked: Vec<Page> = pages
        .iter()
        .enumerate()
        .map(|(n, page)| {
            let label = SheetLabel {
                job: "letter",
                piece_id: PieceId::letter(n as u32 + 1),
            };
            label.text(1, 1, &mut text);
            symbol.encode(text.as_bytes(), spec.size).expect("fits");
            let mut page = page.clone();
            symbol.draw(&spec, &mut page.items);
            page
        })
        .collect();
    let bytes = |pages: &[Page]| -> usize {
        pages
            .iter()
            .map(|p| encode_page(p, &layout.faces).content.len())
            .sum::<usize>()
            / pages.len()
    };
    eprintln!(
        "datamatrix: {} rectangles a symbol; {} bytes of compressed content a page with it, {} without",
        symbol.rects().len(),
        bytes(&marked),
        bytes(&pages)
    );

    let mut g = c.benchmark_group("datamatrix");
    g.measurement_time(Duration::from_secs(5))
        .sample_size(30)
        .throughput(Throughput::Elements(1));
    g.bench_function("sheet_symbol", |b| {
        let mut items = Vec::new();
        let mut n = 0u32;
        b.iter(|| {
            n = n % 9_999_999 + 1;
            let label = SheetLabel {
                job: "letter",
                piece_id: PieceId::letter(n),
            };
            label.text(n % 3 + 1, 3, &mut text);
            symbol.encode(text.as_bytes(), spec.size).expect("fits");
            items.clear();
            symbol.draw(&spec, &mut items);
            black_box(items.len())
        })
    });
    g.bench_function("letter_page_encoded", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % marked.len();
            encode_page(black_box(&marked[i]), &layout.faces)
        })
    });
    g.finish();
}

criterion_group!(benches, paragraph, pieces, encoding, writing, datamatrix);
criterion_main!(benches);
