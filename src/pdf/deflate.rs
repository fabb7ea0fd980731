//! Zlib compression with one compressor kept per thread (its tables are large to allocate).

use std::cell::RefCell;

use miniz_oxide::deflate::core::{compress_to_output, CompressorOxide, TDEFLFlush, TDEFLStatus};
use miniz_oxide::DataFormat;

thread_local! {
    static COMPRESSOR: RefCell<Option<Box<CompressorOxide>>> = const { RefCell::new(None) };
}

/// Compresses `data` as a zlib stream (what `/FlateDecode` reads) at `level` (0-10).
pub(crate) fn zlib(data: &[u8], level: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let compressor = slot.get_or_insert_with(Box::default);
        compressor.reset();
        compressor.set_format_and_level(DataFormat::Zlib, level);
        let (status, _) = compress_to_output(compressor, data, TDEFLFlush::Finish, |chunk| {
            out.extend_from_slice(chunk);
            true
        });
        assert_eq!(status, TDEFLStatus::Done, "in-memory compression cannot fail");
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_a_fresh_compressor() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 13) as u8).collect();
        for _ in 0..2 {
            let packed = zlib(&data, 6);
            assert_eq!(packed, miniz_oxide::deflate::compress_to_vec_zlib(&data, 6));
            assert_eq!(
                miniz_oxide::inflate::decompress_to_vec_zlib(&packed).unwrap(),
                data
            );
        }
        assert!(!zlib(b"", 6).is_empty());
    }
}
