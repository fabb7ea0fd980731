//! End to end: `pli compose --pdfx4` on the sample letter and catalogue, the files read
//! back with lopdf and checked for what PDF/X-4 needs as far as it can be checked here;
//! with qpdf, poppler's `pdffonts` and Little CMS's `transicc` when installed.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, Stream};

const CATALOGUE: &str = "layouts/catalogue.toml";
const CONTACTS: &str = "samples/contacts.csv";
const DATE: &str = "2026-11-28";

/// Runs `pli compose` with `--pdfx4` and returns the PDFs written, by name.
fn compose(dir: &TempDir, layout: &str, extra: &[&str]) -> Vec<PathBuf> {
    let out = dir.arg("out");
    let mut args = vec![
        "compose", layout, CONTACTS, "--pdfx4", "--date", DATE, "-q", "-o", &out,
    ];
    args.extend_from_slice(extra);
    let run = pli(&args);
    assert!(matches!(run.status.code(), Some(0 | 3)), "{}", describe(&run));
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(dir.path("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    assert!(!pdfs.is_empty(), "no PDF in {}", dir.0.display());
    pdfs
}

/// A stream's bytes, decoded when it has a filter.
fn bytes(stream: &Stream) -> Vec<u8> {
    if stream.dict.has(b"Filter") {
        stream.decompressed_content().expect("decodable stream")
    } else {
        stream.content.clone()
    }
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).expect("resolvable reference").1
}

fn name<'a>(dict: &'a Dictionary, key: &[u8]) -> &'a [u8] {
    dict.get(key)
        .and_then(Object::as_name)
        .unwrap_or_else(|_| panic!("/{} is a name", String::from_utf8_lossy(key)))
}

fn string(dict: &Dictionary, key: &[u8]) -> String {
    let raw = dict
        .get(key)
        .and_then(Object::as_str)
        .unwrap_or_else(|_| panic!("/{} is a string", String::from_utf8_lossy(key)));
    String::from_utf8_lossy(raw).into_owned()
}

/// Every name in an object, recursively (not following references).
fn names_in(object: &Object, out: &mut BTreeSet<Vec<u8>>) {
    match object {
        Object::Name(n) => {
            out.insert(n.clone());
        }
        Object::Array(items) => items.iter().for_each(|o| names_in(o, out)),
        Object::Dictionary(d) => d.iter().for_each(|(_, o)| names_in(o, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, o)| names_in(o, out)),
        _ => {}
    }
}

/// The output intent's profile, after checking the intent and the profile's header and /N.
fn output_profile(doc: &Document) -> (Dictionary, Vec<u8>) {
    let catalog = doc.catalog().unwrap();
    let intents = deref(doc, catalog.get(b"OutputIntents").expect("/OutputIntents"))
        .as_array()
        .unwrap();
    assert_eq!(intents.len(), 1, "one output intent");
    let intent = deref(doc, &intents[0]).as_dict().unwrap().clone();
    assert_eq!(name(&intent, b"Type"), b"OutputIntent");
    assert_eq!(name(&intent, b"S"), b"GTS_PDFX");
    for key in [&b"OutputConditionIdentifier"[..], b"RegistryName", b"Info"] {
        assert!(!string(&intent, key).is_empty());
    }
    let profile = deref(doc, intent.get(b"DestOutputProfile").unwrap())
        .as_stream()
        .unwrap();
    let icc = bytes(profile);
    assert_eq!(
        u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize,
        icc.len()
    );
    assert_eq!(&icc[36..40], b"acsp");
    assert_eq!(&icc[12..16], b"prtr");
    let n = profile.dict.get(b"N").unwrap().as_i64().unwrap();
    match &icc[16..20] {
        b"CMYK" => assert_eq!(n, 4),
        b"GRAY" => assert_eq!(n, 1),
        other => panic!("output profile space {other:?}"),
    }
    (intent, icc)
}

