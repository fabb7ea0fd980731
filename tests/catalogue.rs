//! End to end: catalogues composed from contacts and products, read back with lopdf
//! and, when installed, qpdf and poppler.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use lopdf::{Document, Object};

const CATALOGUE: &str = "layouts/catalogue.toml";
const PRODUCTS: &str = "samples/products.csv";

/// The sample products: id to (name, image, category, model).
fn products() -> BTreeMap<String, [String; 4]> {
    let rows = read_csv(&root().join(PRODUCTS));
    let col = |n: &str| rows[0].iter().position(|c| c == n).unwrap();
    rows[1..]
        .iter()
        .map(|r| {
            let get = |n: &str| r[col(n)].clone();
            (
                get("id"),
                [get("name"), get("image"), get("category"), get("model")],
            )
        })
        .collect()
}

/// Manifest rows by record id.
fn manifest(dir: &TempDir) -> BTreeMap<String, Vec<String>> {
    read_csv(&dir.path("out/manifest.csv"))[1..]
        .iter()
        .map(|r| (r[0].clone(), r.clone()))
        .collect()
}

/// Image XObjects of a file that are not another image's soft mask.
fn image_xobjects(doc: &Document) -> Vec<Vec<u8>> {
    let mut masks = BTreeSet::new();
    let mut images = Vec::new();
    for obj in doc.objects.values() {
        if let Object::Stream(s) = obj {
            if s.dict.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"Image".as_slice()) {
                if let Ok(r) = s.dict.get(b"SMask").and_then(|o| o.as_reference()) {
                    masks.insert(r);
                }
            }
        }
    }
    for (id, obj) in &doc.objects {
        if let Object::Stream(s) = obj {
            let is_image = s.dict.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"Image".as_slice());
            if is_image && !masks.contains(id) {
                images.push(s.content.clone());
            }
        }
    }
    images
}

