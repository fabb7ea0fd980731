//! The presort plan: each piece's sort level, bundle, tray and position, the order
//! composition follows, and the postage presorted against single-piece.
//!
//! A piece goes to the finest level at which its group (the pieces with the same key)
//! fills trays of at least the level's minimum; the rest fall to the next level, and
//! the residual level (`key = "all"`) takes whatever is left. Trays hold one key of
//! one level: mixing postcodes in a tray is what the coarser level is for. Only with
//! `mix_levels = true` do the residual level's pieces start in the room left in the
//! last tray before them; that tray then goes with the residual level.

use std::collections::HashMap;
use std::fmt;

use super::key::{Destination, RESIDUAL_KEY};
use super::pack::{self, Load};
use super::quantities::{Cents, Grams, Thickness};
use super::rules::Rules;
use crate::mailprep::Mailpiece;

/// A piece as the presort needs it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PieceIn {
    /// The record's index in the input; ties in the order are broken by it.
    pub index: u32,
    /// Where it goes.
    pub destination: Destination,
    /// Its weight.
    pub weight: Grams,
    /// Its thickness.
    pub thickness: Thickness,
}

impl PieceIn {
    /// A mailpiece as the presort sees it: its destination for this product, its weight
    /// and thickness; `index` is its record's index in the input.
    pub fn of(index: u32, piece: &Mailpiece, rules: &Rules, weight: Grams, thickness: Thickness) -> PieceIn {
        PieceIn {
            index,
            destination: rules.destination(&piece.destination),
            weight,
            thickness,
        }
    }
}

/// Why a piece is not presorted, as the plan prints it (`foreign`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SingleReason {
    /// Addressed abroad.
    Foreign,
    /// Domestic without a postcode.
    NoPostcode,
    /// A postcode that is not of the product's form.
    BadPostcode,
    /// Heavier than the last weight step: the product does not take it (priced 0).
    Overweight,
    /// Thicker or heavier than a tray holds.
    Oversize,
    /// Its group is below every level's minimum and the rules have no residual level.
    BelowMinimum,
}

impl SingleReason {
    /// The code the plan and the report print.
    pub fn code(self) -> &'static str {
        match self {
            SingleReason::Foreign => "foreign",
            SingleReason::NoPostcode => "no_postcode",
            SingleReason::BadPostcode => "bad_postcode",
            SingleReason::Overweight => "overweight",
            SingleReason::Oversize => "oversize",
            SingleReason::BelowMinimum => "below_minimum",
        }
    }
}

impl fmt::Display for SingleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A sort key, as an index into [`Plan::keys`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

/// How a piece travels.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Presorted.
    Sorted {
        /// Its level, as an index into [`Rules::levels`] and [`Plan::levels`].
        level: u8,
        /// Its key at that level.
        key: KeyId,
        /// Its bundle, counting from 1 in plan order.
        bundle: u32,
        /// Its tray, counting from 1 in plan order.
        tray: u32,
    },
    /// Single-piece, and why.
    Single(SingleReason),
}

/// A piece in the plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The record's index in the input.
    pub index: u32,
    /// Its weight.
    pub weight: Grams,
    /// Its postage (single-piece when the deposit is below the minimum; 0 when overweight).
    pub price: Cents,
    /// Presorted or single-piece.
    pub route: Route,
}

/// A tray: a run of consecutive positions in the plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Tray {
    /// Its number, counting from 1 in plan order.
    pub number: u32,
    /// Its level (the residual level for a tray that mixes levels).
    pub level: u8,
    /// Its key at that level.
    pub key: KeyId,
    /// Pieces in it.
    pub pieces: u32,
    /// Their weight.
    pub weight: Grams,
    /// Their thickness.
    pub thickness: Thickness,
    /// The position of its first piece.
    pub first_pos: u32,
    /// The position of its last piece.
    pub last_pos: u32,
}

