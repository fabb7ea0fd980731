//! La Poste's official postcode base (« base officielle des codes postaux », HexaSmal):
//! which towns a postcode serves, and the delivery name line 6 must carry.
//!
//! CEDEX codes are not in the base. A town written `LYON CEDEX 03` is checked by its
//! locality (`LYON`): against its postcode when the base knows that postcode, else
//! against the delivery names of the postcode's département, since a CEDEX code always
//! belongs to the département of the office that delivers it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::normalise::{postal_caps, utf8_or_latin1};

/// A French postcode: five digits whose first two (or three overseas) name a
/// département or territory that exists. Corsica is `20xxx` (never `2A`/`2B`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode([u8; 5]);

/// Why a text is not a French postcode.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PostcodeFormError {
    /// Not five digits: how many characters were found.
    NotFiveDigits {
        /// Characters in the (trimmed) text.
        found: usize,
    },
    /// Five digits, but no département or territory starts that way (`00`, `96`, `99`…).
    NoSuchDepartment,
}

impl fmt::Display for PostcodeFormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostcodeFormError::NotFiveDigits { found } => {
                write!(f, "5 digits expected, found {found} characters")
            }
            PostcodeFormError::NoSuchDepartment => write!(
                f,
                "no département starts so: 01–95 (Corsica 20), overseas 971–978 or 980–988 expected"
            ),
        }
    }
}

impl Postcode {
    /// Checks the form: five digits (surrounding spaces allowed) and an existing département.
    pub fn parse(s: &str) -> Result<Postcode, PostcodeFormError> {
        let s = s.trim();
        let bytes: [u8; 5] = s
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 5]| b.iter().all(u8::is_ascii_digit))
            .ok_or(PostcodeFormError::NotFiveDigits {
                found: s.chars().count(),
            })?;
        let two = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        let third = bytes[2] - b'0';
        let exists = match two {
            1..=95 => true,
            97 => (1..=8).contains(&third),
            98 => matches!(third, 0 | 4 | 6 | 7 | 8),
            _ => false,
        };
        if exists {
            Ok(Postcode(bytes))
        } else {
            Err(PostcodeFormError::NoSuchDepartment)
        }
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The département part: two digits, or three overseas (`971`, `987`).
    pub fn department(&self) -> &str {
        let len = if self.0[0] == b'9' && matches!(self.0[1], b'7' | b'8') {
            3
        } else {
            2
        };
        &self.as_str()[..len]
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do when the base does not confirm an address's postcode and town
/// (`reject`, `warn` in a job file).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressPolicy {
    /// The record is rejected (it would probably come back undelivered).
    #[default]
    Reject,
    /// The record is kept as written, with a warning in the manifest.
    Warn,
}

/// A commune served by a postcode: one row of the base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commune {
    /// INSEE code of the commune (`75108`, `2A004`).
    pub insee: String,
    /// Name of the commune (`PARIS 08`).
    pub name: String,
    /// Delivery name for line 6 (« libellé d'acheminement », `PARIS`).
    pub delivery_name: String,
    /// Lieu-dit or former commune for line 5, when the row has one.
    pub line5: Option<String>,
    /// Matching keys of name, delivery name and line 5.
    keys: [String; 3],
}

/// What the base says of a postcode and town that it cannot confirm.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LocalityProblem {
    /// The postcode is not in the base (and the town is not a CEDEX).
    UnknownPostcode,
    /// The postcode exists but does not serve that town.
    TownNotServed,
    /// A CEDEX whose locality is no delivery name of the postcode's département.
    UnknownCedexLocality,
}

impl LocalityProblem {
    /// The code the manifest prints (`unknown_postcode`).
    pub fn code(self) -> &'static str {
        match self {
            LocalityProblem::UnknownPostcode => "unknown_postcode",
            LocalityProblem::TownNotServed => "town_not_in_postcode",
            LocalityProblem::UnknownCedexLocality => "unknown_cedex_locality",
        }
    }

    /// The field at fault.
    pub fn field(self) -> &'static str {
        match self {
            LocalityProblem::UnknownPostcode => "postcode",
            _ => "city",
        }
    }
}

impl fmt::Display for LocalityProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocalityProblem::UnknownPostcode => "the postcode is not in La Poste's postcode base",
            LocalityProblem::TownNotServed => {
                "the town is not served by the postcode, per La Poste's postcode base"
            }
            LocalityProblem::UnknownCedexLocality => {
                "the CEDEX locality is no delivery name of the postcode's département"
            }
        })
    }
}

/// Line 6 as the base confirms it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locality<'a> {
    /// The official delivery name, then ` CEDEX nn` when the town had one.
    pub name: String,
    /// The lieu-dit or former commune for line 5, when the town given was that one.
    pub line5: Option<&'a str>,
}

