//! CSV files, memory-mapped: the header, a streaming pass, and re-reading one record by offset.

use std::cell::RefCell;
use std::fs::File;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use memmap2::Mmap;

use super::DataError;
use crate::record::{RecordPos, Rejection};

/// A CSV contact file, memory-mapped so that records can be re-read by offset.
pub struct CsvSource {
    /// The path shown in messages (the user's file, even when this reads a transcoded copy).
    path: PathBuf,
    map: Mmap,
    delimiter: u8,
    /// Why this delimiter.
    delimiter_reason: String,
    /// Lines are spreadsheet rows: a record's line is its row number, whatever it holds.
    rows_are_lines: bool,
    /// Offset of the header's first byte (after a byte-order mark).
    start: usize,
    header: Vec<String>,
}

impl CsvSource {
    /// Opens and maps `path`, detects the delimiter and reads the header.
    pub fn open(path: &Path) -> Result<CsvSource, DataError> {
        CsvSource::open_with(path, path, None, false)
    }

    /// Opens `file` (UTF-8) for the user's `shown` file, with an optional delimiter;
    /// `rows_are_lines` numbers records by row, as a spreadsheet does.
    pub fn open_with(
        file: &Path,
        shown: &Path,
        delimiter: Option<u8>,
        rows_are_lines: bool,
    ) -> Result<CsvSource, DataError> {
        let path = shown;
        let io = |source| DataError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(file).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len == 0 {
            return Err(DataError::Empty {
                path: path.to_owned(),
            });
        }
        // SAFETY: the map is read-only; pli never writes its input, and a file
        // truncated by another process during a job is outside what it supports.
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        let start = if map.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let (delimiter, delimiter_reason) = match delimiter {
            Some(d) => (d, "given with --delimiter".to_owned()),
            None => sniff_delimiter(&map[start..]),
        };
        let mut reader = reader_at(&map[start..], delimiter);
        let mut header = ByteRecord::new();
        let has = reader
            .read_byte_record(&mut header)
            .map_err(|e| DataError::BadHeader {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        if !has || header.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return Err(DataError::Empty {
                path: path.to_owned(),
            });
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| DataError::BadHeader {
                path: path.to_owned(),
                message: format!("column {} has a name that is not valid UTF-8", i + 1),
            })?;
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(DataError::BadHeader {
                    path: path.to_owned(),
                    message: format!("column {} has no name", i + 1),
                });
            }
            if names.contains(&name) {
                return Err(DataError::BadHeader {
                    path: path.to_owned(),
                    message: format!("column `{name}` appears twice; column names must be unique"),
                });
            }
            names.push(name);
        }
        Ok(CsvSource {
            path: path.to_owned(),
            delimiter,
            delimiter_reason,
            rows_are_lines,
            start,
            header: names,
            map,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, trimmed, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The delimiter in use.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Why this delimiter was chosen.
    pub fn delimiter_reason(&self) -> &str {
        &self.delimiter_reason
    }

    /// Streams the data records from the first one.
    pub fn records(&self) -> RecordIter<'_> {
        let mut reader = reader_at(&self.map[self.start..], self.delimiter);
        let mut header = ByteRecord::new();
        // The header was read once already in `open`; skip it.
        let _ = reader.read_byte_record(&mut header);
        RecordIter {
            reader,
            bytes: &self.map[self.start..],
            base: self.start as u64,
            columns: self.header.len(),
            counted_to: 0,
            lines: 1,
            rows: if self.rows_are_lines { Some(1) } else { None },
        }
    }

    /// Re-reads the record that starts at `pos`.
    pub fn read_at(&self, pos: RecordPos, into: &mut ByteRecord) -> bool {
        match self.map.get(pos.offset as usize..) {
            Some(bytes) => read_one(bytes, self.delimiter, into),
            None => false,
        }
    }

    /// Size of the (UTF-8) data in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// Tells the system the file's bytes before `offset` will not be read again soon, so
    /// that the pages of a multi-gigabyte input do not stay counted in the job's memory.
    pub fn release(&self, offset: u64) {
        release_map(&self.map, offset);
    }

    /// Decodes field `index` of a record read from this file, or says why it cannot.
    pub fn field<'r>(&self, rec: &'r ByteRecord, pos: RecordPos, index: usize) -> Result<&'r str, Rejection> {
        let raw = rec.get(index).unwrap_or_default();
        std::str::from_utf8(raw).map_err(|e| Rejection::InvalidUtf8 {
            field: self.header[index].clone(),
            byte: pos.offset + field_offset(rec, index) + e.valid_up_to() as u64,
        })
    }
}