/// What PDF/X-4 asks of a file, as far as it is checked here. Returns the output profile
/// and the sRGB profiles RGB images refer to.
fn check_pdfx4(path: &Path) -> (Vec<u8>, Vec<Vec<u8>>) {
    let raw = std::fs::read(path).unwrap();
    assert!(raw.starts_with(b"%PDF-1.6\n"), "PDF 1.6 header");
    let doc = Document::load(path).unwrap();
    let (_, icc) = output_profile(&doc);

    // XMP metadata, uncompressed, and the Info dictionary saying the same.
    let catalog = doc.catalog().unwrap();
    let metadata = deref(&doc, catalog.get(b"Metadata").expect("/Metadata"))
        .as_stream()
        .unwrap();
    assert_eq!(name(&metadata.dict, b"Type"), b"Metadata");
    assert_eq!(name(&metadata.dict, b"Subtype"), b"XML");
    assert!(!metadata.dict.has(b"Filter"), "metadata is not compressed");
    let xmp = String::from_utf8(metadata.content.clone()).unwrap();
    for needle in [
        "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>",
        "<xmp:CreateDate>2026-11-28T00:00:00Z</xmp:CreateDate>",
        "<xmp:ModifyDate>2026-11-28T00:00:00Z</xmp:ModifyDate>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
        "<pdf:Trapped>False</pdf:Trapped>",
        "<pdf:Producer>pli</pdf:Producer>",
        "<xmpMM:DocumentID>uuid:",
        "<xmpMM:InstanceID>uuid:",
        "<dc:title>",
    ] {
        assert!(xmp.contains(needle), "{needle} in\n{xmp}");
    }
    let info = deref(&doc, doc.trailer.get(b"Info").unwrap()).as_dict().unwrap();
    assert_eq!(string(info, b"GTS_PDFXVersion"), "PDF/X-4");
    assert_eq!(name(info, b"Trapped"), b"False");
    assert!(info.has(b"Title"));
    assert_eq!(string(info, b"CreationDate"), "D:20261128000000Z");
    assert_eq!(string(info, b"ModDate"), "D:20261128000000Z");

    // Page boxes on every page, the bleed box around the trim box.
    let pages = doc.get_pages();
    assert!(!pages.is_empty());
    let boxed = |page: &Dictionary, key: &[u8]| -> [f32; 4] {
        let items = page
            .get(key)
            .and_then(Object::as_array)
            .unwrap_or_else(|_| panic!("/{} on every page", String::from_utf8_lossy(key)));
        let v: Vec<f32> = items.iter().map(|o| o.as_float().unwrap()).collect();
        [v[0], v[1], v[2], v[3]]
    };
    for (&number, &id) in &pages {
        let page = doc.get_dictionary(id).unwrap();
        let (trim, bleed, media) = (
            boxed(page, b"TrimBox"),
            boxed(page, b"BleedBox"),
            boxed(page, b"MediaBox"),
        );
        let inside = |a: [f32; 4], b: [f32; 4]| a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
        assert!(
            inside(trim, bleed) && inside(bleed, media),
            "page {number}: {trim:?} {bleed:?} {media:?}"
        );
    }

    // No DeviceRGB anywhere; RGB images are tagged sRGB; every font embedded.
    let mut names = BTreeSet::new();
    let mut srgb = Vec::new();
    for object in doc.objects.values() {
        names_in(object, &mut names);
        let Ok(stream) = object.as_stream() else {
            if let Ok(dict) = object.as_dict() {
                if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor") {
                    assert!(
                        [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                            .iter()
                            .any(|k| dict.has(k)),
                        "font not embedded: {dict:?}"
                    );
                }
            }
            continue;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
            let space = deref(&doc, stream.dict.get(b"ColorSpace").unwrap());
            if let Ok(array) = space.as_array() {
                assert_eq!(array[0].as_name().unwrap(), b"ICCBased");
                let profile = deref(&doc, &array[1]).as_stream().unwrap();
                if profile.dict.get(b"N").unwrap().as_i64().unwrap() == 3 {
                    let icc = bytes(profile);
                    assert_eq!((&icc[12..16], &icc[16..20]), (&b"mntr"[..], &b"RGB "[..]));
                    srgb.push(icc);
                }
            }
        }
    }
    assert!(
        !names.contains(b"DeviceRGB".as_slice()),
        "DeviceRGB in {}",
        path.display()
    );
    assert!(!raw.windows(9).any(|w| w == b"DeviceRGB"));

    // No RGB operators in any content stream: pages' and forms'.
    let mut contents: Vec<Vec<u8>> = Vec::new();
    for &id in pages.values() {
        for content in doc.get_page_contents(id) {
            contents.push(bytes(doc.get_object(content).unwrap().as_stream().unwrap()));
        }
    }
    for object in doc.objects.values() {
        if let Ok(stream) = object.as_stream() {
            if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form") {
                contents.push(bytes(stream));
            }
        }
    }
    let mut operators = 0;
    for content in &contents {
        for op in Content::decode(content).unwrap().operations {
            assert!(
                op.operator != "rg" && op.operator != "RG",
                "{} in {}",
                op.operator,
                path.display()
            );
            operators += 1;
        }
    }
    assert!(operators > 0);

    if have("qpdf") {
        let out = Command::new("qpdf").arg("--check").arg(path).output().unwrap();
        // Exit code 3 means warnings only: none are expected either.
        assert_eq!(out.status.code(), Some(0), "qpdf --check: {}", describe(&out));
    }
    if have("pdffonts") {
        let listing = run_tool("pdffonts", &[path.to_str().unwrap()]);
        let fonts: Vec<&str> = listing.lines().skip(2).collect();
        assert!(!fonts.is_empty(), "{listing}");
        for line in fonts {
            // name, type (may hold spaces), encoding, then emb sub uni and the object id.
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {line}");
        }
    }
    srgb.dedup();
    (icc, srgb)
}