/// Why the base cannot be read: the file, the line (counting from 1) and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum PostcodeBaseError {
    /// The file cannot be read.
    #[error("cannot read the postcode base {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not what the base's format asks for.
    #[error("postcode base {path}, line {line}: {message}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// The columns a base starts with, folded (`#Code_commune_INSEE` → `CODE COMMUNE INSEE`).
const HEADER: [&str; 5] = [
    "CODE COMMUNE INSEE",
    "NOM DE LA COMMUNE",
    "CODE POSTAL",
    "LIBELLE D ACHEMINEMENT",
    "LIGNE 5",
];

/// The postcode base, loaded once and looked up by postcode.
#[derive(Debug, Default)]
pub struct PostcodeBase {
    by_postcode: HashMap<Postcode, Vec<Commune>>,
    /// Delivery names by (département, matching key), for CEDEX localities.
    delivery_names: HashMap<(String, String), String>,
    rows: usize,
}

impl PostcodeBase {
    /// Loads the base from its file (`;`-separated, Latin-1 or UTF-8, LF or CRLF).
    pub fn load(path: &Path) -> Result<PostcodeBase, PostcodeBaseError> {
        let bytes = std::fs::read(path).map_err(|source| PostcodeBaseError::Io {
            path: path.to_owned(),
            source,
        })?;
        PostcodeBase::parse(&bytes, path)
    }

    /// Reads the base from bytes; `path` only names the file in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<PostcodeBase, PostcodeBaseError> {
        let text = utf8_or_latin1(bytes);
        let err = |line: usize, message: String| PostcodeBaseError::Line {
            path: path.to_owned(),
            line,
            message,
        };
        let mut lines = text.lines().enumerate();
        let header: Vec<String> = lines
            .next()
            .map(|(_, h)| h.trim_start_matches('#').split(';').map(postal_caps).collect())
            .unwrap_or_default();
        if header.len() < 5 || header[..5] != HEADER {
            return Err(err(
                1,
                "the header `Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5` was expected"
                    .into(),
            ));
        }
        let mut base = PostcodeBase::default();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(';').map(str::trim).collect();
            if cols.len() < 5 {
                return Err(err(
                    i + 1,
                    format!("5 fields separated by `;` expected, found {}", cols.len()),
                ));
            }
            let postcode =
                Postcode::parse(cols[2]).map_err(|e| err(i + 1, format!("column Code_postal: {e}")))?;
            if cols[1].is_empty() || cols[3].is_empty() {
                return Err(err(
                    i + 1,
                    "the commune and delivery names must not be empty".into(),
                ));
            }
            let line5 = (!cols[4].is_empty()).then(|| cols[4].to_owned());
            let commune = Commune {
                insee: cols[0].to_owned(),
                name: cols[1].to_owned(),
                delivery_name: cols[3].to_owned(),
                keys: [
                    town_key(cols[1]),
                    town_key(cols[3]),
                    line5.as_deref().map(town_key).unwrap_or_default(),
                ],
                line5,
            };
            base.delivery_names
                .entry((postcode.department().to_owned(), commune.keys[1].clone()))
                .or_insert_with(|| commune.delivery_name.clone());
            base.by_postcode.entry(postcode).or_default().push(commune);
            base.rows += 1;
        }
        Ok(base)
    }

    /// Rows read.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the base holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Whether the postcode exists (CEDEX codes never do).
    pub fn contains(&self, postcode: Postcode) -> bool {
        self.by_postcode.contains_key(&postcode)
    }

    /// The communes a postcode serves.
    pub fn communes(&self, postcode: Postcode) -> &[Commune] {
        self.by_postcode.get(&postcode).map_or(&[], Vec::as_slice)
    }

    /// The commune of `postcode` that `town` names, by its delivery name, its line-5
    /// name or its commune name, whatever the case, accents, punctuation or `SAINT`/`ST`.
    pub fn find(&self, postcode: Postcode, town: &str) -> Option<&Commune> {
        let keys = town_keys(town);
        let communes = self.communes(postcode);
        [1, 0, 2].into_iter().find_map(|k| {
            communes
                .iter()
                .find(|c| !c.keys[k].is_empty() && keys.contains(&c.keys[k]))
        })
    }

    /// Line 6's locality for this postcode and town (`LYON`, `LYON CEDEX 03`), or why
    /// the base cannot confirm them.
    pub fn locality(&self, postcode: Postcode, town: &str) -> Result<Locality<'_>, LocalityProblem> {
        let (place, cedex) = split_cedex(town);
        let with_cedex = |name: &str| match &cedex {
            Some(c) => format!("{name} {c}"),
            None => name.to_owned(),
        };
        if let Some(commune) = self.find(postcode, &place) {
            let line5 = commune
                .line5
                .as_deref()
                .filter(|_| town_keys(&place).contains(&commune.keys[2]));
            return Ok(Locality {
                name: with_cedex(&commune.delivery_name),
                line5,
            });
        }
        match (&cedex, self.contains(postcode)) {
            (_, true) => Err(LocalityProblem::TownNotServed),
            (None, false) => Err(LocalityProblem::UnknownPostcode),
            (Some(_), false) => town_keys(&place)
                .iter()
                .find_map(|k| {
                    self.delivery_names
                        .get(&(postcode.department().to_owned(), k.clone()))
                })
                .map(|name| Locality {
                    name: with_cedex(name),
                    line5: None,
                })
                .ok_or(LocalityProblem::UnknownCedexLocality),
        }
    }
}