/// Approximate offset of field `index` within its record (exact when the record has no quotes).
fn field_offset(rec: &ByteRecord, index: usize) -> u64 {
    rec.iter().take(index).map(|f| f.len() as u64 + 1).sum()
}

/// Streams records, checking that each has as many fields as the header.
pub struct RecordIter<'a> {
    reader: csv::Reader<&'a [u8]>,
    bytes: &'a [u8],
    base: u64,
    columns: usize,
    /// Line breaks are counted up to this offset in `bytes`...
    counted_to: usize,
    /// ...where the physical line is this one.
    lines: u64,
    /// Row number of the last record, when records are numbered by row.
    rows: Option<u64>,
}

impl RecordIter<'_> {
    /// The position of a record the reader says starts at `start`: the reader may
    /// place it on the line break that ends the previous record, so skip those,
    /// then count the physical lines since the last record.
    fn locate(&mut self, mut start: usize) -> RecordPos {
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let from = self.counted_to.min(start);
        self.lines += self.bytes[from..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.counted_to = start;
        let line = match &mut self.rows {
            Some(row) => {
                *row += 1;
                *row
            }
            None => self.lines,
        };
        RecordPos {
            line,
            offset: self.base + start as u64,
        }
    }

    /// Reads the next record into `into`; `None` at the end of the file.
    ///
    /// A record with the wrong number of fields is returned as a rejection with its position.
    pub fn next_into(&mut self, into: &mut ByteRecord) -> Option<(RecordPos, Result<(), Rejection>)> {
        loop {
            let before = self.reader.position().clone();
            match self.reader.read_byte_record(into) {
                Ok(false) => return None,
                Ok(true) => {
                    let start = into.position().unwrap_or(&before).byte() as usize;
                    let pos = self.locate(start);
                    // A line with nothing at all on it is not a record.
                    if into.len() == 1 && into[0].is_empty() {
                        continue;
                    }
                    if into.len() != self.columns {
                        let found = into.len();
                        return Some((
                            pos,
                            Err(Rejection::RaggedRow {
                                expected: self.columns,
                                found,
                            }),
                        ));
                    }
                    if into.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        return Some((pos, Err(Rejection::EmptyRecord)));
                    }
                    return Some((pos, Ok(())));
                }
                Err(e) => {
                    // The csv reader only fails on I/O errors for in-memory input,
                    // but report rather than lose the record if it ever does.
                    let pos = self.locate(before.byte() as usize);
                    return Some((
                        pos,
                        Err(Rejection::InvalidField {
                            field: "(row)".into(),
                            message: e.to_string(),
                        }),
                    ));
                }
            }
        }
    }
}

/// Drops the resident pages of `map` before `offset` (they are read back from the file
/// if ever needed again).
pub(super) fn release_map(map: &Mmap, offset: u64) {
    const PAGE: usize = 4096;
    let end = (offset as usize).min(map.len()) / PAGE * PAGE;
    if end == 0 {
        return;
    }
    // SAFETY: the map is a read-only, shared mapping of a file: dropping its pages loses
    // nothing, and a later read faults them back in from the file.
    #[cfg(unix)]
    unsafe {
        let _ = map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, end);
    }
}

