//! The job's ledger: every record's fate, kept in two temporary files rather than in
//! memory, so that a job of ten million records holds no more than one of ten thousand.
//!
//! - The **record log** is written by pass 1, one entry per input record in file order:
//!   its line, byte offset and id, and whether it is planned, suppressed or rejected.
//!   Pass 2 reads it back for the records to compose; the manifest reads it once more.
//! - The **outcome slots** are written by the PDF writer: a fixed-size slot per record,
//!   at the record's index, saying which piece, file and pages it became (or why it
//!   could not be composed). Variable text (warnings, messages) goes to a notes file the
//!   slots point into. Slots are addressed by index, so any plan order works.
//!
//! Both are anonymous files in the output folder: they vanish with the job, whatever
//! way it ends, and hold record ids and reason codes, never names or addresses.
//!
//! Unix only: both files are read and written at offsets (`FileExt::read_at`,
//! `write_all_at` from `std::os::unix::fs`), so that several readers share one file
//! handle without seeking it. A Windows build would use `std::os::windows::fs::FileExt`
//! (`seek_read`, `seek_write`) in `At` and `Outcomes::flush_run`.

#[cfg(not(unix))]
compile_error!(
    "the job's ledger reads and writes at offsets with std::os::unix::fs::FileExt: pli builds for Unix"
);

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::{Channels, RecordPos};

/// What pass 1 decided for a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// To be composed.
    Planned,
    /// Deliberately not mailed, with the reason code (e.g. `optout`).
    Suppressed(Box<str>),
    /// Could not be used.
    Rejected {
        /// Reason code, e.g. `missing_field:postcode`.
        code: Box<str>,
        /// Human message.
        message: Box<str>,
    },
    /// Not mailed, but sent by e-mail or SMS only (its channels say which).
    Exported,
}

impl Fate {
    /// A rejection as the ledger keeps it: its code and its message.
    pub fn rejection(r: super::Rejection) -> Fate {
        Fate::Rejected {
            code: r.code().into_boxed_str(),
            message: r.to_string().into_boxed_str(),
        }
    }
}

/// One record as pass 1 logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its index among the input's records, from 0.
    pub index: u64,
    /// Where it is in the input.
    pub pos: RecordPos,
    /// Its id.
    pub id: Box<str>,
    /// What pass 1 decided.
    pub fate: Fate,
    /// The channels it goes by.
    pub channels: Channels,
    /// Its household id, when the job computes households (empty otherwise).
    pub household: Box<str>,
    /// The first mailed member of its household: it receives the household's document.
    pub household_lead: bool,
}

/// Where a record goes, as pass 1 decided with its fate.
#[derive(Copy, Clone, Debug)]
pub struct Routing<'a> {
    /// The channels it goes by.
    pub channels: Channels,
    /// Its household id (empty when households are not computed).
    pub household: &'a str,
    /// The first mailed member of its household.
    pub household_lead: bool,
}

/// The bit of the channels byte that marks a household's lead in the record log.
const LEAD_BIT: u8 = 0x80;

const PLANNED: u8 = 0;
const SUPPRESSED: u8 = 1;
const REJECTED: u8 = 2;
const EXPORTED: u8 = 3;

/// Buffer size of the ledger's files: big enough that writing a record costs no syscall.
const BUF: usize = 1 << 16;

/// Pass 1's log of every record, written in file order.
pub struct RecordLog {
    out: CountingWriter,
    records: u64,
    planned: u64,
    exported: u64,
}

impl RecordLog {
    /// Starts a log in `dir` (an anonymous file, removed when the log is dropped).
    pub fn create(dir: &Path) -> io::Result<RecordLog> {
        Ok(RecordLog {
            out: CountingWriter {
                inner: BufWriter::with_capacity(BUF, tempfile::tempfile_in(dir)?),
                written: 0,
            },
            records: 0,
            planned: 0,
            exported: 0,
        })
    }

