//! JSON Lines: one object per line, memory-mapped, each record re-read by offset.

use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use serde_json::{Map, Value};

use super::DataError;
use crate::record::{RecordPos, Rejection};

/// A JSON Lines file.
pub struct JsonlSource {
    path: PathBuf,
    map: Mmap,
    /// Where the first line starts (after a byte-order mark).
    start: usize,
    /// Keys seen in the first records, in first-seen order.
    keys: Vec<String>,
}

/// Records sampled for the list of keys.
const SAMPLE: usize = 1000;

impl JsonlSource {
    /// Maps `file` (UTF-8 JSON Lines) for the user's `shown` file.
    pub fn open(file: &Path, shown: &Path) -> Result<JsonlSource, DataError> {
        let io = |source| DataError::Io {
            path: shown.to_owned(),
            source,
        };
        let f = File::open(file).map_err(io)?;
        if f.metadata().map_err(io)?.len() == 0 {
            return Err(DataError::Empty {
                path: shown.to_owned(),
            });
        }
        // SAFETY: read-only map of an input file; see CsvSource::open.
        let map = unsafe { Mmap::map(&f) }.map_err(io)?;
        let start = if map.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut src = JsonlSource {
            path: shown.to_owned(),
            map,
            start,
            keys: Vec::new(),
        };
        let mut keys = Vec::new();
        let mut lines = src.lines();
        let mut seen = 0;
        while let Some((_, line)) = lines.next_line() {
            if seen == SAMPLE {
                break;
            }
            if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(line) {
                for k in obj.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
                seen += 1;
            }
        }
        if seen == 0 {
            return Err(DataError::BadHeader {
                path: shown.to_owned(),
                message: "no line holds a JSON object: JSON Lines has one object such as {\"id\": \"C1\", …} per line"
                    .into(),
            });
        }
        src.keys = keys;
        Ok(src)
    }

    /// The file as the user named it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keys found in the first records.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    fn lines(&self) -> Lines<'_> {
        Lines {
            bytes: &self.map,
            at: self.start,
            line: 0,
        }
    }

    /// Streams the records: each non-blank line's position and its object, or why it is unusable.
    pub fn records(&self) -> JsonlIter<'_> {
        JsonlIter { lines: self.lines() }
    }

    /// Size of the file in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// Releases the file's pages before `offset` (see [`super::CsvSource::release`]).
    pub fn release(&self, offset: u64) {
        super::csv_source::release_map(&self.map, offset);
    }

    /// Re-reads the record at `pos`.
    pub fn read_at(&self, pos: RecordPos) -> Result<Map<String, Value>, Rejection> {
        let mut lines = Lines {
            bytes: &self.map,
            at: pos.offset as usize,
            line: pos.line - 1,
        };
        match lines.next_line() {
            Some((_, line)) => parse(line, pos),
            None => Err(Rejection::EmptyRecord),
        }
    }
}

/// A line's object, or why it is not one.
pub type Parsed = Result<Map<String, Value>, Rejection>;

/// Streams the records of a JSON Lines file.
pub struct JsonlIter<'a> {
    lines: Lines<'a>,
}

impl JsonlIter<'_> {
    /// The next record: its position and its object, or why it is unusable.
    pub fn next_record(&mut self) -> Option<(RecordPos, Parsed)> {
        loop {
            let (pos, line) = self.lines.next_line()?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some((pos, parse(line, pos)));
        }
    }
}

fn parse(line: &[u8], pos: RecordPos) -> Result<Map<String, Value>, Rejection> {
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(other) => Err(Rejection::InvalidRecord(format!(
            "a JSON object is expected on each line, found {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) => {
            if let Err(u) = std::str::from_utf8(line) {
                return Err(Rejection::InvalidUtf8 {
                    field: "(line)".into(),
                    byte: pos.offset + u.valid_up_to() as u64,
                });
            }
            Err(Rejection::InvalidRecord(format!(
                "invalid JSON at column {}: {e}",
                e.column()
            )))
        }
    }
}

/// Physical lines with their positions.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<(RecordPos, &'a [u8])> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.at..];
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let mut line = &rest[..len];
        if line.ends_with(b"\r") {
            line = &line[..line.len() - 1];
        }
        self.line += 1;
        let pos = RecordPos {
            line: self.line,
            offset: self.at as u64,
        };
        self.at += len + 1;
        Some((pos, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &[u8]) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pli-jsonl-{}-{name}.jsonl", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn objects_are_read_with_their_lines_and_nested_values_kept() {
        let p = write(
            "ok",
            "{\"id\":\"A\",\"nom\":\"Zoé\",\"produits\":[\"P1\",\"P2\"]}\r\n\n{\"id\":\"B\",\"x\":{\"y\":1}}\n[1,2]\n{bad\n"
                .as_bytes(),
        );
        let src = JsonlSource::open(&p, &p).unwrap();
        assert_eq!(src.keys(), ["id", "nom", "produits", "x"]);
        let mut it = src.records();
        let (pos, a) = it.next_record().unwrap();
        assert_eq!(pos.line, 1);
        assert_eq!(a.unwrap()["produits"], serde_json::json!(["P1", "P2"]));
        let (pos_b, b) = it.next_record().unwrap();
        assert_eq!(pos_b.line, 3, "the blank line counts");
        assert_eq!(b.unwrap()["x"]["y"], 1);
        let (pos, arr) = it.next_record().unwrap();
        assert_eq!(pos.line, 4);
        assert!(arr.unwrap_err().to_string().contains("found an array"));
        let (_, bad) = it.next_record().unwrap();
        assert!(bad.unwrap_err().to_string().contains("invalid JSON at column"));
        assert!(it.next_record().is_none());
        assert_eq!(src.read_at(pos_b).unwrap()["id"], "B");
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn a_file_without_objects_is_a_job_error() {
        let p = write("none", b"1\n2\n");
        assert!(JsonlSource::open(&p, &p).is_err());
        std::fs::remove_file(p).unwrap();
    }
}
