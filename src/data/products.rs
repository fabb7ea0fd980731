//! Product data for catalogues: a CSV or JSON Lines file read once per job, indexed
//! by id and shared read-only by every worker.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{DataError, Source, SourceOptions};

/// The columns every products file must have.
pub const PRODUCT_COLUMNS: &[&str] = &["id", "name", "price"];

/// The products of a job, in file order.
#[derive(Debug, Default)]
pub struct Products {
    /// Each product's fields, with `price_eur` added.
    rows: Vec<Value>,
    /// Ids to row indexes.
    by_id: HashMap<String, usize>,
    /// The file's columns, and `price_eur`.
    columns: Vec<String>,
}

impl Products {
    /// Reads a products file (CSV or JSON Lines, detected as for contact files).
    ///
    /// Every product needs a unique, non-empty `id`, a `name` and a `price` in euros
    /// (`1234.5` or `1234,50`); the first problem found stops the job, with its line.
    pub fn load(path: &Path) -> Result<Products, DataError> {
        let src = Source::open(path, &SourceOptions::default())?;
        let bad = |line: u64, message: String| DataError::BadRow {
            path: path.to_owned(),
            line,
            message,
        };
        let columns: Vec<String> = src.columns().to_vec();
        for needed in PRODUCT_COLUMNS {
            if !columns.iter().any(|c| c == needed) {
                return Err(DataError::MissingColumn {
                    path: path.to_owned(),
                    column: (*needed).to_owned(),
                    available: columns.join(", "),
                });
            }
        }
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let binding = src.bind(&names);
        let mut products = Products::default();
        let mut values = Vec::new();
        let mut scan = src.scan(&binding);
        while let Some((pos, read)) = scan.next_into(&mut values) {
            read.map_err(|r| bad(pos.line, r.to_string()))?;
            let mut row = Map::new();
            for (name, value) in names.iter().zip(values.drain(..)) {
                let value = match value {
                    Value::String(s) => Value::String(s.trim().to_owned()),
                    other => other,
                };
                row.insert((*name).to_owned(), value);
            }
            let id = text(&row["id"]);
            if id.is_empty() {
                return Err(bad(pos.line, "the product has no `id`".into()));
            }
            let price = parse_price(&text(&row["price"])).ok_or_else(|| {
                bad(
                    pos.line,
                    format!("product `{id}`: `price` is not an amount in euros (write 1234.50)"),
                )
            })?;
            row.insert("price_eur".into(), format_eur(price).into());
            if products.by_id.insert(id.clone(), products.rows.len()).is_some() {
                return Err(bad(pos.line, format!("product id `{id}` is given twice")));
            }
            products.rows.push(Value::Object(row));
        }
        products.columns = columns;
        products.columns.push("price_eur".into());
        Ok(products)
    }

    /// A product by id.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(id).map(|&i| &self.rows[i])
    }

    /// Every product, in file order.
    pub fn all(&self) -> &[Value] {
        &self.rows
    }

    /// The fields a product has (the file's columns and `price_eur`).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the file held no product.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A value as text: strings as they are, numbers written out, nothing for null.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An amount in euros, `1234.5`, `1234,50` or `1 234,50`; `None` when it is not one.
pub fn parse_price(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '€'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let v: f64 = cleaned.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// An amount written the French way, `1 234,56 €`: thousands separated by a narrow
/// no-break space (U+202F), a comma before the cents, a no-break space (U+00A0) before
/// the euro sign; so neither the number nor its sign is ever split across lines.
pub fn format_eur(amount: f64) -> String {
    let cents = (amount * 100.0).round() as u64;
    let (units, cents) = (cents / 100, cents % 100);
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + 12);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(d);
    }
    out.push_str(&format!(",{cents:02}\u{a0}€"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_written_the_french_way() {
        assert_eq!(format_eur(1234.56), "1\u{202f}234,56\u{a0}€");
        assert_eq!(format_eur(29.9), "29,90\u{a0}€");
        assert_eq!(format_eur(0.0), "0,00\u{a0}€");
        assert_eq!(format_eur(1_234_567.0), "1\u{202f}234\u{202f}567,00\u{a0}€");
        assert_eq!(format_eur(999.999), "1\u{202f}000,00\u{a0}€");
    }

    #[test]
    fn prices_are_read_with_a_point_or_a_comma() {
        assert_eq!(parse_price("1234.5"), Some(1234.5));
        assert_eq!(parse_price("1 234,50 €"), Some(1234.5));
        assert_eq!(parse_price("abc"), None);
        assert_eq!(parse_price("-3"), None);
    }

    #[test]
    fn products_load_from_csv_and_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("p.csv");
        std::fs::write(
            &csv,
            "id,name,price,category\nA1,Tapis,29.9,acc\nV1,Aurore,31990,vehicule\n",
        )
        .unwrap();
        let p = Products::load(&csv).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p.get("V1").unwrap()["price_eur"], "31\u{202f}990,00\u{a0}€");
        assert_eq!(p.get("A1").unwrap()["category"], "acc");
        let jsonl = dir.path().join("p.jsonl");
        std::fs::write(&jsonl, "{\"id\":\"A1\",\"name\":\"Tapis\",\"price\":29.9}\n").unwrap();
        let p = Products::load(&jsonl).unwrap();
        assert_eq!(p.get("A1").unwrap()["price_eur"], "29,90\u{a0}€");
    }

    #[test]
    fn duplicate_ids_and_bad_prices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("p.csv");
        std::fs::write(&csv, "id,name,price\nA1,Tapis,29.9\nA1,Autre,3\n").unwrap();
        let e = Products::load(&csv).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("twice"), "{e}");
        std::fs::write(&csv, "id,name,price\nA1,Tapis,gratuit\n").unwrap();
        let e = Products::load(&csv).unwrap_err().to_string();
        assert!(e.contains("not an amount"), "{e}");
        std::fs::write(&csv, "id,name\nA1,Tapis\n").unwrap();
        let e = Products::load(&csv).unwrap_err().to_string();
        assert!(e.contains("`price`"), "{e}");
    }
}