/// A town split into its locality and its CEDEX mention, in capitals:
/// `Lyon Cedex 3` → (`LYON`, `Some("CEDEX 03")`).
pub fn split_cedex(town: &str) -> (String, Option<String>) {
    let folded = postal_caps(town);
    let words: Vec<&str> = folded.split(' ').collect();
    let Some(at) = words.iter().position(|w| *w == "CEDEX") else {
        return (folded, None);
    };
    let place = words[..at].join(" ");
    let cedex = match words.get(at + 1) {
        Some(n) if n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()) => format!("CEDEX {n:0>2}"),
        _ => "CEDEX".to_owned(),
    };
    (place, Some(cedex))
}

/// The matching key of a town: folded, saints abbreviated, spaces removed
/// (`Saint-Denis-lès-Bourg` and `ST DENIS LES BOURG` give `STDENISLESBOURG`).
fn town_key(town: &str) -> String {
    postal_caps(town)
        .split(' ')
        .map(|w| match w {
            "SAINT" => "ST",
            "SAINTE" => "STE",
            "SAINTS" => "STS",
            "SAINTES" => "STES",
            w => w,
        })
        .collect()
}

/// The keys a written town may match: itself, and without a trailing arrondissement
/// number (`Paris 8e`, `Lyon 3ème`, `Marseille 08` also match `PARIS`, `LYON`, `MARSEILLE`).
fn town_keys(town: &str) -> Vec<String> {
    let folded = postal_caps(town);
    let mut keys = vec![town_key(&folded)];
    if let Some((head, last)) = folded.rsplit_once(' ') {
        let digits = last.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &last[digits.len()..];
        if !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(suffix, "" | "E" | "EME" | "ER")
        {
            keys.push(town_key(head));
        }
    }
    keys
}

