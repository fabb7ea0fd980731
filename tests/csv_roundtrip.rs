//! Round trips through `pli::data::Source`: tables written as CSV (any delimiter, line
//! ending, encoding and quoting a mailing house may send) or as JSON Lines, then opened
//! with detection and read back, by streaming and by re-reading each record's position
//! (also after the pages behind the reader were given back with `Source::release`).

use std::path::Path;

use pli::data::{Source, SourceOptions};
use pli::record::{RecordPos, Rejection};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

/// The delimiters pli detects.
const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

/// Letters and signs of French contact files, all representable in Windows-1252.
const LATIN: &[&str] = &[
    "é", "è", "ê", "ë", "à", "â", "ç", "î", "ï", "ô", "ù", "û", "ü", "ÿ", "É", "È", "À", "Ç", "Ê", "Ô", "Î",
    "œ", "Œ", "€", "«", "»", "’", "°", "\u{a0}",
];

/// Characters Windows-1252 cannot hold (one outside the Basic Multilingual Plane).
const WIDE: &[&str] = &["ā", "ŝ", "Ω", "中", "🙂", "\u{2028}"];

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    Windows1252,
}

const ENCODINGS: [Encoding; 5] = [
    Encoding::Utf8,
    Encoding::Utf8Bom,
    Encoding::Utf16LeBom,
    Encoding::Utf16BeBom,
    Encoding::Windows1252,
];

/// A table and how to write it.
#[derive(Clone, Debug)]
struct CsvCase {
    /// Column names as written: unique once trimmed, perhaps padded with spaces.
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    delimiter: u8,
    crlf: bool,
    encoding: Encoding,
    /// Quote every field, not only those that need it.
    always_quote: bool,
    /// End the last line with a line break.
    final_eol: bool,
}

/// What reading one record should give.
#[derive(Clone, Debug, PartialEq)]
struct Expected {
    /// Physical line (1-based, counted by `\n`) where the record starts.
    line: u64,
    outcome: Result<Vec<Value>, Rejection>,
}

/// 96 cases a property, unless `PROPTEST_CASES` asks for more (or fewer).
fn cfg() -> Config {
    let default = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            96
        },
        failure_persistence: None,
        ..default
    }
}

/// A piece of a field value; concatenated pieces make values with every awkward case.
fn piece(delimiter: u8, wide: bool) -> BoxedStrategy<String> {
    let others: Vec<String> = DELIMITERS
        .iter()
        .filter(|&&d| d != delimiter)
        .map(|&d| (d as char).to_string())
        .collect();
    let mut options: Vec<(u32, BoxedStrategy<String>)> = vec![
        (6, "[a-zA-Z0-9]{1,6}".boxed()),
        (4, select(LATIN).prop_map(str::to_owned).boxed()),
        (2, Just((delimiter as char).to_string()).boxed()),
        (1, select(others).boxed()),
        (2, Just("\"".to_owned()).boxed()),
        (1, Just("\r".to_owned()).boxed()),
        (1, Just("\n".to_owned()).boxed()),
        (1, Just("\r\n".to_owned()).boxed()),
        (3, Just(" ".to_owned()).boxed()),
    ];
    if wide {
        options.push((2, select(WIDE).prop_map(str::to_owned).boxed()));
    }
    Union::new_weighted(options).boxed()
}

fn value(delimiter: u8, wide: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(delimiter, wide), 0..6).prop_map(|p| p.concat())
}

/// A column name: no other candidate delimiter (that would make detection ambiguous), but
/// perhaps the delimiter itself, a quote or a line break (then written quoted), and spaces
/// around it (pli trims names).
fn column_name(delimiter: u8) -> impl Strategy<Value = String> {
    let core = "[A-Za-zéÉçœ][A-Za-z0-9_éàçœ ]{0,6}[A-Za-z0-9_éàçœ]";
    let inner = prop_oneof![
        4 => core.prop_map(|s| s.to_owned()),
        1 => (core, core).prop_map(move |(a, b)| format!("{a}{}{b}", delimiter as char)),
        1 => (core, core).prop_map(|(a, b)| format!("{a} \"{b}\"")),
        1 => (core, select(vec!["\n", "\r\n"]), core).prop_map(|(a, eol, b)| format!("{a}{eol}{b}")),
    ];
    (select(vec!["", " ", "  "]), inner, select(vec!["", " "])).prop_map(|(l, n, r)| format!("{l}{n}{r}"))
}

