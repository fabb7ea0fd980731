//! `pli presort`: the presort plan and postage of a mailing without composing it, for
//! quoting a job: `presort.csv`, the tray labels and `report.json`.

use std::path::PathBuf;

use serde::Serialize;

use super::labels::write_labels;
use super::pass1::{first_pass, FirstPass};
use super::pass1_prep::{setup, PrepOptions, Setup};
use super::pass1_presort::{Planner, PresortOptions, PresortReport};
use super::{DataInput, Date, JobError};
use crate::compose::layout_file::ProductionSpec;
use crate::record::Channels;
use crate::record::PieceId;
use crate::report::write_report_json;
use crate::units::Length;

/// What `pli presort` is asked to do.
#[derive(Clone, Debug)]
pub struct QuoteOptions {
    /// The contact file, how to read it, and its mapping.
    pub input: DataInput,
    /// The layout whose production settings (paper, sheets, envelope), page size,
    /// channels and mapping apply; without one, an A4 letter of one sheet in a 5 g envelope.
    pub layout: Option<PathBuf>,
    /// The carrier's rules and the tray label layout.
    pub presort: PresortOptions,
    /// Mail preparation.
    pub prep: PrepOptions,
    /// Where `presort.csv`, `trays.pdf` and `report.json` go.
    pub out_dir: PathBuf,
    /// The date on the labels.
    pub date: Date,
}

/// What `pli presort` found.
#[derive(Clone, Debug, Serialize)]
pub struct QuoteSummary {
    /// Records read.
    pub records: u64,
    /// Mailpieces planned (records that go by post).
    pub mailpieces: u64,
    /// Records that are not mailed (suppressed, rejected, or sent by e-mail or SMS only).
    pub not_mailed: u64,
    /// The plan and postage.
    pub presort: PresortReport,
    /// Tray labels written (0 without a label layout).
    pub labels: u32,
}

/// Runs `pli presort`.
pub fn run_quote(opts: &QuoteOptions) -> Result<QuoteSummary, JobError> {
    let Setup {
        layout,
        src,
        fields,
        postcodes,
        mut prep,
    } = setup(
        opts.layout.as_deref(),
        &opts.input,
        &opts.prep,
        opts.date,
        Channels::POST,
        true,
    )?;
    let production = layout
        .as_ref()
        .map_or_else(ProductionSpec::default, |l| l.production.clone());
    let (width, height) = layout
        .as_ref()
        .map_or((Length::mm(210.0), Length::mm(297.0)), |l| (l.width, l.height));
    let planner = Planner::new(&opts.presort, &production, width, height)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|source| JobError::Output {
        path: opts.out_dir.clone(),
        source,
    })?;
    let FirstPass {
        records, presorted, ..
    } = first_pass(
        &src,
        &fields,
        &mut prep,
        Some(planner),
        &opts.out_dir,
        &|_, _, _, _| None,
        &mut |_| {},
    )?;
    let presorted = presorted.expect("a planner was given");
    let output = |path: PathBuf| move |source| JobError::Output { path, source };
    let csv = opts.out_dir.join("presort.csv");
    presorted
        .write_csv(&csv, &records, None)
        .map_err(output(csv.clone()))?;
    let labels = match opts.presort.label_layout() {
        Some(l) => {
            let out = opts.out_dir.join("trays.pdf");
            let ids = |position: u32| Some(PieceId::letter(position + 1));
            write_labels(&l, &presorted, postcodes.as_deref(), &ids, &out, opts.date)?
        }
        None => 0,
    };
    let mailpieces = presorted.plan.pieces.len() as u64;
    let summary = QuoteSummary {
        records: records.records(),
        mailpieces,
        not_mailed: records.records() - mailpieces,
        presort: presorted.report(),
        labels,
    };
    let report = opts.out_dir.join("report.json");
    write_report_json(&report, &summary).map_err(output(report.clone()))?;
    Ok(summary)
}
