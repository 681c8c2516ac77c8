//! Rows and columns for the command line, and their three renderings: an aligned text table,
//! JSON (an array of objects keyed by column) and CSV (RFC 4180). Pure: no I/O.

use std::fmt::Write as _;

/// One cell. Money and dates arrive as text, so they stay exact strings in every format.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn display(&self) -> String {
        match self {
            Self::Null => String::new(),
            Self::Integer(n) => n.to_string(),
            Self::Real(x) => x.to_string(),
            Self::Text(s) => s.clone(),
            Self::Blob(bytes) => format!("<{} bytes>", bytes.len()),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            Self::Integer(n) => (*n).into(),
            Self::Real(x) => {
                serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
            }
            Self::Text(s) => s.clone().into(),
            Self::Blob(bytes) => bytes
                .iter()
                .fold(String::new(), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                })
                .into(),
        }
    }
}

/// A result set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// How to print a [`Table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Table {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.to_text(),
            Format::Json => self.to_json(),
            Format::Csv => self.to_csv(),
        }
    }

    /// Columns padded to their widest cell, a rule under the header, and a row count.
    pub fn to_text(&self) -> String {
        let cells: Vec<Vec<String>> =
            self.rows.iter().map(|row| row.iter().map(Value::display).collect()).collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, name)| {
                cells
                    .iter()
                    .map(|row| row[i].chars().count())
                    .fold(name.chars().count(), usize::max)
            })
            .collect();
        let line = |values: &mut dyn Iterator<Item = &str>| {
            let padded: Vec<String> =
                values.zip(&widths).map(|(value, width)| format!("{value:<width$}")).collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let mut out = line(&mut self.columns.iter().map(String::as_str));
        out += &line(
            &mut widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        );
        for row in &cells {
            out += &line(&mut row.iter().map(String::as_str));
        }
        let n = self.rows.len();
        let _ = writeln!(out, "({n} row{})", if n == 1 { "" } else { "s" });
        out
    }

    /// An array of objects, one per row, keyed by column name.
    pub fn to_json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let object =
                    self.columns.iter().cloned().zip(row.iter().map(Value::json)).collect();
                serde_json::Value::Object(object)
            })
            .collect();
        serde_json::to_string_pretty(&rows).expect("JSON values always serialise") + "\n"
    }

    /// A header line and one line per row; fields quoted when they need it.
    pub fn to_csv(&self) -> String {
        let line = |fields: Vec<String>| {
            fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",") + "\r\n"
        };
        let mut out = line(self.columns.clone());
        for row in &self.rows {
            out += &line(row.iter().map(Value::display).collect());
        }
        out
    }
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec!["id".into(), "amount".into(), "note".into()],
            rows: vec![
                vec![Value::Integer(1), Value::Text("1234.50".into()), Value::Null],
                vec![
                    Value::Integer(22),
                    Value::Text("-0.01".into()),
                    Value::Text("a \"b\", c".into()),
                ],
            ],
        }
    }

    #[test]
    fn text_table_aligns_columns_and_counts_rows() {
        let expected = "\
id  amount   note
--  -------  --------
1   1234.50
22  -0.01    a \"b\", c
(2 rows)
";
        assert_eq!(sample().to_text(), expected);
    }

    #[test]
    fn json_keeps_money_as_strings_and_nulls_as_null() {
        let parsed: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(parsed[0]["amount"], "1234.50");
        assert_eq!(parsed[0]["id"], 1);
        assert!(parsed[0]["note"].is_null());
        assert_eq!(parsed[1]["note"], "a \"b\", c");
    }

    #[test]
    fn csv_quotes_only_fields_that_need_it() {
        assert_eq!(
            sample().to_csv(),
            "id,amount,note\r\n1,1234.50,\r\n22,-0.01,\"a \"\"b\"\", c\"\r\n"
        );
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        let empty = Table { columns: vec!["id".into()], rows: vec![] };
        assert_eq!(empty.to_json().trim(), "[]");
    }
}
