//! The official PRC working-day calendar (工作日).
//!
//! Where a regulation says "N working days" it means the official calendar:
//! weekends and public holidays are off, and the make-up working days
//! (调休上班) announced each year by the State Council General Office
//! (国务院办公厅关于XXXX年部分节假日安排的通知) are on.
//!
//! # Counting convention (RULES.md §1)
//!
//! The day of the triggering event is not counted (期间开始之日不计算在内);
//! day 1 is the first working day *after* the event's date (its Asia/Shanghai
//! local date); the deadline is the end (24:00 Asia/Shanghai) of day N. An
//! event on a non-working day therefore also starts on the next working day.
//! `n == 0` ("on the spot") means the event's date itself if it is a working
//! day, otherwise the next working day.
//!
//! # Data
//!
//! The shipped data is `rules/calendar/cn.toml`, compiled in and parsed once
//! ([`Calendar::builtin`]). A bureau can add or correct a year without a new
//! release with an override file in the same format
//! ([`Calendar::with_overrides`]): a year present in both is replaced by the
//! override's entry as a whole.
//!
//! The covered years must be contiguous (checked on load; an error names the
//! missing year), so [`Calendar::years`] is a plain range. Dates outside the
//! covered years are an error ([`CalendarError::MissingYear`]) for the strict
//! functions; the `*_provisional` functions fall back to weekends-only for the
//! missing years and flag the result.
//!
//! A notice can list days of the previous December (a 元旦 break that starts
//! on Dec 30/31, or a make-up Saturday). Those dates belong to the calendar
//! year they fall in: they are applied to that year when it is covered; when
//! it is not (2018 for the 2019 notice) they are kept for [`Calendar::holiday_name`]
//! and for the provisional fallback only. Conversely, the last days of the
//! last covered year are final only once the next year's notice is loaded.
//!
//! # Performance
//!
//! The calendar precomputes, for every covered day, the number of working
//! days before it and the sorted list of working days, so
//! [`Calendar::add_working_days`], [`Calendar::is_working_day`] and
//! [`Calendar::working_days_between`] are O(1).

pub mod cli;
mod data;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use data::{YearEntry, invalid};

/// The time zone in which event instants are turned into dates and deadlines
/// expire: China Standard Time.
pub const TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// The shipped calendar data.
const BUILTIN_TOML: &str = include_str!("../../rules/calendar/cn.toml");
/// The name of the shipped data in error messages.
const BUILTIN_ORIGIN: &str = "rules/calendar/cn.toml (built-in)";

static BUILTIN: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::from_toml_str(BUILTIN_TOML, BUILTIN_ORIGIN)
        .unwrap_or_else(|e| panic!("the shipped calendar data is invalid: {e}"))
});

