//! Arbitrary bytes read as a CSV contact file: detection, streaming and re-reading
//! by position must never panic.
//!
//! The first byte picks the options (detected or given delimiter and encoding), as
//! `--delimiter` and `--encoding` would; the rest is the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pli::data::{Format, SourceOptions};

mod common;

const DELIMITERS: [Option<u8>; 8] = [None, None, None, None, Some(b';'), Some(b','), Some(b'\t'), Some(b'|')];
const ENCODINGS: [Option<&str>; 8] = [None, None, None, None, Some("utf-8"), Some("windows-1252"), Some("utf-16le"), Some("utf-16be")];

fuzz_target!(|data: &[u8]| {
    let (opts, file) = match data.split_first() {
        Some((&b, rest)) => (
            SourceOptions {
                format: Some(Format::Csv),
                delimiter: DELIMITERS[usize::from(b & 7)],
                encoding: ENCODINGS[usize::from(b >> 3 & 7)].map(str::to_owned),
                sheet: None,
            },
            rest,
        ),
        None => (
            SourceOptions {
                format: Some(Format::Csv),
                ..SourceOptions::default()
            },
            data,
        ),
    };
    common::read_everything(file, &opts, ".csv");
});
