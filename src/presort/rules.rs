//! A carrier's presort product as data: the rules file (TOML), read and checked once.
//!
//! The file names the sort levels from finest to coarsest (each with the key it takes
//! from the postcode and its bundle and tray minimums), the bundle and tray capacities,
//! the deposit minimum, which destinations can be presorted, and the weight steps with
//! their price per piece presorted and single-piece. `presort/laposte-industriel.toml`
//! is the documented example.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::key::{Destination, KeyRule, PostcodeForm};
use super::quantities::{Cents, Grams, Thickness};
use crate::mailprep::postal_caps;

/// Why a rules file cannot be used: the file, the line when known, and what is wrong.
#[derive(Debug)]
pub enum RulesError {
    /// The file cannot be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, does not follow the schema, or breaks a rule.
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line (from 1) of the value or table at fault, when known.
        line: Option<usize>,
        /// What is wrong and what was expected.
        message: String,
    },
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RulesError::Io { path, source } => {
                write!(f, "cannot read the presort rules {}: {source}", path.display())
            }
            RulesError::Invalid {
                path,
                line: Some(line),
                message,
            } => write!(f, "presort rules {}, line {line}: {message}", path.display()),
            RulesError::Invalid {
                path,
                line: None,
                message,
            } => write!(f, "presort rules {}: {message}", path.display()),
        }
    }
}

impl std::error::Error for RulesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RulesError::Io { source, .. } => Some(source),
            RulesError::Invalid { .. } => None,
        }
    }
}

/// A sort level: pieces with the same key are bundled and trayed together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// The level's name, as the plan and the labels print it (`departement`, `3-digit`).
    pub name: String,
    /// How the key is taken from the postcode.
    pub key: KeyRule,
    /// Fewest pieces in a bundle (0 at the residual level, which has no minimum).
    pub bundle_min: u32,
    /// Fewest pieces in a tray (0 at the residual level).
    pub tray_min: u32,
}

impl Level {
    /// Whether this is the residual level (`key = "all"`), which takes every piece left.
    pub fn is_residual(&self) -> bool {
        self.key == KeyRule::All
    }
}

/// What a tray holds at most. A piece thicker or heavier than a tray is never presorted.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TrayCapacity {
    /// Pieces.
    pub max_pieces: u32,
    /// The pieces' thickness added up, when the carrier limits it.
    pub max_thickness: Option<Thickness>,
    /// The pieces' weight added up, when the carrier limits it.
    pub max_weight: Option<Grams>,
}

/// A weight step: pieces up to `up_to` (and above the previous step) pay these prices.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WeightStep {
    /// The heaviest piece of the step, included.
    pub up_to: Grams,
    /// Price per piece in the presorted product.
    pub presorted: Cents,
    /// Price per piece as single-piece mail.
    pub single_piece: Cents,
}