/// Counts and postage of a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostageSummary {
    /// Presorted pieces at each level, as [`Rules::levels`].
    pub pieces_per_level: Vec<u32>,
    /// Pieces not presorted.
    pub single_pieces: u32,
    /// Pieces no weight step prices (overweight).
    pub unpriced: u32,
    /// Bundles.
    pub bundles: u32,
    /// Trays.
    pub trays: u32,
    /// Every piece's weight added up.
    pub total_weight_g: u64,
    /// The postage of this plan: presorted pieces at the presorted price, the others single-piece.
    pub presorted: Cents,
    /// The postage of every piece sent single-piece.
    pub single_piece: Cents,
    /// `single_piece - presorted`.
    pub saving: Cents,
    /// The saving in hundredths of a percent of `single_piece` (1234 = 12.34 %), rounded.
    pub saving_basis_points: i64,
    /// Fewer presortable pieces than the deposit minimum: every piece is priced single-piece.
    pub below_deposit_minimum: bool,
}

/// The presort plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The level names, as [`Rules::levels`].
    pub levels: Vec<String>,
    /// The key table that [`KeyId`]s index.
    pub keys: Vec<String>,
    /// Input indexes in plan order: presorted pieces, then single-piece ones in input order.
    pub order: Vec<u32>,
    /// Every piece, by position in the plan.
    pub pieces: Vec<Planned>,
    /// The trays, in plan order.
    pub trays: Vec<Tray>,
    /// Counts and postage.
    pub summary: PostageSummary,
    /// The pieces not presorted (input index, reason), in input order.
    pub single: Vec<(u32, SingleReason)>,
}

impl Plan {
    /// The text of a key.
    pub fn key(&self, id: KeyId) -> &str {
        &self.keys[id.0 as usize]
    }
}

/// A group kept at a level: its pieces are a run of the plan, cut into trays.
struct Group {
    level: u8,
    key: KeyId,
    trays: Vec<u32>,
    /// Whether its first tray continues the tray before it (mixed levels).
    joins: bool,
}

/// Key texts to ids, each text once.
#[derive(Default)]
struct Keys {
    texts: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Keys {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.to_owned());
        self.ids.insert(text.to_owned(), id);
        id
    }
}

/// Plans a mailing: see the module documentation for the rules it follows.
pub fn plan(pieces: &[PieceIn], rules: &Rules) -> Plan {
    let cap = rules.tray();
    let mut single: Vec<(usize, SingleReason)> = Vec::new();
    let mut remaining: Vec<u32> = Vec::with_capacity(pieces.len());
    for (i, p) in pieces.iter().enumerate() {
        let reason = match p.destination {
            Destination::Foreign => Some(SingleReason::Foreign),
            Destination::NoPostcode => Some(SingleReason::NoPostcode),
            Destination::Domestic(code) if !rules.postcode_form().accepts(&code) => {
                Some(SingleReason::BadPostcode)
            }
            _ if rules.step(p.weight).is_none() => Some(SingleReason::Overweight),
            _ if !Load::default().with(p.weight, p.thickness).within(cap) => Some(SingleReason::Oversize),
            _ => None,
        };
        match reason {
            Some(r) => single.push((i, r)),
            None => remaining.push(i as u32),
        }
    }
    let code = |i: u32| match pieces[i as usize].destination {
        Destination::Domestic(c) => c,
        _ => unreachable!("only domestic pieces are sorted"),
    };
    let measures = |run: &[u32]| -> Vec<(Grams, Thickness)> {
        run.iter()
            .map(|&i| (pieces[i as usize].weight, pieces[i as usize].thickness))
            .collect()
    };

    let mut keys = Keys::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut sequence: Vec<u32> = Vec::with_capacity(remaining.len());
    let mut has_residual = false;
    for (li, level) in rules.levels().iter().enumerate() {
        let li = li as u8;
        if level.is_residual() {
            has_residual = true;
            if remaining.is_empty() {
                break;
            }
            remaining.sort_unstable_by_key(|&i| (pieces[i as usize].index, i));
            let start = match groups.last() {
                Some(g) if rules.mix_levels() => {
                    let n = *g.trays.last().unwrap_or(&0) as usize;
                    let tail = &sequence[sequence.len() - n..];
                    tail.iter().fold(Load::default(), |l, &i| {
                        l.with(pieces[i as usize].weight, pieces[i as usize].thickness)
                    })
                }
                _ => Load::default(),
            };
            let mut trays = pack::trays(&measures(&remaining), cap, 0, start).unwrap_or_default();
            let joins = start.pieces > 0 && trays.first().is_some_and(|&n| n > 0);
            if start.pieces > 0 && !joins {
                trays.remove(0);
            }
            groups.push(Group {
                level: li,
                key: KeyId(keys.id(RESIDUAL_KEY)),
                trays,
                joins,
            });
            sequence.append(&mut remaining);
            break;
        }
        // Each piece's key, ranked by text, so that sorting compares integers.
        let ids: Vec<u32> = remaining
            .iter()
            .map(|&i| keys.id(level.key.key(&code(i))))
            .collect();
        let mut used: Vec<u32> = ids.clone();
        used.sort_unstable();
        used.dedup();
        used.sort_unstable_by(|a, b| keys.texts[*a as usize].cmp(&keys.texts[*b as usize]));
        let mut rank = vec![0u32; keys.texts.len()];
        for (r, &id) in used.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let mut tagged: Vec<(u32, u32, u32)> = remaining
            .iter()
            .zip(&ids)
            .map(|(&i, &id)| (rank[id as usize], pieces[i as usize].index, i))
            .collect();
        drop(ids);
        tagged.sort_unstable();
        remaining.clear();
        for run in tagged.chunk_by(|a, b| a.0 == b.0) {
            let key = KeyId(used[run[0].0 as usize]);
            let run: Vec<u32> = run.iter().map(|t| t.2).collect();
            let trays = (run.len() >= level.tray_min as usize)
                .then(|| pack::trays(&measures(&run), cap, level.tray_min, Load::default()))
                .flatten();
            match trays {
                Some(trays) => {
                    groups.push(Group {
                        level: li,
                        key,
                        trays,
                        joins: false,
                    });
                    sequence.extend_from_slice(&run);
                }
                None => remaining.extend_from_slice(&run),
            }
        }
    }
    if !has_residual {
        single.extend(
            remaining
                .iter()
                .map(|&i| (i as usize, SingleReason::BelowMinimum)),
        );
    }
    single.sort_unstable_by_key(|&(i, _)| (pieces[i].index, i));
    assemble(pieces, rules, keys.texts, &groups, &sequence, &single)
}