/// A few rows of the base, in its official form, for tests that need no file.
#[cfg(test)]
pub(crate) fn sample_base() -> PostcodeBase {
    const SMALL: &str =
        "#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5\r\n\
        42218;ST ETIENNE;42000;ST ETIENNE;\r\n\
        13208;MARSEILLE 08;13008;MARSEILLE;\r\n\
        13208;MARSEILLE 08;13008;MARSEILLE;LES GOUDES\r\n\
        69383;LYON 03;69003;LYON;\r\n\
        75108;PARIS 08;75008;PARIS;\r\n\
        04061;COLMARS;04370;COLMARS LES ALPES;\r\n";
    PostcodeBase::parse(SMALL.as_bytes(), Path::new("sample.csv")).expect("the sample base parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(s: &str) -> Postcode {
        Postcode::parse(s).unwrap()
    }

    fn small() -> PostcodeBase {
        sample_base()
    }

    #[test]
    fn postcode_forms() {
        for ok in ["75008", " 01400 ", "20000", "97100", "97500", "98000", "98800"] {
            assert!(Postcode::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Postcode::parse("6900"),
            Err(PostcodeFormError::NotFiveDigits { found: 4 })
        );
        assert_eq!(
            Postcode::parse("2A004"),
            Err(PostcodeFormError::NotFiveDigits { found: 5 })
        );
        for bad in ["00100", "96000", "97900", "98100", "99999"] {
            assert_eq!(
                Postcode::parse(bad),
                Err(PostcodeFormError::NoSuchDepartment),
                "{bad}"
            );
        }
        assert_eq!(pc("97411").department(), "974");
        assert_eq!(pc("20090").department(), "20");
    }

    #[test]
    fn towns_match_whatever_their_spelling() {
        let base = small();
        assert_eq!(base.len(), 6);
        assert_eq!(
            base.find(pc("42000"), "Saint-Étienne").unwrap().delivery_name,
            "ST ETIENNE"
        );
        assert!(base.find(pc("69003"), "lyon 3ème").is_some());
        assert!(base.find(pc("13008"), "Marseille 8e").is_some());
        assert!(base.find(pc("69003"), "Villeurbanne").is_none());
    }

    #[test]
    fn a_line5_name_is_moved_to_line_5() {
        let base = small();
        let got = base.locality(pc("13008"), "Les Goudes").unwrap();
        assert_eq!(got.name, "MARSEILLE");
        assert_eq!(got.line5, Some("LES GOUDES"));
        assert_eq!(base.locality(pc("13008"), "Marseille").unwrap().line5, None);
    }

    #[test]
    fn cedex_localities_are_checked_in_their_departement() {
        let base = small();
        assert_eq!(
            base.locality(pc("69421"), "Lyon Cedex 3").unwrap().name,
            "LYON CEDEX 03"
        );
        assert_eq!(
            base.locality(pc("69003"), "LYON CEDEX").unwrap().name,
            "LYON CEDEX"
        );
        assert_eq!(
            base.locality(pc("42029"), "Saint Etienne cedex 1").unwrap().name,
            "ST ETIENNE CEDEX 01"
        );
        assert_eq!(
            base.locality(pc("69421"), "Tarare Cedex"),
            Err(LocalityProblem::UnknownCedexLocality)
        );
        assert_eq!(
            base.locality(pc("13008"), "Aubagne Cedex"),
            Err(LocalityProblem::TownNotServed)
        );
    }

    #[test]
    fn unknown_pairs_say_why() {
        let base = small();
        assert_eq!(
            base.locality(pc("69009"), "Lyon"),
            Err(LocalityProblem::UnknownPostcode)
        );
        assert_eq!(
            base.locality(pc("69003"), "Marseille"),
            Err(LocalityProblem::TownNotServed)
        );
        assert_eq!(LocalityProblem::TownNotServed.code(), "town_not_in_postcode");
    }

    #[test]
    fn latin1_and_bad_lines() {
        let latin1 = b"#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libell\xe9_d_acheminement;Ligne_5\n\
            01001;L ABERGEMENT CLEMENCIAT;01400;L ABERGEMENT CLEMENCIAT;\n";
        let base = PostcodeBase::parse(latin1, Path::new("latin1.csv")).unwrap();
        assert!(base.contains(pc("01400")));
        let bad = "Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libelle_d_acheminement;Ligne_5\n\
            01001;X;01400;X;\n01002;Y;1640;Y;\n";
        let err = PostcodeBase::parse(bad.as_bytes(), Path::new("bad.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.csv, line 3") && err.contains("Code_postal"),
            "{err}"
        );
        let err = PostcodeBase::parse(b"a;b;c\n", Path::new("h.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("h.csv, line 1"), "{err}");
        let err = PostcodeBase::load(Path::new("/nonexistent/base.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/base.csv"), "{err}");
    }

    #[test]
    fn the_official_base() {
        let Some(path) = crate::mailprep::testdata::reference("019HexaSmal.csv") else {
            return;
        };
        let start = std::time::Instant::now();
        let base = PostcodeBase::load(&path).unwrap();
        let took = start.elapsed();
        println!("loaded {} rows in {took:?}", base.len());
        assert!(took.as_secs() < 10, "loading took {took:?}");
        assert_eq!(base.len(), 39_193);
        let cases: [(&str, &str, Result<&str, LocalityProblem>); 11] = [
            // A Paris arrondissement: commune PARIS 08, delivered as PARIS.
            ("75008", "Paris 8e", Ok("PARIS")),
            ("75008", "PARIS 08", Ok("PARIS")),
            // SAINT written in full, the base says ST.
            ("42000", "Saint-Étienne", Ok("ST ETIENNE")),
            // A delivery name that differs from the commune's name.
            ("04370", "Colmars", Ok("COLMARS LES ALPES")),
            // A Ligne_5 name (checked for line 5 below).
            ("13008", "les Goudes", Ok("MARSEILLE")),
            // Wrong pairs.
            ("75008", "Lyon", Err(LocalityProblem::TownNotServed)),
            ("75200", "Paris", Err(LocalityProblem::UnknownPostcode)),
            ("69003", "Saint-Étienne", Err(LocalityProblem::TownNotServed)),
            // CEDEX codes are absent, but their locality is known in the département.
            ("69421", "Lyon Cedex 03", Ok("LYON CEDEX 03")),
            ("75381", "Paris Cedex 08", Ok("PARIS CEDEX 08")),
            (
                "75381",
                "Lyon Cedex 08",
                Err(LocalityProblem::UnknownCedexLocality),
            ),
        ];
        for (code, town, want) in cases {
            let got = base.locality(pc(code), town).map(|l| l.name);
            assert_eq!(got, want.map(str::to_owned), "{code} {town}");
        }
        assert_eq!(
            base.locality(pc("13008"), "les Goudes").unwrap().line5,
            Some("LES GOUDES")
        );
    }
}