fn csv_case() -> impl Strategy<Value = CsvCase> {
    (
        select(DELIMITERS.to_vec()),
        select(ENCODINGS.to_vec()),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(delimiter, encoding, crlf, always_quote, final_eol)| {
            let header = prop::collection::vec(column_name(delimiter), 1..=6).prop_filter(
                "column names are unique once trimmed",
                |names| {
                    let mut t: Vec<&str> = names.iter().map(|n| n.trim()).collect();
                    t.sort_unstable();
                    t.windows(2).all(|w| w[0] != w[1])
                },
            );
            let wide = encoding != Encoding::Windows1252;
            header.prop_flat_map(move |header| {
                let row = prop::collection::vec(value(delimiter, wide), header.len());
                prop::collection::vec(row, 0..=30).prop_map(move |rows| CsvCase {
                    header: header.clone(),
                    rows,
                    delimiter,
                    crlf,
                    encoding,
                    always_quote,
                    final_eol,
                })
            })
        })
}

fn quote(field: &str, delimiter: u8, always: bool) -> String {
    let needs = field.contains([delimiter as char, '"', '\r', '\n']);
    if always || needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Writes the table as text, and says what reading each record must give.
fn render(case: &CsvCase) -> (String, Vec<Expected>) {
    let eol = if case.crlf { "\r\n" } else { "\n" };
    let delimiter = (case.delimiter as char).to_string();
    let line = |fields: &[String]| {
        fields
            .iter()
            .map(|f| quote(f, case.delimiter, case.always_quote))
            .collect::<Vec<_>>()
            .join(&delimiter)
    };
    let mut text = line(&case.header);
    let mut expected = Vec::new();
    for row in &case.rows {
        text.push_str(eol);
        let start = 1 + text.matches('\n').count() as u64;
        text.push_str(&line(row));
        if case.header.len() == 1 && row[0].is_empty() {
            // A line holding nothing (or only `""`) in a one-column file is no record.
            continue;
        }
        let blank = row.iter().all(|v| v.bytes().all(|b| b.is_ascii_whitespace()));
        expected.push(Expected {
            line: start,
            outcome: if blank {
                Err(Rejection::EmptyRecord)
            } else {
                Ok(row.iter().map(|v| Value::String(v.clone())).collect())
            },
        });
    }
    if case.final_eol {
        text.push_str(eol);
    }
    (text, expected)
}

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Utf16LeBom => {
            // encoding_rs decodes UTF-16 but cannot encode it: write it by hand.
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        Encoding::Utf16BeBom => {
            let mut out = vec![0xFE, 0xFF];
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            out
        }
        Encoding::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            assert!(!unmappable, "the strategy only makes characters Windows-1252 has");
            bytes.into_owned()
        }
    }
}

/// Whether Windows-1252 bytes could also be read as UTF-8 holding accented letters
/// (e.g. `É€` is `C9 80`, UTF-8 for `ɀ`): such a file is ambiguous, and detection
/// rightly says UTF-8 for it.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|c| !c.valid().is_ascii())
}

/// The encoding name pli's detection should report.
fn encoding_name(encoding: Encoding, bytes: &[u8]) -> &'static str {
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => "UTF-8",
        Encoding::Utf16LeBom => "UTF-16LE",
        Encoding::Utf16BeBom => "UTF-16BE",
        Encoding::Windows1252 if bytes.is_ascii() => "UTF-8",
        Encoding::Windows1252 => "windows-1252",
    }
}

/// Writes the case to a file and opens it as a user would: detection finds the encoding
/// and the delimiter (given only for one column, where no delimiter is written to detect).
fn open(dir: &Path, case: &CsvCase, bytes: &[u8]) -> Source {
    let path = dir.join("contacts.csv");
    std::fs::write(&path, bytes).unwrap();
    let opts = SourceOptions {
        delimiter: (case.header.len() == 1).then_some(case.delimiter),
        ..SourceOptions::default()
    };
    Source::open(&path, &opts).unwrap_or_else(|e| panic!("cannot open {case:?}: {e}"))
}

