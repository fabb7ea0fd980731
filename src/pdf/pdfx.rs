//! PDF/X-4 (ISO 15930-7): what a file needs besides its pages, as far as pli can check it.
//!
//! With `pli compose --pdfx4` every file gets:
//! - PDF version 1.6 in its header;
//! - an output intent (`/S /GTS_PDFX`) whose destination profile is pli's generic CMYK
//!   profile ([`super::icc::generic_cmyk`]) or the print room's own (`[production.output_intent]`),
//!   written once per file;
//! - `/GTS_PDFXVersion (PDF/X-4)` and `/Trapped /False` in the Info dictionary, and an
//!   uncompressed XMP packet in the catalog carrying the same version, title, producer,
//!   trapping and dates (the job's date, never the clock, so that runs stay byte-identical),
//!   with document and instance ids derived from the file, not drawn at random;
//! - a TrimBox and a BleedBox on every page (the BleedBox is the TrimBox without bleed);
//! - no DeviceRGB: RGB fills and strokes become CMYK ([`super::icc::rgb_to_cmyk`]), or grey
//!   under a Gray intent, when the pages are encoded ([`ColorMode`]);
//!   RGB images get an `/ICCBased` sRGB colour space ([`super::icc::srgb`]), CMYK images
//!   under a Gray intent the generic CMYK profile.
//!
//! Fonts are always embedded (subset TrueType, `/FontFile2`). Not checked here: what a
//! preflight tool would also look at, such as transparency groups, overprint settings,
//! or whether a print room's profile matches the paper.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::content::ColorMode;
use super::icc::{self, OutputSpace};
use crate::date::Date;

/// The registry of characterised printing conditions output intents name by default.
pub const ICC_REGISTRY: &str = "http://www.color.org";

/// An output intent: the printing condition the file is made for, and its ICC profile.
#[derive(Clone, Debug)]
pub struct OutputIntent {
    /// The profile's bytes (embedded as `/DestOutputProfile`).
    pub profile: Arc<[u8]>,
    /// Its colour space.
    pub space: OutputSpace,
    /// `/OutputConditionIdentifier`: a registered name such as `FOGRA39`, or `Custom`.
    pub condition: String,
    /// `/RegistryName`.
    pub registry: String,
    /// `/Info`: the condition in words.
    pub info: String,
}

impl OutputIntent {
    /// pli's generic CMYK profile, with `Custom` as the condition.
    pub fn builtin() -> OutputIntent {
        OutputIntent {
            profile: Arc::from(icc::generic_cmyk()),
            space: OutputSpace::Cmyk,
            condition: "Custom".into(),
            registry: ICC_REGISTRY.into(),
            info: icc::GENERIC_CMYK_NAME.into(),
        }
    }

    /// A print room's profile read from `path` and checked ([`icc::check_output_profile`]);
    /// `condition` defaults to `Custom`, `info` to the file's name.
    pub fn from_file(
        path: &Path,
        condition: Option<&str>,
        info: Option<&str>,
        registry: Option<&str>,
    ) -> Result<OutputIntent, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read the profile: {e}"))?;
        let space = icc::check_output_profile(&bytes)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(OutputIntent {
            profile: Arc::from(bytes),
            space,
            condition: condition.unwrap_or("Custom").to_owned(),
            registry: registry.unwrap_or(ICC_REGISTRY).to_owned(),
            info: info.map_or(name, str::to_owned),
        })
    }
}

/// What a PDF/X-4 file needs besides its pages: the output intent and the job's date.
#[derive(Clone, Debug)]
pub struct PdfX {
    /// The output intent.
    pub intent: OutputIntent,
    /// The job's date: creation and modification date of every file.
    pub date: Date,
}

impl PdfX {
    /// How page colours are written under this intent.
    pub fn color_mode(&self) -> ColorMode {
        match self.intent.space {
            OutputSpace::Cmyk => ColorMode::Cmyk,
            OutputSpace::Gray => ColorMode::Gray,
        }
    }

    /// The date as an XMP date: midnight UTC of the job's day.
    pub(super) fn xmp_date(&self) -> String {
        format!("{}T00:00:00Z", self.date)
    }

