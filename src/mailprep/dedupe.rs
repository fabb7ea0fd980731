//! Merge/purge: finding the records that are the same person, household or address,
//! in file order, so that only the first of each is mailed; and a household id for all.
//!
//! # Keys
//!
//! Names and addresses are compared folded (capitals, no accents, punctuation made
//! spaces), street types and saints abbreviated (`3 av. Foch` = `3 AVENUE FOCH`,
//! `place Saint-Michel` = `PL ST MICHEL`), and last names without spaces
//! (`Le Goff` = `LEGOFF`, `Dupont-Aignan` = `DUPONT AIGNAN`).
//! - address: delivery point, building, street (or lieu-dit when there is no street)
//!   and postcode. The delivery point is part of it so that two flats of one building
//!   stay two addresses; the price is that a record with its flat number and the same
//!   one without are not merged (a letter too many rather than one too few);
//! - household: last name (or company) and address;
//! - individual: household, then the first name's initial; records with the same key
//!   are the same person when their first names are compatible: equal (`Jean-Pierre` =
//!   `Jean Pierre`), the same initials (`J.-P.` = `Jean-Pierre`), or a lone initial and
//!   a name starting with it (`J.` = `Jean`). An empty first name matches only another
//!   empty one (`M. Dupont` may be any Dupont of the house).
//!
//! A lone initial matches the first survivor it fits: `J.` after both `Jean` and
//! `Jacques` is taken for `Jean`.
//!
//! # Memory
//!
//! Keys are kept as 64-bit hashes, never as text, with the survivor's id: about 40 bytes
//! and the id a distinct key. Two different keys with the same hash would merge two
//! records; among ten million keys the chance that any such pair exists is about
//! 3 in a million (n²/2⁶⁵), which a mailing accepts.

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::abbrev::{Abbreviations, Step};
use super::normalise::postal_caps;

/// The field that carries a household id given by the file.
pub const HOUSEHOLD_FIELD: &str = "household";

/// Fixed, so that the same file always gives the same verdicts.
const SEED: u64 = 0x706c_695f_6465_6475;

/// What counts as the same recipient (`individual`, `household`, `address` in a job file).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchLevel {
    /// One piece per person.
    Individual,
    /// One piece per household (same last name at the same address).
    Household,
    /// One piece per address.
    Address,
}

/// What the deduper says of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `None` for the first of its kind (it is mailed); else the id of that first record.
    pub duplicate_of: Option<String>,
    /// The household: the file's `household` column when set, else the household id
    /// of the first record of the same household (its column, or its own id).
    pub household_id: String,
}

/// What a record is matched by, read once from its fields: the household its file gives,
/// its name (last name without spaces, or the company), its first name and its address, folded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// The file's `household` column, trimmed (empty when not given).
    pub household: String,
    /// The last name folded without spaces (`LEGOFF`), or the company's when there is none.
    pub name: String,
    /// The first name folded (`JEAN PIERRE`).
    pub first_name: String,
    /// The address: delivery point, building, street (or lieu-dit) and postcode, folded
    /// and abbreviated; `None` without a street (or lieu-dit) and a postcode.
    pub address: Option<String>,
}

impl MatchKeys {
    /// The keys of a record, from its standard fields (looked up by name; absent = empty).
    pub fn read<'a>(get: impl Fn(&str) -> &'a str) -> MatchKeys {
        let name = match postal_caps(get("last_name")).replace(' ', "") {
            last if last.is_empty() => postal_caps(get("company")).replace(' ', ""),
            last => last,
        };
        MatchKeys {
            household: get(HOUSEHOLD_FIELD).trim().to_owned(),
            name,
            first_name: postal_caps(get("first_name")),
            address: address_key(&get),
        }
    }
}

/// A first name, reduced to what compatibility needs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct FirstName {
    /// Hash of the whole folded name.
    full: u64,
    /// Hash of its initials (`JP`).
    initials: u64,
    /// Every word is one letter (`J`, `J P`).
    only_initials: bool,
    /// One word.
    single: bool,
    /// No word at all.
    empty: bool,
}

impl FirstName {
    /// Whether two first names, already known to share their first initial, may be one person's.
    fn compatible(self, other: FirstName) -> bool {
        if self.empty || other.empty {
            return self.empty && other.empty;
        }
        let lone_initial = |a: FirstName| a.only_initials && a.single;
        match (self.only_initials, other.only_initials) {
            (false, false) => self.full == other.full,
            _ => lone_initial(self) || lone_initial(other) || self.initials == other.initials,
        }
    }
}

/// A surviving person under an individual key; `next` chains the others of that key.
#[derive(Copy, Clone, Debug)]
struct Survivor {
    first: FirstName,
    id: u32,
    next: u32,
}

/// No next survivor.
const END: u32 = u32::MAX;

/// Ids kept once each, end to end in one string.
#[derive(Debug, Default)]
struct Ids {
    text: String,
    ends: Vec<u32>,
}