/// Runs Little CMS's `transicc` from `input` to `output` on lines of values; returns the
/// converted values.
fn transicc(input: &str, output: &str, values: &[&str]) -> Vec<Vec<f64>> {
    let mut child = Command::new("transicc")
        .args([&format!("-i{input}"), &format!("-o{output}"), "-t1", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run transicc");
    let text = values.join("\n") + "\n";
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "transicc failed: {}", describe(&out));
    let rows: Vec<Vec<f64>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect::<Vec<f64>>()
        })
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(rows.len(), values.len(), "{}", describe(&out));
    rows
}

/// The generic CMYK profile gives plausible colours through Little CMS, both ways.
fn check_cmyk_profile_with_lcms(dir: &TempDir, icc: &[u8]) {
    if !have("transicc") {
        return;
    }
    let path = dir.path("output-intent.icc");
    std::fs::write(&path, icc).unwrap();
    let p = path.to_str().unwrap();
    let lab = transicc(
        p,
        "*Lab",
        &[
            "0 0 0 0",
            "0 0 0 100",
            "100 0 0 0",
            "0 100 0 0",
            "0 0 100 0",
            "0 0 0 50",
        ],
    );
    let [white, black, cyan, magenta, yellow, grey] = &lab[..] else {
        unreachable!()
    };
    assert!(
        white[0] > 99.0 && white[1].abs() < 1.0 && white[2].abs() < 1.0,
        "paper: {white:?}"
    );
    assert!(black[0] < 10.0, "100% K: {black:?}");
    assert!(cyan[1] < -20.0 && cyan[2] < -5.0, "cyan: {cyan:?}");
    assert!(magenta[1] > 40.0 && magenta[2] < 0.0, "magenta: {magenta:?}");
    assert!(yellow[2] > 50.0, "yellow: {yellow:?}");
    assert!(
        grey[0] > 40.0 && grey[0] < 65.0 && grey[1].abs() < 1.0,
        "50% K: {grey:?}"
    );
    let cmyk = transicc("*Lab", p, &["100 0 0", "0 0 0", "50 0 0"]);
    assert!(
        cmyk[0].iter().all(|&v| v < 1.0),
        "paper white needs no ink: {:?}",
        cmyk[0]
    );
    assert!(cmyk[1][3] > 95.0, "black is on the black plate: {:?}", cmyk[1]);
    assert!(cmyk[1].iter().sum::<f64>() <= 301.0, "ink limit: {:?}", cmyk[1]);
    let g = &cmyk[2];
    assert!(
        (g[0] - g[1]).abs() < 1.0 && (g[1] - g[2]).abs() < 1.0,
        "balanced grey: {g:?}"
    );
}

/// The sRGB profile maps colours onto Little CMS's own sRGB.
fn check_srgb_profile_with_lcms(dir: &TempDir, icc: &[u8]) {
    if !have("transicc") {
        return;
    }
    let path = dir.path("srgb.icc");
    std::fs::write(&path, icc).unwrap();
    let values = [
        "255 255 255",
        "0 0 0",
        "255 0 0",
        "0 255 0",
        "0 0 255",
        "128 128 128",
        "10 200 90",
    ];
    let rows = transicc(path.to_str().unwrap(), "*sRGB", &values);
    for (row, given) in rows.iter().zip(values) {
        let given: Vec<f64> = given.split(' ').map(|v| v.parse().unwrap()).collect();
        for (a, b) in row.iter().zip(&given) {
            assert!((a - b).abs() < 0.5, "{given:?} -> {row:?}");
        }
    }
}