/// A CSV parser per thread, kept between records: building one is costly (it compiles
/// its state machine), and pass 2 re-reads a record for every mailpiece.
struct OneRecord {
    delimiter: u8,
    parser: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

thread_local! {
    static ONE_RECORD: RefCell<Option<OneRecord>> = const { RefCell::new(None) };
}

/// Parses the record at the start of `bytes` into `into`; false at the end of the data.
fn read_one(bytes: &[u8], delimiter: u8, into: &mut ByteRecord) -> bool {
    use csv_core::ReadRecordResult as R;
    ONE_RECORD.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|c| c.delimiter != delimiter) {
            *cell = Some(OneRecord {
                delimiter,
                parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
                out: vec![0; 4096],
                ends: vec![0; 64],
            });
        }
        let one = cell.as_mut().expect("set above");
        one.parser.reset();
        let (mut input, mut nout, mut nend) = (bytes, 0usize, 0usize);
        loop {
            let (res, nin, o, e) = one
                .parser
                .read_record(input, &mut one.out[nout..], &mut one.ends[nend..]);
            // Field ends count from the record's first output byte, across calls.
            input = &input[nin..];
            nout += o;
            nend += e;
            match res {
                R::InputEmpty => {} // the next call, with no input left, ends the record
                R::OutputFull => one.out.resize(one.out.len() * 2, 0),
                R::OutputEndsFull => one.ends.resize(one.ends.len() * 2, 0),
                R::Record => break,
                R::End => return false,
            }
        }
        into.clear();
        let mut start = 0;
        for &end in &one.ends[..nend] {
            into.push_field(&one.out[start..end]);
            start = end;
        }
        true
    })
}

