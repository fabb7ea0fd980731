//! Text encodings: which one a file is in, and why we think so.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// An encoding and the evidence for it, as the report explains it.
#[derive(Clone, Debug)]
pub struct Detected {
    /// The encoding.
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark to skip.
    pub bom: usize,
    /// Why: e.g. `UTF-16LE byte-order mark`.
    pub reason: String,
}

/// Finds a file's encoding from its byte-order mark, or from whether its bytes are valid UTF-8.
///
/// A file that is UTF-8 apart from a few bad sequences stays UTF-8 (the records holding them
/// are rejected); one with no valid multi-byte sequence at all is an older export in Windows-1252.
pub fn detect(bytes: &[u8]) -> Detected {
    detect_releasing(bytes, &mut |_| {})
}

/// [`detect`], calling `done(offset)` every few megabytes with how far it has read, so that
/// a caller reading from a memory map can give back the pages behind it.
pub fn detect_releasing(bytes: &[u8], done: &mut dyn FnMut(usize)) -> Detected {
    const STEP: usize = 8 << 20;
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return Detected {
            encoding,
            bom,
            reason: format!("{} byte-order mark", encoding.name()),
        };
    }
    let mut multibyte = 0usize;
    let mut invalid = 0usize;
    let mut first_invalid = None;
    let mut offset = 0usize;
    // Window by window (cut before a byte that could continue a character), so that the
    // caller can give back what was read: a valid file is one UTF-8 chunk otherwise.
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + STEP).min(bytes.len());
        while end < bytes.len() && end > start + 1 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        for chunk in bytes[start..end].utf8_chunks() {
            multibyte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
            offset += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                invalid += 1;
                first_invalid.get_or_insert(offset);
                offset += chunk.invalid().len();
            }
        }
        start = end;
        done(start);
    }
    match first_invalid {
        None => Detected {
            encoding: UTF_8,
            bom: 0,
            reason: if multibyte > 0 {
                "valid UTF-8 throughout".into()
            } else {
                "plain ASCII (read as UTF-8)".into()
            },
        },
        Some(at) if multibyte > invalid * 10 => Detected {
            encoding: UTF_8,
            bom: 0,
            reason: format!(
                "UTF-8 ({multibyte} valid accented characters) with {invalid} invalid sequence(s), the first at byte {at}: the records holding them are rejected"
            ),
        },
        Some(at) => Detected {
            encoding: WINDOWS_1252,
            bom: 0,
            reason: format!("not UTF-8 (byte {at} cannot start a UTF-8 character): read as Windows-1252"),
        },
    }
}

/// The encoding named by `--encoding` (any WHATWG label: `utf-8`, `windows-1252`, `latin1`, `utf-16le`…).
pub fn by_label(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}`: use utf-8, utf-16le, utf-16be, windows-1252 (latin1) or another WHATWG label")
    })
}

/// Whether text in this encoding can be read in place, without transcoding.
pub fn is_utf8(e: &'static Encoding) -> bool {
    e == UTF_8
}

/// Whether the encoding is one of the UTF-16 forms.
pub fn is_utf16(e: &'static Encoding) -> bool {
    e == UTF_16LE || e == UTF_16BE
}

/// Decodes `bytes` (a byte-order mark is dropped) into `out` as UTF-8, block by block.
pub fn transcode(
    encoding: &'static Encoding,
    bytes: &[u8],
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    const BLOCK: usize = 64 * 1024;
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut buf = String::with_capacity(2 * BLOCK);
    let mut rest = bytes;
    loop {
        buf.clear();
        let end = rest.len().min(BLOCK);
        let last = end == rest.len();
        let (result, read, _) = decoder.decode_to_string(&rest[..end], &mut buf, last);
        out.write_all(buf.as_bytes())?;
        rest = &rest[read..];
        if last && matches!(result, encoding_rs::CoderResult::InputEmpty) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_win() {
        let d = detect(b"\xFF\xFEi\0d\0");
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.bom, 2);
        assert_eq!(detect(b"\xFE\xFF\0i").encoding, UTF_16BE);
        let d = detect("\u{feff}id".as_bytes());
        assert_eq!((d.encoding, d.bom), (UTF_8, 3));
    }

    #[test]
    fn windows_1252_is_recognised_and_utf8_with_a_few_bad_bytes_is_not() {
        let latin = b"nom;ville\nL\xe9a;N\xeemes\n";
        let d = detect(latin);
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(d.reason.contains("byte 11"), "{}", d.reason);
        let mostly: Vec<u8> = [
            "Zoé;Hélène;Noël;Loïc;Jérôme;Benoît;Chloé;Inès;Gaëlle;Frédéric;Grégoire;Émilie\n".as_bytes(),
            b"bad;\xe9\n",
        ]
        .concat();
        assert_eq!(detect(&mostly).encoding, UTF_8);
        assert!(detect(b"id,name\n1,x\n").reason.contains("ASCII"));
    }

    #[test]
    fn transcoding_keeps_every_character() {
        let text = "Civilité;Prénom\r\nMme;Zoé\r\n".repeat(20_000);
        // encoding_rs only decodes UTF-16 (WHATWG), so the test file is built by hand.
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut out = Vec::new();
        transcode(UTF_16LE, &bytes, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
        let (latin, _, _) = WINDOWS_1252.encode("Nîmes; Œuvre; 12 €");
        let mut out = Vec::new();
        transcode(WINDOWS_1252, &latin, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "Nîmes; Œuvre; 12 €");
    }

    #[test]
    fn labels() {
        assert_eq!(by_label("latin1").unwrap(), WINDOWS_1252);
        assert_eq!(by_label("UTF-16LE").unwrap(), UTF_16LE);
        assert!(by_label("klingon").is_err());
    }
}
