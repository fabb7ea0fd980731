//! Composing a catalogue piece: the record's products selected, the cover, as many
//! inner pages as the grid's list needs, the back cover; padded with blank pages for
//! saddle stitching, crop marks drawn.

use serde_json::Value;

use super::catalogue::{Catalogue, CellElement, Grid, Master};
use super::compiled::Layout;
use super::page::{Item, Page};
use super::piece::{finish_piece, Piece};
use crate::data::products::text;
use crate::record::Rejection;
use crate::units::{Color, Length, Rect};

/// Lays out every page of a record's catalogue.
pub fn compose(
    layout: &Layout,
    cat: &Catalogue,
    data: &Value,
    allow_missing_glyphs: bool,
) -> Result<Piece, Rejection> {
    let mut data = data.clone();
    if let (Some(selection), Value::Object(map)) = (&cat.selection, &mut data) {
        let chosen = match &cat.products {
            Some(products) => selection.select(products, &layout.templates, &Value::Object(map.clone()))?,
            None => Vec::new(),
        };
        map.insert("products".into(), Value::Array(chosen));
    }
    let mut missing = Vec::new();
    let mut pages = Vec::new();
    if let Some(cover) = cat.cover.as_ref().filter(|m| printed(layout, m, &data)) {
        pages.push(layout.start_page(&cover.kind, &data, &mut missing)?);
    }
    if printed(layout, &cat.inner, &data) {
        match &cat.inner.grid {
            None => pages.push(layout.start_page(&cat.inner.kind, &data, &mut missing)?),
            Some(grid) => {
                let list = items(grid, &data)?;
                for chunk in list.chunks(grid.per_page()) {
                    let mut page = layout.start_page(&cat.inner.kind, &data, &mut missing)?;
                    for (i, item) in chunk.iter().enumerate() {
                        fill_cell(layout, grid, i, item, &mut page.items, &mut missing)?;
                    }
                    pages.push(page);
                }
            }
        }
    }
    let back = match cat.back.as_ref().filter(|m| printed(layout, m, &data)) {
        Some(back) => Some(layout.start_page(&back.kind, &data, &mut missing)?),
        None => None,
    };
    // A saddle-stitched booklet is folded sheets of 4 pages; blanks go before the back cover.
    let total = pages.len() + usize::from(back.is_some());
    let blanks = if cat.finishing.saddle_stitch {
        (4 - total % 4) % 4
    } else {
        0
    };
    for _ in 0..blanks {
        pages.push(Page {
            width: layout.width,
            height: layout.height,
            items: Vec::new(),
            bleed: cat.finishing.bleed,
        });
    }
    pages.extend(back);
    if cat.finishing.crop_marks {
        for page in &mut pages {
            crop_marks(page);
        }
    }
    let mut piece = finish_piece(pages, missing, allow_missing_glyphs)?;
    piece.blank_pages = blanks as u32;
    if blanks > 0 {
        piece.warnings.push(format!("blank_pages:{blanks}"));
    }
    Ok(piece)
}

/// Whether a master page is printed: always, unless its `when` renders empty or `false`.
fn printed(layout: &Layout, master: &Master, data: &Value) -> bool {
    master.when.as_ref().is_none_or(|t| {
        let out = layout.templates.render(t, data).unwrap_or_default();
        let out = out.trim();
        !out.is_empty() && out != "false"
    })
}

/// The list a grid lays out.
fn items<'a>(grid: &Grid, data: &'a Value) -> Result<&'a [Value], Rejection> {
    match &data[grid.items.as_str()] {
        Value::Array(list) => Ok(list),
        Value::Null => Ok(&[]),
        _ => Err(Rejection::InvalidField {
            field: grid.items.clone(),
            message: "the grid lays out a list: give a JSON list".into(),
        }),
    }
}

/// Draws the `i`th cell of a page from its item.
fn fill_cell(
    layout: &Layout,
    grid: &Grid,
    i: usize,
    item: &Value,
    items: &mut Vec<Item>,
    missing: &mut Vec<char>,
) -> Result<(), Rejection> {
    let at = grid.cell_origin(i);
    for el in &grid.elements {
        match el {
            CellElement::Variable(v) => layout
                .draw_variable(v, at, item, items, missing)
                .map_err(|r| for_item(r, item))?,
            CellElement::Item(it) => items.push(moved(it, at)),
        }
    }
    Ok(())
}

/// A cell's rejection, naming the item it was filled from.
fn for_item(r: Rejection, item: &Value) -> Rejection {
    let id = text(&item["id"]);
    if id.is_empty() {
        return r;
    }
    match r {
        Rejection::Image(m) => Rejection::Image(format!("{m} (product `{id}`)")),
        Rejection::Template(m) => Rejection::Template(format!("{m} (product `{id}`)")),
        Rejection::TextOverflow { frame } => Rejection::TextOverflow {
            frame: format!("{frame} (product `{id}`)"),
        },
        other => other,
    }
}

/// A line, rect or cells moved into a grid cell.
fn moved(item: &Item, at: (Length, Length)) -> Item {
    let shift = |p: (Length, Length)| (p.0 + at.0, p.1 + at.1);
    match item {
        Item::Line {
            from,
            to,
            width,
            color,
        } => Item::Line {
            from: shift(*from),
            to: shift(*to),
            width: *width,
            color: *color,
        },
        Item::Rect { rect, fill, stroke } => Item::Rect {
            rect: Rect {
                x: rect.x + at.0,
                y: rect.y + at.1,
                ..*rect
            },
            fill: *fill,
            stroke: *stroke,
        },
        Item::Cells {
            origin,
            cell,
            rects,
            fill,
        } => Item::Cells {
            origin: shift(*origin),
            cell: *cell,
            rects: rects.clone(),
            fill: *fill,
        },
        other => other.clone(),
    }
}

/// Gap between the bleed and a crop mark, mm.
const MARK_GAP_MM: f32 = 2.0;

/// Crop marks at the four corners of the trim, in registration colour, from just
/// outside the bleed to the sheet's edge.
fn crop_marks(page: &mut Page) {
    let (w, h) = (page.width, page.height);
    let start = page.bleed.bleed + Length::mm(MARK_GAP_MM);
    let end = page.bleed.margin;
    let registration = Color::Cmyk(1.0, 1.0, 1.0, 1.0);
    for (cx, sx) in [(Length::ZERO, -1.0), (w, 1.0)] {
        for (cy, sy) in [(Length::ZERO, -1.0), (h, 1.0)] {
            let line = |from: (Length, Length), to: (Length, Length)| Item::Line {
                from,
                to,
                width: Length::pt(0.25),
                color: registration,
            };
            page.items.push(line((cx + start * sx, cy), (cx + end * sx, cy)));
            page.items.push(line((cx, cy + start * sy), (cx, cy + end * sy)));
        }
    }
}
