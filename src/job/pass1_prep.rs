//! Mail preparation inside a job: which channels a record goes by, and whether a
//! suppression list, a missing channel or an earlier record (a duplicate) takes it out.
//!
//! The order is fixed, so that a record is always reported under the same reason:
//! suppression lists first (legal obligations), then channels by consent, then the
//! record's own checks (address, fields) for the post, then de-duplication among
//! the records still in.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::fields::{AddressCheck, Fields, PrepNeeds};
use super::{compile, mapping, mapping_file, DataInput, Date, JobError};
use crate::compose::Layout;
use crate::data::Source;
use crate::mailprep::{
    allowed_channels, AddressPolicy, Deduper, MatchLevel, PostcodeBase, RecordKeys, Suppression,
    SuppressionList, SuppressionLists, OPTOUT_FIELD,
};
use crate::record::{Channels, Fate, Rejection};

/// How a job prepares its mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepOptions {
    /// La Poste's postcode base; without it, only a postcode's form is checked.
    pub postcodes: Option<PathBuf>,
    /// What an unknown postcode or a town not served by its postcode does.
    pub address_policy: AddressPolicy,
    /// Suppression lists, each with the reason it gives (`{"kind": "optout", "file": …}`
    /// in a job file).
    #[serde(with = "suppression_files")]
    pub suppress: Vec<(Suppression, PathBuf)>,
    /// De-duplication, if any.
    pub dedupe: Option<MatchLevel>,
    /// Compute households and name each one's first mailed member (it receives the
    /// household's document, e.g. one catalogue per household).
    pub households: bool,
}

impl PrepOptions {
    /// Whether a record's name, address and contact keys are needed in the first pass.
    pub fn needs_keys(&self) -> bool {
        !self.suppress.is_empty() || self.dedupe.is_some() || self.households
    }
}

/// Suppression lists in a job file: `[{"kind": "optout", "file": "/…/optouts.txt"}]`.
mod suppression_files {
    use std::path::PathBuf;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::mailprep::Suppression;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct List {
        kind: Suppression,
        file: PathBuf,
    }