/// A carrier's presort product, checked: build it with [`Rules::load`] or [`Rules::parse`].
#[derive(Clone, Debug)]
pub struct Rules {
    name: String,
    currency: String,
    deposit_min_pieces: u32,
    mix_levels: bool,
    domestic_countries: Vec<String>,
    form: PostcodeForm,
    bundle_max: u32,
    tray: TrayCapacity,
    levels: Vec<Level>,
    steps: Vec<WeightStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    product: Spanned<ProductFile>,
    eligibility: Spanned<EligibilityFile>,
    bundle: Spanned<BundleFile>,
    tray: Spanned<TrayFile>,
    level: Vec<Spanned<LevelFile>>,
    weight_step: Vec<Spanned<StepFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductFile {
    name: String,
    currency: String,
    deposit_min_pieces: u32,
    #[serde(default)]
    mix_levels: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibilityFile {
    domestic_countries: Vec<String>,
    postcode_form: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleFile {
    max_pieces: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrayFile {
    max_pieces: u32,
    max_thickness_mm: Option<f64>,
    max_weight_g: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    name: String,
    key: String,
    bundle_min: Option<u32>,
    tray_min: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    up_to_g: u32,
    presorted_cents: i64,
    single_piece_cents: i64,
}

impl Rules {
    /// Reads and checks the rules file at `path`.
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            path: path.to_owned(),
            source,
        })?;
        Rules::parse(&text, path)
    }

    /// Reads and checks rules from their text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Rules, RulesError> {
        let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let fail = |span: Option<std::ops::Range<usize>>, message: String| RulesError::Invalid {
            path: path.to_owned(),
            line: span.map(|s| line_of(s.start)),
            message,
        };
        let file: RulesFile = toml::from_str(text).map_err(|e| fail(e.span(), e.message().to_owned()))?;
        let bad =
            |span: std::ops::Range<usize>, what: &str, field: &str, message: String| RulesError::Invalid {
                path: path.to_owned(),
                line: Some(line_of_field(text, span, field)),
                message: format!(
                    "{what}{}{field}: {message}",
                    if field.is_empty() { "" } else { " " }
                ),
            };

        let product = file.product.get_ref();
        let currency = &product.currency;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad(
                file.product.span(),
                "[product]",
                "currency",
                format!("`{currency}` is no ISO 4217 code (three capitals, `EUR`)"),
            ));
        }
        if product.deposit_min_pieces == 0 {
            return Err(bad(
                file.product.span(),
                "[product]",
                "deposit_min_pieces",
                "must be 1 or more".into(),
            ));
        }

        let elig = file.eligibility.get_ref();
        let form = PostcodeForm::parse(&elig.postcode_form)
            .map_err(|m| bad(file.eligibility.span(), "[eligibility]", "postcode_form", m))?;
        if elig.domestic_countries.is_empty() {
            return Err(bad(
                file.eligibility.span(),
                "[eligibility]",
                "domestic_countries",
                "name at least one country line (`\"\"` for an address without one)".into(),
            ));
        }

        let bundle_max = file.bundle.get_ref().max_pieces;
        if bundle_max == 0 {
            return Err(bad(
                file.bundle.span(),
                "[bundle]",
                "max_pieces",
                "must be 1 or more".into(),
            ));
        }

        let t = file.tray.get_ref();
        let positive_mm = t.max_thickness_mm.map(|mm| (mm.is_finite() && mm > 0.0, mm));
        if t.max_pieces == 0 || t.max_weight_g == Some(0) || positive_mm.is_some_and(|(ok, _)| !ok) {
            return Err(bad(
                file.tray.span(),
                "[tray]",
                "",
                "max_pieces, max_thickness_mm and max_weight_g must be above 0".into(),
            ));
        }
        let tray = TrayCapacity {
            max_pieces: t.max_pieces,
            max_thickness: t.max_thickness_mm.map(Thickness::mm),
            max_weight: t.max_weight_g.map(Grams),
        };

        let levels = check_levels(&file.level, &form, bundle_max, |span, field, m| {
            bad(span, "[[level]]", field, m)
        })?;
        let steps = check_steps(&file.weight_step, |span, field, m| {
            bad(span, "[[weight_step]]", field, m)
        })?;
        if file.level.is_empty() {
            return Err(fail(None, "at least one [[level]] is needed".into()));
        }
        if file.weight_step.is_empty() {
            return Err(fail(None, "at least one [[weight_step]] is needed".into()));
        }

        let product = file.product.into_inner();
        Ok(Rules {
            name: product.name,
            currency: product.currency,
            deposit_min_pieces: product.deposit_min_pieces,
            mix_levels: product.mix_levels,
            domestic_countries: elig.domestic_countries.iter().map(|c| postal_caps(c)).collect(),
            form,
            bundle_max,
            tray,
            levels,
            steps,
        })
    }

    /// The product's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The currency of every price (ISO 4217: `EUR`).
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// Fewest presortable pieces for a presorted deposit; below, the mailing goes single-piece.
    pub fn deposit_min_pieces(&self) -> u32 {
        self.deposit_min_pieces
    }

    /// Whether the residual level's pieces may fill the room left in the tray before them.
    pub fn mix_levels(&self) -> bool {
        self.mix_levels
    }

    /// The postcodes the product accepts.
    pub fn postcode_form(&self) -> &PostcodeForm {
        &self.form
    }

    /// Most pieces in a bundle.
    pub fn bundle_max(&self) -> u32 {
        self.bundle_max
    }

    /// What a tray holds.
    pub fn tray(&self) -> &TrayCapacity {
        &self.tray
    }

    /// The sort levels, finest first; the residual level, when there is one, is last.
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// The weight steps, lightest first, from 0 g up to the heaviest piece accepted.
    pub fn steps(&self) -> &[WeightStep] {
        &self.steps
    }

    /// Where a piece goes, for this product: domestic when its country line is one of
    /// the rules' `domestic_countries`, with its postcode if it has one.
    pub fn destination(&self, to: &crate::mailprep::Destination) -> Destination {
        if !self.domestic_countries.iter().any(|c| c == to.country()) {
            return Destination::Foreign;
        }
        to.postcode()
            .map_or(Destination::NoPostcode, Destination::Domestic)
    }
}

