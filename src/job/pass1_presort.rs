//! Presort inside a job: each planned record's destination, weight and thickness
//! gathered in pass 1, the carrier's plan made from them, and `presort.csv`.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::compose::layout_file::ProductionSpec;
use crate::mailprep::Mailpiece;
use crate::presort::{plan, Grams, Makeup, Paper, PieceIn, Plan, Route, Rules, Thickness};
use crate::record::{FinishedOutcomes, Outcome, PieceId, Records};
use crate::report::{write_atomic, Postage, TrayFill};
use crate::units::Length;

/// How a job presorts its mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresortOptions {
    /// The carrier's rules file.
    pub rules: PathBuf,
    /// The tray label layout (default: `tray-label.toml` beside the rules, if there is one).
    pub labels: Option<PathBuf>,
}

impl PresortOptions {
    /// The tray label layout to use, if any.
    pub fn label_layout(&self) -> Option<PathBuf> {
        self.labels.clone().or_else(|| {
            let beside = self
                .rules
                .parent()
                .unwrap_or(Path::new("."))
                .join("tray-label.toml");
            beside.exists().then_some(beside)
        })
    }
}

/// Pass 1's presort state: one small entry per planned record.
pub struct Planner {
    rules: Rules,
    weight: Grams,
    thickness: Thickness,
    makeup: PieceMakeup,
    pieces: Vec<PieceIn>,
    /// Each piece's record index and where its entry starts in the ledger.
    at: Vec<(u64, u64)>,
}

/// A made plan, with the way back from its pieces to the ledger.
pub struct Presorted {
    /// The carrier's plan; piece indexes point into `at`.
    pub plan: Plan,
    /// Each piece's record index and ledger position.
    pub at: Vec<(u64, u64)>,
    /// The rules' product name.
    pub product: String,
    rules: Rules,
    makeup: PieceMakeup,
}

/// What a piece is made of, to weigh it from its page count once it is composed.
#[derive(Clone)]
struct PieceMakeup {
    production: ProductionSpec,
    width: Length,
    height: Length,
}

impl PieceMakeup {
    /// A piece of `pages` pages: one side of a sheet per page, or two when duplex.
    fn weight(&self, pages: u32) -> Grams {
        let p = &self.production;
        let sheets = if p.duplex { pages.div_ceil(2) } else { pages };
        Makeup {
            sheets: sheets.max(1),
            paper: Paper::new(p.paper_gsm, self.width, self.height),
            envelope_milligrams: ((p.envelope_g + p.inserts_g).max(0.0) * 1000.0).round() as u32,
            inserts: Vec::new(),
        }
        .weight()
    }
}

impl Planner {
    /// Loads the rules; pieces weigh what `production` makes on pages of `width` × `height`.
    pub fn new(
        opts: &PresortOptions,
        production: &ProductionSpec,
        width: Length,
        height: Length,
    ) -> Result<Planner, JobError> {
        let rules = Rules::load(&opts.rules).map_err(|e| JobError::Prep(e.to_string()))?;
        let milligrams = |grams: f32| (grams.max(0.0) * 1000.0).round() as u32;
        let makeup = Makeup {
            sheets: production.sheets.max(1),
            paper: Paper::new(production.paper_gsm, width, height),
            envelope_milligrams: milligrams(production.envelope_g + production.inserts_g),
            inserts: Vec::new(),
        };
        let thickness =
            production.sheets.max(1) as f64 * production.sheet_mm as f64 + production.envelope_mm as f64;
        Ok(Planner {
            weight: makeup.weight(),
            thickness: Thickness::mm(thickness),
            makeup: PieceMakeup {
                production: production.clone(),
                width,
                height,
            },
            rules,
            pieces: Vec::new(),
            at: Vec::new(),
        })
    }

    /// Adds a planned record's mailpiece, with the record's index and ledger position.
    pub fn add(&mut self, index: u64, position: u64, piece: &Mailpiece) {
        let n = self.pieces.len() as u32;
        self.pieces
            .push(PieceIn::of(n, piece, &self.rules, self.weight, self.thickness));
        self.at.push((index, position));
    }

    /// Makes the plan.
    pub fn plan(self) -> Presorted {
        Presorted {
            plan: plan(&self.pieces, &self.rules),
            at: self.at,
            product: self.rules.name().to_owned(),
            rules: self.rules,
            makeup: self.makeup,
        }
    }
}

/// The postage and plan figures for `report.json`.
#[derive(Clone, Debug, Serialize)]
pub struct PresortReport {
    /// The carrier's product.
    pub product: String,
    /// Pieces per sort level, finest first.
    pub pieces_per_level: Vec<(String, u32)>,
    /// Pieces that go single-piece, per reason.
    pub single_pieces: Vec<(String, u32)>,
    /// Bundles.
    pub bundles: u32,
    /// Trays.
    pub trays: u32,
    /// Total weight in grams.
    pub total_weight_g: u64,
    /// Postage at the presorted tariff (single-piece for those that cannot be), in euros.
    pub postage_presorted_eur: String,
    /// Postage if every piece went single-piece, in euros.
    pub postage_single_piece_eur: String,
    /// What presorting saves, in euros.
    pub saving_eur: String,
    /// What presorting saves, in percent.
    pub saving_percent: String,
    /// The deposit is below the rules' minimum: every piece is priced single-piece.
    pub below_deposit_minimum: bool,
    /// Each tray's level and pieces, in plan order.
    pub tray_fill: Vec<TrayFill>,
}

