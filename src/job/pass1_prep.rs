//! Mail preparation inside a job: its options, the postcode base and lists they name,
//! and what `pli prepare` and `pli presort` set up alike. The decisions themselves are
//! mail preparation's ([`crate::mailprep::Preparer`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::fields::{AddressCheck, Fields, PrepNeeds};
use super::{compile, mapping, mapping_file, DataInput, Date, JobError};
use crate::compose::Layout;
use crate::data::Source;
use crate::mailprep::{
    AddressPolicy, MatchLevel, PostcodeBase, Preparer, Suppression, SuppressionList, SuppressionLists,
};
use crate::record::Channels;

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

/// The preparation a job's options ask for: its lists loaded, de-duplication and
/// households set up, `offered` the channels it can produce.
pub fn preparer(opts: &PrepOptions, offered: Channels) -> Result<Preparer, JobError> {
    let mut lists = Vec::with_capacity(opts.suppress.len());
    for (reason, path) in &opts.suppress {
        lists.push(SuppressionList::load(*reason, path).map_err(|e| JobError::Prep(e.to_string()))?);
    }
    Ok(Preparer::new(
        SuppressionLists::new(lists),
        opts.dedupe,
        opts.households,
        offered,
    ))
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
    pub prep: Preparer,
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
    let prep = preparer(prep, offered)?;
    Ok(Setup {
        layout,
        src,
        fields,
        postcodes,
        prep,
    })
}
