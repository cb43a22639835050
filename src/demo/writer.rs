//! Table files in interchange format v1 (DESIGN.md): CSV (UTF-8, header
//! row, RFC 4180 quoting) or NDJSON (one object per line, empty optional
//! fields as `null`, booleans and numbers as JSON values).
//!
//! Rows are assembled field by field in a small buffer and written through a
//! `BufWriter`, so that the high-volume tables stream to disk.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::rng::Rng;
use super::{DemoError, OutputFormat};

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (required).
    Str,
    /// Text that may be empty.
    OptStr,
    /// `true` / `false`.
    Bool,
    /// `true` / `false` or empty.
    OptBool,
    /// An integer.
    Int,
    /// An integer or empty.
    OptInt,
    /// An RFC 3339 timestamp.
    Time,
    /// An RFC 3339 timestamp or empty.
    OptTime,
}

/// A table of interchange format v1: its file name and columns.
#[derive(Debug)]
pub struct Table {
    /// Table (and file) name.
    pub name: &'static str,
    /// Columns in order.
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::*;

/// `jurisdictions`
pub const JURISDICTIONS: Table = Table {
    name: "jurisdictions",
    columns: &[
        ("id", Str),
        ("name", Str),
        ("level", Str),
        ("parent_id", OptStr),
        ("profile", OptStr),
    ],
};
/// `departments`
pub const DEPARTMENTS: Table = Table {
    name: "departments",
    columns: &[
        ("id", Str),
        ("name", Str),
        ("jurisdiction_id", Str),
        ("credit_code", OptStr),
        ("is_authority", Bool),
    ],
};
/// `catalog_entries`
pub const CATALOG_ENTRIES: Table = Table {
    name: "catalog_entries",
    columns: &[
        ("id", Str),
        ("department_id", Str),
        ("name", Str),
        ("share_type", Str),
        ("share_basis", OptStr),
        ("open_type", Str),
        ("update_cycle", Str),
        ("format", Str),
        ("item_count", Int),
        ("published_at", Time),
        ("withdrawn_at", OptTime),
        ("withdrawal_approved", OptBool),
    ],
};
/// `catalog_events`
pub const CATALOG_EVENTS: Table = Table {
    name: "catalog_events",
    columns: &[("id", Str), ("entry_id", Str), ("kind", Str), ("at", Time)],
};
/// `duty_changes`
pub const DUTY_CHANGES: Table = Table {
    name: "duty_changes",
    columns: &[
        ("id", Str),
        ("department_id", Str),
        ("kind", Str),
        ("published_at", Time),
        ("summary", Str),
    ],
};
/// `data_updates`
pub const DATA_UPDATES: Table = Table {
    name: "data_updates",
    columns: &[("entry_id", Str), ("at", Time)],
};
/// `share_requests`
pub const SHARE_REQUESTS: Table = Table {
    name: "share_requests",
    columns: &[
        ("id", Str),
        ("requester_id", Str),
        ("provider_id", Str),
        ("entry_id", Str),
        ("share_type", Str),
        ("submitted_at", Time),
        ("reviewed_at", OptTime),
        ("forwarded_at", OptTime),
        ("already_published", Bool),
        ("replied_at", OptTime),
        ("decision", Str),
        ("refusal_reason", OptStr),
    ],
};
/// `grants`
pub const GRANTS: Table = Table {
    name: "grants",
    columns: &[
        ("id", Str),
        ("request_id", Str),
        ("grantee_id", Str),
        ("entry_id", Str),
        ("granted_at", Time),
        ("expires_at", Time),
        ("revoked_at", OptTime),
    ],
};
/// `access_log`
pub const ACCESS_LOG: Table = Table {
    name: "access_log",
    columns: &[("grant_id", Str), ("at", Time), ("calls", Int)],
};
/// `corrections`
pub const CORRECTIONS: Table = Table {
    name: "corrections",
    columns: &[
        ("id", Str),
        ("entry_id", Str),
        ("raised_by_id", Str),
        ("raised_at", Time),
        ("extended_at", OptTime),
        ("extension_days", OptInt),
        ("resolved_at", OptTime),
        ("outcome", OptStr),
    ],
};
/// `open_applications`
pub const OPEN_APPLICATIONS: Table = Table {
    name: "open_applications",
    columns: &[
        ("id", Str),
        ("entry_id", Str),
        ("applicant_kind", Str),
        ("applicant_code", Str),
        ("submitted_at", Time),
        ("on_the_spot", Bool),
        ("answered_at", OptTime),
        ("decision", Str),
    ],
};
/// `findings`
pub const FINDINGS: Table = Table {
    name: "findings",
    columns: &[
        ("id", Str),
        ("department_id", Str),
        ("category", Str),
        ("found_at", Time),
        ("inspector", Str),
        ("evidence", Str),
    ],
};

/// Every table, in the order the demo writes them.
pub const ALL_TABLES: [&Table; 12] = [
    &JURISDICTIONS,
    &DEPARTMENTS,
    &CATALOG_ENTRIES,
    &CATALOG_EVENTS,
    &DUTY_CHANGES,
    &DATA_UPDATES,
    &SHARE_REQUESTS,
    &GRANTS,
    &ACCESS_LOG,
    &CORRECTIONS,
    &OPEN_APPLICATIONS,
    &FINDINGS,
];

/// Share of timestamps written without an offset (local time), as some
/// real platform exports do.
const NO_OFFSET_SHARE: f64 = 0.02;

/// How often (in rows) the progress callback hears about a table.
const PROGRESS_EVERY: u64 = 1 << 16;

/// Writes one table file, one row at a time.
pub struct TableWriter<'a> {
    table: &'static Table,
    format: OutputFormat,
    path: PathBuf,
    out: BufWriter<File>,
    row: Vec<u8>,
    col: usize,
    rows: u64,
    offset_rng: Rng,
    progress: &'a mut dyn FnMut(&str, u64),
}

