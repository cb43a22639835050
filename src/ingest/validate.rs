//! Row validation against the table specifications of [`crate::model`].
//!
//! Each cell is checked for what its column may hold; each row for what spans
//! columns (a reply not before its submission, an applicant code of the
//! applicant's kind); each table for duplicate ids; and every reference
//! against the ids already stored plus those of this import.

use std::collections::{HashMap, HashSet};

use polars::prelude::StringChunked;

use super::error::{ErrorSink, RowError};
use super::source::{Batch, Location};
use crate::identifiers;
use crate::model::{ColumnKind, StorageType, TableName, TableSpec, ordered_timestamps};
use crate::time::parse_timestamp;
use crate::vocab::ApplicantKind;

/// A validated cell, ready to bind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Empty optional cell; carries its storage type so the null is typed.
    Null(StorageType),
    /// Text.
    Text(String),
    /// Integer (counts, instants in ms).
    Int(i64),
    /// Boolean.
    Bool(bool),
}

/// Ids known to exist: stored before this import, or imported earlier in it;
/// and the regulation profiles loaded.
#[derive(Debug, Default)]
pub struct KnownIds {
    sets: HashMap<TableName, HashSet<String>>,
    profiles: Vec<String>,
}

impl KnownIds {
    /// Known ids with the ids of the loaded profiles.
    pub fn with_profiles(profiles: Vec<String>) -> KnownIds {
        KnownIds {
            sets: HashMap::new(),
            profiles,
        }
    }

    /// Adds the stored ids of a table.
    pub fn insert_all(&mut self, table: TableName, ids: HashSet<String>) {
        self.sets.entry(table).or_default().extend(ids);
    }

    /// Whether `id` exists in `table`.
    pub fn contains(&self, table: TableName, id: &str) -> bool {
        self.sets.get(&table).is_some_and(|s| s.contains(id))
    }
}

/// Validates the rows of one table, batch by batch.
pub struct TableValidator<'a> {
    spec: &'static TableSpec,
    file: String,
    known: &'a mut KnownIds,
    seen_ids: HashSet<String>,
    /// References to rows of the same table, checked once the table is read.
    self_refs: Vec<(Location, &'static str, String)>,
    /// Unknown columns already reported (NDJSON checks every batch).
    reported_unknown: HashSet<String>,
    rows: u64,
}

impl<'a> TableValidator<'a> {
    /// Starts validating `table` read from `file` (a name for messages).
    pub fn new(table: TableName, file: String, known: &'a mut KnownIds) -> Self {
        TableValidator {
            spec: table.spec(),
            file,
            known,
            seen_ids: HashSet::new(),
            self_refs: Vec::new(),
            reported_unknown: HashSet::new(),
            rows: 0,
        }
    }

