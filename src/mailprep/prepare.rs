//! Each record's fate, decided in file order so that it is always reported under the
//! same reason: suppression lists first (legal obligations), then channels by consent,
//! then, for the post, the record's own checks (its fields, its address), then
//! de-duplication among the records still in. What goes by post leaves as a [`Mailpiece`].

use std::collections::HashSet;
use std::hash::BuildHasher;

use super::address::AddressBlock;
use super::contact::{Contact, Needs};
use super::dedupe::{Deduper, MatchLevel};
use super::piece::Mailpiece;
use super::suppress::SuppressionLists;
use super::Suppression;
use crate::record::{Channels, Fate, Rejection};

/// The preparation state of a job: its lists, the duplicates seen so far.
pub struct Preparer {
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
#[derive(Debug)]
pub struct Decision {
    /// Its fate in the ledger.
    pub fate: Fate,
    /// The channels it goes by (none when it is suppressed or rejected).
    pub channels: Channels,
    /// Its household id, when households are computed.
    pub household: String,
    /// The first mailed member of its household (it receives the household's document).
    pub household_lead: bool,
    /// The mailpiece, when it goes by post.
    pub piece: Option<Mailpiece>,
    /// Its address block when it was built but no mailpiece carries it (the record is
    /// suppressed, or goes by e-mail or SMS only).
    unmailed: Option<AddressBlock>,
}

impl Decision {
    /// A record that could not even be read.
    pub fn unreadable(r: Rejection) -> Decision {
        Decision::out(Fate::rejection(r), None)
    }

    /// A record that is not mailed, with no channel.
    fn out(fate: Fate, unmailed: Option<AddressBlock>) -> Decision {
        Decision {
            fate,
            channels: Channels::NONE,
            household: String::new(),
            household_lead: false,
            piece: None,
            unmailed,
        }
    }

    /// The record's address block, when one was built (whatever its fate).
    pub fn address(&self) -> Option<&AddressBlock> {
        match &self.piece {
            Some(piece) => piece.address.as_ref(),
            None => self.unmailed.as_ref(),
        }
    }
}

impl Preparer {
    /// A job's preparation: its lists, de-duplication at `dedupe`, households when
    /// `households` (each one's first mailed member named), `offered` the channels it can produce.
    pub fn new(
        lists: SuppressionLists,
        dedupe: Option<MatchLevel>,
        households: bool,
        offered: Channels,
    ) -> Preparer {
        Preparer {
            lists,
            dedupe: dedupe.map(Deduper::new),
            household_ids: (households && dedupe.is_none()).then(|| Deduper::new(MatchLevel::Household)),
            leads: households.then(HashSet::new),
            offered,
        }
    }

    /// The keys records must be read with ([`Contact::read`]).
    pub fn needs(&self) -> Needs {
        Needs {
            list_keys: !self.lists.is_empty(),
            match_keys: self.dedupe.is_some() || self.household_ids.is_some(),
        }
    }

