//! Excel workbooks: one sheet converted to a private CSV copy, rows numbered as in Excel.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::DataError;

/// Writes the sheet (the first, or `sheet`) as CSV into `out`; returns notes for the report.
pub fn to_csv(
    file: &Path,
    shown: &Path,
    sheet: Option<&str>,
    out: &mut std::fs::File,
) -> Result<Vec<String>, DataError> {
    let bad = |message: String| DataError::Workbook {
        path: shown.to_owned(),
        message,
    };
    let mut book =
        open_workbook_auto(file).map_err(|e| bad(format!("not a readable Excel workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| bad(format!("no sheet `{s}` (sheets: {})", names.join(", "))))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| bad(format!("sheet `{name}` cannot be read: {e}")))?;
    if range.is_empty() {
        return Err(DataError::Empty {
            path: shown.to_owned(),
        });
    }
    let mut notes = vec![format!("sheet `{name}` of {} read", names.len())];
    let first_row = range.start().map_or(0, |(r, _)| r);
    if first_row > 0 {
        notes.push(format!("the sheet's data starts at row {}", first_row + 1));
    }
    let mut errors = 0usize;
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(std::io::BufWriter::new(out));
    let mut cell = String::new();
    let mut row_out: Vec<String> = Vec::new();
    // Blank rows above the data still count, so that records keep Excel's row numbers.
    for _ in 0..first_row {
        w.write_record([""]).map_err(|e| io_err(shown, e))?;
    }
    for row in range.rows() {
        row_out.clear();
        for c in row {
            cell.clear();
            match c {
                Data::Empty => {}
                Data::String(s) => cell.push_str(s),
                Data::Int(i) => cell.push_str(&i.to_string()),
                Data::Float(f) => {
                    if f.fract() == 0.0 && f.abs() < 1e15 {
                        cell.push_str(&format!("{}", *f as i64));
                    } else {
                        cell.push_str(&f.to_string());
                    }
                }
                Data::Bool(b) => cell.push_str(if *b { "1" } else { "0" }),
                Data::DateTime(d) => cell.push_str(&excel_date(d.as_f64())),
                Data::DateTimeIso(s) | Data::DurationIso(s) => cell.push_str(s),
                Data::Error(_) => errors += 1,
            }
            row_out.push(cell.clone());
        }
        w.write_record(&row_out).map_err(|e| io_err(shown, e))?;
    }
    w.flush().map_err(|e| DataError::Io {
        path: shown.to_owned(),
        source: e,
    })?;
    if errors > 0 {
        notes.push(format!(
            "{errors} cell(s) held an Excel error (#N/A, #REF!…) and were read as empty"
        ));
    }
    Ok(notes)
}

fn io_err(shown: &Path, e: csv::Error) -> DataError {
    DataError::Io {
        path: shown.to_owned(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    crate::date::Date::from_days(serial.floor() as i64 - 25_569).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_dates() {
        assert_eq!(super::excel_date(46_354.0), "2026-11-28");
        assert_eq!(super::excel_date(1.0), "1899-12-31");
    }
}