type Read = (RecordPos, Result<Vec<Value>, Rejection>);

/// Every record read by streaming; with `release`, the pages behind each record are given
/// back as a job's first pass does (which must lose nothing: they are read back from the file).
fn scan_all(src: &Source, names: &[&str], release: bool) -> Vec<Read> {
    let binding = src.bind(names);
    let mut scan = src.scan(&binding);
    let mut values = Vec::new();
    let mut out = Vec::new();
    while let Some((pos, r)) = scan.next_into(&mut values) {
        if release {
            src.release(pos.offset);
        }
        out.push((pos, r.map(|()| values.clone())));
    }
    out
}

/// The case written and opened, unless it is an ambiguous Windows-1252 file.
fn prepare(case: &CsvCase) -> Option<(tempfile::TempDir, Source, Vec<Expected>, Vec<u8>)> {
    let (text, expected) = render(case);
    let bytes = encode(&text, case.encoding);
    if case.encoding == Encoding::Windows1252 && looks_like_utf8(&bytes) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = open(dir.path(), case, &bytes);
    Some((dir, src, expected, bytes))
}

fn check_csv_round_trip(case: &CsvCase) -> Result<(), TestCaseError> {
    let Some((_dir, src, expected, bytes)) = prepare(case) else {
        return Err(TestCaseError::reject("Windows-1252 bytes that are also UTF-8"));
    };
    let names: Vec<String> = case.header.iter().map(|n| n.trim().to_owned()).collect();
    prop_assert_eq!(src.columns(), &names[..]);
    let detection = src.detection();
    prop_assert_eq!(&detection.encoding, encoding_name(case.encoding, &bytes));
    if case.header.len() > 1 {
        let shown = match case.delimiter {
            b'\t' => "tab".to_owned(),
            d => (d as char).to_string(),
        };
        prop_assert_eq!(detection.delimiter.as_deref(), Some(shown.as_str()));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let read = scan_all(&src, &names, false);
    prop_assert_eq!(read.len(), expected.len(), "records read: {:?}", read);
    let mut last_offset = None;
    for (i, ((pos, got), want)) in read.iter().zip(&expected).enumerate() {
        prop_assert_eq!(got, &want.outcome, "record {} at {:?}", i, pos);
        prop_assert_eq!(pos.line, want.line, "line of record {}", i);
        prop_assert!(
            last_offset < Some(pos.offset),
            "offsets grow: record {} at {:?}",
            i,
            pos
        );
        last_offset = Some(pos.offset);
    }
    Ok(())
}

/// Bytes the files of the re-reading properties reach, so that `Source::release` (which
/// works on whole 4 KiB pages) gives back pages that are then read again.
const RELEASED_SIZE: usize = 3 * 4096;

fn repeat<T: Clone>(items: &[T], times: usize) -> Vec<T> {
    (0..times).flat_map(|_| items.iter().cloned()).collect()
}

fn check_csv_read_at(case: &CsvCase) -> Result<(), TestCaseError> {
    // The rows repeated, for a file of several pages.
    let mut case = case.clone();
    let size = render(&case).0.len();
    if !case.rows.is_empty() && size < RELEASED_SIZE {
        case.rows = repeat(&case.rows, RELEASED_SIZE.div_ceil(size));
    }
    let Some((_dir, src, _, _)) = prepare(&case) else {
        return Err(TestCaseError::reject("Windows-1252 bytes that are also UTF-8"));
    };
    let names: Vec<&str> = src.columns().iter().map(String::as_str).collect();
    let binding = src.bind(&names);
    let mut again = Vec::new();
    let read = scan_all(&src, &names, true);
    src.release(u64::MAX);
    for (pos, got) in read {
        if let Ok(values) = got {
            prop_assert_eq!(src.read_at(&binding, pos, &mut again), Ok(()), "at {:?}", pos);
            prop_assert_eq!(&again, &values, "at {:?}", pos);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn csv_values_and_lines_survive_the_round_trip(case in csv_case()) {
        check_csv_round_trip(&case)?;
    }

    #[test]
    fn csv_records_reread_by_position_are_the_same(case in csv_case()) {
        check_csv_read_at(&case)?;
    }
}

/// A JSON value of the kinds contact files hold: strings, numbers and lists of them.
fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => "(?s).{0,12}".prop_map(Value::String),
        1 => select(LATIN).prop_map(|s| Value::String(s.to_owned())),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        // Dyadic fractions print and parse exactly.
        1 => any::<i32>().prop_map(|n| Value::from(f64::from(n) / 8.0)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => json_scalar(),
        1 => prop::collection::vec(json_scalar(), 0..4).prop_map(Value::Array),
    ]
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    let key = prop_oneof![
        3 => select(vec!["id", "nom", "prénom", "code_postal", "ville", "produits"]).prop_map(str::to_owned),
        1 => ".{0,8}",
    ];
    prop::collection::btree_map(key, json_value(), 0..6).prop_map(|m| m.into_iter().collect())
}

#[derive(Clone, Debug)]
struct JsonlCase {
    /// Each record with the blank lines written before it.
    records: Vec<(Vec<&'static str>, Map<String, Value>)>,
    crlf: bool,
    bom: bool,
    final_eol: bool,
    /// Give back the pages behind the reader, then all of them before re-reading.
    release: bool,
}

fn jsonl_case() -> impl Strategy<Value = JsonlCase> {
    let blanks = prop::collection::vec(select(vec!["", " ", "\t "]), 0..3);
    (
        prop::collection::vec((blanks, json_object()), 1..20),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(records, crlf, bom, final_eol, release)| JsonlCase {
            records,
            crlf,
            bom,
            final_eol,
            release,
        })
}

fn check_jsonl_round_trip(case: &JsonlCase) -> Result<(), TestCaseError> {
    let mut case = case.clone();
    if case.release {
        // The records repeated, for a file of several pages.
        let size: usize = case
            .records
            .iter()
            .map(|(_, o)| serde_json::to_string(o).unwrap().len())
            .sum();
        case.records = repeat(&case.records, RELEASED_SIZE.div_ceil(size));
    }
    let eol = if case.crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    let mut lines = Vec::new();
    let mut line = 0u64;
    for (i, (blanks, obj)) in case.records.iter().enumerate() {
        for b in blanks {
            text.push_str(b);
            text.push_str(eol);
            line += 1;
        }
        line += 1;
        lines.push(line);
        text.push_str(&serde_json::to_string(obj).unwrap());
        if i + 1 < case.records.len() || case.final_eol {
            text.push_str(eol);
        }
    }
    let bytes = if case.bom {
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
    } else {
        text.into_bytes()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.jsonl");
    std::fs::write(&path, &bytes).unwrap();
    let src = Source::open(&path, &SourceOptions::default()).unwrap();

    let mut keys: Vec<&str> = case
        .records
        .iter()
        .flat_map(|(_, o)| o.keys().map(String::as_str))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut columns: Vec<&str> = src.columns().iter().map(String::as_str).collect();
    columns.sort_unstable();
    prop_assert_eq!(&columns, &keys);

    let binding = src.bind(&keys);
    let read = scan_all(&src, &keys, case.release);
    prop_assert_eq!(read.len(), case.records.len());
    if case.release {
        src.release(u64::MAX);
    }
    let mut again = Vec::new();
    for (i, ((pos, got), (_, obj))) in read.iter().zip(&case.records).enumerate() {
        let want: Vec<Value> = keys
            .iter()
            .map(|k| obj.get(*k).cloned().unwrap_or(Value::Null))
            .collect();
        prop_assert_eq!(got.as_ref(), Ok(&want), "record {}", i);
        prop_assert_eq!(pos.line, lines[i], "line of record {}", i);
        prop_assert_eq!(src.read_at(&binding, *pos, &mut again), Ok(()));
        prop_assert_eq!(&again, &want, "record {} re-read at {:?}", i, pos);
    }
    Ok(())
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn jsonl_objects_survive_the_round_trip(case in jsonl_case()) {
        check_jsonl_round_trip(&case)?;
    }
}
