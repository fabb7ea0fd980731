//! A record as mail preparation reads it: its consents, the keys lists and duplicates
//! are matched by, where it goes and its address block, each read and normalised once
//! (on any thread) before its fate is decided in file order.

use super::address::AddressBlock;
use super::channels::allowed_channels;
use super::dedupe::MatchKeys;
use super::destination::Destination;
use super::suppress::RecordKeys;
use super::{is_yes, OPTOUT_FIELD};
use crate::record::{Channels, Rejection};

/// Which keys a job matches records by, so that only those are computed.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// The keys suppression lists hold (name and address, e-mail, phone).
    pub list_keys: bool,
    /// The keys de-duplication and households compare.
    pub match_keys: bool,
}

/// A record read for mail preparation.
#[derive(Clone, Debug)]
pub struct Contact {
    /// The channels its consents allow, whatever the job offers.
    pub allowed: Channels,
    /// The contact objected to postal mail (`postal_optout`).
    pub postal_optout: bool,
    /// Its keys for suppression lists (none when the job has no list).
    pub list_keys: RecordKeys,
    /// Its keys for de-duplication and households (empty when the job computes neither).
    pub match_keys: MatchKeys,
    /// Where it goes.
    pub destination: Destination,
    /// Its address block, or why none can be built; `None` when the job prints none.
    pub address: Option<Result<AddressBlock, Rejection>>,
}

impl Contact {
    /// Reads a record's standard fields (looked up by name; absent = empty); `address` is
    /// its block as the job built it (with the job's postcode base and defaults), if any.
    pub fn read<'a>(
        get: impl Fn(&str) -> &'a str,
        needs: Needs,
        address: Option<Result<AddressBlock, Rejection>>,
    ) -> Contact {
        let destination = match &address {
            Some(Ok(block)) => block.destination().clone(),
            _ => Destination::new(get("country"), get("postcode")),
        };
        Contact {
            allowed: allowed_channels(&get),
            postal_optout: is_yes(get(OPTOUT_FIELD)),
            list_keys: if needs.list_keys {
                RecordKeys::of_record(&get)
            } else {
                RecordKeys::default()
            },
            match_keys: if needs.match_keys {
                MatchKeys::read(&get)
            } else {
                MatchKeys::default()
            },
            destination,
            address,
        }
    }
}
