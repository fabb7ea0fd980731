//! Shortening an address line to the 38 characters of NF Z10-011 with pli's own
//! abbreviation table (`abbreviations.csv`), step by step, only until the line fits.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use super::normalise::postal_caps;

/// The table pli ships, in its own words (see the file's comments for the format).
const BUILTIN: &str = include_str!("abbreviations.csv");

/// A stage of shortening; stages are always tried in this order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Kinds of street and place: `AVENUE` → `AV`, `BOULEVARD` → `BD`.
    StreetType,
    /// Military, religious and civil titles and civilities: `MARECHAL` → `MAL`.
    Title,
    /// Everyday words of buildings and deliveries: `BATIMENT` → `BAT`, `BOITE POSTALE` → `BP`.
    Word,
    /// `SAINT` → `ST`, `SAINTE` → `STE`.
    Saint,
    /// First names to their initial: `JEAN` → `J` (not right after a saint).
    FirstName,
    /// Articles and linking words dropped: `LE`, `DE`, `DES`, `ET`.
    Article,
    /// Last resort, in code rather than in the table: remaining words reduced to their
    /// initial, left to right, keeping numbers, abbreviations and the last word.
    Initials,
}

impl Step {
    /// Every step, in the order they are tried.
    pub const ALL: [Step; 7] = [
        Step::StreetType,
        Step::Title,
        Step::Word,
        Step::Saint,
        Step::FirstName,
        Step::Article,
        Step::Initials,
    ];

    /// The step's name in the table's first column.
    pub fn name(self) -> &'static str {
        match self {
            Step::StreetType => "street_type",
            Step::Title => "title",
            Step::Word => "word",
            Step::Saint => "saint",
            Step::FirstName => "first_name",
            Step::Article => "article",
            Step::Initials => "initials",
        }
    }

    fn from_name(name: &str) -> Option<Step> {
        // Initials are computed, so the table cannot name that step.
        Step::ALL[..6].iter().copied().find(|s| s.name() == name)
    }
}

/// One row of the table: these words (in folded capitals) become that short form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// When the rule applies.
    pub step: Step,
    /// The words replaced, e.g. `["BOITE", "POSTALE"]`.
    pub long: Vec<String>,
    /// What replaces them; empty to drop them.
    pub short: String,
}

/// A defect in an abbreviation table: its line (counting from 1) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("abbreviation table, line {line}: {message}")]
pub struct TableError {
    /// The line of the table.
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Which words the first-name step may shorten.
#[derive(Copy, Clone, Debug)]
pub enum Names<'a> {
    /// The common first names of the table (street names such as `RUE JEAN JAURES`).
    Table,
    /// Only the words of this first-name field (the recipient's own line, where a
    /// surname such as `Richard` must never be taken for a first name).
    Given(&'a str),
}

/// A line still too long after every step allowed: its shortest length in characters.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TooLong {
    /// Characters left after all the steps.
    pub length: usize,
}

/// An abbreviation table, indexed for matching.
#[derive(Debug)]
pub struct Abbreviations {
    rules: Vec<Rule>,
    /// Rules by step and first word, longest first.
    index: HashMap<(Step, String), Vec<usize>>,
    /// Every short form, kept whole by the initials step.
    shorts: HashSet<String>,
}

