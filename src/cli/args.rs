//! The argument groups several commands share (how to read the contact file, mail
//! preparation) and the parsers of their values.

use std::path::PathBuf;

use clap::Args;
use pli::data::{Format, SourceOptions};
use pli::job::{DataInput, Date, PrepOptions};
use pli::mailprep::{AddressPolicy, MatchLevel, Suppression};

/// How to read the contact file, where detection should not decide.
#[derive(Args, Clone, Debug)]
pub struct DataOpts {
    /// Format: csv, jsonl or xlsx (default: from the extension, else from the content).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Text encoding of a CSV file: utf-8, utf-16le, utf-16be, windows-1252… (default: detected).
    #[arg(long)]
    encoding: Option<String>,
    /// Delimiter of a CSV file: `;`, `,`, `tab` or `|` (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// Sheet of an Excel workbook (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// A mapping file (TOML, `[mapping]` with `field = "Column"`) binding the layout's fields to the file's columns.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
}

impl DataOpts {
    pub fn input(&self, path: PathBuf) -> DataInput {
        DataInput {
            path,
            source: SourceOptions {
                format: self.format,
                encoding: self.encoding.clone(),
                delimiter: self.delimiter,
                sheet: self.sheet.clone(),
            },
            map: self.map.clone(),
        }
    }
}

/// Mail preparation options, shared by `compose` (and `prepare`).
#[derive(Args, Clone, Debug, Default)]
pub struct PrepOpts {
    /// La Poste's postcode base ("base officielle des codes postaux", `;`-separated, Latin-1 or
    /// UTF-8): postcodes and towns are checked against it and the town written as its delivery name.
    #[arg(long, value_name = "FILE")]
    postcodes: Option<PathBuf>,
    /// What a postcode or town the base does not confirm does: reject the record, or warn and keep it.
    #[arg(long, value_name = "POLICY", default_value = "reject", value_parser = parse_policy)]
    address_policy: AddressPolicy,
    /// A suppression list, KIND=FILE (repeatable); KIND is optout, erasure, robinson, pnd or moved.
    /// One key per line: a name+address, e-mail or phone, in clear or as a SHA-256 hex digest.
    #[arg(long, value_name = "KIND=FILE", value_parser = parse_suppress)]
    suppress: Vec<(Suppression, PathBuf)>,
    /// Keep the first record of each person (individual), household or address; the others are
    /// suppressed as duplicate_of:<id>.
    #[arg(long, value_name = "LEVEL", value_parser = parse_dedupe)]
    dedupe: Option<MatchLevel>,
}

impl PrepOpts {
    pub fn options(&self) -> PrepOptions {
        PrepOptions {
            postcodes: self.postcodes.clone(),
            address_policy: self.address_policy,
            suppress: self.suppress.clone(),
            dedupe: self.dedupe,
            households: false,
        }
    }
}

/// `--address-policy`: reject or warn.
pub fn parse_policy(s: &str) -> Result<AddressPolicy, String> {
    match s {
        "reject" => Ok(AddressPolicy::Reject),
        "warn" => Ok(AddressPolicy::Warn),
        _ => Err(format!("`{s}`: use reject or warn")),
    }
}

/// `--suppress KIND=FILE`.
pub fn parse_suppress(s: &str) -> Result<(Suppression, PathBuf), String> {
    let (kind, file) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write KIND=FILE, e.g. optout=optouts.txt"))?;
    let kinds: Vec<&str> = Suppression::ALL.iter().map(|k| k.code()).collect();
    let kind = Suppression::from_code(kind.trim())
        .ok_or_else(|| format!("unknown list kind `{kind}`: use {}", kinds.join(", ")))?;
    if file.is_empty() {
        return Err(format!("`{s}`: the list's file is missing after `=`"));
    }
    Ok((kind, PathBuf::from(file)))
}

/// `--dedupe`: individual (or person), household or address.
pub fn parse_dedupe(s: &str) -> Result<MatchLevel, String> {
    match s {
        "individual" | "person" => Ok(MatchLevel::Individual),
        "household" => Ok(MatchLevel::Household),
        "address" => Ok(MatchLevel::Address),
        _ => Err(format!("`{s}`: use individual, household or address")),
    }
}

/// `--format`: csv, jsonl or xlsx.
pub fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

/// `--delimiter`: `;`, `,`, `tab` or `|`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        ";" | "," | "|" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}`: use `;`, `,`, `tab` or `|`")),
    }
}

/// `--date`: YYYY-MM-DD.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
}