#[test]
fn the_letter_is_pdfx4_and_the_output_profile_works_in_little_cms() {
    let dir = TempDir::new("pdfx4-letter");
    let pdfs = compose(&dir, LETTER, &[]);
    let (icc, _) = check_pdfx4(&pdfs[0]);
    assert_eq!(&icc[8..10], &[2, 0x40], "ICC v2.4");
    check_cmyk_profile_with_lcms(&dir, &icc);
}

#[test]
fn the_catalogue_with_images_and_bleed_is_pdfx4() {
    let dir = TempDir::new("pdfx4-catalogue");
    let pdfs = compose(&dir, CATALOGUE, &[]);
    let (_, srgb) = check_pdfx4(&pdfs[0]);
    assert_eq!(srgb.len(), 1, "RGB images share one sRGB profile");
    check_srgb_profile_with_lcms(&dir, &srgb[0]);
    // The catalogue bleeds: its bleed box is larger than its trim box.
    let doc = Document::load(&pdfs[0]).unwrap();
    let page = doc.get_dictionary(doc.get_pages()[&1]).unwrap();
    let width = |key: &[u8]| {
        let b = page.get(key).unwrap().as_array().unwrap();
        b[2].as_float().unwrap() - b[0].as_float().unwrap()
    };
    assert!(width(b"BleedBox") > width(b"TrimBox") + 16.0);
}

#[test]
fn household_documents_are_pdfx4_too() {
    let dir = TempDir::new("pdfx4-household");
    let pdfs = compose(&dir, LETTER, &["--household-docs", CATALOGUE]);
    assert_eq!(pdfs.len(), 2, "{pdfs:?}");
    for pdf in &pdfs {
        check_pdfx4(pdf);
    }
}

#[test]
fn two_pdfx4_runs_give_identical_files() {
    let (a, b) = (TempDir::new("pdfx4-run-a"), TempDir::new("pdfx4-run-b"));
    let (first, second) = (compose(&a, LETTER, &[]), compose(&b, LETTER, &[]));
    assert_eq!(first.len(), second.len());
    for (x, y) in first.iter().zip(&second) {
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
}

/// The sample letter copied into `dir` with its folders made absolute and `extra` appended.
fn letter_layout(dir: &TempDir, extra: &str) -> String {
    std::fs::write(dir.path("letter.toml"), sample_letter_text() + extra).unwrap();
    dir.arg("letter.toml")
}

#[test]
fn a_print_rooms_profile_becomes_the_output_intent() {
    let dir = TempDir::new("pdfx4-own");
    std::fs::create_dir_all(dir.path("profiles")).unwrap();
    std::fs::write(dir.path("profiles/press.icc"), pli::pdf::icc::generic_cmyk()).unwrap();
    let layout = letter_layout(
        &dir,
        "\n[production.output_intent]\nprofile = \"profiles/press.icc\"\ncondition = \"FOGRA39\"\ninfo = \"Coated FOGRA39\"\n",
    );
    let pdfs = compose(&dir, &layout, &[]);
    let doc = Document::load(&pdfs[0]).unwrap();
    let (intent, icc) = output_profile(&doc);
    assert_eq!(string(&intent, b"OutputConditionIdentifier"), "FOGRA39");
    assert_eq!(string(&intent, b"Info"), "Coated FOGRA39");
    assert_eq!(icc, pli::pdf::icc::generic_cmyk());
}

#[test]
fn a_gray_output_intent_turns_every_colour_grey() {
    let dir = TempDir::new("pdfx4-gray");
    // A Gray header is all that the writer reads of a profile.
    let mut gray = pli::pdf::icc::generic_cmyk().to_vec();
    gray[16..20].copy_from_slice(b"GRAY");
    std::fs::write(dir.path("gray.icc"), &gray).unwrap();
    let layout = letter_layout(&dir, "\n[production.output_intent]\nprofile = \"gray.icc\"\n");
    let pdfs = compose(&dir, &layout, &[]);
    let doc = Document::load(&pdfs[0]).unwrap();
    let (intent, _) = output_profile(&doc);
    assert_eq!(string(&intent, b"OutputConditionIdentifier"), "Custom");
    assert_eq!(string(&intent, b"Info"), "gray.icc");
    for &id in doc.get_pages().values().take(5) {
        for content in doc.get_page_contents(id) {
            let content = bytes(doc.get_object(content).unwrap().as_stream().unwrap());
            for op in Content::decode(&content).unwrap().operations {
                assert!(
                    !["rg", "RG", "k", "K"].contains(&op.operator.as_str()),
                    "{}",
                    op.operator
                );
            }
        }
    }
}

#[test]
fn a_profile_that_is_not_an_output_profile_is_a_layout_error() {
    let dir = TempDir::new("pdfx4-bad");
    std::fs::write(dir.path("screen.icc"), pli::pdf::icc::srgb()).unwrap();
    let layout = letter_layout(&dir, "\n[production.output_intent]\nprofile = \"screen.icc\"\n");
    let out = dir.arg("out");
    let run = pli(&["compose", &layout, CONTACTS, "--pdfx4", "-q", "-o", &out]);
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("[production.output_intent] profile") && stderr.contains("'prtr'"),
        "{stderr}"
    );
    let run = pli(&["check", &layout]);
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("'mntr'")
            || String::from_utf8_lossy(&run.stderr).contains("'mntr'"),
        "{}",
        describe(&run)
    );
}