    /// Logs the next record with its fate and routing; returns its index.
    pub fn push(&mut self, pos: RecordPos, id: &str, fate: &Fate, routing: Routing) -> io::Result<u64> {
        let o = &mut self.out;
        o.write_all(&pos.line.to_le_bytes())?;
        o.write_all(&pos.offset.to_le_bytes())?;
        let lead = if routing.household_lead { LEAD_BIT } else { 0 };
        o.write_all(&[routing.channels.bits() | lead])?;
        match fate {
            Fate::Planned => {
                o.write_all(&[PLANNED])?;
                self.planned += 1;
            }
            Fate::Suppressed(reason) => {
                o.write_all(&[SUPPRESSED])?;
                put_str(o, reason)?;
            }
            Fate::Rejected { code, message } => {
                o.write_all(&[REJECTED])?;
                put_str(o, code)?;
                put_str(o, message)?;
            }
            Fate::Exported => {
                o.write_all(&[EXPORTED])?;
                self.exported += 1;
            }
        }
        put_str(o, id)?;
        put_str(o, routing.household)?;
        self.records += 1;
        Ok(self.records - 1)
    }

    /// Records logged so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Where the next entry will start in the log, to read it back alone
    /// ([`Records::entry_at`]).
    pub fn position(&self) -> u64 {
        self.out.written
    }

    /// Planned records logged so far.
    pub fn planned(&self) -> u64 {
        self.planned
    }

    /// Ends writing; the log can then be read as often as needed.
    pub fn finish(self) -> io::Result<Records> {
        let file = self.out.inner.into_inner().map_err(|e| e.into_error())?;
        Ok(Records {
            file,
            records: self.records,
            planned: self.planned,
            exported: self.exported,
        })
    }
}

/// A buffered writer that counts the bytes it is given.
struct CountingWriter {
    inner: BufWriter<File>,
    written: u64,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A finished record log.
pub struct Records {
    file: File,
    records: u64,
    planned: u64,
    exported: u64,
}

impl Records {
    /// Records in the input.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Records planned for composition.
    pub fn planned(&self) -> u64 {
        self.planned
    }

    /// Records to send by e-mail or SMS only.
    pub fn exported(&self) -> u64 {
        self.exported
    }

    /// The entry of record `index`, which starts at `position` in the log.
    pub fn entry_at(&self, position: u64, index: u64) -> io::Result<Entry> {
        let mut reader = EntryReader {
            inner: BufReader::with_capacity(
                512,
                At {
                    file: &self.file,
                    at: position,
                },
            ),
            next: index,
            end: index + 1,
        };
        reader.next_entry()?.ok_or_else(corrupt)
    }

    /// Reads the log from its start, in file order.
    pub fn read(&self) -> EntryReader<'_> {
        EntryReader {
            inner: BufReader::with_capacity(
                BUF,
                At {
                    file: &self.file,
                    at: 0,
                },
            ),
            next: 0,
            end: self.records,
        }
    }
}

/// Reads a file from a position of its own, so that several readers can share the file.
struct At<'a> {
    file: &'a File,
    at: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// Entries of a record log, in file order.
pub struct EntryReader<'a> {
    inner: BufReader<At<'a>>,
    next: u64,
    end: u64,
}

impl EntryReader<'_> {
    /// The next entry, or `None` after the last.
    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        if self.next == self.end {
            return Ok(None);
        }
        let r = &mut self.inner;
        let line = get_u64(r)?;
        let offset = get_u64(r)?;
        let mut tag = [0u8; 2];
        r.read_exact(&mut tag)?;
        let channels = Channels::from_bits(tag[0] & !LEAD_BIT);
        let household_lead = tag[0] & LEAD_BIT != 0;
        let fate = match tag[1] {
            PLANNED => Fate::Planned,
            EXPORTED => Fate::Exported,
            SUPPRESSED => Fate::Suppressed(get_str(r)?),
            REJECTED => Fate::Rejected {
                code: get_str(r)?,
                message: get_str(r)?,
            },
            _ => return Err(corrupt()),
        };
        let id = get_str(r)?;
        let household = get_str(r)?;
        self.next += 1;
        Ok(Some(Entry {
            index: self.next - 1,
            pos: RecordPos { line, offset },
            id,
            fate,
            channels,
            household,
            household_lead,
        }))
    }

    /// The next planned entry, skipping the others.
    pub fn next_planned(&mut self) -> io::Result<Option<Entry>> {
        self.next_where(|f| *f == Fate::Planned)
    }

    /// The next entry to send (planned for the post, or exported), skipping the others.
    pub fn next_to_send(&mut self) -> io::Result<Option<Entry>> {
        self.next_where(|f| matches!(f, Fate::Planned | Fate::Exported))
    }

    /// The next entry sent by e-mail or SMS only, skipping the others.
    pub fn next_exported(&mut self) -> io::Result<Option<Entry>> {
        self.next_where(|f| *f == Fate::Exported)
    }

    fn next_where(&mut self, wanted: impl Fn(&Fate) -> bool) -> io::Result<Option<Entry>> {
        while let Some(e) = self.next_entry()? {
            if wanted(&e.fate) {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }
}

/// What became of a planned record when it was composed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Composed into a mailpiece.
    Composed {
        /// The piece's number (its id is `P` and this number on 7 digits).
        piece: u32,
        /// Index of the output file in the job's file list.
        file: u32,
        /// First page of the piece in that file (1-based).
        first_page: u32,
        /// Number of pages.
        pages: u32,
        /// Warnings, `; `-separated, if any.
        warnings: Option<Box<str>>,
        /// The channels it went by (post, and e-mail or SMS if also sent).
        channels: Channels,
        /// The household's document it also received, if it is its household's lead.
        household_doc: Option<DocRef>,
        /// Where it stands in production: sheets, tray and bundle.
        place: PiecePlace,
    },
    /// Sent by e-mail or SMS only.
    Exported {
        /// The channels it went by.
        channels: Channels,
    },
    /// Could not be composed after all.
    Rejected {
        /// Reason code.
        code: Box<str>,
        /// Human message.
        message: Box<str>,
    },
}

