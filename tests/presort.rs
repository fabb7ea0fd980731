//! The presort plan against the rules files pli ships: hand-computed expectations for
//! La Poste's example and a USPS-style product, then properties that hold for any rules.

use std::path::Path;

use pli::presort::{
    plan, Cents, Destination, Grams, KeyId, PieceIn, Plan, PostalCode, Route, Rules, SingleReason, Thickness,
};

const LAPOSTE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/presort/laposte-industriel.toml");
const USPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/presort/usps-style.toml");

fn rules(path: &str) -> Rules {
    Rules::load(Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds pieces in input order: `count` pieces to `postcode` (or abroad), of `grams`.
struct Mailing(Vec<PieceIn>);

impl Mailing {
    fn new() -> Mailing {
        Mailing(Vec::new())
    }

    fn add(&mut self, count: u32, destination: Destination, grams: u32) -> &mut Mailing {
        for _ in 0..count {
            let index = self.0.len() as u32;
            self.0.push(PieceIn {
                index,
                destination,
                weight: Grams(grams),
                thickness: Thickness::mm(0.5),
            });
        }
        self
    }

    fn to(&mut self, count: u32, postcode: &str, grams: u32) -> &mut Mailing {
        self.add(
            count,
            Destination::Domestic(PostalCode::new(postcode).unwrap()),
            grams,
        )
    }
}

/// (level name, key, pieces) of each tray, in plan order.
fn trays(plan: &Plan) -> Vec<(&str, &str, u32)> {
    plan.trays
        .iter()
        .map(|t| {
            (
                plan.levels[usize::from(t.level)].as_str(),
                plan.key(t.key),
                t.pieces,
            )
        })
        .collect()
}

/// The level name and key of the piece at input index `index`.
fn placed(plan: &Plan, index: u32) -> Option<(&str, &str)> {
    let p = plan.pieces.iter().find(|p| p.index == index)?;
    match p.route {
        Route::Sorted { level, key, .. } => Some((plan.levels[usize::from(level)].as_str(), plan.key(key))),
        Route::Single(_) => None,
    }
}

#[test]
fn la_poste_levels_trays_and_postage() {
    let rules = rules(LAPOSTE);
    let mut m = Mailing::new();
    m.to(830, "13008", 20) // postcode level: 400 + 380 + 50 (the last tray topped up)
        .to(120, "75008", 20) // postcode level: one tray, three bundles of 40
        .to(30, "75011", 45) // below 50: falls to département 75, with 75015
        .to(25, "75015", 45)
        .to(30, "97110", 20) // below 50: falls to département 971, with 97122
        .to(30, "97122", 20)
        .to(20, "69003", 20) // département 69 has 35: falls to the residual level
        .to(15, "69001", 20)
        .to(10, "20090", 20) // 2A: 10, residual
        .to(5, "20200", 20) // 2B: 5, residual
        .add(3, Destination::Foreign, 20)
        .add(2, Destination::NoPostcode, 20)
        .to(1, "96000", 20) // no such département
        .to(1, "75008", 300); // heavier than the last step
    let plan = plan(&m.0, &rules);

    assert_eq!(
        trays(&plan),
        [
            ("postcode", "13008", 400),
            ("postcode", "13008", 380),
            ("postcode", "13008", 50),
            ("postcode", "75008", 120),
            ("departement", "75", 55),
            ("departement", "971", 60),
            ("france", "*", 50),
        ]
    );
    assert_eq!(placed(&plan, 950), Some(("departement", "75")));
    assert_eq!(placed(&plan, 1010), Some(("departement", "971")));
    assert_eq!(placed(&plan, 1070), Some(("france", "*")));
    let s = &plan.summary;
    assert_eq!(s.pieces_per_level, [950, 115, 50]);
    assert_eq!(s.single_pieces, 7);
    assert_eq!(s.unpriced, 1);
    assert_eq!(s.trays, 7);
    // 13008: 8 + 8 + 1; 75008: 3; 75: 2; 971: 2; residual: 1.
    assert_eq!(s.bundles, 25);
    // Presorted: 1060 × 0.51 + 55 × 0.84 = 586.80; singles: 6 × 0.73 = 4.38.
    assert_eq!(s.presorted, Cents(59_118));
    // All single-piece: 1060 × 0.73 + 55 × 1.22 + 4.38 = 845.28.
    assert_eq!(s.single_piece, Cents(84_528));
    assert_eq!(s.saving, Cents(25_410));
    assert_eq!(s.saving_basis_points, 3006);
    assert!(!s.below_deposit_minimum);
    assert_eq!(s.total_weight_g, 1060 * 20 + 55 * 45 + 6 * 20 + 300);

    let reasons: Vec<(u32, SingleReason)> = plan.single.clone();
    assert_eq!(
        reasons,
        [
            (1115, SingleReason::Foreign),
            (1116, SingleReason::Foreign),
            (1117, SingleReason::Foreign),
            (1118, SingleReason::NoPostcode),
            (1119, SingleReason::NoPostcode),
            (1120, SingleReason::BadPostcode),
            (1121, SingleReason::Overweight),
        ]
    );
    // Positions: trays are runs, singles come last in input order.
    assert_eq!((plan.trays[1].first_pos, plan.trays[1].last_pos), (400, 779));
    assert_eq!((plan.trays[6].first_pos, plan.trays[6].last_pos), (1065, 1114));
    assert_eq!(&plan.order[1115..], [1115, 1116, 1117, 1118, 1119, 1120, 1121]);
    // The residual level keeps input order: 69003 (1065..) before 69001, then Corsica.
    assert_eq!(plan.order[1065], 1065);
    assert_eq!(plan.pieces[1115].price, Cents(73));
    assert_eq!(plan.pieces[1121].price, Cents::ZERO);
}

#[test]
fn la_poste_bundles_are_even_within_a_tray() {
    let rules = rules(LAPOSTE);
    let mut m = Mailing::new();
    m.to(830, "13008", 20);
    let plan = plan(&m.0, &rules);
    let mut sizes = std::collections::BTreeMap::<(u32, u32), u32>::new();
    for p in &plan.pieces {
        if let Route::Sorted { bundle, tray, .. } = p.route {
            *sizes.entry((tray, bundle)).or_default() += 1;
        }
    }
    let in_tray = |t: u32| {
        sizes
            .iter()
            .filter(|((tray, _), _)| *tray == t)
            .map(|(_, &n)| n)
            .collect::<Vec<_>>()
    };
    assert_eq!(in_tray(1), [50; 8]);
    assert_eq!(in_tray(2), [48, 48, 48, 48, 47, 47, 47, 47]);
    assert_eq!(in_tray(3), [50]);
}

#[test]
fn a_deposit_below_the_minimum_is_priced_single_piece() {
    let rules = rules(LAPOSTE);
    let mut m = Mailing::new();
    m.to(300, "75008", 20).to(99, "13008", 45);
    let plan = plan(&m.0, &rules);
    let s = &plan.summary;
    assert!(s.below_deposit_minimum);
    assert_eq!(s.trays, 2); // still sorted, so the run can be presented as planned
    assert_eq!(s.presorted, Cents(300 * 73 + 99 * 122));
    assert_eq!(s.presorted, s.single_piece);
    assert_eq!(s.saving, Cents::ZERO);
    assert_eq!(s.saving_basis_points, 0);
    assert!(plan
        .pieces
        .iter()
        .all(|p| p.price == Cents(73) || p.price == Cents(122)));
}

#[test]
fn usps_style_rules_are_just_another_file() {
    let rules = rules(USPS);
    let mut m = Mailing::new();
    m.to(200, "10001", 20) // 5-digit: 150 or more
        .to(100, "10002", 20) // below 150: falls to 3-digit 100, with 10003 (140)
        .to(40, "10003", 20)
        .to(60, "94105", 20) // 3-digit 941 has 90, below 100: mixed
        .to(30, "94110", 20)
        .to(150, "60601", 20) // 5-digit, just at the minimum
        .to(5, "02134", 20) // mixed
        .add(2, Destination::Foreign, 20)
        .to(1, "1234", 20) // not five digits
        .to(1, "10001", 120); // above the last step (99 g)
    let plan = plan(&m.0, &rules);
    // The 95 mixed pieces fill the room left in the 3-digit tray (140 × 20 g = 2800 g,
    // 2600 g left): that tray becomes a mixed tray.
    assert_eq!(
        trays(&plan),
        [
            ("5-digit", "10001", 200),
            ("5-digit", "60601", 150),
            ("mixed", "*", 235)
        ]
    );
    assert_eq!(placed(&plan, 250), Some(("3-digit", "100")));
    assert_eq!(placed(&plan, 340), Some(("mixed", "*")));
    let s = &plan.summary;
    assert_eq!(s.pieces_per_level, [350, 140, 95]);
    assert_eq!(s.bundles, 7); // 100 + 100, 75 + 75, 70 + 70, 95
    assert_eq!(s.single_pieces, 4);
    assert_eq!(s.presorted, Cents(585 * 55 + 3 * 73));
    assert_eq!(s.single_piece, Cents(588 * 73));
    assert_eq!(s.saving, Cents(585 * 18));
    assert_eq!(s.saving_basis_points, 2453); // 10530 / 42924
    assert_eq!(
        plan.single.iter().map(|s| s.1).collect::<Vec<_>>(),
        [
            SingleReason::Foreign,
            SingleReason::Foreign,
            SingleReason::BadPostcode,
            SingleReason::Overweight
        ]
    );
}

#[test]
fn without_a_residual_level_small_groups_go_single_piece() {
    let text = std::fs::read_to_string(USPS)
        .unwrap()
        .replace("[[level]]\nname = \"mixed\"\nkey = \"all\"\n", "");
    let rules = Rules::parse(&text, Path::new("no-residual.toml")).unwrap();
    assert_eq!(rules.levels().len(), 2);
    let mut m = Mailing::new();
    m.to(600, "10001", 20).to(7, "94105", 20);
    let plan = plan(&m.0, &rules);
    // 5400 g a tray: 270 letters of 20 g; the last tray is topped up to the minimum.
    assert_eq!(
        trays(&plan),
        [
            ("5-digit", "10001", 270),
            ("5-digit", "10001", 180),
            ("5-digit", "10001", 150)
        ]
    );
    assert_eq!(plan.single.len(), 7);
    assert!(plan.single.iter().all(|s| s.1 == SingleReason::BelowMinimum));
    assert_eq!(plan.pieces[600].price, Cents(73));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Rules drawn at random: levels, minimums, capacities, mixing.
    #[derive(Debug, Clone)]
    struct Drawn {
        levels: u8,
        residual: bool,
        bundle_max: u32,
        bundle_min: u32,
        tray_extra: u32,
        tray_pieces: u32,
        thickness_mm: Option<u32>,
        weight_g: Option<u32>,
        mix_levels: bool,
        deposit_min: u32,
    }

    impl Drawn {
        fn toml(&self) -> String {
            let mut t = format!(
                "[product]\nname = \"drawn\"\ncurrency = \"EUR\"\ndeposit_min_pieces = {}\nmix_levels = {}\n\
                 [eligibility]\ndomestic_countries = [\"\"]\npostcode_form = \"fr\"\n\
                 [bundle]\nmax_pieces = {}\n[tray]\nmax_pieces = {}\n",
                self.deposit_min, self.mix_levels, self.bundle_max, self.tray_pieces
            );
            if let Some(mm) = self.thickness_mm {
                t += &format!("max_thickness_mm = {mm}\n");
            }
            if let Some(g) = self.weight_g {
                t += &format!("max_weight_g = {g}\n");
            }
            let keys = ["postcode", "prefix:3", "department", "prefix:1"];
            for (i, key) in keys.iter().take(usize::from(self.levels)).enumerate() {
                let b = self.bundle_min + i as u32 % 2;
                let b = b.min(self.bundle_max.div_ceil(2)).max(1);
                t += &format!(
                    "[[level]]\nname = \"l{i}\"\nkey = \"{key}\"\nbundle_min = {b}\ntray_min = {}\n",
                    b + self.tray_extra
                );
            }
            if self.residual {
                t += "[[level]]\nname = \"rest\"\nkey = \"all\"\n";
            }
            t + "[[weight_step]]\nup_to_g = 50\npresorted_cents = 40\nsingle_piece_cents = 70\n\
                 [[weight_step]]\nup_to_g = 200\npresorted_cents = 90\nsingle_piece_cents = 150\n"
        }
    }

    fn drawn() -> impl Strategy<Value = Drawn> {
        (
            (1u8..=4, any::<bool>(), 1u32..40, 1u32..20, 0u32..30),
            (
                1u32..120,
                prop::option::of(5u32..80),
                prop::option::of(100u32..3000),
            ),
            (any::<bool>(), 1u32..200),
        )
            .prop_map(
                |((levels, residual, bundle_max, bundle_min, tray_extra), t, (mix, dep))| Drawn {
                    levels,
                    residual,
                    bundle_max,
                    bundle_min,
                    tray_extra,
                    tray_pieces: t.0,
                    thickness_mm: t.1,
                    weight_g: t.2,
                    mix_levels: mix,
                    deposit_min: dep,
                },
            )
    }

    const DEPARTMENTS: [&str; 7] = ["01", "13", "20", "69", "75", "971", "980"];

    fn piece() -> impl Strategy<Value = (u8, u8, u16, u32, u32)> {
        // (destination kind, département, rest of the postcode, grams, thickness in µm)
        (0u8..20, 0u8..7, 0u16..6, 1u32..260, 100u32..6000)
    }

    fn pieces_of(drawn: &[(u8, u8, u16, u32, u32)]) -> Vec<PieceIn> {
        drawn
            .iter()
            .enumerate()
            .map(|(i, &(kind, dep, rest, grams, um))| {
                let d = DEPARTMENTS[usize::from(dep)];
                let code = if d.len() == 2 {
                    format!("{d}{:03}", [0, 90, 100, 200, 600, 999][usize::from(rest)])
                } else {
                    format!("{d}{:02}", rest * 7)
                };
                let destination = match kind {
                    0 => Destination::Foreign,
                    1 => Destination::NoPostcode,
                    _ => Destination::Domestic(PostalCode::new(&code).unwrap()),
                };
                PieceIn {
                    index: i as u32 * 3 + 1,
                    destination,
                    weight: Grams(grams),
                    thickness: Thickness::um(um),
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn plans_keep_every_rule(rules in drawn(), drawn_pieces in prop::collection::vec(piece(), 0..700)) {
            let text = rules.toml();
            let r = Rules::parse(&text, Path::new("drawn.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let pieces = pieces_of(&drawn_pieces);
            let plan = plan(&pieces, &r);
            let by_index = |i: u32| &pieces[(i as usize - 1) / 3];

            // Every piece exactly once, single-piece ones last.
            let mut seen: Vec<u32> = plan.order.clone();
            seen.sort_unstable();
            let mut all: Vec<u32> = pieces.iter().map(|p| p.index).collect();
            all.sort_unstable();
            prop_assert_eq!(seen, all);
            prop_assert_eq!(plan.pieces.len(), pieces.len());
            let sorted = plan.pieces.iter().take_while(|p| matches!(p.route, Route::Sorted { .. })).count();
            prop_assert_eq!(sorted + plan.single.len(), pieces.len());
            let s = &plan.summary;
            prop_assert_eq!(s.pieces_per_level.iter().sum::<u32>() as usize, sorted);

            // Trays are consecutive runs covering every sorted piece, numbered from 1.
            let mut next_pos = 0u32;
            for (n, t) in plan.trays.iter().enumerate() {
                prop_assert_eq!(t.number as usize, n + 1);
                prop_assert_eq!(t.first_pos, next_pos);
                prop_assert_eq!(t.last_pos + 1 - t.first_pos, t.pieces);
                next_pos = t.last_pos + 1;
                let run = &plan.pieces[t.first_pos as usize..=t.last_pos as usize];
                let mut thick = 0u64;
                let mut grams = 0u64;
                for p in run {
                    let Route::Sorted { tray, level, key, .. } = p.route else {
                        return Err(TestCaseError::fail("a single piece in a tray"));
                    };
                    prop_assert_eq!(tray, t.number);
                    thick += u64::from(by_index(p.index).thickness.to_um());
                    grams += u64::from(p.weight.0);
                    // One level and one key per tray, unless levels may mix into a residual tray.
                    if !(r.mix_levels() && r.levels()[usize::from(t.level)].is_residual()) {
                        prop_assert_eq!((level, key), (t.level, t.key));
                    }
                }
                // No tray above its capacity.
                let cap = r.tray();
                prop_assert!(t.pieces <= cap.max_pieces);
                prop_assert!(cap.max_thickness.is_none_or(|m| thick <= u64::from(m.to_um())));
                prop_assert!(cap.max_weight.is_none_or(|m| grams <= u64::from(m.0)));
                // No tray below its level's minimum, except at the residual level.
                let level = &r.levels()[usize::from(t.level)];
                prop_assert!(level.is_residual() || t.pieces >= level.tray_min, "tray {:?} below {}", t, level.tray_min);
            }
            prop_assert_eq!(next_pos as usize, sorted);

            // Bundles: consecutive, numbered from 1, one key in one tray, within max and min.
            let mut bundles: Vec<(u32, u32, u8, KeyId, u32)> = Vec::new(); // (bundle, tray, level, key, size)
            for p in &plan.pieces[..sorted] {
                let Route::Sorted { level, key, bundle, tray } = p.route else { unreachable!() };
                match bundles.last_mut() {
                    Some(b) if b.0 == bundle => {
                        prop_assert_eq!((b.1, b.2, b.3), (tray, level, key));
                        b.4 += 1;
                    }
                    last => {
                        prop_assert_eq!(bundle, last.map_or(1, |b| b.0 + 1));
                        bundles.push((bundle, tray, level, key, 1));
                    }
                }
            }
            prop_assert_eq!(bundles.len() as u32, s.bundles);
            for b in &bundles {
                let level = &r.levels()[usize::from(b.2)];
                prop_assert!(b.4 <= r.bundle_max());
                prop_assert!(level.is_residual() || b.4 >= level.bundle_min, "bundle {:?} below {}", b, level.bundle_min);
            }

            // Finest level first, by key within a level, then by input index.
            let order_key = |p: &pli::presort::Planned| match p.route {
                Route::Sorted { level, key, .. } => (level, plan.key(key).to_owned(), p.index),
                Route::Single(_) => unreachable!(),
            };
            for w in plan.pieces[..sorted].windows(2) {
                prop_assert!(order_key(&w[0]) < order_key(&w[1]), "{:?} before {:?}", w[0], w[1]);
            }
            // Pieces that cannot be presorted are single-piece with their reason.
            for &(index, reason) in &plan.single {
                let expected = match by_index(index).destination {
                    Destination::Foreign => Some(SingleReason::Foreign),
                    Destination::NoPostcode => Some(SingleReason::NoPostcode),
                    Destination::Domestic(_) => None,
                };
                if let Some(e) = expected {
                    prop_assert_eq!(reason, e);
                }
            }
            // Postage adds up.
            prop_assert_eq!(plan.pieces.iter().map(|p| p.price).sum::<Cents>(), s.presorted);
            prop_assert_eq!(s.saving, s.single_piece - s.presorted);
            prop_assert_eq!(s.below_deposit_minimum, (sorted as u32) < r.deposit_min_pieces());
        }
    }
}

#[test]
fn a_plan_is_repriced_with_the_weights_the_pieces_turned_out_to_have() {
    let rules = rules(LAPOSTE);
    let mut mailing = Mailing::new();
    mailing.to(450, "75008", 10).add(2, Destination::Foreign, 10);
    let mut plan = plan(&mailing.0, &rules);
    assert_eq!(plan.summary.presorted, Cents(450 * 51 + 2 * 73));
    // Piece 0 ran onto more sheets (30 g: the 50 g step), piece 1 was not mailed after
    // all, the first foreign piece too (index 450).
    plan.reprice(&rules, |i| match i {
        0 => Some(Grams(30)),
        1 | 450 => None,
        _ => Some(Grams(10)),
    });
    let s = &plan.summary;
    assert_eq!(s.presorted, Cents(84 + 448 * 51 + 73));
    assert_eq!(s.single_piece, Cents(122 + 448 * 73 + 73));
    assert_eq!(s.saving, s.single_piece - s.presorted);
    assert_eq!(s.total_weight_g, 30 + 448 * 10 + 10);
    let piece = |i: u32| plan.pieces.iter().find(|p| p.index == i).unwrap();
    assert_eq!((piece(0).weight, piece(0).price), (Grams(30), Cents(84)));
    assert_eq!((piece(1).weight, piece(1).price), (Grams(0), Cents::ZERO));
    let tray_weight: u32 = plan.trays.iter().map(|t| t.weight.0).sum();
    assert_eq!(tray_weight, 30 + 448 * 10, "trays weigh their mailed pieces");
}