impl<'a> TableWriter<'a> {
    /// Create `<dir>/<table>.csv` or `.ndjson` and write the CSV header.
    pub fn create(
        dir: &Path,
        table: &'static Table,
        format: OutputFormat,
        seed: u64,
        progress: &'a mut dyn FnMut(&str, u64),
    ) -> Result<Self, DemoError> {
        let ext = match format {
            OutputFormat::Csv => "csv",
            OutputFormat::Ndjson => "ndjson",
        };
        let path = dir.join(format!("{}.{ext}", table.name));
        let file = File::create(&path).map_err(|e| DemoError::io(&path, e))?;
        let mut w = TableWriter {
            table,
            format,
            out: BufWriter::with_capacity(1 << 18, file),
            path,
            row: Vec::with_capacity(512),
            col: 0,
            rows: 0,
            offset_rng: Rng::stream(seed, table.name, 0x0FF5E7),
            progress,
        };
        if format == OutputFormat::Csv {
            let header = table
                .columns
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(",");
            w.out
                .write_all(header.as_bytes())
                .and_then(|()| w.out.write_all(b"\n"))
                .map_err(|e| DemoError::io(&w.path, e))?;
        }
        Ok(w)
    }

    /// Start the next field: separator (CSV) or key (NDJSON).
    fn begin(&mut self, kind: Kind) {
        let (name, expected) = self.table.columns[self.col];
        debug_assert!(
            expected == kind
                || matches!(
                    (expected, kind),
                    (OptStr, Str) | (OptBool, Bool) | (OptInt, Int) | (OptTime, Time)
                ),
            "{}.{name}: {kind:?} written to a {expected:?} column",
            self.table.name
        );
        match self.format {
            OutputFormat::Csv => {
                if self.col > 0 {
                    self.row.push(b',');
                }
            }
            OutputFormat::Ndjson => {
                self.row.push(if self.col == 0 { b'{' } else { b',' });
                self.row.push(b'"');
                self.row.extend_from_slice(name.as_bytes());
                self.row.extend_from_slice(b"\":");
            }
        }
        self.col += 1;
    }

    /// An empty optional field.
    pub fn null(&mut self) {
        let kind = self.table.columns[self.col].1;
        debug_assert!(matches!(kind, OptStr | OptBool | OptInt | OptTime));
        self.begin(kind);
        if self.format == OutputFormat::Ndjson {
            self.row.extend_from_slice(b"null");
        }
    }

