//! Parsing and per-file validation of calendar TOML files
//! (`rules/calendar/cn.toml` and bureau override files).
//!
//! The file is walked by hand (not through `serde` derive) so that every error
//! names the file, the year and the field, e.g.
//! `overrides.toml: year 2027: holidays[1].from: 2027-02-30 is not a valid date`.
//!
//! Checks done here, on each `[[year]]` entry of one file:
//! - only known keys; required keys present and of the right type;
//! - `year` between 1900 and 9999, listed at most once in the file;
//! - `holidays`: at least one; non-empty names; `from <= to`; both dates inside
//!   `year`; no two ranges overlap;
//! - `makeup_workdays`: inside `year`, on a Saturday or Sunday (a weekday is a
//!   working day anyway, so a weekday here is a transcription error), no
//!   duplicates, never inside a holiday range;
//! - `prior_year_holidays` / `prior_year_makeup_workdays`: the same rules, but
//!   every date inside `year - 1`;
//! - `dated` (and each amendment's) no later than the end of `year`.
//!
//! Checks across years (contiguity, spill-over into a covered previous year)
//! are done when the calendar is built, in `mod.rs`.

use chrono::{Datelike, NaiveDate, Weekday};
use toml::Value;

use super::CalendarError;

/// One holiday break: inclusive date range with its name as in the notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HolidaySpan {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl HolidaySpan {
    pub(crate) fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    pub(crate) fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }
}

/// A later notice that changed a year's arrangement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Amendment {
    pub notice: String,
    pub doc_number: String,
    #[allow(dead_code)] // kept for completeness of the record
    pub dated: NaiveDate,
    #[allow(dead_code)]
    pub summary: Option<String>,
}

/// One validated `[[year]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YearEntry {
    pub year: i32,
    pub notice: String,
    pub doc_number: String,
    #[allow(dead_code)]
    pub dated: NaiveDate,
    pub holidays: Vec<HolidaySpan>,
    pub makeup_workdays: Vec<NaiveDate>,
    pub prior_year_holidays: Vec<HolidaySpan>,
    pub prior_year_makeup_workdays: Vec<NaiveDate>,
    pub amendments: Vec<Amendment>,
    #[allow(dead_code)]
    pub note: Option<String>,
    /// The file the entry came from, for error messages.
    pub origin: String,
}

const YEAR_KEYS: &[&str] = &[
    "year",
    "notice",
    "doc_number",
    "dated",
    "holidays",
    "makeup_workdays",
    "prior_year_holidays",
    "prior_year_makeup_workdays",
    "amendments",
    "note",
];
const HOLIDAY_KEYS: &[&str] = &["name", "from", "to"];
const AMENDMENT_KEYS: &[&str] = &["notice", "doc_number", "dated", "summary"];

/// Builds a [`CalendarError::Invalid`].
pub(crate) fn invalid(
    origin: &str,
    year: Option<i32>,
    field: impl Into<String>,
    message: impl Into<String>,
) -> CalendarError {
    CalendarError::Invalid {
        origin: origin.to_string(),
        year,
        field: field.into(),
        message: message.into(),
    }
}

/// Error context of one `[[year]]` entry.
struct Ctx<'a> {
    origin: &'a str,
    year: Option<i32>,
}

impl Ctx<'_> {
    fn err(&self, field: impl Into<String>, message: impl Into<String>) -> CalendarError {
        invalid(self.origin, self.year, field, message)
    }
}

