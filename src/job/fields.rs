//! Binding a layout's fields to a contact file's columns (through the mapping), and
//! turning a record's values into template data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::compose::Layout;
use crate::data::{Binding, Source};
use crate::mailprep::{
    AddressBlock, AddressPolicy, Contact, Needs, PostcodeBase, ADDRESS_FIELDS, EMAIL_CONSENT_FIELD,
    EMAIL_FIELD, HOUSEHOLD_FIELD, MOBILE_FIELD, OPTOUT_FIELD, SMS_CONSENT_FIELD,
};
use crate::record::{RecordPos, Rejection};

/// How a job reads the fields it needs from each record.
pub struct Fields {
    /// The columns read, in slot order.
    pub binding: Binding,
    /// (field name, slot, default) for every field the templates use.
    template: Vec<(String, Option<usize>, Option<String>)>,
    /// Address fields by standard name, with their slot and default.
    address: Vec<(&'static str, Option<usize>, Option<String>)>,
    id: Option<usize>,
    /// Fields mail preparation reads (consents, contact keys, household), by name.
    prep: Vec<(&'static str, Option<usize>)>,
    wants_address: bool,
    /// How addresses are checked.
    address_check: AddressCheck,
}

/// How a job checks addresses: against La Poste's base when it has one.
#[derive(Clone, Default)]
pub struct AddressCheck {
    /// The postcode base.
    pub postcodes: Option<std::sync::Arc<PostcodeBase>>,
    /// What a postcode or town the base does not confirm does.
    pub policy: AddressPolicy,
}

/// What a job needs to read for mail preparation.
#[derive(Copy, Clone, Debug, Default)]
pub struct PrepNeeds {
    /// Names, addresses, e-mail and mobile, for suppression lists and de-duplication.
    pub keys: bool,
    /// E-mail consent and address.
    pub email: bool,
    /// SMS consent and mobile number.
    pub sms: bool,
    /// Postcode and country, for the presort.
    pub destination: bool,
}

/// A record's preparation fields, by name.
pub struct PrepValues<'v>(Vec<(&'static str, Cow<'v, str>)>);

impl PrepValues<'_> {
    /// A field's text (empty when the file does not have it).
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v)
    }
}