/// A mailpiece's sheets, and its tray and bundle when the job is presorted (0 when not,
/// and for a piece that goes at the single-piece rate).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PiecePlace {
    /// Sheets it is printed on.
    pub sheets: u32,
    /// Its tray, from 1.
    pub tray: u32,
    /// Its bundle, from 1.
    pub bundle: u32,
}

/// A document in an output stream: its piece number, file index, first page and pages.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DocRef {
    /// The piece's number in its stream.
    pub piece: u32,
    /// Index of the file in the stream's file list.
    pub file: u32,
    /// First page in that file (1-based).
    pub first_page: u32,
    /// Number of pages.
    pub pages: u32,
}

/// Bytes of one outcome slot: state, piece, file, first page, pages (u32 each), the
/// channels (one byte and padding), the offset of its note (u64, or `NO_NOTE`), then
/// the household document's piece, file, first page and pages (u32 each; piece 0: none),
/// then the piece's sheets, tray and bundle (u32 each) and 4 spare bytes.
const SLOT: usize = 64;
const NO_NOTE: u64 = u64::MAX;
/// Slot states; a slot never written reads as zeros, so `EMPTY` must be 0.
const EMPTY: u32 = 0;
const COMPOSED: u32 = 1;
const FAILED: u32 = 2;
const SENT: u32 = 3;

/// The PDF writer's account of each planned record, slot by record index.
pub struct Outcomes {
    slots: File,
    notes: BufWriter<File>,
    notes_len: u64,
    /// Slots waiting to be written, for consecutive indexes from `run_start`.
    run: Vec<u8>,
    run_start: u64,
}

impl Outcomes {
    /// Starts the outcome files in `dir` (anonymous, removed when dropped).
    pub fn create(dir: &Path) -> io::Result<Outcomes> {
        Ok(Outcomes {
            slots: tempfile::tempfile_in(dir)?,
            notes: BufWriter::with_capacity(BUF, tempfile::tempfile_in(dir)?),
            notes_len: 0,
            run: Vec::with_capacity(BUF),
            run_start: 0,
        })
    }

    /// Records what became of record `index`.
    pub fn set(&mut self, index: u64, outcome: &Outcome) -> io::Result<()> {
        let run_end = self.run_start + (self.run.len() / SLOT) as u64;
        if index != run_end || self.run.len() + SLOT > BUF {
            self.flush_run()?;
            self.run_start = index;
        }
        let mut slot = [0u8; SLOT];
        let mut doc = [0u32; 4];
        let mut extra = [0u32; 3];
        let (state, words, channels, note) = match outcome {
            Outcome::Composed {
                piece,
                file,
                first_page,
                pages,
                warnings,
                channels,
                household_doc,
                place,
            } => {
                extra = [place.sheets, place.tray, place.bundle];
                let note = match warnings {
                    Some(w) => self.note(&[w])?,
                    None => NO_NOTE,
                };
                if let Some(d) = household_doc {
                    doc = [d.piece, d.file, d.first_page, d.pages];
                }
                (COMPOSED, [*piece, *file, *first_page, *pages], *channels, note)
            }
            Outcome::Exported { channels } => (SENT, [0; 4], *channels, NO_NOTE),
            Outcome::Rejected { code, message } => {
                let note = self.note(&[code, message])?;
                (FAILED, [0; 4], Channels::NONE, note)
            }
        };
        for (k, w) in doc.iter().enumerate() {
            slot[32 + 4 * k..36 + 4 * k].copy_from_slice(&w.to_le_bytes());
        }
        for (k, w) in extra.iter().enumerate() {
            slot[48 + 4 * k..52 + 4 * k].copy_from_slice(&w.to_le_bytes());
        }
        slot[0..4].copy_from_slice(&state.to_le_bytes());
        for (k, w) in words.iter().enumerate() {
            slot[4 + 4 * k..8 + 4 * k].copy_from_slice(&w.to_le_bytes());
        }
        slot[20] = channels.bits();
        slot[24..32].copy_from_slice(&note.to_le_bytes());
        self.run.extend_from_slice(&slot);
        Ok(())
    }

