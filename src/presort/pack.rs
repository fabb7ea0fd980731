//! Cutting a run of pieces, already in plan order, into trays filled to capacity and
//! each tray into bundles, so that none is below its level's minimum.

use super::quantities::{Grams, Thickness};
use super::rules::TrayCapacity;

/// What a tray holds so far.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Load {
    /// Pieces.
    pub pieces: u32,
    /// Thickness in micrometres.
    pub thickness_um: u64,
    /// Weight in grams.
    pub weight_g: u64,
}

impl Load {
    /// The load with one more piece.
    pub fn with(self, weight: Grams, thickness: Thickness) -> Load {
        Load {
            pieces: self.pieces + 1,
            thickness_um: self.thickness_um + u64::from(thickness.to_um()),
            weight_g: self.weight_g + u64::from(weight.0),
        }
    }

    /// The load with one piece less.
    fn without(self, weight: Grams, thickness: Thickness) -> Load {
        Load {
            pieces: self.pieces - 1,
            thickness_um: self.thickness_um - u64::from(thickness.to_um()),
            weight_g: self.weight_g - u64::from(weight.0),
        }
    }

    /// Whether the load is within the tray's capacity.
    pub fn within(&self, cap: &TrayCapacity) -> bool {
        self.pieces <= cap.max_pieces
            && cap
                .max_thickness
                .is_none_or(|t| self.thickness_um <= u64::from(t.to_um()))
            && cap.max_weight.is_none_or(|w| self.weight_g <= u64::from(w.0))
    }
}

/// Cuts `items` (each piece's weight and thickness, in plan order) into trays: filled
/// in order to capacity, starting in a tray that already holds `start`. Returns each
/// tray's number of items; the first may be 0 when nothing fits beside `start`.
///
/// With `min` above 0 (and an empty `start`), the last tray is topped up from the end
/// of the one before; `None` when a tray still holds fewer than `min` pieces, which
/// happens only when thickness or weight limit a tray to fewer pieces.
/// Every item must fit in an empty tray on its own.
pub(crate) fn trays(
    items: &[(Grams, Thickness)],
    cap: &TrayCapacity,
    min: u32,
    start: Load,
) -> Option<Vec<u32>> {
    debug_assert!(min == 0 || start == Load::default());
    let mut sizes = Vec::new();
    let mut loads = Vec::new();
    let (mut load, mut n) = (start, 0u32);
    for &(weight, thickness) in items {
        let next = load.with(weight, thickness);
        if next.within(cap) {
            load = next;
        } else {
            sizes.push(n);
            loads.push(load);
            load = Load::default().with(weight, thickness);
            n = 0;
        }
        n += 1;
    }
    sizes.push(n);
    loads.push(load);
    if min == 0 {
        return Some(sizes);
    }
    let last = sizes.len() - 1;
    if last > 0 {
        // The last piece of the tray before is the item just before the last tray's first.
        let mut first_of_last: usize = sizes[..last].iter().map(|&s| s as usize).sum();
        while sizes[last] < min && sizes[last - 1] > min {
            let (w, t) = items[first_of_last - 1];
            let topped = loads[last].with(w, t);
            if !topped.within(cap) {
                break;
            }
            loads[last] = topped;
            loads[last - 1] = loads[last - 1].without(w, t);
            sizes[last] += 1;
            sizes[last - 1] -= 1;
            first_of_last -= 1;
        }
    }
    sizes.iter().all(|&s| s >= min).then_some(sizes)
}

/// The sizes of the bundles a tray's `pieces` are cut into: as few as `max` allows,
/// as even as can be (larger first), so none is much below the others.
pub(crate) fn bundles(pieces: u32, max: u32) -> impl Iterator<Item = u32> {
    let count = pieces.div_ceil(max.max(1));
    let base = pieces.checked_div(count).unwrap_or(0);
    let extra = pieces.checked_rem(count).unwrap_or(0);
    (0..count).map(move |b| base + u32::from(b < extra))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(pieces: u32, mm: Option<f64>) -> TrayCapacity {
        TrayCapacity {
            max_pieces: pieces,
            max_thickness: mm.map(Thickness::mm),
            max_weight: None,
        }
    }

    fn letters(n: usize, mm: f64) -> Vec<(Grams, Thickness)> {
        vec![(Grams(20), Thickness::mm(mm)); n]
    }

    #[test]
    fn trays_fill_to_capacity_and_top_up_the_last() {
        let c = cap(400, Some(300.0));
        assert_eq!(
            trays(&letters(900, 0.5), &c, 50, Load::default()),
            Some(vec![400, 400, 100])
        );
        assert_eq!(
            trays(&letters(820, 0.5), &c, 50, Load::default()),
            Some(vec![400, 370, 50])
        );
        // 1 mm letters: the thickness limits a tray to 300.
        assert_eq!(
            trays(&letters(610, 1.0), &c, 50, Load::default()),
            Some(vec![300, 260, 50])
        );
        assert_eq!(trays(&letters(40, 0.5), &c, 50, Load::default()), None);
        // 7 mm pieces: 42 to a tray, never 50.
        assert_eq!(trays(&letters(100, 7.0), &c, 50, Load::default()), None);
        assert_eq!(
            trays(&letters(100, 7.0), &c, 0, Load::default()),
            Some(vec![42, 42, 16])
        );
    }

    #[test]
    fn a_tray_already_started_is_filled_first() {
        let c = cap(10, None);
        let start = Load {
            pieces: 7,
            ..Load::default()
        };
        assert_eq!(trays(&letters(12, 0.5), &c, 0, start), Some(vec![3, 9]));
        let full = Load {
            pieces: 10,
            ..Load::default()
        };
        assert_eq!(trays(&letters(4, 0.5), &c, 0, full), Some(vec![0, 4]));
    }

    #[test]
    fn bundles_are_even() {
        assert_eq!(bundles(51, 50).collect::<Vec<_>>(), vec![26, 25]);
        assert_eq!(bundles(100, 50).collect::<Vec<_>>(), vec![50, 50]);
        assert_eq!(bundles(7, 50).collect::<Vec<_>>(), vec![7]);
        assert_eq!(bundles(0, 50).count(), 0);
    }
}