/// All the operators of a file's page and form content streams, as text.
fn operators(doc: &Document) -> String {
    let mut text = String::new();
    let mut streams = Vec::new();
    for &id in doc.get_pages().values() {
        for content in doc.get_page_contents(id) {
            streams.push(bytes(doc.get_object(content).unwrap().as_stream().unwrap()));
        }
    }
    for object in doc.objects.values() {
        if let Ok(stream) = object.as_stream() {
            if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form") {
                streams.push(bytes(stream));
            }
        }
    }
    for content in streams {
        for op in Content::decode(&content).unwrap().operations {
            let operands: Vec<String> = op
                .operands
                .iter()
                .map(|o| match o {
                    Object::Integer(i) => i.to_string(),
                    Object::Real(r) => format!("{r:.3}"),
                    _ => "_".into(),
                })
                .collect();
            text.push_str(&format!("{} {}\n", operands.join(" "), op.operator));
        }
    }
    text
}

#[test]
fn rgb_colours_of_the_layout_become_cmyk() {
    let dir = TempDir::new("pdfx4-rgb");
    // Body text (composed per record) in an RGB grey, a static rectangle and rule in RGB.
    let layout = letter_layout(
        &dir,
        "\n[[elements]]\ntype = \"rect\"\nname = \"rgb band\"\nx = 20\ny = 20\nwidth = 10\nheight = 5\nfill = \"#1f4e9c\"\n\
         \n[[elements]]\ntype = \"line\"\nname = \"rgb rule\"\nx1 = 20\ny1 = 30\nx2 = 60\ny2 = 30\nstroke_width = 0.5\ncolor = \"rgb(255, 0, 0)\"\n",
    );
    let text = std::fs::read_to_string(&layout).unwrap().replacen(
        "color = \"cmyk(0, 0, 0, 100)\"",
        "color = \"#202020\"",
        1,
    );
    std::fs::write(&layout, text).unwrap();
    // Without --pdfx4 the colours stay RGB: the check below is not vacuous.
    let plain = dir.arg("plain");
    let run = pli(&["compose", &layout, CONTACTS, "--date", DATE, "-q", "-o", &plain]);
    assert!(matches!(run.status.code(), Some(0 | 3)), "{}", describe(&run));
    let ops = operators(&Document::load(first_file(&dir.path("plain"), "letter")).unwrap());
    assert!(ops.contains(" rg\n") && ops.contains(" RG\n"), "{ops}");

    let pdfs = compose(&dir, &layout, &[]);
    check_pdfx4(&pdfs[0]);
    let ops = operators(&Document::load(&pdfs[0]).unwrap());
    assert!(
        ops.contains("0 0 0 0.875 k\n"),
        "the body's grey on the black plate:\n{ops}"
    );
    assert!(ops.contains("0.801 0.500 0 0.388 k\n"), "the band's blue:\n{ops}");
    assert!(ops.contains("0 1 1 0 K\n"), "the rule's red:\n{ops}");
}