#[test]
fn the_sample_catalogue_pads_to_multiples_of_4_and_embeds_each_image_once() {
    let tmp = TempDir::new("catalogue");
    let out = pli(&[
        "compose",
        CATALOGUE,
        "samples/contacts.csv",
        "--products",
        PRODUCTS,
        "-o",
        &tmp.arg("out"),
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let contacts = read_csv(&root().join("samples/contacts.csv"));
    let vehicle = contacts[0].iter().position(|c| c == "vehicle").unwrap();
    let rows = manifest(&tmp);
    // Each vehicle has its own number of accessories, so catalogues differ in length:
    // the vehicle and its accessories, then the three dearest products for all.
    let mut lengths = BTreeMap::new();
    for rec in &contacts[1..] {
        let row = &rows[&rec[0]];
        if row[2] != "composed" {
            continue;
        }
        let pages: u32 = row[7].parse().unwrap();
        assert_eq!(pages % 4, 0, "{row:?}");
        lengths.entry(rec[vehicle].clone()).or_insert(pages);
        assert_eq!(
            lengths[&rec[vehicle]], pages,
            "same vehicle, same length: {row:?}"
        );
    }
    assert_eq!(lengths["Aurore électrique"], 4);
    assert_eq!(lengths["Boréal hybride"], 4);
    assert_eq!(lengths["Cévenole SUV"], 8);
    let c2 = &rows["C000002"];
    assert_eq!(
        c2[3], "blank_pages:3",
        "Cévenole: cover, 3 inner pages, back: 3 blanks recorded"
    );

    let pdf = first_file(&tmp.path("out"), "catalogue");
    let doc = Document::load(&pdf).unwrap();
    // Every product image used (and the logo) is one XObject, however many pages draw it.
    // The products of every vehicle are used; of those for all, the three dearest only.
    let used: BTreeSet<String> = products()
        .iter()
        .filter(|(id, _)| !["U-SEC", "U-SUP"].contains(&id.as_str()))
        .map(|(_, p)| p[1].clone())
        .collect();
    let images = image_xobjects(&doc);
    let distinct: BTreeSet<&Vec<u8>> = images.iter().collect();
    assert_eq!(distinct.len(), images.len(), "an image is embedded twice");
    assert_eq!(images.len(), used.len() + 1, "the logo and {used:?}");
    // Boxes: trim A4, 3 mm bleed, crop marks outside it.
    let page = doc.get_pages()[&1];
    let dict = doc.get_dictionary(page).unwrap();
    let numbers = |key: &[u8]| -> Vec<f32> {
        dict.get(key)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect()
    };
    let mm = |v: f32| v / 72.0 * 25.4;
    let trim = numbers(b"TrimBox");
    let bleed = numbers(b"BleedBox");
    let media = numbers(b"MediaBox");
    assert!((mm(trim[2] - trim[0]) - 210.0).abs() < 0.1, "{trim:?}");
    assert!((mm(trim[3] - trim[1]) - 297.0).abs() < 0.1, "{trim:?}");
    assert!((mm(trim[0] - bleed[0]) - 3.0).abs() < 0.05, "{bleed:?}");
    assert!((mm(media[2]) - (210.0 + 26.0)).abs() < 0.1, "{media:?}");
    if have("qpdf") {
        run_tool("qpdf", &["--check", &pdf.to_string_lossy()]);
    }
}

/// A catalogue whose records list their products, with no rule.
fn list_layout(dir: &TempDir) -> String {
    let root = root();
    let layout = format!(
        r#"
[layout]
name = "Catalogue de test"
fonts = "{fonts}"
assets = "{assets}"

[page]
size = "A5"

[products]
list = "selection"

[finishing]
saddle_stitch = true
bleed = 3

[styles.body]
font = "Lato"
size = 9

[[pages.inner.elements]]
type = "text"
name = "heading"
x = 10
y = 8
width = 128
height = 8
style = "body"
text = "Sélection de {{{{last_name}}}}"

[pages.inner.grid]
x = 10
y = 20
width = 128
height = 180
columns = 2
rows = 2
column_gap = 4
row_gap = 4

[[pages.inner.grid.cell]]
type = "image"
name = "product image"
file = "{{{{image}}}}"
x = 0
y = 0
width = 60
height = 40

[[pages.inner.grid.cell]]
type = "text"
name = "product"
x = 0
y = 44
width = 62
height = 20
style = "body"
text = "{{{{name}}}}<br>{{{{price_eur}}}}"

[[pages.back.elements]]
type = "text"
name = "recipient"
x = 60
y = 150
width = 80
height = 30
style = "body"
text = "{{{{#each address_lines}}}}{{{{this}}}}<br>{{{{/each}}}}"
"#,
        fonts = root.join("fonts").display(),
        assets = root.join("layouts/assets").display(),
    );
    let path = dir.path("list.toml");
    std::fs::write(&path, layout).unwrap();
    path.to_string_lossy().into_owned()
}

fn contact(id: &str, selection: &str) -> String {
    format!(
        "{id},Dupont,12 rue de la Paix,75002,Paris,\"{}\"\n",
        selection.replace('"', "\"\"")
    )
}

#[test]
fn each_record_gets_exactly_the_products_it_lists() {
    let tmp = TempDir::new("catalogue-list");
    let layout = list_layout(&tmp);
    let all = products();
    let ids: Vec<&String> = all.keys().collect();
    let picks: Vec<(&str, Vec<&str>)> = vec![
        ("R1", vec!["A-CAB"]),
        ("R2", ids[..9].iter().map(|s| s.as_str()).collect()),
        ("R3", ids[5..19].iter().map(|s| s.as_str()).collect()),
        ("R5", vec!["U-SEC", "C-COF"]),
    ];
    let mut csv = String::from("id,last_name,street,postcode,city,selection\n");
    for (id, list) in &picks {
        csv.push_str(&contact(id, &list.join("|")));
    }
    csv.push_str(&contact("R4", "A-CAB|NOPE-1"));
    csv.push_str(&contact("R6", "[\"U-HOU\", \"V-AUR\"]"));
    std::fs::write(tmp.path("contacts.csv"), csv).unwrap();
    let out = pli(&[
        "compose",
        &layout,
        &tmp.arg("contacts.csv"),
        "--products",
        PRODUCTS,
        "-o",
        &tmp.arg("out"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let rows = manifest(&tmp);
    assert_eq!(rows["R4"][2], "rejected");
    assert!(
        rows["R4"][3].starts_with("invalid_field:products: unknown product id `NOPE-1`"),
        "{:?}",
        rows["R4"]
    );
    // 4 cells a page and the back cover: 1 item → 2 pages → 4; 9 → 4; 14 → 5 → 8.
    let pages = |id: &str| rows[id][7].parse::<u32>().unwrap();
    assert_eq!((pages("R1"), pages("R2"), pages("R3"), pages("R5")), (4, 4, 8, 4));
    let mut picks = picks;
    picks.push(("R6", vec!["U-HOU", "V-AUR"]));
    let pdf = first_file(&tmp.path("out"), "list");
    if have("qpdf") {
        run_tool("qpdf", &["--check", &pdf.to_string_lossy()]);
    }
    if !have("pdftotext") {
        return;
    }
    for (id, list) in &picks {
        let row = &rows[*id];
        let (first, n): (u32, u32) = (row[6].parse().unwrap(), row[7].parse().unwrap());
        let text = run_tool(
            "pdftotext",
            &[
                "-f",
                &first.to_string(),
                "-l",
                &(first + n - 1).to_string(),
                &pdf.to_string_lossy(),
                "-",
            ],
        );
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (pid, [name, ..]) in &all {
            let listed = list.contains(&pid.as_str());
            assert_eq!(
                text.contains(name.as_str()),
                listed,
                "{id}: `{name}` listed {listed}: {text}"
            );
        }
    }
}

#[test]
fn an_image_path_leaving_the_assets_folder_rejects_that_record_only() {
    let tmp = TempDir::new("catalogue-escape");
    let layout = list_layout(&tmp);
    let mut products = std::fs::read_to_string(root().join(PRODUCTS)).unwrap();
    products.push_str("X-ESC,Évasion,10,Essai,../../samples/contacts.csv,accessoire,\n");
    std::fs::write(tmp.path("products.csv"), products).unwrap();
    let csv = format!(
        "id,last_name,street,postcode,city,selection\n{}{}",
        contact("R1", "A-CAB|X-ESC"),
        contact("R2", "A-CAB")
    );
    std::fs::write(tmp.path("contacts.csv"), csv).unwrap();
    let out = pli(&[
        "compose",
        &layout,
        &tmp.arg("contacts.csv"),
        "--products",
        &tmp.arg("products.csv"),
        "-o",
        &tmp.arg("out"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let rows = manifest(&tmp);
    assert_eq!(rows["R1"][2], "rejected");
    assert_eq!(
        rows["R1"][3],
        "image: product image: `../../samples/contacts.csv` leaves the assets folder: only paths inside it are allowed (product `X-ESC`)"
    );
    assert_eq!(rows["R2"][2], "composed");
}
