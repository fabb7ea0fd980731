//! What the data-reading targets share: the input written to a file, opened, streamed
//! (giving back the pages behind the reader, as a job does) and every record re-read by
//! its position. Any panic is a bug; errors and rejections
//! are fine (the input is arbitrary bytes).

use std::io::Write;

use pli::data::{Source, SourceOptions};

/// Writes `bytes` to a private temporary file and reads it through `Source` with `opts`.
pub fn read_everything(bytes: &[u8], opts: &SourceOptions, suffix: &str) {
    let mut file = tempfile::Builder::new()
        .prefix("pli-fuzz-")
        .suffix(suffix)
        .tempfile()
        .expect("a temporary file");
    file.write_all(bytes).expect("written");
    file.flush().expect("flushed");
    let Ok(src) = Source::open(file.path(), opts) else {
        return;
    };
    let _ = src.detection();
    // Every column, twice one of them, and one the file lacks.
    let mut names: Vec<&str> = src.columns().iter().map(String::as_str).collect();
    if let Some(&first) = names.first() {
        names.push(first);
    }
    names.push("pli-fuzz-absent");
    let binding = src.bind(&names);
    let mut scan = src.scan(&binding);
    let mut values = Vec::new();
    let mut again = Vec::new();
    let mut positions = Vec::new();
    while let Some((pos, result)) = scan.next_into(&mut values) {
        let _ = result.map_err(|r| (r.code(), r.to_string()));
        positions.push(pos);
        src.release(pos.offset);
    }
    // Pages given back are read again from the file.
    src.release(u64::MAX);
    for pos in positions {
        let _ = src.read_at(&binding, pos, &mut again);
    }
}
