//! A mailpiece: what mail preparation hands on for each record that goes by post.

use super::address::AddressBlock;
use super::dedupe::MatchKeys;
use super::destination::Destination;
use crate::record::Channels;

/// A record that goes by post, as mail preparation hands it to the presort and the
/// job: where it goes, its address block, the channels it goes by, its household and
/// the keys it was matched by.
#[derive(Clone, Debug)]
pub struct Mailpiece {
    /// Where it goes.
    pub destination: Destination,
    /// Its address block, when the job prints one.
    pub address: Option<AddressBlock>,
    /// The channels it goes by (post, and e-mail or SMS as well when allowed).
    pub channels: Channels,
    /// Its household id, when the job computes households (empty otherwise).
    pub household: String,
    /// The first mailed member of its household: it receives the household's document.
    pub household_lead: bool,
    /// The keys it was matched by.
    pub keys: MatchKeys,
}
