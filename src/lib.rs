//! pli: a variable-data print composition engine.
//!
//! Records flow through the stages in this order, one module each:
//! [`data`] reads contact files, [`mailprep`] turns records into mailpieces,
//! [`presort`] orders them, [`compose`] lays out their pages, [`production`]
//! groups pages into sheets and streams, [`pdf`] writes the files and
//! [`report`] accounts for every input record. [`job`] ties them together.

pub mod compose;
pub mod data;
pub mod date;
pub mod job;
pub mod mailprep;
pub mod pdf;
pub mod presort;
pub mod production;
pub mod record;
pub mod report;
pub mod samples;
pub mod units;
