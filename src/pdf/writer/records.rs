//! A file's mailpieces: the outline item and the PDF/VT-style document part of each, with
//! its metadata, recorded as pieces begin and written when the file is finished.

use std::io;

use pdf_writer::{Finish, Name, Ref, TextStr};

use super::{Objects, PdfWriter, RecordMeta};

impl PdfWriter {
    /// Marks the start of a mailpiece: an outline item titled with its id points at its first page.
    pub fn begin_piece(&mut self, piece_id: &str) {
        self.begin_record(&RecordMeta {
            piece_id,
            ..RecordMeta::default()
        });
    }

    /// Marks the start of a mailpiece: besides its outline item, its pages form a
    /// document part whose metadata (`/DPM`) carries the piece id, the record id, the
    /// page and sheet counts, the tray and the bundle, so that a print server can
    /// address it.
    pub fn begin_record(&mut self, meta: &RecordMeta) {
        self.piece_text.push_str(meta.piece_id);
        self.pieces
            .push((self.piece_text.len(), self.pages.len() as u32 + 1));
        self.record_text.push_str(meta.record_id);
        self.record_ends.push(self.record_text.len());
        self.record_place.push([meta.sheets, meta.tray, meta.bundle]);
        let dpart = self.refs.bump();
        self.dparts.push(dpart);
    }

    /// Writes the document part tree: a root, and under it one node per piece with its
    /// first and last page and its metadata. Returns the root.
    pub(super) fn write_dparts(&mut self) -> io::Result<Option<Ref>> {
        if self.pieces.is_empty() || self.pages.is_empty() {
            return Ok(None);
        }
        let root = self.refs.bump();
        let mut objects = Objects::new(64 * 1024);
        {
            let mut r = objects.at(root).indirect(root).dict();
            r.pair(Name(b"Type"), Name(b"DPart"));
            r.insert(Name(b"DParts"))
                .array()
                .push()
                .array()
                .items(self.dparts.iter().copied());
        }
        let (mut start, mut record_start) = (0, 0);
        let last_page = self.pages.len();
        let pieces = std::mem::take(&mut self.pieces);
        for (i, &(end, first_page)) in pieces.iter().enumerate() {
            let next_first = pieces.get(i + 1).map_or(last_page + 1, |p| p.1 as usize);
            let first = (first_page as usize).clamp(1, last_page);
            let last = (next_first - 1).clamp(first, last_page);
            let record_end = self.record_ends[i];
            let mut d = objects.at(self.dparts[i]).indirect(self.dparts[i]).dict();
            d.pair(Name(b"Type"), Name(b"DPart"));
            d.pair(Name(b"Parent"), root);
            d.pair(Name(b"Start"), self.pages[first - 1]);
            d.pair(Name(b"End"), self.pages[last - 1]);
            let mut dpm = d.insert(Name(b"DPM")).dict();
            dpm.pair(Name(b"PieceID"), TextStr(&self.piece_text[start..end]));
            if record_end > record_start {
                dpm.pair(
                    Name(b"RecordID"),
                    TextStr(&self.record_text[record_start..record_end]),
                );
            }
            dpm.pair(Name(b"Pages"), (last - first + 1) as i32);
            let [sheets, tray, bundle] = self.record_place[i];
            for (key, v) in [(&b"Sheets"[..], sheets), (b"Tray", tray), (b"Bundle", bundle)] {
                if v > 0 {
                    dpm.pair(Name(key), v as i32);
                }
            }
            dpm.finish();
            d.finish();
            (start, record_start) = (end, record_end);
            if objects.chunk.len() > 60 * 1024 {
                self.emit(std::mem::replace(&mut objects, Objects::new(64 * 1024)))?;
            }
        }
        self.emit(objects)?;
        self.pieces = pieces;
        Ok(Some(root))
    }

    /// Writes the outline: one item per piece, pointing at its first page.
    pub(super) fn write_outline(&mut self) -> io::Result<Option<Ref>> {
        if self.pieces.is_empty() || self.pages.is_empty() {
            return Ok(None);
        }
        let outline = self.refs.bump();
        let items: Vec<Ref> = self.pieces.iter().map(|_| self.refs.bump()).collect();
        let mut objects = Objects::new(64 * 1024);
        objects
            .at(outline)
            .outline(outline)
            .first(items[0])
            .last(items[items.len() - 1])
            .count(items.len() as i32);
        let pieces = std::mem::take(&mut self.pieces);
        let mut start = 0;
        for (i, &(end, first_page)) in pieces.iter().enumerate() {
            let page = self.pages[(first_page as usize).clamp(1, self.pages.len()) - 1];
            let mut item = objects.at(items[i]).outline_item(items[i]);
            item.title(TextStr(&self.piece_text[start..end])).parent(outline);
            if i > 0 {
                item.prev(items[i - 1]);
            }
            if let Some(&next) = items.get(i + 1) {
                item.next(next);
            }
            item.dest().page(page).fit();
            item.finish();
            start = end;
            if objects.chunk.len() > 60 * 1024 {
                self.emit(std::mem::replace(&mut objects, Objects::new(64 * 1024)))?;
            }
        }
        self.emit(objects)?;
        Ok(Some(outline))
    }
}