    fn note(&mut self, parts: &[&str]) -> io::Result<u64> {
        let at = self.notes_len;
        for p in parts {
            put_str(&mut self.notes, p)?;
            self.notes_len += 4 + p.len() as u64;
        }
        Ok(at)
    }

    fn flush_run(&mut self) -> io::Result<()> {
        if !self.run.is_empty() {
            self.slots.write_all_at(&self.run, self.run_start * SLOT as u64)?;
            self.run.clear();
        }
        Ok(())
    }

    /// Ends writing, for `records` records in all.
    pub fn finish(mut self, records: u64) -> io::Result<FinishedOutcomes> {
        self.flush_run()?;
        // Slots never written (records not planned) read as zeros up to the end.
        self.slots.set_len(records * SLOT as u64)?;
        let notes = self.notes.into_inner().map_err(|e| e.into_error())?;
        Ok(FinishedOutcomes {
            slots: self.slots,
            notes,
        })
    }
}

/// The outcome files, complete, ready to be read by record index order.
pub struct FinishedOutcomes {
    slots: File,
    notes: File,
}

impl FinishedOutcomes {
    /// The outcome of record `index`, if one was recorded.
    pub fn get(&self, index: u64) -> io::Result<Option<Outcome>> {
        let mut r = OutcomeReader {
            slots: BufReader::with_capacity(
                SLOT,
                At {
                    file: &self.slots,
                    at: index * SLOT as u64,
                },
            ),
            notes: &self.notes,
        };
        r.next_outcome()
    }

    /// Reads the slots from the first record's, in index order.
    pub fn read(&self) -> OutcomeReader<'_> {
        OutcomeReader {
            slots: BufReader::with_capacity(
                BUF,
                At {
                    file: &self.slots,
                    at: 0,
                },
            ),
            notes: &self.notes,
        }
    }
}

/// Outcome slots in record index order.
pub struct OutcomeReader<'a> {
    slots: BufReader<At<'a>>,
    notes: &'a File,
}

impl OutcomeReader<'_> {
    /// The next record's outcome; `None` if no outcome was recorded for it.
    pub fn next_outcome(&mut self) -> io::Result<Option<Outcome>> {
        let mut slot = [0u8; SLOT];
        self.slots.read_exact(&mut slot)?;
        let word = |k: usize| u32::from_le_bytes(slot[4 * k..4 * k + 4].try_into().expect("4 bytes"));
        let note = u64::from_le_bytes(slot[24..32].try_into().expect("8 bytes"));
        Ok(match word(0) {
            EMPTY => None,
            COMPOSED => Some(Outcome::Composed {
                piece: word(1),
                file: word(2),
                first_page: word(3),
                pages: word(4),
                warnings: if note == NO_NOTE {
                    None
                } else {
                    Some(self.note(note)?)
                },
                channels: Channels::from_bits(slot[20]),
                household_doc: (word(8) != 0).then(|| DocRef {
                    piece: word(8),
                    file: word(9),
                    first_page: word(10),
                    pages: word(11),
                }),
                place: PiecePlace {
                    sheets: word(12),
                    tray: word(13),
                    bundle: word(14),
                },
            }),
            SENT => Some(Outcome::Exported {
                channels: Channels::from_bits(slot[20]),
            }),
            FAILED => {
                let code = self.note(note)?;
                let message = self.note(note + 4 + code.len() as u64)?;
                Some(Outcome::Rejected { code, message })
            }
            _ => return Err(corrupt()),
        })
    }

    fn note(&self, at: u64) -> io::Result<Box<str>> {
        get_str(&mut At { file: self.notes, at })
    }
}

