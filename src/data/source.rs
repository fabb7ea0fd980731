//! Any contact file: CSV in any encoding, JSON Lines, an Excel workbook or standard
//! input, detected and opened the same way, its records read by the fields a job binds.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::decode;
use super::jsonl::{JsonlIter, JsonlSource};
use super::xlsx;
use super::{CsvSource, DataError, RecordIter};
use crate::record::{RecordPos, Rejection};

/// A contact file's format (`csv`, `jsonl`, `xlsx` in a job file).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook.
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            _ => Err(format!("unknown format `{s}`: use csv, jsonl or xlsx")),
        }
    }
}

/// How to read a contact file, when detection is not wanted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceOptions {
    /// The format (default: from the extension, else from the content).
    pub format: Option<Format>,
    /// The encoding of a CSV file, as a label (default: detected).
    pub encoding: Option<String>,
    /// The delimiter of a CSV file (default: detected); a one-character string in a job file.
    #[serde(serialize_with = "delimiter_out", deserialize_with = "delimiter_in")]
    pub delimiter: Option<u8>,
    /// The sheet of a workbook (default: the first).
    pub sheet: Option<String>,
}

/// A delimiter written as the character it is (`";"`, `"\t"`), not as a byte value.
fn delimiter_out<S: Serializer>(d: &Option<u8>, s: S) -> Result<S::Ok, S::Error> {
    d.map(char::from).serialize(s)
}

/// A delimiter read back from its one ASCII character.
fn delimiter_in<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    match Option::<char>::deserialize(d)? {
        None => Ok(None),
        Some(c) if c.is_ascii() => Ok(Some(c as u8)),
        Some(c) => Err(serde::de::Error::custom(format!(
            "delimiter {c:?}: one ASCII character expected"
        ))),
    }
}

/// What was detected about a contact file, and from what.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Detection {
    /// `csv`, `jsonl` or `xlsx`.
    pub format: String,
    /// Why that format.
    pub format_reason: String,
    /// The text encoding.
    pub encoding: String,
    /// Why that encoding.
    pub encoding_reason: String,
    /// The delimiter, for CSV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Why that delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter_reason: Option<String>,
    /// Anything else worth knowing (a transcoded copy, spreadsheet cells read as empty…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An opened contact file.
pub struct Source {
    kind: Kind,
    shown: PathBuf,
    detection: Detection,
    /// A private UTF-8 copy when the input had to be transcoded, converted or read from stdin.
    _spool: Option<tempfile::NamedTempFile>,
}

enum Kind {
    Csv(CsvSource),
    Jsonl(JsonlSource),
}