    /// Checks a file's columns against the table: unknown columns, and (with
    /// `require_all`) missing required columns, are errors of the whole file.
    /// NDJSON passes `require_all = false`: a key absent from a record is that
    /// record's missing value.
    pub fn check_columns(
        &mut self,
        names: &[String],
        require_all: bool,
        errors: &mut ErrorSink,
    ) -> bool {
        let mut ok = true;
        for name in names {
            if self.spec.column_index(name).is_none() {
                ok = false;
                if !self.reported_unknown.insert(name.clone()) {
                    continue;
                }
                errors.push(RowError::file(
                    &self.file,
                    format!(
                        "unknown column {name:?}; table {} has columns {}",
                        self.spec.name,
                        self.spec
                            .columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for column in self
            .spec
            .columns
            .iter()
            .filter(|c| require_all && !c.optional)
        {
            if !names.iter().any(|n| n == column.name) {
                errors.push(RowError::file(
                    &self.file,
                    format!("required column {:?} is missing", column.name),
                ));
                ok = false;
            }
        }
        ok
    }

    /// Validates a batch; returns the valid rows in the spec's column order.
    pub fn validate(&mut self, batch: &Batch, errors: &mut ErrorSink) -> Vec<Vec<Value>> {
        let spec = self.spec;
        let height = batch.frame.height();
        // Column data in spec order; absent optional columns read as empty.
        let mut cells: Vec<Option<&StringChunked>> = Vec::with_capacity(spec.columns.len());
        for column in spec.columns {
            cells.push(
                batch
                    .frame
                    .column(column.name)
                    .ok()
                    .and_then(|c| c.str().ok()),
            );
        }
        let applicant_kind = spec.column_index("applicant_kind");
        let mut out = Vec::with_capacity(height);
        let mut row_values: Vec<Value> = Vec::with_capacity(spec.columns.len());
        for row in 0..height {
            let location = batch.locations[row];
            self.rows += 1;
            row_values.clear();
            let mut row_ok = true;
            for (i, column) in spec.columns.iter().enumerate() {
                let raw = cells[i].and_then(|c| c.get(row)).filter(|s| !s.is_empty());
                let Some(raw) = raw else {
                    if column.optional {
                        row_values.push(Value::Null(column.kind.storage()));
                    } else {
                        errors.push(self.error(location, column.name, "", "a value is required"));
                        row_ok = false;
                        row_values.push(Value::Null(column.kind.storage()));
                    }
                    continue;
                };
                let applicant = applicant_kind
                    .and_then(|k| cells[k])
                    .and_then(|c| c.get(row));
                match self.cell(column.kind, column.name, raw, applicant, location) {
                    Ok(value) => row_values.push(value),
                    Err(message) => {
                        let shown = if column.kind.is_identifier() {
                            identifiers::mask(raw)
                        } else {
                            raw.to_string()
                        };
                        errors.push(self.error(location, column.name, &shown, &message));
                        row_ok = false;
                        row_values.push(Value::Null(column.kind.storage()));
                    }
                }
            }
            if row_ok {
                row_ok = self.check_order(&row_values, location, errors);
            }
            if row_ok && spec.has_id() {
                if let Value::Text(id) = &row_values[0] {
                    if !self.seen_ids.insert(id.clone()) {
                        errors.push(self.error(
                            location,
                            "id",
                            id,
                            "duplicate id: an earlier row of this import has the same id",
                        ));
                        row_ok = false;
                    }
                }
            }
            if row_ok {
                out.push(row_values.clone());
            }
        }
        out
    }

    /// Parses and checks one non-empty cell.
    fn cell(
        &mut self,
        kind: ColumnKind,
        column: &'static str,
        raw: &str,
        applicant_kind: Option<&str>,
        location: Location,
    ) -> Result<Value, String> {
        match kind {
            ColumnKind::Id | ColumnKind::Text => {
                if kind == ColumnKind::Id && raw.trim() != raw {
                    return Err("an id must not start or end with white space".into());
                }
                Ok(Value::Text(raw.to_string()))
            }
            ColumnKind::Profile => {
                if self.known.profiles.iter().any(|p| p == raw) {
                    Ok(Value::Text(raw.to_string()))
                } else {
                    Err(format!(
                        "unknown regulation profile; the profiles loaded are {}",
                        self.known.profiles.join(", ")
                    ))
                }
            }
            ColumnKind::Enum(allowed) => {
                if allowed.contains(&raw) {
                    Ok(Value::Text(raw.to_string()))
                } else {
                    Err(format!(
                        "unknown value; expected one of {}",
                        allowed.join(", ")
                    ))
                }
            }
            ColumnKind::Ref(target) => {
                if target == self.spec.name {
                    self.self_refs.push((location, column, raw.to_string()));
                } else if !self.known.contains(target, raw) {
                    return Err(format!(
                        "unknown {target} id: no such row stored or imported"
                    ));
                }
                Ok(Value::Text(raw.to_string()))
            }
            ColumnKind::Timestamp => parse_timestamp(raw)
                .map(Value::Int)
                .map_err(|e| e.to_string()),
            ColumnKind::Bool => match raw {
                "true" | "TRUE" | "True" | "1" => Ok(Value::Bool(true)),
                "false" | "FALSE" | "False" | "0" => Ok(Value::Bool(false)),
                _ => Err("expected true or false".into()),
            },
            ColumnKind::Count => match raw.parse::<i64>() {
                Ok(n) if n >= 0 => Ok(Value::Int(n)),
                Ok(_) => Err("must not be negative".into()),
                Err(_) => Err("expected a whole number".into()),
            },
            ColumnKind::CreditCode => identifiers::check_credit_code(raw)
                .map(|()| Value::Text(raw.to_string()))
                .map_err(|e| format!("invalid 统一社会信用代码: {e}")),
            ColumnKind::ApplicantCode => {
                let result = match applicant_kind.map(str::parse::<ApplicantKind>) {
                    Some(Ok(ApplicantKind::Person)) => identifiers::check_citizen_id(raw)
                        .map_err(|e| format!("invalid 身份证号: {e}")),
                    Some(Ok(ApplicantKind::Organisation)) => identifiers::check_credit_code(raw)
                        .map_err(|e| format!("invalid 统一社会信用代码: {e}")),
                    // The kind itself is reported; nothing to check against.
                    Some(Err(_)) | None => Ok(()),
                };
                result.map(|()| Value::Text(raw.to_string()))
            }
        }
    }

    /// A later instant must not precede an earlier one (a reply before its
    /// submission, a grant expiring before it was granted).
    fn check_order(&self, row: &[Value], location: Location, errors: &mut ErrorSink) -> bool {
        let mut ok = true;
        for (first, second) in ordered_timestamps(self.spec.name) {
            let a = self.spec.column_index(first).map(|i| &row[i]);
            let b = self.spec.column_index(second).map(|i| &row[i]);
            if let (Some(Value::Int(a)), Some(Value::Int(b))) = (a, b) {
                if b < a {
                    errors.push(self.error(
                        location,
                        second,
                        &crate::time::format_millis(*b),
                        &format!(
                            "{second} is before {first} ({})",
                            crate::time::format_millis(*a)
                        ),
                    ));
                    ok = false;
                }
            }
        }
        ok
    }

    /// Ends the table: checks references within it and makes its ids known to
    /// the tables after it. Returns the number of rows read.
    pub fn finish(self, errors: &mut ErrorSink) -> u64 {
        let table = self.spec.name;
        for (location, column, id) in &self.self_refs {
            if !self.seen_ids.contains(id) && !self.known.contains(table, id) {
                errors.push(RowError {
                    file: self.file.clone(),
                    location: Some(*location),
                    column: Some(column.to_string()),
                    value: Some(id.clone()),
                    message: format!("unknown {table} id: no such row stored or imported"),
                });
            }
        }
        if self.spec.has_id() {
            self.known.insert_all(table, self.seen_ids);
        }
        self.rows
    }

    fn error(&self, location: Location, column: &str, value: &str, message: &str) -> RowError {
        RowError {
            file: self.file.clone(),
            location: Some(location),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            message: message.to_string(),
        }
    }
}