/// Errors of the working-day calendar.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// A date falls in a year for which no State Council notice is loaded.
    #[error(
        "no official working-day calendar data for {year} (the loaded calendar covers {covered}): \
         the arrangement of 国务院办公厅关于{year}年部分节假日安排的通知 is not loaded. \
         To add it without a new release, write a TOML file in the format of \
         rules/calendar/cn.toml with a [[year]] entry for {year} (notice, doc_number, dated, \
         holidays, makeup_workdays) and load it as a calendar override file \
         (Calendar::with_overrides)"
    )]
    MissingYear {
        /// The year without data.
        year: i32,
        /// The covered years, e.g. `2019–2026`.
        covered: String,
    },
    /// The file is not valid TOML.
    #[error("{origin}: not a valid calendar file (TOML syntax): {message}")]
    Parse {
        /// The file (path or name) that failed.
        origin: String,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// The file is valid TOML but its content is wrong.
    #[error("{origin}: {}{field}: {message}", year_prefix(.year))]
    Invalid {
        /// The file (path or name) that failed.
        origin: String,
        /// The `[[year]]` entry concerned, if any.
        year: Option<i32>,
        /// The field, as a TOML path inside the entry (e.g. `holidays[1].from`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An override file could not be read.
    #[error("{}: cannot read calendar override file: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl CalendarError {
    /// The same in Chinese, for a page (the bureau's staff read it there;
    /// the log and the API keep the words above).
    pub fn chinese(&self) -> String {
        match self {
            CalendarError::MissingYear { year, covered } => format!(
                "缺少{year}年的官方工作日历（已载入{covered}年）：《国务院办公厅关于{year}年部分节假日安排的通知》尚未载入。\
                 通知发布后，按 rules/calendar/cn.toml 的格式写入日历覆盖文件（dukao.toml 的 calendar_overrides）即可，无需升级"
            ),
            CalendarError::Parse { origin, message } => {
                format!("{origin}：日历文件不是有效的 TOML（{message}）")
            }
            CalendarError::Invalid {
                origin,
                year,
                field,
                message,
            } => format!(
                "{origin}：{}{field}：{message}",
                year.map_or(String::new(), |y| format!("{y}年条目 "))
            ),
            CalendarError::Io { path, source } => {
                format!("{}：无法读取日历覆盖文件（{source}）", path.display())
            }
        }
    }
}

fn year_prefix(year: &Option<i32>) -> String {
    match year {
        Some(y) => format!("year {y}: "),
        None => String::new(),
    }
}

/// A result computed partly without official data: `provisional` is true when
/// some day needed was in a year without a loaded notice, for which
/// weekends-only was assumed; `missing_years` lists those years (sorted).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Provisional<T> {
    /// The computed value.
    pub value: T,
    /// Whether any missing year was involved.
    pub provisional: bool,
    /// The years for which weekends-only was assumed.
    pub missing_years: Vec<i32>,
}

impl<T> Provisional<T> {
    fn exact(value: T) -> Self {
        Provisional {
            value,
            provisional: false,
            missing_years: Vec::new(),
        }
    }
}

/// A day known from a notice but outside the covered years (e.g. 2018-12-31
/// from the 2019 notice).
#[derive(Clone, Debug)]
struct OutsideDay {
    working: bool,
    name: Option<u16>,
}

/// The official PRC working-day calendar over a contiguous range of years.
///
/// Cheap to share (`&'static` via [`Calendar::builtin`]) and to clone.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// The validated source entries, by year.
    entries: BTreeMap<i32, YearEntry>,
    first_year: i32,
    last_year: i32,
    /// January 1 of `first_year`; day index 0.
    start: NaiveDate,
    /// `prefix[i]` = number of working days among day indices `0..i`;
    /// `len == days + 1`.
    prefix: Vec<u32>,
    /// Day indices of the working days, ascending.
    workdays: Vec<u32>,
    /// Interned holiday names.
    names: Vec<String>,
    /// Per day: 0 = no holiday, k = `names[k - 1]`.
    day_name: Vec<u16>,
    /// Days known from a notice that fall outside the covered years.
    outside: BTreeMap<NaiveDate, OutsideDay>,
}