impl Abbreviations {
    /// The table pli ships (`src/mailprep/abbreviations.csv`), parsed once.
    pub fn builtin() -> &'static Abbreviations {
        static TABLE: OnceLock<Abbreviations> = OnceLock::new();
        TABLE.get_or_init(|| {
            Abbreviations::parse(BUILTIN).expect("the built-in abbreviation table is checked by the tests")
        })
    }

    /// Reads a table: `step;long;short` rows after a header, `#` comments and blank lines skipped.
    pub fn parse(text: &str) -> Result<Abbreviations, TableError> {
        let mut rules = Vec::new();
        let mut header = false;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| TableError { line: n + 1, message };
            if !header {
                if line != "step;long;short" {
                    return Err(err("the header `step;long;short` was expected".into()));
                }
                header = true;
                continue;
            }
            let cols: Vec<&str> = line.split(';').collect();
            let [step, long, short] = cols[..] else {
                return Err(err(format!("3 columns expected, found {}", cols.len())));
            };
            let step = Step::from_name(step.trim()).ok_or_else(|| {
                err("unknown step (street_type, title, word, saint, first_name or article)".into())
            })?;
            let long: Vec<String> = long.split_whitespace().map(str::to_owned).collect();
            if long.is_empty() || long.iter().any(|w| postal_caps(w) != *w) {
                return Err(err(
                    "the long form must be words in capitals without accents".into()
                ));
            }
            rules.push(Rule {
                step,
                long,
                short: short.trim().to_owned(),
            });
        }
        let mut index: HashMap<(Step, String), Vec<usize>> = HashMap::new();
        for (i, rule) in rules.iter().enumerate() {
            index
                .entry((rule.step, rule.long[0].clone()))
                .or_default()
                .push(i);
        }
        for list in index.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(rules[i].long.len()));
        }
        let shorts = rules
            .iter()
            .map(|r| r.short.clone())
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Abbreviations { rules, index, shorts })
    }

    /// The rules, in the table's order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The line as it is if it holds in `max` characters; otherwise in folded capitals
    /// (as La Poste writes shortened lines), shortened by the allowed `steps` in the fixed
    /// order of [`Step::ALL`], a whole step at a time, until it fits.
    pub fn shorten(
        &self,
        line: &str,
        max: usize,
        steps: &[Step],
        names: Names<'_>,
    ) -> Result<String, TooLong> {
        if line.chars().count() <= max {
            return Ok(line.to_owned());
        }
        let folded = postal_caps(line);
        let mut words: Vec<String> = folded.split(' ').map(str::to_owned).collect();
        let given: Vec<String> = match names {
            Names::Table => Vec::new(),
            Names::Given(field) => postal_caps(field).split_whitespace().map(str::to_owned).collect(),
        };
        for step in Step::ALL.into_iter().filter(|s| steps.contains(s)) {
            if width(&words) <= max {
                break;
            }
            match (step, names) {
                (Step::Initials, _) => self.initials(&mut words, max),
                (Step::FirstName, Names::Given(_)) => given_initials(&mut words, &given),
                _ => self.apply(step, &mut words),
            }
        }
        let length = width(&words);
        if length <= max {
            Ok(words.join(" "))
        } else {
            Err(TooLong { length })
        }
    }

    /// The line in folded capitals with every rule of `steps` applied, whatever its
    /// length: a canonical form for matching (`3 av. Foch` and `3 AVENUE FOCH` agree).
    pub fn canonical(&self, line: &str, steps: &[Step]) -> String {
        let mut words: Vec<String> = postal_caps(line).split(' ').map(str::to_owned).collect();
        for step in Step::ALL
            .into_iter()
            .filter(|s| steps.contains(s) && *s != Step::Initials)
        {
            self.apply(step, &mut words);
        }
        words.join(" ")
    }

    /// Applies every rule of one step along the line, longest match first at each word.
    fn apply(&self, step: Step, words: &mut Vec<String>) {
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let previous = out.last().map(String::as_str);
            let hit = self.index.get(&(step, words[i].clone())).and_then(|list| {
                list.iter()
                    .map(|&r| &self.rules[r])
                    .find(|r| words[i..].starts_with(&r.long) && allowed(r, previous, words.len() - i))
            });
            match hit {
                Some(rule) => {
                    if !rule.short.is_empty() {
                        out.push(rule.short.clone());
                    }
                    i += rule.long.len();
                }
                None => {
                    out.push(std::mem::take(&mut words[i]));
                    i += 1;
                }
            }
        }
        *words = out;
    }

    /// Reduces words to their initial, left to right, until the line fits.
    fn initials(&self, words: &mut [String], max: usize) {
        let last = words.len().saturating_sub(1);
        for i in 0..last {
            if width(words) <= max {
                return;
            }
            let w = &words[i];
            let keep =
                w.chars().count() < 2 || w.chars().any(|c| c.is_ascii_digit()) || self.shorts.contains(w);
            if !keep {
                words[i] = w.chars().take(1).collect();
            }
        }
    }
}

/// Whether a rule may apply here: a first name right after a saint stays (`ST JEAN`),
/// an article after a number is a suffix (`12 A`), and the last word is never dropped.
fn allowed(rule: &Rule, previous: Option<&str>, remaining: usize) -> bool {
    match rule.step {
        Step::FirstName => !matches!(previous, Some("SAINT" | "SAINTE" | "ST" | "STE")),
        Step::Article => {
            let after_number = previous.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
            !after_number && remaining > rule.long.len()
        }
        _ => true,
    }
}

/// The recipient's own first names reduced to their initials (`JEAN PIERRE` → `J P`).
fn given_initials(words: &mut [String], given: &[String]) {
    for w in words.iter_mut() {
        if w.chars().count() > 1 && given.contains(w) {
            *w = w.chars().take(1).collect();
        }
    }
}