    /// Decides a readable record's fate; `check` is the job's own verdict on the record
    /// (the fields its layout needs), which only a record going by post must pass.
    pub fn decide(&mut self, id: &str, contact: Contact, check: Result<(), Rejection>) -> Decision {
        let Contact {
            allowed,
            postal_optout,
            list_keys,
            match_keys,
            destination,
            address,
        } = contact;
        if let Some(list) = self.lists.check(&list_keys) {
            return Decision::out(Fate::Suppressed(list.code().into()), address.and_then(Result::ok));
        }
        let channels = allowed.intersect(self.offered);
        if channels.is_empty() {
            // A job that only mails reports a postal opt-out as such.
            let why = if self.offered == Channels::POST && postal_optout {
                Suppression::OptOut.code()
            } else {
                "no_channel"
            };
            return Decision::out(Fate::Suppressed(why.into()), address.and_then(Result::ok));
        }
        let mailed = channels.contains(Channels::POST);
        let address = if mailed {
            if let Err(r) = check {
                return Decision::out(Fate::rejection(r), None);
            }
            match address {
                Some(Err(r)) => return Decision::out(Fate::rejection(r), None),
                built => built.and_then(Result::ok),
            }
        } else {
            address.and_then(Result::ok)
        };
        let mut household = String::new();
        if let Some(dedupe) = &mut self.dedupe {
            let verdict = dedupe.push(id, &match_keys);
            household = verdict.household_id;
            if let Some(first) = verdict.duplicate_of {
                return Decision {
                    household,
                    ..Decision::out(Fate::Suppressed(format!("duplicate_of:{first}").into()), address)
                };
            }
        } else if let Some(ids) = &mut self.household_ids {
            household = ids.push(id, &match_keys).household_id;
        }
        // The household's first mailed member receives its document.
        let household_lead = match &mut self.leads {
            Some(leads) if mailed => {
                leads.insert(foldhash::quality::FixedState::with_seed(7).hash_one(&household))
            }
            _ => false,
        };
        if !mailed {
            return Decision {
                fate: Fate::Exported,
                channels,
                household,
                household_lead,
                piece: None,
                unmailed: address,
            };
        }
        Decision {
            fate: Fate::Planned,
            channels,
            household: household.clone(),
            household_lead,
            piece: Some(Mailpiece {
                destination,
                address,
                channels,
                household,
                household_lead,
                keys: match_keys,
            }),
            unmailed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailprep::{AddressBlock, AddressPolicy, SuppressionList};
    use std::path::Path;

    /// A record's contact, read as a job reads it, its block built without a base.
    fn contact(pairs: &[(&str, &str)], needs: Needs) -> Contact {
        let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| *v);
        let block = AddressBlock::build(get, None, AddressPolicy::Reject);
        Contact::read(get, needs, Some(block))
    }

    const DUPONT: &[(&str, &str)] = &[
        ("last_name", "Dupont"),
        ("street", "12 rue des Lilas"),
        ("postcode", "75008"),
        ("city", "Paris"),
        ("email", "jean@exemple.fr"),
        ("consent_email", "1"),
    ];

    fn all() -> Channels {
        Channels::POST | Channels::EMAIL | Channels::SMS
    }

    #[test]
    fn a_mailed_record_leaves_as_a_mailpiece() {
        let mut prep = Preparer::new(SuppressionLists::default(), None, false, all());
        let d = prep.decide("C1", contact(DUPONT, prep.needs()), Ok(()));
        assert_eq!(d.fate, Fate::Planned);
        let piece = d.piece.expect("a mailpiece");
        assert_eq!(piece.channels, Channels::POST | Channels::EMAIL);
        assert_eq!(piece.destination.postcode().unwrap().as_str(), "75008");
        assert!(piece.destination.is_france());
        let lines = piece.address.unwrap().into_texts();
        assert_eq!(lines.last().unwrap(), "75008 PARIS");
    }

    #[test]
    fn lists_come_before_the_address_and_messages_need_no_mailpiece() {
        let list =
            SuppressionList::parse(Suppression::Erasure, "jean@exemple.fr\n", Path::new("e.txt")).unwrap();
        let mut prep = Preparer::new(SuppressionLists::new(vec![list]), None, false, all());
        let mut broken = DUPONT.to_vec();
        broken.retain(|(k, _)| *k != "postcode");
        let d = prep.decide("C1", contact(&broken, prep.needs()), Ok(()));
        assert_eq!(d.fate, Fate::Suppressed("erasure".into()));
        assert!(d.piece.is_none());

        let mut prep = Preparer::new(SuppressionLists::default(), None, false, all());
        let mut email_only = DUPONT.to_vec();
        email_only.push(("postal_optout", "1"));
        let d = prep.decide("C2", contact(&email_only, prep.needs()), Ok(()));
        assert_eq!((&d.fate, d.channels), (&Fate::Exported, Channels::EMAIL));
        assert!(d.piece.is_none() && d.address().is_some());
        let d = prep.decide(
            "C3",
            contact(DUPONT, prep.needs()),
            Err(Rejection::MissingField("vehicle".into())),
        );
        assert!(matches!(d.fate, Fate::Rejected { ref code, .. } if &**code == "missing_field:vehicle"));
    }

    #[test]
    fn households_name_their_first_mailed_member() {
        let mut prep = Preparer::new(SuppressionLists::default(), None, true, all());
        assert!(prep.needs().match_keys && !prep.needs().list_keys);
        let first = prep.decide("C1", contact(DUPONT, prep.needs()), Ok(()));
        let second = prep.decide("C2", contact(DUPONT, prep.needs()), Ok(()));
        assert_eq!(
            (first.household.as_str(), second.household.as_str()),
            ("C1", "C1")
        );
        assert!(first.household_lead && !second.household_lead);
        assert!(first.piece.unwrap().household_lead);
    }
}