/// Parses and validates one calendar file. Returns its entries in file order.
pub(crate) fn parse_file(src: &str, origin: &str) -> Result<Vec<YearEntry>, CalendarError> {
    let table: toml::Table = toml::from_str(src).map_err(|e| CalendarError::Parse {
        origin: origin.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let file = Ctx { origin, year: None };
    for key in table.keys() {
        if key != "year" {
            return Err(file.err(
                key.as_str(),
                "unknown top-level key; a calendar file holds only [[year]] entries",
            ));
        }
    }
    let years = match table.get("year") {
        None => return Err(file.err("year", "the file has no [[year]] entries")),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(file.err(
                "year",
                format!(
                    "must be an array of tables ([[year]]), found {}",
                    other.type_str()
                ),
            ));
        }
    };
    if years.is_empty() {
        return Err(file.err("year", "the file has no [[year]] entries"));
    }
    let mut entries: Vec<YearEntry> = Vec::with_capacity(years.len());
    for (i, v) in years.iter().enumerate() {
        let entry = parse_year(v, i, origin)?;
        if entries.iter().any(|e| e.year == entry.year) {
            return Err(invalid(
                origin,
                Some(entry.year),
                "year",
                format!(
                    "year {} is listed more than once in this file (entry {} is a duplicate)",
                    entry.year,
                    i + 1
                ),
            ));
        }
        entries.push(entry);
    }
    Ok(entries)
}

fn parse_year(v: &Value, index: usize, origin: &str) -> Result<YearEntry, CalendarError> {
    let mut ctx = Ctx { origin, year: None };
    let t = v.as_table().ok_or_else(|| {
        ctx.err(
            format!("year[{index}]"),
            format!("must be a table ([[year]]), found {}", v.type_str()),
        )
    })?;
    let year = match t.get("year") {
        None => {
            return Err(ctx.err(
                format!("year[{index}].year"),
                format!("[[year]] entry {} has no `year` key", index + 1),
            ));
        }
        Some(Value::Integer(y)) if (1900..=9999).contains(y) => *y as i32,
        Some(Value::Integer(y)) => {
            return Err(ctx.err(
                format!("year[{index}].year"),
                format!("{y} is out of range (1900–9999)"),
            ));
        }
        Some(other) => {
            return Err(ctx.err(
                format!("year[{index}].year"),
                format!("must be an integer, found {}", other.type_str()),
            ));
        }
    };
    ctx.year = Some(year);
    check_keys(t, YEAR_KEYS, "", &ctx)?;

    let notice = req_str(t, "notice", "notice", &ctx)?;
    let doc_number = req_str(t, "doc_number", "doc_number", &ctx)?;
    let dated = req_date(t, "dated", "dated", &ctx)?;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("year range checked");
    if dated > year_end {
        return Err(ctx.err(
            "dated",
            format!("{dated} is after the end of {year}; a notice for {year} is dated before or during it"),
        ));
    }
    let note = opt_str(t, "note", "note", &ctx)?;

    let holidays = spans(t, "holidays", year, true, &ctx)?;
    let makeup_workdays = dates(t, "makeup_workdays", year, true, &holidays, &ctx)?;
    let prior_year_holidays = spans(t, "prior_year_holidays", year - 1, false, &ctx)?;
    let prior_year_makeup_workdays = dates(
        t,
        "prior_year_makeup_workdays",
        year - 1,
        false,
        &prior_year_holidays,
        &ctx,
    )?;

    let mut amendments = Vec::new();
    if let Some(v) = t.get("amendments") {
        let arr = v.as_array().ok_or_else(|| {
            ctx.err(
                "amendments",
                format!("must be an array of tables, found {}", v.type_str()),
            )
        })?;
        for (i, a) in arr.iter().enumerate() {
            let field = format!("amendments[{i}]");
            let at = a.as_table().ok_or_else(|| {
                ctx.err(
                    field.as_str(),
                    format!(
                        "must be a table {{ notice, doc_number, dated, summary }}, found {}",
                        a.type_str()
                    ),
                )
            })?;
            check_keys(at, AMENDMENT_KEYS, &field, &ctx)?;
            let am = Amendment {
                notice: req_str(at, "notice", &format!("{field}.notice"), &ctx)?,
                doc_number: req_str(at, "doc_number", &format!("{field}.doc_number"), &ctx)?,
                dated: req_date(at, "dated", &format!("{field}.dated"), &ctx)?,
                summary: opt_str(at, "summary", &format!("{field}.summary"), &ctx)?,
            };
            if am.dated > year_end {
                return Err(ctx.err(
                    format!("{field}.dated"),
                    format!("{} is after the end of {year}", am.dated),
                ));
            }
            amendments.push(am);
        }
    }

    Ok(YearEntry {
        year,
        notice,
        doc_number,
        dated,
        holidays,
        makeup_workdays,
        prior_year_holidays,
        prior_year_makeup_workdays,
        amendments,
        note,
        origin: origin.to_string(),
    })
}

fn check_keys(
    t: &toml::Table,
    allowed: &[&str],
    prefix: &str,
    ctx: &Ctx,
) -> Result<(), CalendarError> {
    for key in t.keys() {
        if !allowed.contains(&key.as_str()) {
            let field = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            return Err(ctx.err(
                field,
                format!("unknown key; expected one of: {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn req_str(t: &toml::Table, key: &str, field: &str, ctx: &Ctx) -> Result<String, CalendarError> {
    match opt_str(t, key, field, ctx)? {
        Some(s) => Ok(s),
        None => Err(ctx.err(field, "missing")),
    }
}

fn opt_str(
    t: &toml::Table,
    key: &str,
    field: &str,
    ctx: &Ctx,
) -> Result<Option<String>, CalendarError> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ctx.err(field, "must not be empty")),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(ctx.err(
            field,
            format!("must be a string, found {}", other.type_str()),
        )),
    }
}

fn req_date(
    t: &toml::Table,
    key: &str,
    field: &str,
    ctx: &Ctx,
) -> Result<NaiveDate, CalendarError> {
    match t.get(key) {
        None => Err(ctx.err(field, "missing")),
        Some(v) => date_value(v).map_err(|m| ctx.err(field, m)),
    }
}

/// Accepts `"2025-01-01"` (string) or a bare TOML local date `2025-01-01`.
fn date_value(v: &Value) -> Result<NaiveDate, String> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            let ok = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
            let parsed = if ok {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
            } else {
                None
            };
            parsed.ok_or_else(|| format!("{s:?} is not a valid date (expected \"YYYY-MM-DD\")"))
        }
        Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
            .date
            .and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            })
            .ok_or_else(|| format!("{dt} is not a valid date")),
        Value::Datetime(dt) => Err(format!(
            "{dt} has a time or offset; expected a plain date \"YYYY-MM-DD\""
        )),
        other => Err(format!(
            "expected a date \"YYYY-MM-DD\", found {}",
            other.type_str()
        )),
    }
}