impl Ids {
    fn push(&mut self, id: &str) -> u32 {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// Takes records in file order and says, of each, whether an earlier one is the same.
#[derive(Debug)]
pub struct Deduper {
    level: MatchLevel,
    hasher: foldhash::quality::FixedState,
    /// Individual key → first survivor in `survivors`.
    individuals: HashMap<u64, u32>,
    survivors: Vec<Survivor>,
    /// Household key → (first record's id, its household id).
    households: HashMap<u64, (u32, u32)>,
    /// Address key → first record's id.
    addresses: HashMap<u64, u32>,
    ids: Ids,
}

impl Deduper {
    /// A deduper that merges at this level.
    pub fn new(level: MatchLevel) -> Deduper {
        Deduper {
            level,
            hasher: foldhash::quality::FixedState::with_seed(SEED),
            individuals: HashMap::new(),
            survivors: Vec::new(),
            households: HashMap::new(),
            addresses: HashMap::new(),
            ids: Ids::default(),
        }
    }

    /// The verdict on the next record, from its id and the keys read from its fields
    /// ([`MatchKeys::read`]). A record without an address matches nothing.
    pub fn push(&mut self, id: &str, keys: &MatchKeys) -> Verdict {
        let given_household = keys.household.as_str();
        let Some(address) = &keys.address else {
            let household_id = if given_household.is_empty() {
                id
            } else {
                given_household
            };
            return Verdict {
                duplicate_of: None,
                household_id: household_id.to_owned(),
            };
        };
        let household = self.hasher.hash_one((&keys.name, address));
        let first = self.first_name(&keys.first_name);
        let initial = keys.first_name.chars().next().unwrap_or(' ');
        let individual = self.hasher.hash_one((household, initial));
        let address = self.hasher.hash_one(address);

        let earlier = match self.level {
            MatchLevel::Individual => self.find_individual(individual, first),
            MatchLevel::Household => self.households.get(&household).map(|h| h.0),
            MatchLevel::Address => self.addresses.get(&address).copied(),
        };
        let mut own = None;
        let mut own_id = |ids: &mut Ids| *own.get_or_insert_with(|| ids.push(id));
        let household_id = match self.households.get(&household) {
            Some(&(_, hh)) if given_household.is_empty() => self.ids.get(hh).to_owned(),
            Some(_) => given_household.to_owned(),
            None => {
                let first_id = own_id(&mut self.ids);
                let hh = if given_household.is_empty() {
                    first_id
                } else {
                    self.ids.push(given_household)
                };
                self.households.insert(household, (first_id, hh));
                self.ids.get(hh).to_owned()
            }
        };
        if !self.addresses.contains_key(&address) {
            let first_id = own_id(&mut self.ids);
            self.addresses.insert(address, first_id);
        }
        if let Some(survivor) = earlier {
            return Verdict {
                duplicate_of: Some(self.ids.get(survivor).to_owned()),
                household_id,
            };
        }
        if self.level == MatchLevel::Individual {
            let me = own_id(&mut self.ids);
            self.add_individual(individual, first, me);
        }
        Verdict {
            duplicate_of: None,
            household_id,
        }
    }

    /// The id of the earliest survivor with this individual key and a compatible first name.
    fn find_individual(&self, key: u64, first: FirstName) -> Option<u32> {
        let mut at = *self.individuals.get(&key)?;
        while at != END {
            let s = self.survivors[at as usize];
            if s.first.compatible(first) {
                return Some(s.id);
            }
            at = s.next;
        }
        None
    }

    /// Adds a survivor at the end of its key's chain.
    fn add_individual(&mut self, key: u64, first: FirstName, id: u32) {
        let new = self.survivors.len() as u32;
        self.survivors.push(Survivor { first, id, next: END });
        let Some(mut at) = self.individuals.get(&key).copied() else {
            self.individuals.insert(key, new);
            return;
        };
        while self.survivors[at as usize].next != END {
            at = self.survivors[at as usize].next;
        }
        self.survivors[at as usize].next = new;
    }

    /// A first name's hashes and shape, from the name folded.
    fn first_name(&self, folded: &str) -> FirstName {
        let words: Vec<&str> = folded.split_whitespace().collect();
        let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
        FirstName {
            full: self.hasher.hash_one(folded),
            initials: self.hasher.hash_one(&initials),
            only_initials: words.iter().all(|w| w.chars().count() == 1),
            single: words.len() == 1,
            empty: words.is_empty(),
        }
    }
}

/// The folded address: delivery point, building, street or lieu-dit, postcode; `None`
/// without a street (or lieu-dit) and a postcode.
fn address_key<'a>(get: &impl Fn(&str) -> &'a str) -> Option<String> {
    let table = Abbreviations::builtin();
    let canonical = |field: &str| table.canonical(get(field), &[Step::StreetType, Step::Word, Step::Saint]);
    let street = match canonical("street") {
        s if s.is_empty() => canonical("address5"),
        s => s,
    };
    let postcode = postal_caps(get("postcode"));
    if street.is_empty() || postcode.is_empty() {
        return None;
    }
    Some(format!(
        "{}|{}|{street}|{postcode}",
        canonical("address2"),
        canonical("address3")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Near-duplicates: case, accents, initials, hyphens, abbreviations, spacing.
    const FIXTURE: &str = "\
id,first_name,last_name,address2,street,postcode,household
D01,Jean,Dupont,,12 rue des Lilas,75008,
D02,JEAN,DUPONT,,12 Rue des Lilas,75008,
D03,Jéan,Dupönt,,\"12, rue des lilas\",75008,
D04,J.,Dupont,,12 rue des Lilas,75008,
D05,Marie,Dupont,,12 rue des Lilas,75008,
D06,Jean-Pierre,Martin,,3 avenue Foch,69006,
D07,Jean Pierre,MARTIN,,3 av. Foch,69006,
D08,J.-P.,Martin,,3 Avenue Foch,69006,
D09,Jacques,Martin,,3 avenue Foch,69006,
D10,Jean,Dupont,,14 rue des Lilas,75008,
D11,Jean,Dupont,,12 rue des Lilas,75009,
D12,Hélène,Le Goff,,5 place Saint-Michel,35000,H77
D13,Helene,LEGOFF,,5 pl. St Michel,35000,
D14,,Dupont,,12 rue des Lilas,75008,
D15,Jean,Dupont,Appartement 4,12 rue des Lilas,75008,
D16,Jean,Dupont,Apt 4,12 rue des Lilas,75008,
D17,Paul,Durand,,,75008,
D18,Paul,Durand,,,75008,
";

    fn run(level: MatchLevel) -> Vec<(String, Option<String>, String)> {
        let mut reader = csv::Reader::from_reader(FIXTURE.as_bytes());
        let header = reader.headers().unwrap().clone();
        let mut deduper = Deduper::new(level);
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let get = |k: &str| header.iter().position(|h| h == k).map_or("", |i| &r[i]);
                let v = deduper.push(&r[0], &MatchKeys::read(get));
                (r[0].to_owned(), v.duplicate_of, v.household_id)
            })
            .collect()
    }

    fn duplicates(level: MatchLevel) -> Vec<(String, String)> {
        run(level)
            .into_iter()
            .filter_map(|(id, dup, _)| dup.map(|d| (id, d)))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn individuals() {
        let want = [
            ("D02", "D01"),
            ("D03", "D01"),
            ("D04", "D01"),
            ("D07", "D06"),
            ("D08", "D06"),
            ("D13", "D12"),
            ("D16", "D15"),
        ];
        assert_eq!(duplicates(MatchLevel::Individual), pairs(&want));
    }

    #[test]
    fn households() {
        let want = [
            ("D02", "D01"),
            ("D03", "D01"),
            ("D04", "D01"),
            ("D05", "D01"),
            ("D07", "D06"),
            ("D08", "D06"),
            ("D09", "D06"),
            ("D13", "D12"),
            ("D14", "D01"),
            ("D16", "D15"),
        ];
        assert_eq!(duplicates(MatchLevel::Household), pairs(&want));
    }

    #[test]
    fn addresses() {
        let got = duplicates(MatchLevel::Address);
        assert_eq!(
            got,
            duplicates(MatchLevel::Household),
            "every household of the fixture has its own address"
        );
    }

    #[test]
    fn household_ids() {
        let ids: Vec<(String, String)> = run(MatchLevel::Individual)
            .into_iter()
            .map(|(id, _, hh)| (id, hh))
            .collect();
        let get = |id: &str| ids.iter().find(|(i, _)| i == id).unwrap().1.clone();
        for id in ["D01", "D02", "D03", "D04", "D05", "D14"] {
            assert_eq!(get(id), "D01", "{id}");
        }
        assert_eq!(get("D09"), "D06");
        assert_eq!(get("D12"), "H77");
        assert_eq!(
            get("D13"),
            "H77",
            "a household takes the id its first record was given"
        );
        assert_eq!(get("D10"), "D10");
        assert_eq!(get("D17"), "D17", "no address, no household match");
        assert_eq!(get("D18"), "D18");
    }

    #[test]
    fn first_name_compatibility() {
        let d = Deduper::new(MatchLevel::Individual);
        let f = |s: &str| d.first_name(&postal_caps(s));
        assert!(f("Jean-Pierre").compatible(f("jean pierre")));
        assert!(f("J.-P.").compatible(f("Jean-Pierre")));
        assert!(f("J").compatible(f("Jean-Pierre")));
        assert!(f("Jean").compatible(f("J.")));
        assert!(!f("Jean").compatible(f("Jean-Pierre")));
        assert!(!f("J. M.").compatible(f("Jean-Pierre")));
        assert!(!f("").compatible(f("Jean")));
        assert!(f("").compatible(f(" ")));
    }

    #[test]
    fn ids_are_kept_once_end_to_end() {
        let mut ids = Ids::default();
        let a = ids.push("C1");
        let b = ids.push("");
        let c = ids.push("C000003");
        assert_eq!((ids.get(a), ids.get(b), ids.get(c)), ("C1", "", "C000003"));
    }
}
