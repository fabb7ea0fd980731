//! Deterministic synthetic French contacts (CSV) and sample campaign images, for demos, tests and benchmarks.
//!
//! Every value is derived from a small built-in SplitMix64 generator, so the output only depends on
//! `(seed, record index)` and never changes with dependency upgrades. Record `i` is identical whatever
//! the number of records requested, which lets benchmarks slice any prefix of a million-record file.
//!
//! Addresses follow the six-line NF Z10-011 layout (`address2` = line 2, `address3` = line 3,
//! `street` = line 4, `address5` = line 5, then postcode and city), and French postcode/commune pairs
//! are real ones.

use std::fmt::Write as _;
use std::io;

/// Columns written by [`write_contacts`], in order.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "civility",
    "first_name",
    "last_name",
    "company",
    "address2",
    "address3",
    "street",
    "address5",
    "postcode",
    "city",
    "country",
    "email",
    "mobile",
    "consent_email",
    "consent_sms",
    "postal_optout",
    "household",
    "vehicle",
    "dealer",
    "dealer_city",
];

// ---------------------------------------------------------------------------
// Pseudo-random generator
// ---------------------------------------------------------------------------

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finaliser.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Small SplitMix64 stream; one independent stream per (seed, record, purpose).
struct Rng(u64);

/// Stream used for household-level values (last name, company, address, dealer).
const STREAM_HOUSEHOLD: u64 = 1;
/// Stream used for person-level values (civility, first name, contact data).
const STREAM_PERSON: u64 = 2;
/// Stream deciding whether a record joins the previous record's household.
const STREAM_LINK: u64 = 3;

