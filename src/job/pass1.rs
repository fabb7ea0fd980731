//! Pass 1, shared by `pli compose` and `pli presort`: every record read once, its fate
//! decided by mail preparation and logged to the ledger, and the mailpieces planned
//! in the carrier's order when the job is presorted.

use std::path::Path;

use super::compose::Progress;
use super::fields::Fields;

use super::pass1_presort::{Planner, Presorted};
use super::JobError;
use rayon::prelude::*;
use serde_json::Value;

use crate::data::Source;
use crate::mailprep::{Contact, Decision, Preparer};
use crate::record::{Fate, RecordLog, RecordPos, Records, Rejection, Routing};

/// A readable record as pass 1 prepares it on any core: the job's own check of its
/// fields and what mail preparation reads of it.
type Prepared = (Result<(), Rejection>, Contact);

/// Records read before their checks are made, together, on all cores.
const BATCH: usize = 1024;

/// What pass 1 leaves for what follows.
pub struct FirstPass {
    /// The ledger of every record.
    pub records: Records,
    /// Records rejected.
    pub rejected: u64,
    /// The presort plan, when the job is presorted.
    pub presorted: Option<Presorted>,
}

/// Decides a job's stop on a rejection: `(line, record id, message, rejections so far)`.
pub type Stop<'a> = dyn Fn(u64, &str, &str, u64) -> Option<JobError> + 'a;

/// Reads every record once, logging its fate in `out_dir`'s ledger.
pub fn first_pass(
    src: &Source,
    fields: &Fields,
    prep: &mut Preparer,
    mut planner: Option<Planner>,
    out_dir: &Path,
    stop: &Stop,
    progress: &mut dyn FnMut(Progress),
) -> Result<FirstPass, JobError> {
    let ledger_error = |source| JobError::Output {
        path: out_dir.to_owned(),
        source,
    };
    let mut log = RecordLog::create(out_dir).map_err(ledger_error)?;
    let mut rejected = 0u64;
    let mut scan = src.scan(&fields.binding);
    let mut batch: Vec<(RecordPos, Result<(), Rejection>, Vec<Value>)> = Vec::with_capacity(BATCH);
    loop {
        // Records are read in order; the checks a mailed record must pass (its fields,
        // its address block) and its keys are made for a batch on all cores; then each
        // record's fate is decided in file order (lists, channels, duplicates depend on it).
        batch.clear();
        while batch.len() < BATCH {
            let mut values = Vec::with_capacity(fields.binding.len());
            match scan.next_into(&mut values) {
                Some((pos, read)) => batch.push((pos, read, values)),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let needs = prep.needs();
        let read: Vec<Result<Prepared, Rejection>> = batch
            .par_iter()
            .map(|(_, read, values)| match read {
                Ok(()) => Ok((fields.check_template(values), fields.contact(values, needs))),
                Err(r) => Err(r.clone()),
            })
            .collect();
        for ((pos, _, values), prepared) in batch.drain(..).zip(read) {
            let id = fields.record_id(&values, pos);
            let decision = match prepared {
                Err(r) => Decision::unreadable(r),
                Ok((check, contact)) => prep.decide(&id, contact, check),
            };
            let fate = &decision.fate;
            if let Fate::Rejected { message, .. } = fate {
                rejected += 1;
                if let Some(e) = stop(pos.line, &id, message, rejected) {
                    return Err(e);
                }
            }
            let position = log.position();
            let index = log
                .push(
                    pos,
                    &id,
                    fate,
                    Routing {
                        channels: decision.channels,
                        household: &decision.household,
                        household_lead: decision.household_lead,
                    },
                )
                .map_err(ledger_error)?;
            if let (Some(planner), Some(piece)) = (&mut planner, &decision.piece) {
                planner.add(index, position, piece);
            }
            if log.records() % 10_000 == 0 {
                src.release(pos.offset);
                progress(Progress::Reading {
                    records: log.records(),
                });
            }
        }
    }
    Ok(FirstPass {
        records: log.finish().map_err(ledger_error)?,
        rejected,
        // The carrier's order, when the job is presorted: pass 2 follows it.
        presorted: planner.map(Planner::plan),
    })
}
