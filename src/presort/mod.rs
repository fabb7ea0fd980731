//! Postal presort: rules as data, each piece's weight and price, and the plan that
//! orders pieces into bundles and trays.

mod departments;
mod key;
mod pack;
mod plan;
mod quantities;
mod rules;
mod weight;

pub use crate::mailprep::{PostalCode, MAX_POSTCODE};
pub use departments::department_name;
pub use key::{Destination, KeyRule, PostcodeForm, RESIDUAL_KEY};
pub use plan::{plan, KeyId, PieceIn, Plan, Planned, PostageSummary, Route, SingleReason, Tray};
pub use quantities::{Cents, Grams, Thickness};
pub use rules::{Level, Rules, RulesError, TrayCapacity, WeightStep};
pub use weight::{Insert, Makeup, Paper};
