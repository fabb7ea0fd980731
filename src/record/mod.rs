//! What a job knows about each record, shared by every stage: where it is in its input,
//! why it could not be used, the channels it goes by, the ids of the pieces and trays it
//! ends up in, and its fate in the job's ledger
//! (pass 1's output, pass 2's input, the manifest's source).
//!
//! It sits below the stages: it imports none of them, and all of them may use it.

mod channels;
mod ids;
mod ledger;
mod rejection;

pub use channels::Channels;
pub use ids::{IdError, PieceId, PieceKind, TrayId};
pub use ledger::{
    DocRef, Entry, EntryReader, Fate, FinishedOutcomes, Outcome, OutcomeReader, Outcomes, PiecePlace,
    RecordLog, Records, Routing,
};
pub use rejection::{describe_chars, Rejection};

/// Where a record comes from: its physical line in the file (1-based) and its byte offset.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RecordPos {
    /// Physical line of the record's first byte, counting from 1 (the header is line 1).
    pub line: u64,
    /// Byte offset of the record's first byte in the file.
    pub offset: u64,
}