impl PresortReport {
    /// The figures the job report shows.
    pub fn postage(&self) -> Postage {
        Postage {
            product: self.product.clone(),
            per_level: self.pieces_per_level.clone(),
            single: self
                .single_pieces
                .iter()
                .map(|(why, n)| (format!("single:{why}"), *n))
                .collect(),
            bundles: self.bundles,
            trays: self.tray_fill.clone(),
            presorted_eur: self.postage_presorted_eur.clone(),
            single_piece_eur: self.postage_single_piece_eur.clone(),
            saving_eur: self.saving_eur.clone(),
            saving_percent: self.saving_percent.clone(),
            weight_g: self.total_weight_g,
            below_minimum: self.below_deposit_minimum,
        }
    }
}

impl Presorted {
    /// Weighs and prices every piece again from the pages it was composed with (a letter
    /// whose body ran over, a catalogue of 8 or 12 pages); a piece rejected while it was
    /// composed is not mailed and counts for nothing. Order, bundles and trays stay.
    pub fn settle(&mut self, outcomes: &FinishedOutcomes) -> io::Result<()> {
        let mut weights = Vec::with_capacity(self.at.len());
        for &(index, _) in &self.at {
            weights.push(match outcomes.get(index)? {
                Some(Outcome::Composed { pages, .. }) => Some(self.makeup.weight(pages)),
                _ => None,
            });
        }
        self.plan.reprice(&self.rules, |i| weights[i as usize]);
        Ok(())
    }

    /// The figures for the report.
    pub fn report(&self) -> PresortReport {
        let s = &self.plan.summary;
        let mut single: Vec<(String, u32)> = Vec::new();
        for (_, reason) in &self.plan.single {
            match single.iter_mut().find(|(code, _)| code == reason.code()) {
                Some((_, n)) => *n += 1,
                None => single.push((reason.code().to_owned(), 1)),
            }
        }
        PresortReport {
            product: self.product.clone(),
            pieces_per_level: self
                .plan
                .levels
                .iter()
                .cloned()
                .zip(s.pieces_per_level.iter().copied())
                .collect(),
            single_pieces: single,
            bundles: s.bundles,
            trays: s.trays,
            total_weight_g: s.total_weight_g,
            postage_presorted_eur: euros(s.presorted.0),
            postage_single_piece_eur: euros(s.single_piece.0),
            saving_eur: euros(s.saving.0),
            saving_percent: format!(
                "{}.{:02}",
                s.saving_basis_points / 100,
                (s.saving_basis_points % 100).abs()
            ),
            below_deposit_minimum: s.below_deposit_minimum,
            tray_fill: self
                .plan
                .trays
                .iter()
                .map(|t| TrayFill {
                    tray: t.number,
                    level: self.plan.levels[t.level as usize].clone(),
                    pieces: t.pieces,
                })
                .collect(),
        }
    }

    /// Writes `presort.csv`: one row per mailpiece in plan order. `outcomes` give the
    /// piece ids of a composed job; without them (`pli presort`) pieces are numbered
    /// in plan order, as composition would number them.
    pub fn write_csv(
        &self,
        path: &Path,
        records: &Records,
        outcomes: Option<&FinishedOutcomes>,
    ) -> io::Result<()> {
        write_atomic(path, |out| {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "position",
                "piece_id",
                "record_id",
                "line",
                "level",
                "key",
                "bundle",
                "tray",
                "weight_g",
                "price_eur",
                "route",
            ])?;
            for (pos, piece) in self.plan.pieces.iter().enumerate() {
                let (index, position) = self.at[piece.index as usize];
                let entry = records.entry_at(position, index)?;
                let id = match outcomes {
                    None => PieceId::letter(pos as u32 + 1).to_string(),
                    Some(o) => match o.get(index)? {
                        Some(Outcome::Composed { piece, .. }) => PieceId::letter(piece).to_string(),
                        _ => String::new(), // rejected when it was composed: not mailed
                    },
                };
                let (level, key, bundle, tray, route) = match piece.route {
                    Route::Sorted {
                        level,
                        key,
                        bundle,
                        tray,
                    } => (
                        self.plan.levels[level as usize].clone(),
                        self.plan.key(key).to_owned(),
                        bundle.to_string(),
                        tray.to_string(),
                        "presorted".to_owned(),
                    ),
                    Route::Single(reason) => (
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        format!("single:{}", reason.code()),
                    ),
                };
                w.write_record([
                    &(pos + 1).to_string(),
                    &id,
                    &*entry.id,
                    &entry.pos.line.to_string(),
                    &level,
                    &key,
                    &bundle,
                    &tray,
                    &piece.weight.0.to_string(),
                    &euros(piece.price.0),
                    &route,
                ])?;
            }
            w.flush()?;
            Ok(())
        })
    }
}

/// Cents as euros with two decimals: `1234.50`.
fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