/// Numbers bundles and trays in plan order, prices every piece and adds it all up.
fn assemble(
    pieces: &[PieceIn],
    rules: &Rules,
    keys: Vec<String>,
    groups: &[Group],
    sequence: &[u32],
    single: &[(usize, SingleReason)],
) -> Plan {
    let mut summary = PostageSummary {
        pieces_per_level: vec![0; rules.levels().len()],
        below_deposit_minimum: (sequence.len() as u64) < u64::from(rules.deposit_min_pieces()),
        ..PostageSummary::default()
    };
    let mut planned: Vec<Planned> = Vec::with_capacity(pieces.len());
    let mut trays: Vec<Tray> = Vec::new();
    let mut bundle = 0u32;
    let mut next = sequence.iter();
    for g in groups {
        for (t, &size) in g.trays.iter().enumerate() {
            let pos = planned.len() as u32;
            match trays.last_mut() {
                Some(tray) if t == 0 && g.joins => {
                    tray.level = g.level;
                    tray.key = g.key;
                }
                _ => trays.push(Tray {
                    number: trays.len() as u32 + 1,
                    level: g.level,
                    key: g.key,
                    pieces: 0,
                    weight: Grams(0),
                    thickness: Thickness::ZERO,
                    first_pos: pos,
                    last_pos: pos,
                }),
            }
            let number = trays.len() as u32;
            let tray = trays.last_mut().expect("a tray was just opened");
            for size in pack::bundles(size, rules.bundle_max()) {
                bundle += 1;
                for &i in next.by_ref().take(size as usize) {
                    let p = &pieces[i as usize];
                    let (presorted, single_piece) = rules.prices(p.weight).unwrap_or_default();
                    let price = if summary.below_deposit_minimum {
                        single_piece
                    } else {
                        presorted
                    };
                    summary.presorted += price;
                    summary.single_piece += single_piece;
                    summary.pieces_per_level[usize::from(g.level)] += 1;
                    tray.pieces += 1;
                    tray.weight = Grams(tray.weight.0.saturating_add(p.weight.0));
                    tray.thickness =
                        Thickness::um(tray.thickness.to_um().saturating_add(p.thickness.to_um()));
                    tray.last_pos = planned.len() as u32;
                    planned.push(Planned {
                        index: p.index,
                        weight: p.weight,
                        price,
                        route: Route::Sorted {
                            level: g.level,
                            key: g.key,
                            bundle,
                            tray: number,
                        },
                    });
                }
            }
        }
    }
    for &(i, reason) in single {
        let p = &pieces[i];
        let price = match rules.prices(p.weight) {
            Some((_, single_piece)) => single_piece,
            None => {
                summary.unpriced += 1;
                Cents::ZERO
            }
        };
        summary.presorted += price;
        summary.single_piece += price;
        planned.push(Planned {
            index: p.index,
            weight: p.weight,
            price,
            route: Route::Single(reason),
        });
    }
    summary.single_pieces = single.len() as u32;
    summary.bundles = bundle;
    summary.trays = trays.len() as u32;
    summary.total_weight_g = pieces.iter().map(|p| u64::from(p.weight.0)).sum();
    summary.saving = summary.single_piece - summary.presorted;
    summary.saving_basis_points = basis_points(summary.saving, summary.single_piece);
    Plan {
        levels: rules.levels().iter().map(|l| l.name.clone()).collect(),
        keys,
        order: planned.iter().map(|p| p.index).collect(),
        pieces: planned,
        trays,
        summary,
        single: single.iter().map(|&(i, r)| (pieces[i].index, r)).collect(),
    }
}

