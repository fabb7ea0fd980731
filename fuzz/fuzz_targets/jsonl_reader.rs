//! Arbitrary bytes read as a JSON Lines contact file: opening, streaming and
//! re-reading by position must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pli::data::{Format, SourceOptions};

mod common;

fuzz_target!(|data: &[u8]| {
    let opts = SourceOptions {
        format: Some(Format::Jsonl),
        ..SourceOptions::default()
    };
    common::read_everything(data, &opts, ".jsonl");
});