/// Characters of the words joined by single spaces.
fn width(words: &[String]) -> usize {
    words.iter().map(|w| w.chars().count()).sum::<usize>() + words.len().saturating_sub(1)
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> &'static Abbreviations {
        Abbreviations::builtin()
    }

    fn all(line: &str, max: usize) -> Result<String, TooLong> {
        table().shorten(line, max, &Step::ALL, Names::Table)
    }

    #[test]
    fn the_builtin_table_parses() {
        let t = Abbreviations::parse(BUILTIN).unwrap();
        assert!(t.rules().len() > 100);
        for step in &Step::ALL[..6] {
            assert!(t.rules().iter().any(|r| r.step == *step), "no rule for {step}");
        }
    }

    #[test]
    fn steps_stop_as_soon_as_the_line_fits() {
        let cases = [
            // Fits: left as written.
            ("12 avenue de l'Opéra", 38, "12 avenue de l'Opéra"),
            // One step: the street type alone is enough.
            (
                "12 BOULEVARD DES FRERES LUMIERE ET CIE",
                36,
                "12 BD DES FRERES LUMIERE ET CIE",
            ),
            // Three steps: street type, title, then first names.
            (LATTRE, 38, "BD DU MAL J M DE LATTRE DE TASSIGNY"),
            // Articles go next.
            (LATTRE, 32, "BD MAL J M LATTRE TASSIGNY"),
            // A first name after a saint stays.
            (
                "RUE DE L EGLISE SAINT JEAN BAPTISTE DE LA SALLE",
                38,
                "RUE EGLISE ST JEAN BAPTISTE SALLE",
            ),
            // A letter after a number is its suffix, not an article.
            (
                "12 A ROUTE DE LA GRANDE FONTAINE AUX LOUPS",
                38,
                "12 A RTE DE LA GDE FONTAINE AUX LOUPS",
            ),
            (
                "12 A ROUTE DE LA GRANDE FONTAINE AUX LOUPS ET",
                30,
                "12 A RTE GDE FONTAINE LOUPS ET",
            ),
            // Initials last, keeping numbers, abbreviations and the last word.
            (
                "CHEMIN DES GRANDES VIGNES BLANCHES DU HAUT PLATEAU CALCAIRE",
                30,
                "CHEM G V B H PLATEAU CALCAIRE",
            ),
        ];
        for (line, max, want) in cases {
            assert_eq!(all(line, max).as_deref(), Ok(want), "{line} in {max}");
        }
    }

    const LATTRE: &str = "BOULEVARD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY";

    #[test]
    fn a_hopeless_line_reports_its_shortest_length() {
        let err = all("HOTTENTOTTENSTOTTERTROTTELMUTTERATTENTAETER", 38).unwrap_err();
        assert_eq!(err.length, 43);
    }

    #[test]
    fn recipients_shorten_only_their_own_first_names() {
        let steps = [Step::Title, Step::FirstName];
        let got = table().shorten(
            "Madame Marie-Christine Richard de la Rochefoucauld",
            38,
            &steps,
            Names::Given("Marie-Christine"),
        );
        assert_eq!(got.unwrap(), "MME M C RICHARD DE LA ROCHEFOUCAULD");
        let got = table().shorten(
            "M Jean Richard Dupont de Montmorency Laval",
            24,
            &steps,
            Names::Given("Jean"),
        );
        assert_eq!(got.unwrap_err().length, 39);
    }

    #[test]
    fn canonical_forms_abbreviate_whatever_the_length() {
        let steps = [Step::StreetType, Step::Saint];
        assert_eq!(
            table().canonical("3 av. Foch", &steps),
            table().canonical("3 Avenue Foch", &steps)
        );
        assert_eq!(
            table().canonical("5 place Saint-Michel", &steps),
            "5 PL ST MICHEL"
        );
    }

    #[test]
    fn bad_tables_name_the_line() {
        let err = Abbreviations::parse("# c\nstep;long;short\nstreet;AVENUE;AV\n").unwrap_err();
        assert_eq!(err.line, 3);
        let err = Abbreviations::parse("step;long;short\nword;Bâtiment;BAT\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = Abbreviations::parse("long;short\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    /// The reference table's rows as (word or words, short forms), for the rows whose
    /// pattern is plain words with at most one simple alternation such as `RESIDENCE(S|)`.
    fn reference_rows(text: &str) -> HashMap<String, Vec<String>> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        for row in reader.records().flatten() {
            let (long, short) = (row[1].trim(), row[2].trim());
            let short = short
                .split_whitespace()
                .filter(|w| *w != "@")
                .collect::<Vec<_>>()
                .join(" ");
            for word in expand(long) {
                map.entry(word).or_default().push(short.to_uppercase());
            }
        }
        map
    }

    /// `PRE(A|B|)POST` → `PREAPOST`, `PREBPOST`, `PREPOST`; patterns with other regex syntax → none.
    fn expand(pattern: &str) -> Vec<String> {
        let plain = |s: &str| s.chars().all(|c| c.is_ascii_uppercase() || c == ' ');
        match (pattern.find('('), pattern.find(')')) {
            (None, None) if plain(pattern) => vec![pattern.to_owned()],
            (Some(a), Some(b)) if a < b => {
                let (pre, alts, post) = (&pattern[..a], &pattern[a + 1..b], &pattern[b + 1..]);
                if !plain(pre) || !plain(post) || !alts.split('|').all(plain) {
                    return vec![];
                }
                alts.split('|').map(|alt| format!("{pre}{alt}{post}")).collect()
            }
            _ => vec![],
        }
    }

    #[test]
    fn street_types_agree_with_the_established_french_table() {
        let Some(path) = crate::mailprep::testdata::reference("normadresse.csv") else {
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let reference = reference_rows(&text);
        let mut compared = 0;
        for rule in table().rules().iter().filter(|r| r.step == Step::StreetType) {
            let long = rule.long.join(" ");
            if let Some(shorts) = reference.get(&long) {
                compared += 1;
                assert!(
                    shorts.contains(&rule.short),
                    "{long}: pli says {}, the reference {shorts:?}",
                    rule.short
                );
            }
        }
        assert!(
            compared >= 20,
            "only {compared} street types compared with {}",
            path.display()
        );
    }
}