/// Where each field a job reads is found in the records.
#[derive(Clone, Debug)]
pub struct Binding {
    slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
enum Slot {
    Column(usize),
    Key(String),
    Absent,
}

impl Binding {
    /// Number of bound fields.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no field is bound.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Streams records, giving each one's position and the values of the bound fields.
pub struct Scan<'a> {
    source: &'a Source,
    binding: &'a Binding,
    inner: ScanKind<'a>,
}

enum ScanKind<'a> {
    Csv(RecordIter<'a>, ByteRecord),
    Jsonl(JsonlIter<'a>),
}

impl Source {
    /// Opens a contact file (`-` is standard input), detecting what the options leave open.
    pub fn open(path: &Path, opts: &SourceOptions) -> Result<Source, DataError> {
        let stdin = path.as_os_str() == "-";
        let shown = if stdin {
            PathBuf::from("<stdin>")
        } else {
            path.to_owned()
        };
        let io = |source| DataError::Io {
            path: shown.clone(),
            source,
        };
        // Standard input is spooled to a private file first, so that records can be re-read.
        let mut spool = None;
        let file: PathBuf = if stdin {
            let mut tmp = new_spool().map_err(io)?;
            std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut()).map_err(io)?;
            tmp.as_file_mut().flush().map_err(io)?;
            let p = tmp.path().to_owned();
            spool = Some(tmp);
            p
        } else {
            path.to_owned()
        };
        let head = read_head(&file).map_err(io)?;
        let (format, format_reason) = match opts.format {
            Some(f) => (f, "given with --format".to_owned()),
            None => detect_format(if stdin { None } else { Some(path) }, &head),
        };
        let mut detection = Detection {
            format: format_name(format).into(),
            format_reason,
            ..Detection::default()
        };
        let kind = match format {
            Format::Jsonl => {
                detection.encoding = "UTF-8".into();
                detection.encoding_reason = "JSON Lines is UTF-8".into();
                Kind::Jsonl(JsonlSource::open(&file, &shown)?)
            }
            Format::Xlsx => {
                let mut tmp = new_spool().map_err(io)?;
                let notes = xlsx::to_csv(&file, &shown, opts.sheet.as_deref(), tmp.as_file_mut())?;
                detection.encoding = "UTF-8".into();
                detection.encoding_reason = "workbook cells are Unicode".into();
                detection.notes.extend(notes);
                let csv = CsvSource::open_with(tmp.path(), &shown, Some(b','), true)?;
                spool = Some(tmp);
                Kind::Csv(csv)
            }
            Format::Csv => {
                let handle = std::fs::File::open(&file).map_err(io)?;
                if handle.metadata().map_err(io)?.len() == 0 {
                    return Err(DataError::Empty { path: shown });
                }
                // Mapped, not read: detecting the encoding walks the whole file, and its
                // pages are given back afterwards instead of staying in the job's memory.
                // SAFETY: a read-only map of the input file; see CsvSource::open.
                let bytes = unsafe { memmap2::Mmap::map(&handle) }.map_err(io)?;
                let detected = match &opts.encoding {
                    Some(label) => {
                        let encoding = decode::by_label(label).map_err(|message| DataError::BadHeader {
                            path: shown.clone(),
                            message,
                        })?;
                        let bom = encoding_rs::Encoding::for_bom(&bytes).map_or(0, |(_, n)| n);
                        decode::Detected {
                            encoding,
                            bom,
                            reason: "given with --encoding".into(),
                        }
                    }
                    None => decode::detect_releasing(&bytes, &mut |offset| {
                        super::csv_source::release_map(&bytes, offset as u64)
                    }),
                };
                detection.encoding = detected.encoding.name().into();
                detection.encoding_reason = detected.reason.clone();
                let csv = if decode::is_utf8(detected.encoding) {
                    super::csv_source::release_map(&bytes, bytes.len() as u64);
                    drop(bytes);
                    CsvSource::open_with(&file, &shown, opts.delimiter, false)?
                } else {
                    let mut tmp = new_spool().map_err(io)?;
                    {
                        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                        decode::transcode(detected.encoding, &bytes, &mut w).map_err(io)?;
                        w.flush().map_err(io)?;
                        super::csv_source::release_map(&bytes, bytes.len() as u64);
                    }
                    detection.notes.push(format!(
                        "transcoded from {} to UTF-8 for reading",
                        detected.encoding.name()
                    ));
                    let csv = CsvSource::open_with(tmp.path(), &shown, opts.delimiter, false)?;
                    spool = Some(tmp);
                    csv
                };
                detection.delimiter = Some(match csv.delimiter() {
                    b'\t' => "tab".into(),
                    d => (d as char).to_string(),
                });
                detection.delimiter_reason = Some(csv.delimiter_reason().to_owned());
                Kind::Csv(csv)
            }
        };
        Ok(Source {
            kind,
            shown,
            detection,
            _spool: spool,
        })
    }

    /// The file as the user named it (`<stdin>` for standard input).
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// What was detected, and from what.
    pub fn detection(&self) -> &Detection {
        &self.detection
    }

    /// The column names (for JSON Lines, the keys of the first records).
    pub fn columns(&self) -> &[String] {
        match &self.kind {
            Kind::Csv(c) => c.header(),
            Kind::Jsonl(j) => j.keys(),
        }
    }

    /// Whether the file has a column (or, for JSON Lines, its first records a key) of this name.
    pub fn has_column(&self, name: &str) -> bool {
        self.columns().iter().any(|c| c == name)
    }

    /// Binds column names; a name the file lacks is bound as absent (its values are empty).
    pub fn bind(&self, names: &[&str]) -> Binding {
        let slots = names
            .iter()
            .map(|&n| match &self.kind {
                Kind::Csv(c) => c.column(n).map_or(Slot::Absent, Slot::Column),
                Kind::Jsonl(_) => Slot::Key(n.to_owned()),
            })
            .collect();
        Binding { slots }
    }

    /// Streams the records from the first.
    pub fn scan<'a>(&'a self, binding: &'a Binding) -> Scan<'a> {
        let inner = match &self.kind {
            Kind::Csv(c) => ScanKind::Csv(c.records(), ByteRecord::new()),
            Kind::Jsonl(j) => ScanKind::Jsonl(j.records()),
        };
        Scan {
            source: self,
            binding,
            inner,
        }
    }

    /// Size of the data read, in bytes (of the UTF-8 copy when the input was converted).
    pub fn len_bytes(&self) -> u64 {
        match &self.kind {
            Kind::Csv(c) => c.len_bytes(),
            Kind::Jsonl(j) => j.len_bytes(),
        }
    }

    /// Says that records before byte `offset` will not be read again soon: the memory
    /// they occupy is given back (pass 1 behind its reader, pass 2 behind each chunk).
    pub fn release(&self, offset: u64) {
        match &self.kind {
            Kind::Csv(c) => c.release(offset),
            Kind::Jsonl(j) => j.release(offset),
        }
    }

    /// Re-reads the record at `pos`, filling `out` with the bound fields' values.
    pub fn read_at(&self, binding: &Binding, pos: RecordPos, out: &mut Vec<Value>) -> Result<(), Rejection> {
        match &self.kind {
            Kind::Csv(c) => {
                let mut rec = ByteRecord::new();
                if !c.read_at(pos, &mut rec) {
                    return Err(Rejection::EmptyRecord);
                }
                csv_values(c, binding, &rec, pos, out)
            }
            Kind::Jsonl(j) => {
                let obj = j.read_at(pos)?;
                json_values(binding, obj, out);
                Ok(())
            }
        }
    }
}

impl Scan<'_> {
    /// The next record's position and, in `out`, its bound values; or why it is unusable.
    pub fn next_into(&mut self, out: &mut Vec<Value>) -> Option<(RecordPos, Result<(), Rejection>)> {
        match &mut self.inner {
            ScanKind::Csv(it, rec) => {
                let (pos, shape) = it.next_into(rec)?;
                let Kind::Csv(c) = &self.source.kind else {
                    unreachable!("a CSV scan reads a CSV source")
                };
                let read = shape.and_then(|()| csv_values(c, self.binding, rec, pos, out));
                if read.is_err() {
                    // What can be read of a bad row is still given, so that it keeps its id.
                    lossy_values(c, self.binding, rec, pos, out);
                }
                Some((pos, read))
            }
            ScanKind::Jsonl(it) => {
                let (pos, obj) = it.next_record()?;
                out.clear();
                out.resize(self.binding.len(), Value::Null);
                Some((
                    pos,
                    obj.map(|obj| {
                        json_values(self.binding, obj, out);
                    }),
                ))
            }
        }
    }
}

