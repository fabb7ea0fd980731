//! Zlib compression with one compressor kept per thread (its tables are large to allocate).

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};

thread_local! {
    /// The compressor and its level; zlib-rs keeps large tables, so it is reset, not rebuilt.
    static COMPRESSOR: RefCell<Option<(u8, Compress)>> = const { RefCell::new(None) };
}

/// Compresses `data` as a zlib stream (what `/FlateDecode` reads) at `level` (0-9).
pub(crate) fn zlib(data: &[u8], level: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(l, _)| *l != level) {
            *slot = Some((level, Compress::new(Compression::new(level.min(9) as u32), true)));
        }
        let (_, compressor) = slot.as_mut().expect("set above");
        compressor.reset();
        loop {
            let consumed = compressor.total_in() as usize;
            let status = compressor
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .expect("in-memory compression cannot fail");
            match status {
                Status::StreamEnd => break,
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(1024)),
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_a_reused_compressor() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 13) as u8).collect();
        for _ in 0..2 {
            let packed = zlib(&data, 6);
            assert!(packed.len() < data.len() / 10);
            assert_eq!(
                miniz_oxide::inflate::decompress_to_vec_zlib(&packed).unwrap(),
                data
            );
        }
        assert!(!zlib(b"", 6).is_empty());
    }
}