impl Rng {
    fn new(seed: u64, index: u64, stream: u64) -> Self {
        let key = mix64(index.wrapping_mul(GOLDEN) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(mix64(seed ^ key))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform integer in `0..n` (`n` must be below 2^32).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform integer in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p / 1000`.
    fn per_mille(&mut self, p: usize) -> bool {
        self.below(1000) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn letter(&mut self, last: u8) -> char {
        (b'A' + self.below(usize::from(last - b'A') + 1) as u8) as char
    }
}

mod tables;

use tables::*;

/// Region of a French postcode, from its département.
fn region_of(postcode: &str) -> u8 {
    let dept: u32 = postcode.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    match dept {
        1 | 3 | 7 | 15 | 26 | 38 | 42 | 43 | 63 | 69 | 73 | 74 => ARA,
        21 | 25 | 39 | 58 | 70 | 71 | 89 | 90 => BFC,
        75 | 77 | 78 | 91..=95 => IDF,
        4 | 5 | 6 | 13 | 83 | 84 => PAC,
        9 | 11 | 12 | 30..=32 | 34 | 46 | 48 | 65 | 66 | 81 | 82 => OCC,
        16 | 17 | 19 | 23 | 24 | 33 | 40 | 47 | 64 | 79 | 86 | 87 => NAQ,
        22 | 29 | 35 | 44 | 49 | 53 | 56 | 72 | 85 => OUE,
        2 | 59 | 60 | 62 | 80 => HDF,
        8 | 10 | 51 | 52 | 54 | 55 | 57 | 67 | 68 | 88 => GES,
        14 | 27 | 50 | 61 | 76 => NOR,
        18 | 28 | 36 | 37 | 41 | 45 => CVL,
        20 => COR,
        _ => DOM,
    }
}

// ---------------------------------------------------------------------------
// Record generation
// ---------------------------------------------------------------------------

/// Household-level values, shared by every member of a household.
#[derive(Default)]
struct Household {
    last_name: &'static str,
    company: String,
    address2: String,
    address3: String,
    street: String,
    address5: String,
    postcode: &'static str,
    city: &'static str,
    country: &'static str,
    dealer: usize,
}

/// Reusable text buffers for the per-record formatted fields.
#[derive(Default)]
struct Scratch {
    house: Household,
    id: String,
    email: String,
    mobile: String,
    household: String,
}

/// Whether record `index` (1-based) joins the household of record `index - 1`.
///
/// A record only joins a household head (a record that does not itself join), so that the shared
/// values can be regenerated from a single other record.
fn joins_previous(seed: u64, index: u64) -> bool {
    let flag = |i: u64| Rng::new(seed, i, STREAM_LINK).per_mille(112);
    index > 1 && flag(index) && !flag(index - 1)
}

/// Appends a street number, sometimes with a `bis`/`ter` suffix.
fn push_street_number(rng: &mut Rng, out: &mut String) {
    let n = match rng.below(100) {
        0..=69 => rng.range(1, 40),
        70..=94 => rng.range(1, 150),
        _ => rng.range(1, 399),
    };
    let _ = write!(out, "{n}");
    match rng.below(100) {
        0..=6 => out.push_str(" bis"),
        7..=9 => out.push_str(" ter"),
        _ => {}
    }
}

/// Fills `h` with the household values of household head `head` (1-based record index).
fn gen_household(seed: u64, head: u64, h: &mut Household) {
    let mut rng = Rng::new(seed, head, STREAM_HOUSEHOLD);
    // About 1 household in 200 carries a comma or double quote to exercise CSV quoting.
    let special = if rng.per_mille(5) { 1 + rng.below(3) } else { 0 };

    h.last_name = rng.pick(LAST_NAMES);

    h.company.clear();
    if special == 1 {
        let _ = write!(h.company, "{}, Fils & Cie", rng.pick(LAST_NAMES));
    } else if rng.per_mille(150) {
        if rng.per_mille(200) {
            h.company.push_str(rng.pick(FIXED_COMPANIES));
        } else {
            let (pre, post) = rng.pick(COMPANY_PATTERNS);
            let name = rng.pick(LAST_NAMES);
            h.company.push_str(pre);
            h.company.push_str(name);
            h.company.push_str(post);
        }
    }

    h.address2.clear();
    if rng.per_mille(300) {
        let a = &mut h.address2;
        let _ = match rng.below(6) {
            0 | 1 => write!(a, "Appartement {}", rng.range(1, 80)),
            2 => write!(
                a,
                "Appartement {} escalier {}",
                rng.range(1, 40),
                rng.letter(b'D')
            ),
            3 => {
                let civ = if rng.below(2) == 0 { "M." } else { "Mme" };
                write!(a, "Chez {civ} {}", rng.pick(LAST_NAMES))
            }
            4 => write!(a, "Escalier {} étage {}", rng.letter(b'E'), rng.range(1, 9)),
            _ => write!(a, "Porte {}", rng.range(1, 30)),
        };
    }

    h.address3.clear();
    if special == 3 {
        let _ = write!(
            h.address3,
            "Résidence \"{}\", bât. {}",
            rng.pick(RESIDENCES),
            rng.letter(b'F')
        );
    } else if rng.per_mille(250) {
        let a = &mut h.address3;
        let _ = match rng.below(5) {
            0 | 1 => write!(a, "Résidence {}", rng.pick(RESIDENCES)),
            2 => write!(
                a,
                "Résidence {} bâtiment {}",
                rng.pick(RESIDENCES),
                rng.letter(b'F')
            ),
            3 => write!(a, "Bâtiment {}", rng.letter(b'H')),
            _ => write!(a, "Immeuble {}", rng.pick(BUILDINGS)),
        };
    }

    h.street.clear();
    push_street_number(&mut rng, &mut h.street);
    h.street.push(' ');
    if special == 2 {
        let _ = write!(h.street, "allée \"{}\"", rng.pick(RESIDENCES));
    } else if rng.per_mille(30) {
        h.street.push_str(rng.pick(LONG_STREETS));
    } else {
        h.street.push_str(rng.pick(STREET_TYPES));
        h.street.push(' ');
        h.street.push_str(rng.pick(STREET_NAMES));
    }

    h.address5.clear();
    if rng.per_mille(150) {
        let a = &mut h.address5;
        let _ = match rng.below(10) {
            0..=5 => write!(a, "Lieu-dit {}", rng.pick(LIEUX_DITS)),
            6..=8 => write!(a, "BP {}", rng.range(1, 999)),
            _ => write!(a, "Hameau de {}", rng.pick(HAMLETS)),
        };
    }

    let region;
    if rng.per_mille(20) {
        let (country, postcode, city) = rng.pick(FOREIGN_PLACES);
        h.country = country;
        h.postcode = postcode;
        h.city = city;
        region = FOREIGN;
    } else {
        let (postcode, city) = rng.pick(FRENCH_PLACES);
        h.country = "";
        h.postcode = postcode;
        h.city = city;
        region = region_of(postcode);
    }

    // Nearest-region dealership most of the time, any dealership otherwise.
    let local = DEALERS.iter().filter(|d| d.2 == region).count();
    h.dealer = if local > 0 && rng.per_mille(850) {
        let nth = rng.below(local);
        DEALERS
            .iter()
            .enumerate()
            .filter(|(_, d)| d.2 == region)
            .nth(nth)
            .map_or(0, |(i, _)| i)
    } else {
        rng.below(DEALERS.len())
    };
}

/// Appends `s` lower-cased and folded to ASCII letters, digits and hyphens (for e-mail local parts).
fn push_ascii_folded(s: &str, out: &mut String) {
    for c in s.chars() {
        let folded = match c {
            'a'..='z' | '0'..='9' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ÿ' | 'Ÿ' => 'y',
            'ñ' | 'Ñ' => 'n',
            'œ' | 'Œ' => {
                out.push_str("oe");
                continue;
            }
            'æ' | 'Æ' => {
                out.push_str("ae");
                continue;
            }
            _ => continue, // spaces, apostrophes, anything else
        };
        out.push(folded);
    }
}

/// Fills `rec` with record `index` (1-based).
fn fill_record(seed: u64, index: u64, s: &mut Scratch, rec: &mut csv::StringRecord) {
    let head = if joins_previous(seed, index) {
        index - 1
    } else {
        index
    };
    gen_household(seed, head, &mut s.house);
    let h = &s.house;

    let mut rng = Rng::new(seed, index, STREAM_PERSON);
    let female = rng.below(2) == 0;
    let (civility, first_name) = if female {
        ("Mme", rng.pick(FEMALE_FIRST_NAMES))
    } else {
        ("M.", rng.pick(MALE_FIRST_NAMES))
    };

    s.id.clear();
    let _ = write!(s.id, "C{index:06}");

    s.email.clear();
    push_ascii_folded(first_name, &mut s.email);
    s.email.push('.');
    push_ascii_folded(h.last_name, &mut s.email);
    let _ = write!(s.email, "+{index}@{}", rng.pick(EMAIL_DOMAINS));

    s.mobile.clear();
    if !rng.per_mille(100) {
        let _ = write!(
            s.mobile,
            "0{} {:02} {:02} {:02} {:02}",
            6 + rng.below(2),
            rng.below(100),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        );
    }

    let flag = |b: bool| if b { "1" } else { "0" };
    let consent_email = flag(rng.per_mille(600));
    let consent_sms = flag(rng.per_mille(400));
    let postal_optout = flag(rng.per_mille(20));

    s.household.clear();
    let _ = write!(s.household, "H{head:06}");

    let vehicle = rng.pick(VEHICLES);
    let (dealer, dealer_city, _) = DEALERS[h.dealer];

    rec.clear();
    rec.push_field(&s.id);
    rec.push_field(civility);
    rec.push_field(first_name);
    rec.push_field(h.last_name);
    rec.push_field(&h.company);
    rec.push_field(&h.address2);
    rec.push_field(&h.address3);
    rec.push_field(&h.street);
    rec.push_field(&h.address5);
    rec.push_field(h.postcode);
    rec.push_field(h.city);
    rec.push_field(h.country);
    rec.push_field(&s.email);
    rec.push_field(&s.mobile);
    rec.push_field(consent_email);
    rec.push_field(consent_sms);
    rec.push_field(postal_optout);
    rec.push_field(&s.household);
    rec.push_field(vehicle);
    rec.push_field(dealer);
    rec.push_field(dealer_city);
}

/// Writes `n` synthetic contacts as UTF-8 CSV (comma, header line, LF) to `out`; the same `(n, seed)` gives the same bytes.
pub fn write_contacts<W: std::io::Write>(n: usize, seed: u64, out: W) -> std::io::Result<()> {
    let mut wtr = csv::WriterBuilder::new()
        .delimiter(b',')
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .buffer_capacity(1 << 16)
        .from_writer(out);
    wtr.write_record(CONTACT_COLUMNS).map_err(csv_to_io)?;

    let mut scratch = Scratch::default();
    let mut rec = csv::StringRecord::with_capacity(512, CONTACT_COLUMNS.len());
    for index in 1..=n as u64 {
        fill_record(seed, index, &mut scratch, &mut rec);
        wtr.write_record(&rec).map_err(csv_to_io)?;
    }
    wtr.flush()
}

fn csv_to_io(e: csv::Error) -> io::Error {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(err) => err,
            other => io::Error::other(format!("{other:?}")),
        }
    } else {
        io::Error::other(e)
    }
}

mod assets;
mod product_images;

pub use assets::write_assets;

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(n: usize, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_contacts(n, seed, &mut out).unwrap();
        out
    }

    fn parse(bytes: &[u8]) -> (csv::StringRecord, Vec<csv::StringRecord>) {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = rdr.headers().unwrap().clone();
        let rows = rdr.records().map(|r| r.unwrap()).collect();
        (header, rows)
    }

    fn col(name: &str) -> usize {
        CONTACT_COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(generate(500, 42), generate(500, 42));
        assert_ne!(generate(500, 42), generate(500, 43));
    }

    #[test]
    fn records_do_not_depend_on_n() {
        let (_, small) = parse(&generate(10, 7));
        let (_, large) = parse(&generate(100, 7));
        assert_eq!(small.len(), 10);
        assert_eq!(large.len(), 100);
        assert_eq!(small[..], large[..10]);
        let a = generate(10, 7);
        assert_eq!(a[..], generate(100, 7)[..a.len()]);
    }

    #[test]
    fn header_and_field_count() {
        let bytes = generate(2000, 1);
        let (header, rows) = parse(&bytes);
        assert_eq!(header.iter().collect::<Vec<_>>(), CONTACT_COLUMNS);
        assert_eq!(rows.len(), 2000);
        for r in &rows {
            assert_eq!(r.len(), 21, "{r:?}");
            assert!(r.iter().all(|f| !f.contains('\n') && !f.contains('\r')));
        }
        assert!(bytes.ends_with(b"\n") && !bytes.contains(&b'\r'));
        assert!(bytes.starts_with(b"id,civility,first_name,"));
    }

    #[test]
    fn ids_postcodes_and_flags() {
        let (_, rows) = parse(&generate(5000, 2024));
        let mut ids = std::collections::HashSet::new();
        let (mut optout, mut email, mut sms, mut foreign) = (0, 0, 0, 0);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(&r[col("id")], format!("C{:06}", i + 1));
            assert!(ids.insert(r[col("id")].to_string()));
            assert!(matches!(&r[col("civility")], "M." | "Mme"));
            let pc = &r[col("postcode")];
            if r[col("country")].is_empty() {
                assert_eq!(pc.len(), 5, "{pc}");
                assert!(pc.bytes().all(|b| b.is_ascii_digit()));
            } else {
                foreign += 1;
                assert!(!pc.is_empty());
            }
            for name in ["consent_email", "consent_sms", "postal_optout"] {
                assert!(matches!(&r[col(name)], "0" | "1"));
            }
            optout += usize::from(&r[col("postal_optout")] == "1");
            email += usize::from(&r[col("consent_email")] == "1");
            sms += usize::from(&r[col("consent_sms")] == "1");
            let mobile = &r[col("mobile")];
            assert!(mobile.is_empty() || (mobile.len() == 14 && mobile.starts_with('0')));
            assert!(r[col("email")].is_ascii() && r[col("email")].contains('@'));
            assert!(VEHICLES.contains(&&r[col("vehicle")]));
        }
        assert!((50..=160).contains(&optout), "optout {optout}");
        assert!((2700..=3300).contains(&email), "email {email}");
        assert!((1700..=2300).contains(&sms), "sms {sms}");
        assert!((40..=170).contains(&foreign), "foreign {foreign}");
    }

    #[test]
    fn households_and_addresses() {
        let (_, rows) = parse(&generate(5000, 99));
        let mut shared = 0;
        let mut long = 0;
        let mut quoted = 0;
        for (i, r) in rows.iter().enumerate() {
            let hh = &r[col("household")];
            if i > 0 && hh == &rows[i - 1][col("household")] {
                shared += 1;
                for name in ["last_name", "street", "postcode", "city", "address2"] {
                    assert_eq!(&r[col(name)], &rows[i - 1][col(name)]);
                }
            } else {
                assert_eq!(hh, format!("H{:06}", i + 1));
            }
            if r[col("street")].chars().count() > 38 {
                long += 1;
            }
            for name in ["address2", "address3", "address5"] {
                assert!(r[col(name)].chars().count() <= 38, "{}", &r[col(name)]);
            }
            if r.iter().any(|f| f.contains(',') || f.contains('"')) {
                quoted += 1;
            }
        }
        assert!((350..=650).contains(&shared), "shared {shared}");
        assert!((60..=250).contains(&long), "long {long}");
        assert!((8..=60).contains(&quoted), "quoted {quoted}");
    }

    #[test]
    fn tables_are_sane() {
        let mut places = std::collections::HashSet::new();
        for (pc, city) in FRENCH_PLACES {
            assert_eq!(pc.len(), 5);
            assert!(places.insert((pc, city)), "duplicate {pc} {city}");
        }
        assert!(places.len() >= 80);
        for street in LONG_STREETS {
            assert!(street.chars().count() + 2 > 38);
        }
        for name in STREET_NAMES {
            assert!(name.chars().count() <= 20, "{name}");
        }
        assert!((20..=24).contains(&DEALERS.len()));
    }

    #[test]
    fn ascii_folding() {
        let mut s = String::new();
        push_ascii_folded("Jean-François", &mut s);
        s.push('.');
        push_ascii_folded("de La Fontaine", &mut s);
        s.push('.');
        push_ascii_folded("d'Aubigné Œ", &mut s);
        assert_eq!(s, "jean-francois.delafontaine.daubigneoe");
    }

    #[test]
    fn deterministic_sine() {
        for i in -200..200 {
            let x = f64::from(i) * 0.173;
            assert!((assets::det_sin(x) - x.sin()).abs() < 1e-8);
        }
    }

    #[test]
    fn assets_are_valid() {
        let dir = std::env::temp_dir().join(format!("pli-samples-test-{}", std::process::id()));
        write_assets(&dir).unwrap();

        let png_bytes = std::fs::read(dir.join("logo.png")).unwrap();
        assert!(png_bytes.len() < 60_000, "logo {} bytes", png_bytes.len());
        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes[..]));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (600, 200));
        assert_eq!(info.color_type, png::ColorType::Rgba);
        assert_eq!(buf[3], 0, "corner must be transparent");

        let jpg = std::fs::read(dir.join("signature.jpg")).unwrap();
        assert!(jpg.len() < 60_000, "signature {} bytes", jpg.len());
        assert_eq!(&jpg[..2], &[0xFF, 0xD8]);
        assert_eq!(&jpg[jpg.len() - 2..], &[0xFF, 0xD9]);

        // Deterministic output.
        write_assets(&dir).unwrap();
        assert_eq!(std::fs::read(dir.join("logo.png")).unwrap(), png_bytes);
        assert_eq!(std::fs::read(dir.join("signature.jpg")).unwrap(), jpg);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