impl Fields {
    /// Binds every field the job reads; lists every missing or wrongly mapped column.
    /// Without a layout (`pli prepare`), only the address and preparation fields are read.
    pub fn resolve(
        layout: Option<&Layout>,
        src: &Source,
        mapping: &BTreeMap<String, String>,
        needs: PrepNeeds,
        address_check: AddressCheck,
    ) -> Result<Fields, Vec<String>> {
        let shown = src.path().display().to_string();
        let available = src.columns().join(", ");
        let mut problems = Vec::new();
        for (field, column) in mapping {
            if !src.has_column(column) {
                problems.push(format!(
                    "{shown}: the mapping binds `{field}` to column `{column}`, which the file does not have (columns: {available})"
                ));
            }
        }
        let column_of = |field: &str| mapping.get(field).map_or(field, String::as_str).to_owned();
        let mut names: Vec<String> = Vec::new();
        let mut slot = |field: &str| -> Option<usize> {
            let column = column_of(field);
            if !src.has_column(&column) {
                return None;
            }
            Some(names.iter().position(|n| *n == column).unwrap_or_else(|| {
                names.push(column);
                names.len() - 1
            }))
        };
        let mut template = Vec::new();
        let no_fields = BTreeMap::new();
        for (name, default) in layout.map_or(&no_fields, |l| &l.fields) {
            let s = slot(name);
            if s.is_none() && default.is_none() && !mapping.contains_key(name) {
                problems.push(format!(
                    "{shown}: no column `{}` in the header (columns: {available}); add it to the file, map the field to a column ([mapping] in the layout or --map) or give it a default in the layout's [fields]",
                    column_of(name)
                ));
            }
            template.push((name.clone(), s, default.clone()));
        }
        let wants_address = layout.is_none_or(|l| l.templates_use("address_lines"));
        let address: Vec<_> = if wants_address {
            ADDRESS_FIELDS
                .iter()
                .map(|&f| {
                    (
                        f,
                        slot(f),
                        layout.and_then(|l| l.address_defaults.get(f).cloned()),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        if wants_address {
            for group in [
                &["last_name", "company"][..],
                &["street", "address5"],
                &["postcode"],
                &["city"],
            ] {
                let present = group.iter().any(|f| {
                    address
                        .iter()
                        .any(|(n, s, d)| n == f && (s.is_some() || d.is_some()))
                });
                if !present {
                    let names: Vec<String> = group.iter().map(|f| format!("`{}`", column_of(f))).collect();
                    problems.push(format!(
                        "{shown}: the address block (address_lines) needs a column {} (columns: {available})",
                        names.join(" or ")
                    ));
                }
            }
        }
        let id = slot("id");
        let mut wanted: Vec<&'static str> = vec![OPTOUT_FIELD];
        if needs.keys {
            wanted.extend_from_slice(ADDRESS_FIELDS);
            wanted.extend_from_slice(&[EMAIL_FIELD, MOBILE_FIELD, HOUSEHOLD_FIELD]);
        }
        if needs.email {
            wanted.extend_from_slice(&[EMAIL_CONSENT_FIELD, EMAIL_FIELD]);
        }
        if needs.sms {
            wanted.extend_from_slice(&[SMS_CONSENT_FIELD, MOBILE_FIELD]);
        }
        if needs.destination {
            wanted.extend_from_slice(&["postcode", "country"]);
        }
        let mut prep: Vec<(&'static str, Option<usize>)> = Vec::new();
        for name in wanted {
            if !prep.iter().any(|(n, _)| *n == name) {
                prep.push((name, slot(name)));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(Fields {
            binding: src.bind(&refs),
            template,
            address,
            id,
            prep,
            wants_address,
            address_check,
        })
    }

    /// The record's id: its id column, or its line number.
    pub fn record_id(&self, values: &[Value], pos: RecordPos) -> String {
        self.id
            .map(|i| text(&values[i]).trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| pos.line.to_string())
    }

    /// The fields mail preparation reads, from a record's values.
    pub fn prep_values<'v>(&self, values: &'v [Value]) -> PrepValues<'v> {
        PrepValues(
            self.prep
                .iter()
                .map(|&(name, slot)| (name, slot.map_or(Cow::Borrowed(""), |i| text_of(&values[i]))))
                .collect(),
        )
    }

    /// A record as mail preparation reads it (pass 1): its consents and keys, and its
    /// address block when the layout prints one.
    pub fn contact(&self, values: &[Value], needs: Needs) -> Contact {
        let got = self.prep_values(values);
        let address = self.wants_address.then(|| self.address_block(values));
        Contact::read(|k| got.get(k), needs, address)
    }

    /// Whether a record has what its templates need, without building its template data
    /// (pass 1); the address block is checked by mail preparation ([`Fields::contact`]).
    pub fn check_template(&self, values: &[Value]) -> Result<(), Rejection> {
        for (name, slot, default) in &self.template {
            match slot.map_or(&Value::Null, |i| &values[i]) {
                Value::String(s) if !s.trim().is_empty() => check_text(name, s)?,
                Value::Null | Value::String(_) if default.is_none() => {
                    return Err(Rejection::MissingField(name.clone()));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The record's address block (NF Z10-011), checked against the postcode base when
    /// the job has one; the layout's `[fields]` defaults fill empty address fields.
    pub fn address_block(&self, values: &[Value]) -> Result<AddressBlock, Rejection> {
        let mut got: Vec<(&str, Cow<str>)> = Vec::with_capacity(self.address.len());
        for (name, slot, default) in &self.address {
            let mut v = slot.map_or(Cow::Borrowed(""), |i| text_of(&values[i]));
            if v.trim().is_empty() {
                if let Some(d) = default {
                    v = Cow::Borrowed(d.as_str());
                }
            }
            check_text(name, &v)?;
            got.push((name, v));
        }
        AddressBlock::build(
            |k: &str| got.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| v.as_ref()),
            self.address_check.postcodes.as_deref(),
            self.address_check.policy,
        )
    }

    /// The template data of a record, or why it cannot be composed; `notes` receives what
    /// preparation changed or doubted (`address_normalised`, an unconfirmed postcode…).
    /// The address block is built only `with_address` (a record that is mailed).
    pub fn data(
        &self,
        values: &[Value],
        layout: &Layout,
        id: &str,
        notes: &mut Vec<String>,
        with_address: bool,
    ) -> Result<Value, Rejection> {
        let mut map: Map<String, Value> = layout.job_json();
        map.insert("record_id".into(), id.into());
        for (name, slot, default) in &self.template {
            let value = slot.map_or(&Value::Null, |i| &values[i]);
            let value = match value {
                Value::Null => None,
                Value::String(s) if s.trim().is_empty() => None,
                Value::String(s) => Some(Value::String(clean(name, s)?)),
                other => Some(other.clone()),
            };
            let value = match (value, default) {
                (Some(v), _) => v,
                (None, Some(d)) => Value::String(d.clone()),
                (None, None) => return Err(Rejection::MissingField(name.clone())),
            };
            map.insert(name.clone(), value);
        }
        if self.wants_address && with_address {
            let block = self.address_block(values)?;
            if block.is_normalised() {
                notes.push("address_normalised".into());
            }
            for problem in block.warnings() {
                notes.push(format!("address_warning:{}", problem.code()));
            }
            map.insert(
                "address_lines".into(),
                Value::Array(block.into_texts().into_iter().map(Value::String).collect()),
            );
        }
        Ok(Value::Object(map))
    }
}

/// A value as text: strings as they are, numbers and booleans written out, nothing for null.
fn text(v: &Value) -> String {
    text_of(v).into_owned()
}

/// A value as text, borrowed when it is a string.
fn text_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

/// A field's text, trimmed; control characters are refused (they are not text to print).
fn clean(field: &str, s: &str) -> Result<String, Rejection> {
    check_text(field, s)?;
    Ok(s.trim().to_owned())
}

/// Refuses control characters other than tabs and line breaks.
fn check_text(field: &str, s: &str) -> Result<(), Rejection> {
    match s
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(Rejection::InvalidField {
            field: field.to_owned(),
            message: format!("control character U+{:04X} is not printable text", c as u32),
        }),
        None => Ok(()),
    }
}