impl Plan {
    /// Prices the plan again once the pieces are made, from the weight each piece turned
    /// out to have (`weights(i)` for the piece of input index `i`; `None`: it was not
    /// mailed after all, and counts for nothing). Order, bundles and trays stay as planned.
    pub fn reprice(&mut self, rules: &Rules, weights: impl Fn(u32) -> Option<Grams>) {
        let s = &mut self.summary;
        let below = s.below_deposit_minimum;
        (s.presorted, s.single_piece, s.unpriced, s.total_weight_g) = (Cents::ZERO, Cents::ZERO, 0, 0);
        for tray in &mut self.trays {
            tray.weight = Grams(0);
        }
        for piece in &mut self.pieces {
            let Some(weight) = weights(piece.index) else {
                (piece.weight, piece.price) = (Grams(0), Cents::ZERO);
                continue;
            };
            piece.weight = weight;
            s.total_weight_g += u64::from(weight.0);
            let Some((presorted, single_piece)) = rules.prices(weight) else {
                s.unpriced += 1;
                piece.price = Cents::ZERO;
                continue;
            };
            piece.price = match piece.route {
                Route::Sorted { tray, .. } => {
                    if let Some(t) = self.trays.iter_mut().find(|t| t.number == tray) {
                        t.weight = Grams(t.weight.0.saturating_add(weight.0));
                    }
                    if below {
                        single_piece
                    } else {
                        presorted
                    }
                }
                Route::Single(_) => single_piece,
            };
            s.presorted += piece.price;
            s.single_piece += single_piece;
        }
        s.saving = s.single_piece - s.presorted;
        s.saving_basis_points = basis_points(s.saving, s.single_piece);
    }
}

/// `part` in hundredths of a percent of `whole`, rounded half away from zero (0 when `whole` is 0).
fn basis_points(part: Cents, whole: Cents) -> i64 {
    if whole.0 == 0 {
        return 0;
    }
    let (num, den) = (i128::from(part.0) * 10_000, i128::from(whole.0));
    let half = if (num < 0) == (den < 0) { den } else { -den };
    ((num * 2 + half) / (den * 2)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn savings_round_to_the_basis_point() {
        assert_eq!(basis_points(Cents(22), Cents(73)), 3014); // 30.137 %
        assert_eq!(basis_points(Cents(1), Cents(8)), 1250);
        assert_eq!(basis_points(Cents(-1), Cents(3)), -3333);
        assert_eq!(basis_points(Cents(5), Cents(0)), 0);
    }

    #[test]
    fn planned_pieces_stay_small() {
        assert!(
            std::mem::size_of::<Planned>() <= 40,
            "{}",
            std::mem::size_of::<Planned>()
        );
        assert!(
            std::mem::size_of::<PieceIn>() <= 28,
            "{}",
            std::mem::size_of::<PieceIn>()
        );
    }
}
