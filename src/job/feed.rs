//! Pass 2's feed: the records to compose, in plan order, each given its place (its
//! piece numbers, tray and bundle) before it goes to the workers.

use super::pass1_presort::Presorted;
use crate::presort::Route;
use crate::record::{Channels, Entry, EntryReader, Fate, Records};

/// A record's place in the output, fixed when it is fed to the workers (in plan order),
/// so that a piece's marks can carry its id and a reprint finds the same numbers: its
/// letter's and household document's numbers (0 for none), and its tray and bundle
/// when the job is presorted (0 otherwise, and for single pieces).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Place {
    pub letter: u32,
    pub household: u32,
    pub tray: u32,
    pub bundle: u32,
    /// Presorted, but outside the trays (single-piece rate): the inserter diverts it.
    pub divert: bool,
}

/// A record fed to the workers: its ledger entry and its place.
pub(crate) struct Fed {
    pub entry: Entry,
    pub place: Place,
}

/// The records pass 2 sends, in order (the ledger's, or the presort plan's mailpieces
/// followed by the records sent by e-mail or SMS only), each with its place.
pub(crate) struct Feed<'a> {
    order: Order<'a>,
    /// Numbers given so far: letters, household documents.
    letters: u32,
    households: u32,
    /// Whether household leads get a household document.
    household_docs: bool,
}

enum Order<'a> {
    Input(EntryReader<'a>),
    Sorted {
        records: &'a Records,
        plan: &'a Presorted,
        next: usize,
        exported: EntryReader<'a>,
    },
}

impl<'a> Feed<'a> {
    pub(crate) fn new(records: &'a Records, plan: Option<&'a Presorted>, household_docs: bool) -> Feed<'a> {
        let order = match plan {
            None => Order::Input(records.read()),
            Some(plan) => Order::Sorted {
                records,
                plan,
                next: 0,
                exported: records.read(),
            },
        };
        Feed {
            order,
            letters: 0,
            households: 0,
            household_docs,
        }
    }

    pub(crate) fn next(&mut self) -> std::io::Result<Option<Fed>> {
        let (entry, mut place) = match &mut self.order {
            Order::Input(reader) => match reader.next_to_send()? {
                Some(e) => (e, Place::default()),
                None => return Ok(None),
            },
            Order::Sorted {
                records,
                plan,
                next,
                exported,
            } => match plan.plan.pieces.get(*next) {
                Some(piece) => {
                    *next += 1;
                    let (index, position) = plan.at[piece.index as usize];
                    let mut place = Place::default();
                    match piece.route {
                        Route::Sorted { tray, bundle, .. } => (place.tray, place.bundle) = (tray, bundle),
                        Route::Single(_) => place.divert = true,
                    }
                    (records.entry_at(position, index)?, place)
                }
                None => match exported.next_exported()? {
                    Some(e) => (e, Place::default()),
                    None => return Ok(None),
                },
            },
        };
        if entry.fate == Fate::Planned && entry.channels.contains(Channels::POST) {
            self.letters += 1;
            place.letter = self.letters;
            if self.household_docs && entry.household_lead {
                self.households += 1;
                place.household = self.households;
            }
        }
        Ok(Some(Fed { entry, place }))
    }
}