fn in_year_msg(d: NaiveDate, expected_year: i32, key: &str) -> String {
    if key.starts_with("prior_year_") {
        format!(
            "{d} is not in {expected_year}; `{key}` holds only the days of this notice that fall in the previous year"
        )
    } else {
        format!(
            "{d} is not in {expected_year}; a date belongs to the calendar year it falls in (days of this notice in the previous year go in `prior_year_holidays` / `prior_year_makeup_workdays`)"
        )
    }
}

/// Parses an array of `{ name, from, to }` (the key may be absent unless `required`).
fn spans(
    t: &toml::Table,
    key: &str,
    expected_year: i32,
    required: bool,
    ctx: &Ctx,
) -> Result<Vec<HolidaySpan>, CalendarError> {
    let arr = match t.get(key) {
        None if required => return Err(ctx.err(key, "missing")),
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(ctx.err(
                key,
                format!(
                    "must be an array of {{ name, from, to }} tables, found {}",
                    other.type_str()
                ),
            ));
        }
    };
    if required && arr.is_empty() {
        return Err(ctx.err(key, "must list at least one holiday"));
    }
    let mut out: Vec<HolidaySpan> = Vec::with_capacity(arr.len());
    for (i, v) in arr.iter().enumerate() {
        let field = format!("{key}[{i}]");
        let ht = v.as_table().ok_or_else(|| {
            ctx.err(
                field.as_str(),
                format!(
                    "must be a table {{ name, from, to }}, found {}",
                    v.type_str()
                ),
            )
        })?;
        check_keys(ht, HOLIDAY_KEYS, &field, ctx)?;
        let name = req_str(ht, "name", &format!("{field}.name"), ctx)?;
        let from = req_date(ht, "from", &format!("{field}.from"), ctx)?;
        let to = req_date(ht, "to", &format!("{field}.to"), ctx)?;
        if from.year() != expected_year {
            return Err(ctx.err(
                format!("{field}.from"),
                in_year_msg(from, expected_year, key),
            ));
        }
        if to.year() != expected_year {
            return Err(ctx.err(format!("{field}.to"), in_year_msg(to, expected_year, key)));
        }
        if from > to {
            return Err(ctx.err(
                format!("{field}.from"),
                format!("{name}: from {from} is after to {to}"),
            ));
        }
        let span = HolidaySpan { name, from, to };
        if let Some(other) = out.iter().find(|o| o.from <= span.to && span.from <= o.to) {
            return Err(ctx.err(
                field.as_str(),
                format!(
                    "{} {}..{} overlaps {} {}..{}",
                    span.name, span.from, span.to, other.name, other.from, other.to
                ),
            ));
        }
        out.push(span);
    }
    out.sort_by_key(|s| s.from);
    Ok(out)
}

/// Parses an array of make-up working days.
fn dates(
    t: &toml::Table,
    key: &str,
    expected_year: i32,
    required: bool,
    holidays: &[HolidaySpan],
    ctx: &Ctx,
) -> Result<Vec<NaiveDate>, CalendarError> {
    let arr = match t.get(key) {
        None if required => {
            return Err(ctx.err(
                key,
                "missing (write `makeup_workdays = []` if the notice has none)",
            ));
        }
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(ctx.err(
                key,
                format!("must be an array of dates, found {}", other.type_str()),
            ));
        }
    };
    let mut out: Vec<NaiveDate> = Vec::with_capacity(arr.len());
    for (i, v) in arr.iter().enumerate() {
        let field = format!("{key}[{i}]");
        let d = date_value(v).map_err(|m| ctx.err(field.as_str(), m))?;
        if d.year() != expected_year {
            return Err(ctx.err(field, in_year_msg(d, expected_year, key)));
        }
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(ctx.err(
                field,
                format!(
                    "{d} is a {:?}; make-up working days (调休上班) are Saturdays or Sundays",
                    d.weekday()
                ),
            ));
        }
        if out.contains(&d) {
            return Err(ctx.err(field, format!("{d} is listed twice")));
        }
        if let Some(h) = holidays.iter().find(|h| h.contains(d)) {
            return Err(ctx.err(
                field,
                format!(
                    "{d} is a make-up working day but also inside the holiday {} {}..{}",
                    h.name, h.from, h.to
                ),
            ));
        }
        out.push(d);
    }
    out.sort();
    Ok(out)
}
