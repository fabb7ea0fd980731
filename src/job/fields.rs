//! Binding a layout's fields to a contact file's columns (through the mapping), and
//! turning a record's values into template data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::compose::Layout;
use crate::data::{Binding, RecordPos, Rejection, Source};
use crate::mailprep::{self, Suppression, ADDRESS_FIELDS, OPTOUT_FIELD};

/// How a job reads the fields it needs from each record.
pub struct Fields {
    /// The columns read, in slot order.
    pub binding: Binding,
    /// (field name, slot, default) for every field the templates use.
    template: Vec<(String, Option<usize>, Option<String>)>,
    /// Address fields by standard name, with their slot and default.
    address: Vec<(&'static str, Option<usize>, Option<String>)>,
    id: Option<usize>,
    optout: Option<usize>,
    wants_address: bool,
}

impl Fields {
    /// Binds every field the job reads; lists every missing or wrongly mapped column.
    pub fn resolve(
        layout: &Layout,
        src: &Source,
        mapping: &BTreeMap<String, String>,
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
        for (name, default) in &layout.fields {
            let s = slot(name);
            if s.is_none() && default.is_none() && !mapping.contains_key(name) {
                problems.push(format!(
                    "{shown}: no column `{}` in the header (columns: {available}); add it to the file, map the field to a column ([mapping] in the layout or --map) or give it a default in the layout's [fields]",
                    column_of(name)
                ));
            }
            template.push((name.clone(), s, default.clone()));
        }
        let wants_address = layout.templates_use("address_lines");
        let address: Vec<_> = if wants_address {
            ADDRESS_FIELDS
                .iter()
                .map(|&f| (f, slot(f), layout.address_defaults.get(f).cloned()))
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
        let optout = slot(OPTOUT_FIELD);
        if !problems.is_empty() {
            return Err(problems);
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(Fields {
            binding: src.bind(&refs),
            template,
            address,
            id,
            optout,
            wants_address,
        })
    }

    /// The record's id: its id column, or its line number.
    pub fn record_id(&self, values: &[Value], pos: RecordPos) -> String {
        self.id
            .map(|i| text(&values[i]).trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| pos.line.to_string())
    }

    /// Whether the record asks not to be mailed.
    pub fn suppression(&self, values: &[Value]) -> Option<Suppression> {
        let v = text(&values[self.optout?]);
        mailprep::is_yes(&v).then_some(Suppression::OptOut)
    }

    /// Whether a record can be composed, without building its template data (pass 1).
    pub fn check(&self, values: &[Value]) -> Result<(), Rejection> {
        for (name, slot, default) in &self.template {
            match slot.map_or(&Value::Null, |i| &values[i]) {
                Value::String(s) if !s.trim().is_empty() => check_text(name, s)?,
                Value::Null | Value::String(_) if default.is_none() => {
                    return Err(Rejection::MissingField(name.clone()));
                }
                _ => {}
            }
        }
        if self.wants_address {
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
            mailprep::check_address(&|k: &str| {
                got.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| v.as_ref())
            })?;
        }
        Ok(())
    }

    /// The template data of a record, or why it cannot be composed.
    pub fn data(&self, values: &[Value], layout: &Layout, id: &str) -> Result<Value, Rejection> {
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
        if self.wants_address {
            let mut got: Vec<(&str, String)> = Vec::with_capacity(self.address.len());
            for (name, slot, default) in &self.address {
                let mut v = slot.map(|i| text(&values[i])).unwrap_or_default();
                if v.trim().is_empty() {
                    if let Some(d) = default {
                        v = d.clone();
                    }
                }
                got.push((name, clean(name, &v)?));
            }
            let lines = mailprep::address_lines(|k| {
                got.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| v.as_str())
            })?;
            map.insert(
                "address_lines".into(),
                Value::Array(lines.into_iter().map(Value::String).collect()),
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