/// The line of `field = …` in the table whose header is at `span`, or the header's line.
fn line_of_field(text: &str, span: std::ops::Range<usize>, field: &str) -> usize {
    let start = span.start.min(text.len());
    let mut at = start;
    let mut offset = start;
    for (n, line) in text[start..].split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if n > 0 && t.starts_with('[') {
            break;
        }
        if !field.is_empty()
            && t.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            at = offset;
            break;
        }
        offset += line.len();
    }
    text[..at].matches('\n').count() + 1
}

/// The levels, checked: finest first, minimums where needed, only the last residual.
fn check_levels(
    files: &[Spanned<LevelFile>],
    form: &PostcodeForm,
    bundle_max: u32,
    bad: impl Fn(std::ops::Range<usize>, &str, String) -> RulesError,
) -> Result<Vec<Level>, RulesError> {
    let mut levels: Vec<Level> = Vec::with_capacity(files.len());
    for (i, spanned) in files.iter().enumerate() {
        let l = spanned.get_ref();
        let err = |field: &str, m: String| bad(spanned.span(), field, format!("(`{}`) {m}", l.name));
        if l.name.trim().is_empty() || levels.iter().any(|o| o.name == l.name) {
            return Err(err("name", "each level needs a name of its own".into()));
        }
        let key = KeyRule::parse(&l.key).map_err(|m| err("key", m))?;
        let fineness = key.fineness(form);
        if matches!(key, KeyRule::Prefix(n) if usize::from(n) > form.code_len()) {
            return Err(err(
                "key",
                format!(
                    "`{}` is longer than the postcodes ({} characters)",
                    l.key,
                    form.code_len()
                ),
            ));
        }
        if key == KeyRule::Department && *form != PostcodeForm::French {
            return Err(err("key", "`department` needs `postcode_form = \"fr\"`".into()));
        }
        if let Some(prev) = levels.last() {
            if fineness >= prev.key.fineness(form) {
                return Err(err(
                    "key",
                    format!(
                        "levels go from finest to coarsest, and `{}` is not coarser than `{}`",
                        l.key, prev.name
                    ),
                ));
            }
        }
        let residual = key == KeyRule::All;
        let (bundle_min, tray_min) = match (residual, l.bundle_min, l.tray_min) {
            (true, None, None) => (0, 0),
            (true, _, _) => {
                return Err(err(
                    "bundle_min",
                    "the residual level (`key = \"all\"`) takes every piece left: no minimums".into(),
                ))
            }
            (false, Some(b), Some(t)) if b >= 1 && t >= b => (b, t),
            (false, Some(_), Some(_)) => {
                return Err(err(
                    "bundle_min",
                    "bundle_min must be 1 or more, and tray_min at least bundle_min".into(),
                ))
            }
            (false, _, _) => return Err(err("", "bundle_min and tray_min are needed".into())),
        };
        if !residual && u64::from(bundle_min) * 2 > u64::from(bundle_max) + 1 {
            return Err(err(
                "bundle_min",
                format!(
                    "bundle_min {bundle_min} is more than half of [bundle] max_pieces {bundle_max}: \
                 a group just above the maximum could not be split into two bundles"
                ),
            ));
        }
        if residual && i + 1 != files.len() {
            return Err(err(
                "key",
                "the residual level (`key = \"all\"`) must be the last".into(),
            ));
        }
        levels.push(Level {
            name: l.name.clone(),
            key,
            bundle_min,
            tray_min,
        });
    }
    Ok(levels)
}

/// The weight steps, checked: increasing from above 0 g, prices not negative.
fn check_steps(
    files: &[Spanned<StepFile>],
    bad: impl Fn(std::ops::Range<usize>, &str, String) -> RulesError,
) -> Result<Vec<WeightStep>, RulesError> {
    let mut steps: Vec<WeightStep> = Vec::with_capacity(files.len());
    for spanned in files {
        let s = spanned.get_ref();
        let below = steps.last().map_or(0, |p| p.up_to.0);
        if s.up_to_g <= below {
            return Err(bad(
                spanned.span(),
                "up_to_g",
                format!(
                    "{} must be above the previous step's ({below} g): steps go lightest first",
                    s.up_to_g
                ),
            ));
        }
        if s.presorted_cents < 0 || s.single_piece_cents < 0 {
            return Err(bad(spanned.span(), "", "prices cannot be negative".into()));
        }
        steps.push(WeightStep {
            up_to: Grams(s.up_to_g),
            presorted: Cents(s.presorted_cents),
            single_piece: Cents(s.single_piece_cents),
        });
    }
    Ok(steps)
}

#[cfg(test)]
#[path = "rules_tests.rs"]
pub(crate) mod tests;