    /// The same instant as a PDF date.
    pub(super) fn pdf_date(&self) -> pdf_writer::Date {
        pdf_writer::Date::new(self.date.year().clamp(0, 9999) as u16)
            .month(self.date.month() as u8)
            .day(self.date.day() as u8)
            .hour(0)
            .minute(0)
            .second(0)
            .utc_offset_hour(0)
    }
}

/// A UUID (`uuid:…`, version 8: made by pli's own rule) from a SHA-256 of `parts`.
pub(super) fn uuid(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let mut b: [u8; 16] = hash.finalize()[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0F) | 0x80;
    b[8] = (b[8] & 0x3F) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The ids and text of one file's XMP packet.
pub(super) struct Xmp<'a> {
    pub title: &'a str,
    pub producer: &'a str,
    pub date: &'a str,
    pub document_id: &'a str,
    pub instance_id: &'a str,
}

impl Xmp<'_> {
    /// The packet, UTF-8, with its `xpacket` wrapper.
    pub(super) fn packet(&self) -> String {
        let title = escape(self.title);
        let producer = escape(self.producer);
        let Xmp {
            date,
            document_id,
            instance_id,
            ..
        } = self;
        format!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\"\n \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n \
xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n \
xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n \
xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\n\
<dc:format>application/pdf</dc:format>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
<xmp:CreateDate>{date}</xmp:CreateDate>\n\
<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
<xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>\n\
<xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID>\n\
<xmpMM:VersionID>1</xmpMM:VersionID>\n\
<xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n\
<pdf:Producer>{producer}</pdf:Producer>\n\
<pdf:Trapped>False</pdf:Trapped>\n\
<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>\n\
</rdf:Description>\n\
</rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>"
        )
    }
}

/// Text for XML content: markup characters escaped, control characters dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(ch),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuids_that_depend_on_their_parts_only() {
        let a = uuid(&[b"letter-0001.pdf", b"Lettre", b"2026-11-28"]);
        assert_eq!(a, uuid(&[b"letter-0001.pdf", b"Lettre", b"2026-11-28"]));
        assert_ne!(a, uuid(&[b"letter-0002.pdf", b"Lettre", b"2026-11-28"]));
        // Parts are length-prefixed: moving a boundary changes the id.
        assert_ne!(uuid(&[b"ab", b"c"]), uuid(&[b"a", b"bc"]));
        assert_eq!(a.len(), "uuid:".len() + 36);
        assert_eq!(&a[19..20], "8", "version 8: {a}");
    }

    #[test]
    fn the_packet_carries_the_version_and_escapes_the_title() {
        let packet = Xmp {
            title: "Lettre <Dupont & fils>\u{1}",
            producer: "pli",
            date: "2026-11-28T00:00:00Z",
            document_id: "uuid:1",
            instance_id: "uuid:2",
        }
        .packet();
        assert!(packet.starts_with("<?xpacket begin=\"\u{FEFF}\""));
        assert!(packet.ends_with("<?xpacket end=\"w\"?>"));
        assert!(packet.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"));
        assert!(packet.contains(">Lettre &lt;Dupont &amp; fils&gt;</rdf:li>"));
        assert!(packet.contains("<xmp:CreateDate>2026-11-28T00:00:00Z</xmp:CreateDate>"));
    }

    #[test]
    fn the_builtin_intent_is_cmyk_and_a_file_is_checked() {
        let builtin = OutputIntent::builtin();
        assert_eq!(builtin.space, OutputSpace::Cmyk);
        let pdfx = PdfX {
            intent: builtin,
            date: Date::parse("2026-11-28").unwrap(),
        };
        assert_eq!(pdfx.color_mode(), ColorMode::Cmyk);
        assert_eq!(pdfx.xmp_date(), "2026-11-28T00:00:00Z");
        let dir = std::env::temp_dir().join(format!("pli-pdfx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("press.icc");
        std::fs::write(&path, icc::generic_cmyk()).unwrap();
        let intent = OutputIntent::from_file(&path, Some("FOGRA39"), None, None).unwrap();
        assert_eq!(
            (intent.condition.as_str(), intent.info.as_str()),
            ("FOGRA39", "press.icc")
        );
        std::fs::write(&path, icc::srgb()).unwrap();
        assert!(OutputIntent::from_file(&path, None, None, None)
            .unwrap_err()
            .contains("'prtr'"));
        let missing = OutputIntent::from_file(&dir.join("none.icc"), None, None, None).unwrap_err();
        assert!(missing.contains("cannot read"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