fn put_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    let len =
        u32::try_from(s.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "text over 4 GB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(s.as_bytes())
}

fn get_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn get_str(r: &mut impl Read) -> io::Result<Box<str>> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    let mut text = vec![0u8; u32::from_le_bytes(b) as usize];
    r.read_exact(&mut text)?;
    String::from_utf8(text)
        .map(String::into_boxed_str)
        .map_err(|_| corrupt())
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the job's temporary ledger is damaged",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u64, offset: u64) -> RecordPos {
        RecordPos { line, offset }
    }

    #[test]
    fn record_log_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RecordLog::create(dir.path()).unwrap();
        let fates = [
            Fate::Planned,
            Fate::Suppressed("optout".into()),
            Fate::Rejected {
                code: "missing_field:city".into(),
                message: "field `city` is empty".into(),
            },
            Fate::Planned,
        ];
        let mut positions = Vec::new();
        for (k, f) in fates.iter().enumerate() {
            positions.push(log.position());
            let routing = Routing {
                channels: Channels::POST,
                household: if k == 3 { "H1" } else { "" },
                household_lead: k == 3,
            };
            let at = log
                .push(pos(k as u64 + 2, 100 * k as u64), &format!("C{k}"), f, routing)
                .unwrap();
            assert_eq!(at, k as u64);
        }
        let records = log.finish().unwrap();
        assert_eq!((records.records(), records.planned()), (4, 2));
        // Any entry can be read back alone from where it started.
        let third = records.entry_at(positions[2], 2).unwrap();
        assert_eq!((&*third.id, third.index, &third.fate), ("C2", 2, &fates[2]));
        // Two readers at once, each from the start.
        let (mut all, mut planned) = (records.read(), records.read());
        for (k, f) in fates.iter().enumerate() {
            let e = all.next_entry().unwrap().unwrap();
            assert_eq!(e.index, k as u64);
            assert_eq!(e.pos, pos(k as u64 + 2, 100 * k as u64));
            assert_eq!(&*e.id, format!("C{k}"));
            assert_eq!(&e.fate, f);
            assert_eq!(e.channels, Channels::POST);
            assert_eq!(&*e.household, if k == 3 { "H1" } else { "" });
            assert_eq!(e.household_lead, k == 3);
        }
        assert_eq!(all.next_entry().unwrap(), None);
        let ids: Vec<_> = std::iter::from_fn(|| planned.next_planned().unwrap())
            .map(|e| (e.index, e.id))
            .collect();
        assert_eq!(ids, vec![(0, "C0".into()), (3, "C3".into())]);
    }

    #[test]
    fn outcome_slots_follow_record_indexes_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outcomes::create(dir.path()).unwrap();
        let composed = |piece: u32, warnings: Option<&str>| Outcome::Composed {
            piece,
            file: piece / 2,
            first_page: piece * 3,
            pages: 2,
            warnings: warnings.map(Into::into),
            channels: Channels::POST | Channels::SMS,
            household_doc: (piece == 2).then_some(DocRef {
                piece: 1,
                file: 0,
                first_page: 1,
                pages: 8,
            }),
            place: PiecePlace {
                sheets: 1,
                tray: piece,
                bundle: piece + 7,
            },
        };
        let sent = Outcome::Exported {
            channels: Channels::EMAIL,
        };
        let failed = Outcome::Rejected {
            code: "missing_glyph".into(),
            message: "no glyph for U+1F600".into(),
        };
        // A presorted plan writes indexes out of order, with gaps for unplanned records.
        out.set(5, &composed(1, None)).unwrap();
        out.set(6, &composed(2, Some("long line; short page"))).unwrap();
        out.set(1, &failed).unwrap();
        out.set(2, &composed(3, None)).unwrap();
        out.set(7, &sent).unwrap();
        let done = out.finish(8).unwrap();
        assert_eq!(
            done.get(6).unwrap(),
            Some(composed(2, Some("long line; short page")))
        );
        assert_eq!(done.get(3).unwrap(), None);
        let mut r = done.read();
        let got: Vec<_> = (0..8).map(|_| r.next_outcome().unwrap()).collect();
        assert_eq!(
            got,
            vec![
                None,
                Some(failed),
                Some(composed(3, None)),
                None,
                None,
                Some(composed(1, None)),
                Some(composed(2, Some("long line; short page"))),
                Some(sent),
            ]
        );
    }
}
