//! Postal presort: rules as data, each piece's weight and price, and the plan that
//! orders pieces into bundles and trays.

mod key;
mod quantities;
mod rules;
mod weight;

pub use key::{Destination, KeyRule, PostalCode, PostcodeForm, MAX_POSTCODE, RESIDUAL_KEY};
pub use quantities::{Cents, Grams, Thickness};
pub use rules::{Level, Rules, RulesError, TrayCapacity, WeightStep};
pub use weight::{Insert, Makeup, Paper};
