//! Tray labels: one page per tray of a presorted deposit, composed from a label layout
//! like any other layout, so a mailing house adapts them to its carrier's specification.

use std::path::Path;

use serde_json::{json, Value};

use super::pass1_presort::Presorted;
use super::{compile, shared, Date, JobError};
use crate::compose::compose_piece;
use crate::mailprep::{Postcode, PostcodeBase};
use crate::pdf::{encode_page, PdfWriter};
use crate::presort::department_name;
use crate::record::{PieceId, TrayId};

/// Writes one label per tray of `presorted` to `out` with the label layout `layout`;
/// `pieces` gives each plan position's piece id (none for a piece not composed).
/// Returns the number of labels.
pub fn write_labels(
    layout: &Path,
    presorted: &Presorted,
    postcodes: Option<&PostcodeBase>,
    pieces: &dyn Fn(u32) -> Option<PieceId>,
    out: &Path,
    date: Date,
) -> Result<u32, JobError> {
    let layout = compile(layout, date)?;
    let output = |source| JobError::Output {
        path: out.to_owned(),
        source,
    };
    let mut w = PdfWriter::create(out, shared(&layout), &layout.name).map_err(output)?;
    let plan = &presorted.plan;
    for tray in &plan.trays {
        let key = plan.key(tray.key);
        let data = label_data(presorted, tray, key, postcodes, pieces, &layout.job_json());
        let piece = compose_piece(&layout, &data, true)
            .map_err(|r| JobError::Prep(format!("{}: tray {}: {r}", layout.path.display(), tray.number)))?;
        w.begin_piece(&TrayId(tray.number).to_string());
        for page in &piece.pages {
            w.add_page(&encode_page(page, &layout.faces)).map_err(output)?;
        }
    }
    w.finish().map_err(output)?;
    Ok(plan.trays.len() as u32)
}

fn label_data(
    presorted: &Presorted,
    tray: &crate::presort::Tray,
    key: &str,
    postcodes: Option<&PostcodeBase>,
    pieces: &dyn Fn(u32) -> Option<PieceId>,
    job: &serde_json::Map<String, Value>,
) -> Value {
    let plan = &presorted.plan;
    let piece_text = |position| pieces(position).map(|p| p.to_string()).unwrap_or_default();
    // A postcode key is named by its delivery locality when the base is at hand, a
    // département key by the département's name.
    let place = match (postcodes, Postcode::parse(key)) {
        (Some(base), Ok(code)) if key.len() == 5 => base
            .communes(code)
            .first()
            .map(|c| c.delivery_name.clone())
            .unwrap_or_default(),
        _ => department_name(key).unwrap_or_default().to_owned(),
    };
    let key_shown = if key == crate::presort::RESIDUAL_KEY {
        "France".to_owned()
    } else {
        key.to_owned()
    };
    let mut data = json!({
        "tray": tray.number,
        "trays": plan.trays.len(),
        "level": plan.levels[tray.level as usize],
        "key": key_shown,
        "place": place,
        "pieces": tray.pieces,
        "weight_kg": format!("{:.1}", tray.weight.0 as f64 / 1000.0).replace('.', ","),
        "first_piece": piece_text(tray.first_pos),
        "last_piece": piece_text(tray.last_pos),
        "product": presorted.product,
    });
    if let Value::Object(map) = &mut data {
        for (k, v) in job {
            map.insert(k.clone(), v.clone());
        }
    }
    data
}