impl Calendar {
    /// The calendar shipped with the crate (`rules/calendar/cn.toml`), parsed
    /// once. Panics only if the shipped file is broken, which a test guards.
    pub fn builtin() -> &'static Calendar {
        &BUILTIN
    }

    /// Parses a calendar from TOML text in the format of
    /// `rules/calendar/cn.toml`. `origin` names the source in error messages.
    /// The years must be contiguous.
    pub fn from_toml_str(src: &str, origin: &str) -> Result<Calendar, CalendarError> {
        let entries = data::parse_file(src, origin)?;
        Self::build(entries.into_iter().map(|e| (e.year, e)).collect())
    }

    /// Returns a new calendar with the years of the override file at `path`
    /// merged in. A year present in both is replaced by the override's entry
    /// as a whole (holidays, make-up days, notice, amendments). The file is
    /// validated like the shipped one (dates inside their year, holidays not
    /// on make-up days, `from <= to`, no duplicate years in the file), and the
    /// merged years must still be contiguous.
    pub fn with_overrides(&self, path: &Path) -> Result<Calendar, CalendarError> {
        let src = std::fs::read_to_string(path).map_err(|source| CalendarError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let entries = data::parse_file(&src, &path.display().to_string())?;
        let mut merged = self.entries.clone();
        for e in entries {
            merged.insert(e.year, e);
        }
        Self::build(merged)
    }

    /// The covered years (always contiguous).
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.first_year..=self.last_year
    }

    /// Whether official data for `year` is loaded.
    pub fn covers(&self, year: i32) -> bool {
        self.years().contains(&year)
    }

    /// Whether `date` is a working day: a weekday that is not a public
    /// holiday, or a make-up working day. Error if its year is not covered.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        match self.index(date) {
            Some(i) => Ok(self.working_at(i)),
            None => Err(self.missing(date.year())),
        }
    }

    /// The name of the holiday break `date` belongs to (e.g. `春节`,
    /// `国庆节、中秋节`), as written in the notice; `None` for other days and
    /// for dates no loaded notice speaks of. Also answers for the days a
    /// notice lists in the previous, uncovered December (2018-12-31 → `元旦`).
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        let id = match self.index(date) {
            Some(i) => Some(self.day_name[i]).filter(|&k| k != 0),
            None => self.outside.get(&date).and_then(|o| o.name),
        }?;
        Some(self.names[usize::from(id) - 1].as_str())
    }

    /// Due date of a deadline of `n` working days counted from an event on
    /// `event_date` (RULES.md §1): the `n`-th working day after `event_date`;
    /// the deadline expires at the end of that day ([`Calendar::end_of_day`]).
    /// `n == 0` ("on the spot") gives `event_date` itself if it is a working
    /// day, otherwise the next working day.
    ///
    /// Only the days after the event (from the event day itself when
    /// `n == 0`) up to the due date need to be covered; otherwise
    /// [`CalendarError::MissingYear`] names the first year missing.
    pub fn add_working_days(
        &self,
        event_date: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let (first, k) = if n == 0 {
            (event_date, 0usize)
        } else {
            let next = event_date
                .succ_opt()
                .ok_or_else(|| self.missing(event_date.year().saturating_add(1)))?;
            (next, n as usize - 1)
        };
        let i = self
            .index(first)
            .ok_or_else(|| self.missing(first.year()))?;
        let rank = self.prefix[i] as usize + k;
        match self.workdays.get(rank) {
            Some(&idx) => Ok(self.date_at(idx)),
            None => Err(self.missing(self.last_year + 1)),
        }
    }

    /// Same as [`Calendar::add_working_days`], from an instant: the event's
    /// date is its Asia/Shanghai local date (23:59 local on the 27th, i.e.
    /// 15:59 UTC, is the 27th; 16:00 UTC is already the 28th).
    pub fn due_date(&self, event: DateTime<Utc>, n: u32) -> Result<NaiveDate, CalendarError> {
        self.add_working_days(event.with_timezone(&TIMEZONE).date_naive(), n)
    }

    /// The instant a deadline due on `date` expires: the end of that day,
    /// i.e. the next day 00:00 Asia/Shanghai, as UTC. An instant is late if
    /// it is at or after this value.
    pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
        // NaiveDate::MAX has no next day; its end is clamped to its start.
        let next = date.succ_opt().unwrap_or(date);
        let midnight = next.and_time(NaiveTime::MIN);
        match TIMEZONE.from_local_datetime(&midnight).earliest() {
            Some(t) => t.with_timezone(&Utc),
            // Midnight skipped by a historical DST change: use UTC+8.
            None => Utc.from_utc_datetime(&(midnight - chrono::Duration::hours(8))),
        }
    }

    /// The number of working days strictly after `from` up to and including
    /// `to` (0 if `to <= from`); used for "how many working days late". For
    /// `to = add_working_days(from, n)` it is `n` (n ≥ 1).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let first = from.succ_opt().expect("from < to, so from has a successor");
        let a = self
            .index(first)
            .ok_or_else(|| self.missing(first.year()))?;
        let b = self
            .index(to)
            .ok_or_else(|| self.missing(self.last_year + 1))?;
        Ok(i64::from(self.prefix[b + 1]) - i64::from(self.prefix[a]))
    }

    /// Lenient [`Calendar::add_working_days`]: where a needed year is not
    /// covered, weekends-only is assumed for it (plus any days a loaded notice
    /// lists in it), and the result is flagged provisional with the years
    /// concerned. Never silently: check `provisional`.
    pub fn add_working_days_provisional(
        &self,
        event_date: NaiveDate,
        n: u32,
    ) -> Provisional<NaiveDate> {
        if let Ok(d) = self.add_working_days(event_date, n) {
            return Provisional::exact(d);
        }
        let (mut d, mut remaining) = if n == 0 {
            (event_date, 1u32)
        } else {
            match event_date.succ_opt() {
                Some(next) => (next, n),
                None => return self.flagged(event_date, vec![event_date.year()]),
            }
        };
        let mut missing: Vec<i32> = Vec::new();
        loop {
            let (working, covered) = self.status(d);
            if !covered && missing.last() != Some(&d.year()) {
                missing.push(d.year());
            }
            if working {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        missing.sort_unstable();
        missing.dedup();
        self.flagged(d, missing)
    }

    /// Lenient [`Calendar::is_working_day`]: for an uncovered year, Monday to
    /// Friday are working days (unless a loaded notice says otherwise for that
    /// date), flagged provisional.
    pub fn is_working_day_provisional(&self, date: NaiveDate) -> Provisional<bool> {
        let (working, covered) = self.status(date);
        if covered {
            Provisional::exact(working)
        } else {
            self.flagged(working, vec![date.year()])
        }
    }

    /// The governing notice of `year` for citations: `(title, doc_number)`,
    /// e.g. `("国务院办公厅关于2025年部分节假日安排的通知", "国办发明电〔2024〕12号")`.
    pub fn notice(&self, year: i32) -> Option<(&str, &str)> {
        self.entries
            .get(&year)
            .map(|e| (e.notice.as_str(), e.doc_number.as_str()))
    }

    /// Later notices that changed `year`'s arrangement, as `(title,
    /// doc_number)` (e.g. 2019's May Day, 2020's Spring Festival); empty if
    /// none or not covered. Cite them with [`Calendar::notice`] when a
    /// deadline crosses the changed days.
    pub fn amendments(&self, year: i32) -> Vec<(&str, &str)> {
        self.entries
            .get(&year)
            .map(|e| {
                e.amendments
                    .iter()
                    .map(|a| (a.notice.as_str(), a.doc_number.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    // ----- internals -------------------------------------------------------

    fn build(entries: BTreeMap<i32, YearEntry>) -> Result<Calendar, CalendarError> {
        let (first_year, last_year) = match (entries.keys().next(), entries.keys().next_back()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => return Err(invalid("calendar", None, "year", "no [[year]] entries")),
        };
        // Contiguity.
        for (a, b) in entries.keys().zip(entries.keys().skip(1)) {
            if *b != *a + 1 {
                let gap = if *b == *a + 2 {
                    format!("{}", a + 1)
                } else {
                    format!("{}–{}", a + 1, b - 1)
                };
                return Err(invalid(
                    &entries[b].origin,
                    Some(a + 1),
                    "year",
                    format!(
                        "the covered years must be contiguous, but {a} is followed by {b}: add the notice(s) for {gap}"
                    ),
                ));
            }
        }
        let start = NaiveDate::from_ymd_opt(first_year, 1, 1).expect("year range checked");
        let end = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("year range checked");
        let len = (end - start).num_days() as usize + 1;
        let idx = |d: NaiveDate| (d - start).num_days() as usize;

        let mut working: Vec<bool> = start
            .iter_days()
            .take(len)
            .map(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .collect();
        let mut day_name = vec![0u16; len];
        let mut names: Vec<String> = Vec::new();
        let mut intern = |name: &str| -> u16 {
            let pos = names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.to_string());
                names.len() - 1
            });
            u16::try_from(pos + 1).expect("fewer than 65535 distinct holiday names")
        };
        let mut outside: BTreeMap<NaiveDate, OutsideDay> = BTreeMap::new();

        for e in entries.values() {
            for h in &e.holidays {
                let id = intern(&h.name);
                for d in h.days() {
                    working[idx(d)] = false;
                    day_name[idx(d)] = id;
                }
            }
            for &d in &e.makeup_workdays {
                working[idx(d)] = true;
                day_name[idx(d)] = 0;
            }
        }
        // Days a notice lists in the previous year.
        for e in entries.values() {
            let prev = entries.get(&(e.year - 1));
            for (i, h) in e.prior_year_holidays.iter().enumerate() {
                let id = intern(&h.name);
                for d in h.days() {
                    if let Some(p) = prev {
                        if p.makeup_workdays.contains(&d) {
                            return Err(invalid(
                                &e.origin,
                                Some(e.year),
                                format!("prior_year_holidays[{i}]"),
                                format!(
                                    "{d} is a day off in the {} notice but a make-up working day in the entry for {} ({})",
                                    e.year, p.year, p.origin
                                ),
                            ));
                        }
                        working[idx(d)] = false;
                        day_name[idx(d)] = id;
                    } else {
                        outside.insert(
                            d,
                            OutsideDay {
                                working: false,
                                name: Some(id),
                            },
                        );
                    }
                }
            }
            for (i, &d) in e.prior_year_makeup_workdays.iter().enumerate() {
                if let Some(p) = prev {
                    if let Some(h) = p.holidays.iter().find(|h| h.contains(d)) {
                        return Err(invalid(
                            &e.origin,
                            Some(e.year),
                            format!("prior_year_makeup_workdays[{i}]"),
                            format!(
                                "{d} is a make-up working day in the {} notice but inside the holiday {} of the entry for {} ({})",
                                e.year, h.name, p.year, p.origin
                            ),
                        ));
                    }
                    working[idx(d)] = true;
                    day_name[idx(d)] = 0;
                } else {
                    outside.insert(
                        d,
                        OutsideDay {
                            working: true,
                            name: None,
                        },
                    );
                }
            }
        }

        let mut prefix = Vec::with_capacity(len + 1);
        let mut workdays = Vec::with_capacity(len * 3 / 4);
        let mut count = 0u32;
        prefix.push(0);
        for (i, &w) in working.iter().enumerate() {
            if w {
                workdays.push(i as u32);
                count += 1;
            }
            prefix.push(count);
        }

        Ok(Calendar {
            entries,
            first_year,
            last_year,
            start,
            prefix,
            workdays,
            names,
            day_name,
            outside,
        })
    }

    /// Day index of `d`, if covered.
    fn index(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.start).num_days();
        if i >= 0 && (i as usize) + 1 < self.prefix.len() {
            Some(i as usize)
        } else {
            None
        }
    }

    fn working_at(&self, i: usize) -> bool {
        self.prefix[i + 1] != self.prefix[i]
    }

    fn date_at(&self, i: u32) -> NaiveDate {
        self.start + Days::new(u64::from(i))
    }

    /// `(working, covered)`; for uncovered dates: a notice's explicit
    /// statement if any, else Monday–Friday.
    fn status(&self, d: NaiveDate) -> (bool, bool) {
        match self.index(d) {
            Some(i) => (self.working_at(i), true),
            None => {
                let working = match self.outside.get(&d) {
                    Some(o) => o.working,
                    None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
                };
                (working, false)
            }
        }
    }

    fn covered_label(&self) -> String {
        if self.first_year == self.last_year {
            self.first_year.to_string()
        } else {
            format!("{}–{}", self.first_year, self.last_year)
        }
    }

    fn missing(&self, year: i32) -> CalendarError {
        CalendarError::MissingYear {
            year,
            covered: self.covered_label(),
        }
    }

    fn flagged<T>(&self, value: T, missing_years: Vec<i32>) -> Provisional<T> {
        Provisional {
            value,
            provisional: true,
            missing_years,
        }
    }
}
