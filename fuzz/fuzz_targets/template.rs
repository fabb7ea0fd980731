//! A layout template and a record: compiling, rendering and parsing the markup the
//! template produces must never panic.
//!
//! The input is `template NUL json`. When the part after the NUL is not JSON, it
//! becomes the value of every field the template names, so that arbitrary record text
//! still reaches the output.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pli::compose::markup;
use pli::compose::template::Templates;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let (source, record) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(source) = std::str::from_utf8(source) else {
        return;
    };
    // The markup parser also reads what layout authors write by hand.
    let _ = markup::parse(source);
    let mut templates = Templates::new();
    let Ok(fields) = templates.add("t", source) else {
        return;
    };
    let data = match serde_json::from_slice::<Value>(record) {
        Ok(v) => v,
        Err(_) => {
            let text = String::from_utf8_lossy(record).into_owned();
            let obj: Map<String, Value> = fields.into_iter().map(|f| (f, Value::String(text.clone()))).collect();
            Value::Object(obj)
        }
    };
    if let Ok(out) = templates.render("t", &data) {
        let _ = markup::parse(&out);
    }
});