fn csv_values(
    c: &CsvSource,
    binding: &Binding,
    rec: &ByteRecord,
    pos: RecordPos,
    out: &mut Vec<Value>,
) -> Result<(), Rejection> {
    out.clear();
    for slot in &binding.slots {
        out.push(match slot {
            Slot::Column(i) => Value::String(c.field(rec, pos, *i)?.to_owned()),
            _ => Value::Null,
        });
    }
    Ok(())
}

/// The bound values of a row that cannot be used as a whole: fields that are
/// present and decodable, nothing for the others.
fn lossy_values(c: &CsvSource, binding: &Binding, rec: &ByteRecord, pos: RecordPos, out: &mut Vec<Value>) {
    out.clear();
    for slot in &binding.slots {
        out.push(match slot {
            Slot::Column(i) if *i < rec.len() => c
                .field(rec, pos, *i)
                .map_or(Value::Null, |v| Value::String(v.to_owned())),
            _ => Value::Null,
        });
    }
}

fn json_values(binding: &Binding, mut obj: serde_json::Map<String, Value>, out: &mut Vec<Value>) {
    out.clear();
    for slot in &binding.slots {
        out.push(match slot {
            Slot::Key(k) => obj.remove(k).unwrap_or(Value::Null),
            _ => Value::Null,
        });
    }
}

/// A private temporary file (mode 0600 on Unix), removed when dropped.
fn new_spool() -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix("pli-data-").tempfile()
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)?.take(4096).read_to_end(&mut head)?;
    Ok(head)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
        Format::Xlsx => "xlsx",
    }
}

/// The format from the file's extension, else from its first bytes.
fn detect_format(path: Option<&Path>, head: &[u8]) -> (Format, String) {
    if let Some(ext) = path.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        if let Ok(f) = ext.parse::<Format>() {
            return (f, format!("the file name ends in .{ext}"));
        }
    }
    if head.starts_with(b"PK\x03\x04") {
        return (
            Format::Xlsx,
            "the content is a zip archive, as Excel workbooks are".into(),
        );
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => (Format::Jsonl, "the content starts with `{`".into()),
        _ => (Format::Csv, "the content is text not starting with `{`".into()),
    }
}