    pub fn serialize<S: Serializer>(lists: &[(Suppression, PathBuf)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(lists.iter().map(|(kind, file)| List {
            kind: *kind,
            file: file.clone(),
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Suppression, PathBuf)>, D::Error> {
        let lists = Vec::<List>::deserialize(d)?;
        Ok(lists.into_iter().map(|l| (l.kind, l.file)).collect())
    }
}

/// The channels a job can produce: post, plus e-mail and SMS when its layout has their
/// templates; without a layout (`pli prepare`), every channel.
pub fn offered_channels(layout: Option<&Layout>) -> Channels {
    match layout {
        None => Channels::POST | Channels::EMAIL | Channels::SMS,
        Some(l) => {
            let mut offered = Channels::POST;
            if l.email().is_some() {
                offered |= Channels::EMAIL;
            }
            if l.sms().is_some() {
                offered |= Channels::SMS;
            }
            offered
        }
    }
}

/// Loads the postcode base a job's options name.
pub fn load_postcodes(opts: &PrepOptions) -> Result<Option<Arc<PostcodeBase>>, JobError> {
    opts.postcodes
        .as_deref()
        .map(|p| {
            PostcodeBase::load(p)
                .map(Arc::new)
                .map_err(|e| JobError::Prep(e.to_string()))
        })
        .transpose()
}

/// The first pass's preparation state: lists loaded, duplicates seen so far.
pub struct Prep {
    lists: SuppressionLists,
    dedupe: Option<Deduper>,
    /// When households are wanted without de-duplication: a household matcher whose
    /// verdicts only name households.
    household_ids: Option<Deduper>,
    /// Households that already have their first mailed member (hashes of their ids).
    leads: Option<HashSet<u64>>,
    /// The channels the job can produce (post, plus e-mail and SMS when the layout has them).
    offered: Channels,
}

/// What preparation decided for a record.
pub struct Decision {
    /// Its fate in the ledger.
    pub fate: Fate,
    /// The channels it goes by (none when it is suppressed or rejected).
    pub channels: Channels,
    /// Its household id, when households are computed.
    pub household: String,
    /// The first mailed member of its household (it receives the household's document).
    pub household_lead: bool,
}

impl Decision {
    /// A record that could not even be read.
    pub fn unreadable(r: Rejection) -> Decision {
        Decision {
            fate: rejection(r),
            channels: Channels::NONE,
            household: String::new(),
            household_lead: false,
        }
    }
}

impl Prep {
    /// Loads the lists; `offered` are the channels the job can produce.
    pub fn new(opts: &PrepOptions, offered: Channels) -> Result<Prep, JobError> {
        let mut lists = Vec::with_capacity(opts.suppress.len());
        for (reason, path) in &opts.suppress {
            lists.push(SuppressionList::load(*reason, path).map_err(|e| JobError::Prep(e.to_string()))?);
        }
        Ok(Prep {
            lists: SuppressionLists::new(lists),
            dedupe: opts.dedupe.map(Deduper::new),
            household_ids: (opts.households && opts.dedupe.is_none())
                .then(|| Deduper::new(MatchLevel::Household)),
            leads: opts.households.then(HashSet::new),
            offered,
        })
    }

    /// Decides a readable record's fate from its fields (`get`, absent = empty);
    /// `check` runs the checks a mailed record must pass (its address, its fields).
    pub fn decide<'a>(
        &mut self,
        id: &str,
        get: impl Fn(&str) -> &'a str,
        check: impl FnOnce() -> Result<(), Rejection>,
    ) -> Decision {
        let out = |fate, channels| Decision {
            fate,
            channels,
            household: String::new(),
            household_lead: false,
        };
        if let Some(list) = self.lists.check(&RecordKeys::of_record(&get)) {
            return out(Fate::Suppressed(list.code().into()), Channels::NONE);
        }
        let channels = allowed_channels(&get).intersect(self.offered);
        if channels.is_empty() {
            // A job that only mails reports a postal opt-out as such.
            let why = if self.offered == Channels::POST && crate::mailprep::is_yes(get(OPTOUT_FIELD)) {
                Suppression::OptOut.code()
            } else {
                "no_channel"
            };
            return out(Fate::Suppressed(why.into()), Channels::NONE);
        }
        if channels.contains(Channels::POST) {
            if let Err(r) = check() {
                return out(rejection(r), Channels::NONE);
            }
        }
        let mut household = String::new();
        if let Some(dedupe) = &mut self.dedupe {
            let verdict = dedupe.push(id, &get);
            household = verdict.household_id;
            if let Some(first) = verdict.duplicate_of {
                return Decision {
                    fate: Fate::Suppressed(format!("duplicate_of:{first}").into()),
                    channels: Channels::NONE,
                    household,
                    household_lead: false,
                };
            }
        } else if let Some(ids) = &mut self.household_ids {
            household = ids.push(id, &get).household_id;
        }
        let mailed = channels.contains(Channels::POST);
        // The household's first mailed member receives its document.
        let household_lead = match &mut self.leads {
            Some(leads) if mailed => {
                leads.insert(foldhash::quality::FixedState::with_seed(7).hash_one(&household))
            }
            _ => false,
        };
        let fate = if mailed { Fate::Planned } else { Fate::Exported };
        Decision {
            fate,
            channels,
            household,
            household_lead,
        }
    }
}

/// A rejection as the ledger keeps it.
pub fn rejection(r: Rejection) -> Fate {
    Fate::Rejected {
        code: r.code().into_boxed_str(),
        message: r.to_string().into_boxed_str(),
    }
}

/// What `pli prepare` and `pli presort` set up alike before their pass: the optional
/// layout, the data, its fields bound, the postcode base and the preparation state.
pub struct Setup {
    /// The layout, when one is given.
    pub layout: Option<Layout>,
    /// The data.
    pub src: Source,
    /// The fields read.
    pub fields: Fields,
    /// The postcode base, when given.
    pub postcodes: Option<Arc<PostcodeBase>>,
    /// Pass 1's preparation state.
    pub prep: Prep,
}

/// Opens a job without composition: `offered` says which channels count when there is
/// no layout; `destination` whether postcode and country are read for the presort.
pub fn setup(
    layout: Option<&Path>,
    input: &DataInput,
    prep: &PrepOptions,
    date: Date,
    offered_without_layout: Channels,
    destination: bool,
) -> Result<Setup, JobError> {
    let layout = layout.map(|l| compile(l, date)).transpose()?;
    let src = Source::open(&input.path, &input.source)?;
    let map = match &layout {
        Some(l) => mapping(l, input.map.as_deref())?,
        None => mapping_file(input.map.as_deref())?,
    };
    let offered = match &layout {
        Some(l) => offered_channels(Some(l)),
        None => offered_without_layout,
    };
    let postcodes = load_postcodes(prep)?;
    let needs = PrepNeeds {
        keys: prep.needs_keys(),
        email: offered.contains(Channels::EMAIL),
        sms: offered.contains(Channels::SMS),
        destination,
    };
    let check = AddressCheck {
        postcodes: postcodes.clone(),
        policy: prep.address_policy,
    };
    let fields = Fields::resolve(layout.as_ref(), &src, &map, needs, check).map_err(JobError::Columns)?;
    let prep = Prep::new(prep, offered)?;
    Ok(Setup {
        layout,
        src,
        fields,
        postcodes,
        prep,
    })
}