fn reader_at(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Picks the delimiter: the candidate (`;`, `,`, tab, `|`) that splits the first lines
/// into the same number of fields most often, ties going to the one that splits the
/// header into more columns. Quotes are respected.
fn sniff_delimiter(bytes: &[u8]) -> (u8, String) {
    const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];
    const LINES: usize = 20;
    // counts[line][candidate]
    let mut counts: Vec<[usize; 4]> = vec![[0; 4]];
    let mut quoted = false;
    for &b in bytes.iter().take(256 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                if counts.len() == LINES {
                    break;
                }
                counts.push([0; 4]);
            }
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts.last_mut().expect("one line at least")[i] += 1;
                }
            }
            _ => {}
        }
    }
    while counts.len() > 1 && counts.last().is_some_and(|c| c.iter().all(|&n| n == 0)) {
        counts.pop();
    }
    let header = counts[0];
    let consistent = |i: usize| counts.iter().filter(|c| c[i] == header[i]).count();
    let best = (0..4)
        .filter(|&i| header[i] > 0)
        .max_by_key(|&i| (consistent(i), header[i], 4 - i));
    let name = |d: u8| match d {
        b'\t' => "tab".to_owned(),
        d => format!("`{}`", d as char),
    };
    match best {
        None => (
            b',',
            "no delimiter in the header line: one column, read with `,`".into(),
        ),
        Some(i) => (
            CANDIDATES[i],
            format!(
                "{} splits the header into {} columns and {} of the first {} lines alike",
                name(CANDIDATES[i]),
                header[i] + 1,
                consistent(i),
                counts.len()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn source(text: &[u8]) -> (tempfile_lite::TempPath, CsvSource) {
        let path = tempfile_lite::TempPath::new("csv");
        std::fs::File::create(&path.0).unwrap().write_all(text).unwrap();
        let src = CsvSource::open(&path.0).unwrap();
        (path, src)
    }

    /// A tiny temporary-file helper, so tests need no extra crate.
    mod tempfile_lite {
        use std::path::PathBuf;
        use std::sync::atomic::{AtomicUsize, Ordering};
        pub struct TempPath(pub PathBuf);
        static N: AtomicUsize = AtomicUsize::new(0);
        impl TempPath {
            pub fn new(ext: &str) -> TempPath {
                let n = N.fetch_add(1, Ordering::Relaxed);
                TempPath(std::env::temp_dir().join(format!("pli-test-{}-{n}.{ext}", std::process::id())))
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn semicolons_and_bom_are_handled() {
        let (_p, src) = source("\u{feff}id;nom\r\n1;Zoé\r\n2;\"Dupont; fils\"\r\n".as_bytes());
        assert_eq!(src.delimiter(), b';');
        assert!(
            src.delimiter_reason().contains("2 columns"),
            "{}",
            src.delimiter_reason()
        );
        assert_eq!(src.header(), ["id", "nom"]);
        let mut it = src.records();
        let mut rec = ByteRecord::new();
        let (pos, ok) = it.next_into(&mut rec).unwrap();
        assert!(ok.is_ok());
        assert_eq!(pos.line, 2);
        assert_eq!(src.field(&rec, pos, 1).unwrap(), "Zoé");
        let (pos2, _) = it.next_into(&mut rec).unwrap();
        assert_eq!(pos2.line, 3);
        assert_eq!(&rec[1], b"Dupont; fils");
        // Re-reading by offset gives the same record.
        let mut again = ByteRecord::new();
        assert!(src.read_at(pos, &mut again));
        assert_eq!(&again[1], "Zoé".as_bytes());
    }

    #[test]
    fn multi_line_fields_count_physical_lines() {
        let (_p, src) = source(b"id,note\n1,\"two\nlines\"\n2,x\n");
        let mut it = src.records();
        let mut rec = ByteRecord::new();
        assert_eq!(it.next_into(&mut rec).unwrap().0.line, 2);
        assert_eq!(it.next_into(&mut rec).unwrap().0.line, 4);
    }

    #[test]
    fn records_are_re_read_whatever_their_size_and_quoting() {
        let big = "x".repeat(10_000);
        let text = format!("a;b\n1;\"two\nlines; \"\"quoted\"\"\"\n2;{big}\n3;last");
        let (_p, src) = source(text.as_bytes());
        let mut it = src.records();
        let mut rec = ByteRecord::new();
        let mut positions = Vec::new();
        while let Some((pos, ok)) = it.next_into(&mut rec) {
            assert!(ok.is_ok());
            positions.push((pos, rec.clone()));
        }
        assert_eq!(positions.len(), 3);
        for (pos, original) in positions {
            let mut again = ByteRecord::new();
            assert!(src.read_at(pos, &mut again));
            assert_eq!(again, original);
        }
        // The same thread's parser serves another delimiter afterwards.
        let (_q, other) = source(b"a,b\n1,2\n");
        let (pos, _) = other.records().next_into(&mut rec).unwrap();
        let mut again = ByteRecord::new();
        assert!(other.read_at(pos, &mut again));
        assert_eq!(&again[1], b"2");
    }

    #[test]
    fn ragged_and_empty_rows_are_rejections() {
        let (_p, src) = source(b"a,b,c\n1,2\n,,\n1,2,3\n");
        let mut it = src.records();
        let mut rec = ByteRecord::new();
        let (_, r) = it.next_into(&mut rec).unwrap();
        assert_eq!(
            r.unwrap_err().to_string(),
            "ragged_row: expected 3 fields, found 2"
        );
        assert_eq!(it.next_into(&mut rec).unwrap().1, Err(Rejection::EmptyRecord));
        assert!(it.next_into(&mut rec).unwrap().1.is_ok());
        assert!(it.next_into(&mut rec).is_none());
    }

    #[test]
    fn duplicate_columns_and_empty_files_are_job_errors() {
        let path = tempfile_lite::TempPath::new("csv");
        std::fs::write(&path.0, b"a,b,a\n1,2,3\n").unwrap();
        let err = CsvSource::open(&path.0).err().unwrap().to_string();
        assert!(err.contains("`a` appears twice"), "{err}");
        std::fs::write(&path.0, b"").unwrap();
        assert!(matches!(CsvSource::open(&path.0), Err(DataError::Empty { .. })));
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        let (_p, src) = source(b"id,name\n1,Zo\xe9\n");
        let mut it = src.records();
        let mut rec = ByteRecord::new();
        let (pos, _) = it.next_into(&mut rec).unwrap();
        let err = src.field(&rec, pos, 1).unwrap_err();
        assert_eq!(err.code(), "invalid_utf8:name");
    }
}

#[cfg(test)]
mod sniff_tests {
    use super::sniff_delimiter;

    #[test]
    fn the_consistent_delimiter_wins() {
        // Commas inside a French text column must not beat the semicolons.
        let text = b"id;nom;note\n1;Dupont;bien, merci, oui\n2;Durand;a, b, c, d\n";
        assert_eq!(sniff_delimiter(text).0, b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n").0, b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n").0, b'|');
        assert_eq!(sniff_delimiter(b"\"x;y\",b\n\"1;2\",3\n").0, b',');
        assert_eq!(sniff_delimiter(b"single\nvalue\n").0, b',');
    }
}
