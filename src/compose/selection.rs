//! Which products a record gets: the ids its list field names, then the products the
//! layout's rules pick (equality filters on product fields, a sort, a limit).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::layout_file::ProductsSpec;
use super::template::Templates;
use crate::data::products::{parse_price, text, Products};
use crate::record::Rejection;

/// The field name rejections give for a product selection problem.
pub const PRODUCTS: &str = "products";

/// A compiled rule.
#[derive(Clone, Debug)]
struct Rule {
    /// Product field and the name of the plain template giving the value it must equal.
    filter: Vec<(String, String)>,
    sort_by: Option<String>,
    descending: bool,
    limit: Option<usize>,
}

/// How records select products, compiled from `[products]`.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The record field listing product ids.
    list: Option<String>,
    rules: Vec<Rule>,
}

impl Selection {
    /// Compiles `[products]`: each filter value is a plain template; the record fields
    /// used (and the list field) go into `used`. Problems go into `errors`.
    pub fn compile(
        spec: &ProductsSpec,
        templates: &mut Templates,
        used: &mut BTreeSet<String>,
        errors: &mut Vec<String>,
    ) -> Selection {
        let mut rules = Vec::new();
        for (i, r) in spec.rules.iter().enumerate() {
            let mut filter = Vec::new();
            for (field, source) in &r.filter {
                let name = format!("products:rule:{i}:{field}");
                match templates.add_plain(&name, source) {
                    Ok(f) => used.extend(f),
                    Err(e) => errors.push(format!("[products] rule {} `{field}`: {e}", i + 1)),
                }
                filter.push((field.clone(), name));
            }
            if r.limit == Some(0) {
                errors.push(format!("[products] rule {}: limit must be at least 1", i + 1));
            }
            rules.push(Rule {
                filter,
                sort_by: r.sort_by.clone(),
                descending: r.descending,
                limit: r.limit,
            });
        }
        if let Some(list) = &spec.list {
            used.insert(list.clone());
        }
        if spec.list.is_none() && spec.rules.is_empty() {
            errors.push(
                "[products]: give a `list` field, `rules`, or both, so that records select products".into(),
            );
        }
        Selection {
            list: spec.list.clone(),
            rules,
        }
    }

    /// The product fields the rules read, to check against the products file.
    pub fn product_fields(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().flat_map(|r| {
            r.filter
                .iter()
                .map(|(f, _)| f.as_str())
                .chain(r.sort_by.as_deref())
        })
    }

    /// The record's products, in order: its list's, then each rule's, each product once.
    pub fn select(
        &self,
        products: &Products,
        templates: &Templates,
        data: &Value,
    ) -> Result<Vec<Value>, Rejection> {
        let mut chosen: Vec<Value> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut take = |p: &Value, chosen: &mut Vec<Value>| {
            if seen.insert(text(&p["id"])) {
                chosen.push(p.clone());
            }
        };
        if let Some(list) = &self.list {
            for id in listed_ids(&data[list.as_str()]) {
                let p = products.get(&id).ok_or_else(|| Rejection::InvalidField {
                    field: PRODUCTS.into(),
                    message: format!("unknown product id `{id}` (from the record's `{list}`)"),
                })?;
                take(p, &mut chosen);
            }
        }
        for rule in &self.rules {
            let mut wanted = Vec::with_capacity(rule.filter.len());
            for (field, template) in &rule.filter {
                let value = templates.render(template, data).map_err(Rejection::Template)?;
                wanted.push((field.as_str(), value.trim().to_owned()));
            }
            let mut matched: Vec<&Value> = products
                .all()
                .iter()
                .filter(|p| wanted.iter().all(|(f, v)| text(&p[*f]) == *v))
                .collect();
            if let Some(key) = &rule.sort_by {
                matched.sort_by(|a, b| {
                    let o = compare(&a[key.as_str()], &b[key.as_str()]);
                    if rule.descending {
                        o.reverse()
                    } else {
                        o
                    }
                });
            }
            for p in matched.into_iter().take(rule.limit.unwrap_or(usize::MAX)) {
                take(p, &mut chosen);
            }
        }
        Ok(chosen)
    }
}

/// The ids a list field holds: a JSON list, a JSON list written in a CSV cell, or ids
/// separated by `|`; blanks ignored.
fn listed_ids(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(text).filter(|s| !s.trim().is_empty()).collect(),
        Value::String(s) if s.trim_start().starts_with('[') => match serde_json::from_str::<Value>(s) {
            Ok(parsed @ Value::Array(_)) => listed_ids(&parsed),
            _ => split_ids(s),
        },
        Value::String(s) => split_ids(s),
        Value::Null => Vec::new(),
        other => vec![text(other)],
    }
}

fn split_ids(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Numbers (and amounts) compare as numbers, anything else as text.
fn compare(a: &Value, b: &Value) -> Ordering {
    let (ta, tb) = (text(a), text(b));
    match (parse_price(&ta), parse_price(&tb)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => ta.cmp(&tb),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::layout_file::RuleSpec;
    use serde_json::json;

    fn products() -> (tempfile::TempDir, Products) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(
            &path,
            "id,name,price,category\nV1,Aurore,31990,vehicule\nA1,Tapis,29.9,acc\nA2,Coffre,450,acc\nA3,Câble,189,acc\nB1,Plaid,19,autre\n",
        )
        .unwrap();
        let p = Products::load(&path).unwrap();
        (dir, p)
    }

    fn ids(v: &[Value]) -> Vec<String> {
        v.iter().map(|p| text(&p["id"])).collect()
    }

    #[test]
    fn list_then_rules_each_product_once() {
        let (_dir, p) = products();
        let spec = ProductsSpec {
            file: None,
            list: Some("wanted".into()),
            rules: vec![RuleSpec {
                filter: [("category".to_string(), "{{segment}}".to_string())].into(),
                sort_by: Some("price".into()),
                descending: true,
                limit: Some(2),
            }],
        };
        let mut t = Templates::new();
        let (mut used, mut errors) = (BTreeSet::new(), Vec::new());
        let s = Selection::compile(&spec, &mut t, &mut used, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(used.into_iter().collect::<Vec<_>>(), ["segment", "wanted"]);
        let got = s
            .select(&p, &t, &json!({"wanted": "V1|A3", "segment": "acc"}))
            .unwrap();
        assert_eq!(ids(&got), ["V1", "A3", "A2"]);
        let got = s
            .select(&p, &t, &json!({"wanted": ["B1"], "segment": "acc"}))
            .unwrap();
        assert_eq!(ids(&got), ["B1", "A2", "A3"]);
        let got = s
            .select(&p, &t, &json!({"wanted": "[\"A1\"]", "segment": "none"}))
            .unwrap();
        assert_eq!(ids(&got), ["A1"]);
        let err = s
            .select(&p, &t, &json!({"wanted": "V1|ZZ9", "segment": "acc"}))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_field:products");
        assert!(err.to_string().contains("unknown product id `ZZ9`"), "{err}");
    }
}