    /// A text field.
    pub fn str(&mut self, s: &str) {
        self.begin(Str);
        match self.format {
            OutputFormat::Csv => {
                if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                    self.row.push(b'"');
                    for b in s.bytes() {
                        if b == b'"' {
                            self.row.push(b'"');
                        }
                        self.row.push(b);
                    }
                    self.row.push(b'"');
                } else {
                    self.row.extend_from_slice(s.as_bytes());
                }
            }
            OutputFormat::Ndjson => json_string(&mut self.row, s),
        }
    }

    /// An optional text field (`None` or `""` is written empty).
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) if !s.is_empty() => self.str(s),
            _ => self.null(),
        }
    }

    /// A boolean field.
    pub fn bool(&mut self, b: bool) {
        self.begin(Bool);
        self.row
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// An optional boolean field.
    pub fn opt_bool(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }

    /// An integer field.
    pub fn int(&mut self, n: i64) {
        self.begin(Int);
        push_int(&mut self.row, n);
    }

    /// An optional integer field.
    pub fn opt_int(&mut self, n: Option<i64>) {
        match n {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    /// A timestamp field: RFC 3339 with `+08:00`, or (2 %) without offset.
    pub fn time(&mut self, t: NaiveDateTime) {
        self.begin(Time);
        let offset = !self.offset_rng.chance(NO_OFFSET_SHARE);
        let quote = self.format == OutputFormat::Ndjson;
        if quote {
            self.row.push(b'"');
        }
        push_time(&mut self.row, t, offset);
        if quote {
            self.row.push(b'"');
        }
    }

    /// An optional timestamp field.
    pub fn opt_time(&mut self, t: Option<NaiveDateTime>) {
        match t {
            Some(t) => self.time(t),
            None => self.null(),
        }
    }

    /// Finish the current row and hand it to the file.
    pub fn end_row(&mut self) -> Result<(), DemoError> {
        debug_assert_eq!(self.col, self.table.columns.len(), "{}", self.table.name);
        if self.format == OutputFormat::Ndjson {
            self.row.push(b'}');
        }
        self.row.push(b'\n');
        self.out
            .write_all(&self.row)
            .map_err(|e| DemoError::io(&self.path, e))?;
        self.row.clear();
        self.col = 0;
        self.rows += 1;
        if self.rows % PROGRESS_EVERY == 0 {
            (self.progress)(self.table.name, self.rows);
        }
        Ok(())
    }

    /// Flush the file; returns the table name and the number of rows.
    pub fn finish(mut self) -> Result<(String, u64), DemoError> {
        debug_assert_eq!(self.col, 0);
        self.out.flush().map_err(|e| DemoError::io(&self.path, e))?;
        (self.progress)(self.table.name, self.rows);
        Ok((self.table.name.to_string(), self.rows))
    }
}

fn push_int(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut v = n.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn push2(buf: &mut Vec<u8>, n: u32) {
    buf.push(b'0' + (n / 10) as u8);
    buf.push(b'0' + (n % 10) as u8);
}

/// `YYYY-MM-DDTHH:MM:SS` plus `+08:00` when `offset`.
pub fn push_time(buf: &mut Vec<u8>, t: NaiveDateTime, offset: bool) {
    let y = t.year() as u32;
    push2(buf, y / 100);
    push2(buf, y % 100);
    buf.push(b'-');
    push2(buf, t.month());
    buf.push(b'-');
    push2(buf, t.day());
    buf.push(b'T');
    push2(buf, t.hour());
    buf.push(b':');
    push2(buf, t.minute());
    buf.push(b':');
    push2(buf, t.second());
    if offset {
        buf.extend_from_slice(b"+08:00");
    }
}

fn json_string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    for b in s.bytes() {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0..=0x1F => {
                buf.extend_from_slice(b"\\u00");
                push2_hex(buf, b);
            }
            _ => buf.push(b),
        }
    }
    buf.push(b'"');
}

fn push2_hex(buf: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(HEX[(b >> 4) as usize]);
    buf.push(HEX[(b & 15) as usize]);
}
