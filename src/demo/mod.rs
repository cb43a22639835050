//! The deterministic demo municipality: a synthetic but realistic data set
//! in interchange format v1 (DESIGN.md), for demonstrations, tests and load
//! measurements.
//!
//! [`generate`] writes one file per table (`<table>.csv`, or `.ndjson` with
//! [`OutputFormat::Ndjson`]). The same [`DemoOptions`] always give
//! byte-identical files: the generator has its own PRNG ([`rng`],
//! xoshiro256** seeded by SplitMix64, one stream per table), never iterates
//! a hash map and never reads the clock.
//!
//! It covers two full years: the demo year (default 2025) and the year
//! before it, generated alike, so that the evaluation's year-over-year
//! comparison compares like with like: the same departments with the same
//! habits, the same catalog, independent draws (scores move both ways, by a
//! few points). Both years must be covered by the built-in working-day
//! calendar (2019 onwards, so the demo year 2020 at the earliest);
//! everything happens by 31 December 24:00 of the demo year, which is the
//! moment of the export: anything due later is simply still open.
//! The year before has a tenth less activity ([`PREVIOUS_YEAR_ACTIVITY`]:
//! requests, corrections, open-data applications, findings).
//!
//! # The places
//!
//! Rows per year covered (the year before / the demo year; "earlier": the
//! carried-over grants and their requests, and those grants' first months
//! in the access log), as measured with seed 7; `province` is ten times
//! `city` (not measured).
//!
//! | scale | cities | counties per city | departments | entries | requests | grants | access-log rows | rows in all |
//! |---|---|---|---|---|---|---|---|---|
//! | `small` | 1 | 3 (a district, 新川县, a zone) | 25 | 1,500 | 5,400 / 6,000 (+5,760 earlier) | 4,727 / 5,306 (+5,720) | 184,593 / 228,627 (+50,440) | 777,952 |
//! | `city` | 1 | 10 (2 districts, 7 counties, 1 zone) | 125 | 20,000 | 180,000 / 200,000 (+192,000) | 157,496 / 175,561 (+190,931) | 42.7 / 52.3 million (+9.0 million) | 107.9 million |
//! | `province` | 10 | 10 each | 1,250 | 200,000 | 1.8 / 2 million (+1.9 million) | ≈5.2 million | ≈1 billion | ≈1.1 billion |
//!
//! The city is 云州市 (division code 141200, profile `jincheng`); its
//! county 新川县 carries its own measures (profile `xinxian`); the other
//! counties leave `profile` empty and inherit the city's. A `province` is
//! one file set holding ten cities (澄州市, 岚州市 … with generated county
//! names), whose profiles rotate through `jincheng`, `yingkou` and
//! `pingdingshan`; cities have no parent (there is no province level in the
//! interchange format). Every jurisdiction has one authority department
//! (云州市政务服务和大数据管理局, XX县大数据发展中心, XX区政务服务和大数据管理局,
//! 云州高新区政务服务局). Departments carry real names with the
//! jurisdiction's prefix (国家税务总局…税务局, 云州市公安局云中分局 …) and
//! valid GB 32100 credit codes: `11` (organs) or `12` (public institutions),
//! the division code, an 8-digit organisation code with its GB 11714 check
//! character, and the MOD 31 check character. Internal bureaus of the zone
//! committee mostly have none (`credit_code` empty).
//!
//! Some departments have bad habits (per city: two large city departments
//! answer late, and about 6–12 % of departments each refuse carelessly,
//! let data go stale, skip maintenance, catalog sloppily or correct late),
//! so that violations concentrate as they do in reality.
//!
//! # What the tables contain
//!
//! Each table holds both years; ids carry the year of the record (below).
//!
//! - **catalog_entries**: shared by both years. Names from each
//!   department's real resource types with qualifiers. Share type:
//!   base-database resources always unconditional; personal/sensitive
//!   resources 30 % unconditional, 55 % conditional, 15 % not shared;
//!   others 85/12/3 — about 77/18/5 overall. 8 % of conditional or
//!   not-shared entries lack a `share_basis` (35 % at sloppy departments;
//!   ≈12 % overall) — a violation. Open type: sensitive or not-shared
//!   entries 90 % `none`, others 25 % `unconditional`, 35 %
//!   `on_application`, 40 % `none`. Update cycle by name where obvious
//!   (monitoring data realtime, statistics monthly to annual), otherwise
//!   realtime 6 %, daily 14 %, weekly 8 %, monthly 24 %, quarterly 16 %,
//!   semiannual 6 %, annual 18 %, irregular 8 % (overall about 9/14/7/18/20/
//!   8/20/4). `format` is the share method: `api` (mostly for
//!   realtime/daily), `database` (database table) or `file`. `item_count`
//!   log-normal around 18. Published from the first calendar year (at most
//!   six years back; 30 % in that year, the initial compilation, ≈12 % in
//!   the year before the demo year and ≈10 % in the demo year). 3 %
//!   withdrawn (from about four months before the first year covered), 15 %
//!   of those without approval (50 % at sloppy departments).
//! - **catalog_events** (11,232 at `small`, 147,269 for a city): `created`
//!   at publication, `withdrawn`, `maintained` for every live entry of a
//!   department in its quarterly full maintenance (eight quarters; done in
//!   94 % of quarters, 45 % at departments that skip it), `updated` for 8 %
//!   of entries ad hoc each year and after duty changes.
//! - **duty_changes**: about 0.45 per department a year (8 / 8 at `small`,
//!   50 / 52 for a city), 40 % `law_revision`; the catalog is updated
//!   within the profile's `catalog_update` limit in 72 %, late in 18 %,
//!   never in 10 % (35/35/30 at sloppy departments); each follow-up occurs
//!   at least once a year.
//! - **data_updates** (128,004 / 139,743 at `small`, 1.21 / 1.35 million
//!   for a city): see [`updates`]; each year, ≈ 5 % of entries fall behind
//!   and 2 % are not refreshed at all (40 % and 12 % at departments letting
//!   data go stale), drawn afresh each year.
//! - **share_requests**: see [`requests`]. About 50 % of a year's requests
//!   are for unconditional, 48 % for conditional and 1.5 % for not-shared
//!   entries. Unconditional requests are approved at review in 96 % (the
//!   authority's refusals, often returns for missing materials, give a
//!   reason in 97 %); the review takes longer than the requester's
//!   profile's `review` limit (JC) or the platform's pace elsewhere in 6 %.
//!   Conditional ones are forwarded and answered (84 % approved) within the
//!   provider's profile's `reply_conditional` limit ([`org::Deadlines`],
//!   read from the loaded profiles: JC from forwarding, by
//!   `already_published`, 75 % true; the others from submission) — late in
//!   3.5 % (35 % at the slow departments), stuck in 1.2 % (6 %); 4 % of
//!   refusals have no reason (30 % at careless departments). Overall ≈ 88 %
//!   approved, 11 % refused; pending at the export 2 % of the demo year's
//!   (December's and the stuck ones), under 1 % of the year before's (the
//!   stuck ones): refusals are the exception in practice, so grants come
//!   to about 0.88 per request (DESIGN.md's 100,000 grants a city is a
//!   planning figure; the access log is sized to its 50 million rows a year
//!   instead). Requests of the two years before the year before that led
//!   to a grant still in force when the years covered begin (about as many
//!   as a year's, ids `REQ-<year>-…`) are included, so that both years
//!   start with grants in force.
//! - **grants**: one per approved request. Lifetimes 6 months 8 %, 1 year
//!   38 %, 2 years 20 %, 3 years 29 %, over 3 years 5 % (JC Art.31
//!   breach, including 3 years and a few days); the carried-over ones have
//!   a term that reaches into the first year covered. 2 % revoked (5 % of
//!   the carried-over ones), and 30 % of the grants used in a short burst
//!   are revoked 3–5 months after their last use.
//! - **access_log**: see [`usage`]; the two years, and the first months of
//!   the carried-over grants (the profiles' longest `grant_unused` window,
//!   JC Art.31's three months), so that their use within it is on record.
//!   ≈ 7 % of the grants whose window ends in either year are not used
//!   within it; ≈ 6.5 % of all grants are never used.
//! - **corrections**: 90 in the demo year at `small`, 1,200 per city
//!   otherwise (81 and 1,080 the year before), see [`corrections`].
//! - **open_applications**: 300 in the demo year at `small`, 4,000 per city
//!   otherwise (270 and 3,600 the year before), see [`opening`].
//! - **findings**: 60 in the demo year at `small`, 500 per city otherwise
//!   (54 and 450 the year before), every category each year, see
//!   [`findings`] for the category mix.
//!
//! Timestamps are RFC 3339 with `+08:00`; 2 % are written without offset
//! (Asia/Shanghai local time), as some real exports do. Ids carry a
//! prefix per table: `JUR-141200`, `DEP-141221-003`, `CAT-000123`,
//! `EVT-00000123`, `DUT-2025-0012`, `REQ-2025-000123`, `GRT-2025-000123`,
//! `COR-2025-00012`, `OPA-2025-00012`, `FND-2025-0012`; the year is that of
//! the publication, submission, grant, correction or finding (a request of
//! December 2024 answered in January 2025 has a `GRT-2025-…` grant), and
//! numbers restart each year.

#![warn(missing_docs)]

pub mod cases;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod corrections;
pub mod findings;
pub mod names;
pub mod opening;
pub mod org;
pub mod people;
pub mod requests;
pub mod rng;
pub mod updates;
pub mod usage;
pub mod walkthrough;
pub mod workdays;
pub mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};

use crate::calendar::Calendar;
use workdays::WorkDays;
use writer::{Table, TableWriter};

/// Size of the demo data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scale {
    /// One city with 3 counties, 25 departments, 1,500 entries; 6,000
    /// requests and ≈230,000 access-log rows in the demo year, a little
    /// less in the year before: for demos and tests.
    #[default]
    Small,
    /// DESIGN.md's city: 125 departments in 10 counties plus the city,
    /// 20,000 entries; 200,000 requests and ≈50 million access-log rows in
    /// the demo year, a little less in the year before.
    City,
    /// Ten cities in one file set: ten times `city`.
    Province,
}

impl Scale {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::City => "city",
            Scale::Province => "province",
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scale name other than `small`, `city` or `province`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown demo scale {0:?}: expected small, city or province")]
pub struct UnknownScale(pub String);

impl FromStr for Scale {
    type Err = UnknownScale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "small" => Ok(Scale::Small),
            "city" => Ok(Scale::City),
            "province" => Ok(Scale::Province),
            other => Err(UnknownScale(other.to_string())),
        }
    }
}

/// File format of the generated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// `<table>.csv`: UTF-8, header row, RFC 4180 quoting.
    #[default]
    Csv,
    /// `<table>.ndjson`: one JSON object per line.
    Ndjson,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Seed of every random choice; the same options give the same bytes.
    pub seed: u64,
    /// Size of the data set.
    pub scale: Scale,
    /// The demo year. It and the year before it are covered in full
    /// (requests, updates, access log …); history (catalog publication,
    /// grants still in force) reaches back before them. Both years must be
    /// in the built-in working-day calendar.
    pub year: i32,
    /// File format.
    pub format: OutputFormat,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 7,
            scale: Scale::Small,
            year: 2025,
            format: OutputFormat::Csv,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Rows written per table, in the order the tables were written.
    pub tables: Vec<(String, u64)>,
}

/// Why the demo could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Creating or writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The working-day calendar does not cover the requested year or the
    /// year before it.
    #[error(
        "the built-in working-day calendar does not cover the demo year {year} and the year before it: {reason}"
    )]
    YearNotCovered {
        /// The requested year.
        year: i32,
        /// The calendar's answer.
        reason: String,
    },
    /// A regulation profile the demo's places use lacks a deadline the
    /// generator needs, or counts it in a way the generator cannot produce.
    #[error("the demo cannot generate data for regulation profile `{profile}`: {reason}")]
    Profile {
        /// The profile id.
        profile: String,
        /// What is missing or unsupported.
        reason: String,
    },
}

impl DemoError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        DemoError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Sizes of a scale, per city.
#[derive(Debug, Clone)]
pub struct ScaleParams {
    /// Number of cities.
    pub cities: usize,
    /// Counties, districts and zones per city.
    pub counties_per_city: usize,
    /// Departments of the city besides its authority.
    pub city_depts: usize,
    /// Departments of a county besides its authority.
    pub county_depts: usize,
    /// Catalog entries per city.
    pub entries_per_city: usize,
    /// Share requests per city in the demo year.
    pub requests_per_city: usize,
    /// Mean access-log rows on a day a grant is used: sized so that the demo
    /// year's log is about as large as DESIGN.md plans (≈50 million rows for
    /// a city; ≈230,000 at `small`, where it keeps the tests fast).
    pub access_rows_per_day: f64,
    /// Corrections per city in the demo year.
    pub corrections_per_city: usize,
    /// Open-data applications per city in the demo year.
    pub open_apps_per_city: usize,
    /// Inspection findings per city in the demo year.
    pub findings_per_city: usize,
}

/// Activity of the year before the demo year relative to the demo year
/// (requests, corrections, open-data applications, findings): sharing grows
/// by about a tenth a year.
pub const PREVIOUS_YEAR_ACTIVITY: f64 = 0.9;

/// One calendar year the demo covers in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The year.
    pub year: i32,
    /// 1 January.
    pub first: NaiveDate,
    /// 31 December.
    pub last: NaiveDate,
}

impl Span {
    fn of(year: i32) -> Option<Span> {
        Some(Span {
            year,
            first: NaiveDate::from_ymd_opt(year, 1, 1)?,
            last: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// `(month, day)` of this year.
    pub fn day(&self, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, month, day).expect("a valid day of the year")
    }
}

impl ScaleParams {
    /// The sizes of `scale`.
    pub fn of(scale: Scale) -> Self {
        let city = ScaleParams {
            cities: 1,
            counties_per_city: 10,
            city_depts: 24,
            county_depts: 9,
            entries_per_city: 20_000,
            requests_per_city: 200_000,
            access_rows_per_day: 1.5,
            corrections_per_city: 1_200,
            open_apps_per_city: 4_000,
            findings_per_city: 500,
        };
        match scale {
            Scale::Small => ScaleParams {
                cities: 1,
                counties_per_city: 3,
                city_depts: 12,
                county_depts: 3,
                entries_per_city: 1_500,
                requests_per_city: 6_000,
                access_rows_per_day: 0.12,
                corrections_per_city: 90,
                open_apps_per_city: 300,
                findings_per_city: 60,
            },
            Scale::City => city,
            Scale::Province => ScaleParams { cities: 10, ..city },
        }
    }
}

/// Everything the table generators share.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The seed.
    pub seed: u64,
    /// The demo year.
    pub year: i32,
    /// The two years covered in full: the year before the demo year, then
    /// the demo year.
    pub spans: [Span; 2],
    /// Working days from `history_start` to the end of the next year.
    pub wd: WorkDays,
    /// First day of the history (catalog publications).
    pub history_start: NaiveDate,
    /// 1 January of the year before the demo year: where the records
    /// covered in full begin (the access log, the data updates …).
    pub start: NaiveDate,
    /// 1 January of the demo year.
    pub year_start: NaiveDate,
    /// 31 December of the demo year.
    pub year_last: NaiveDate,
    /// 31 December 23:59:59 of the demo year: nothing happens after this.
    pub year_end: NaiveDateTime,
    /// Sizes.
    pub params: ScaleParams,
}

impl Ctx {
    fn new(opts: &DemoOptions) -> Result<Self, DemoError> {
        let year = opts.year;
        let cal = Calendar::builtin();
        let not_covered = |reason: String| DemoError::YearNotCovered { year, reason };
        let span = |y: i32| {
            Span::of(y).ok_or_else(|| not_covered(format!("{y} is not a representable year")))
        };
        let spans = [span(year.saturating_sub(1))?, span(year)?];
        for d in [spans[0].first, spans[1].last] {
            cal.is_working_day(d)
                .map_err(|e| not_covered(e.to_string()))?;
        }
        // History reaches back up to six years, within the calendar.
        let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
        let mut first_year = year;
        while first_year > year - 6
            && ymd(first_year - 1, 1, 1).is_some_and(|d| cal.is_working_day(d).is_ok())
        {
            first_year -= 1;
        }
        let history_start = ymd(first_year, 1, 1).expect("a covered year");
        let next_last = ymd(year + 1, 12, 31)
            .ok_or_else(|| not_covered(format!("{} is not a representable year", year + 1)))?;
        let wd = WorkDays::builtin(history_start, next_last);
        Ok(Ctx {
            seed: opts.seed,
            year,
            spans,
            wd,
            history_start,
            start: spans[0].first,
            year_start: spans[1].first,
            year_last: spans[1].last,
            year_end: spans[1].last.and_hms_opt(23, 59, 59).expect("valid time"),
            params: ScaleParams::of(opts.scale),
        })
    }

    /// How many of `per_year` (a demo-year count) happen in `span`.
    pub fn count_in(&self, span: &Span, per_year: usize) -> usize {
        if span.year == self.year {
            per_year
        } else {
            (per_year as f64 * PREVIOUS_YEAR_ACTIVITY).round() as usize
        }
    }
}

fn table<'a, F>(
    out_dir: &Path,
    opts: &DemoOptions,
    t: &'static Table,
    progress: &'a mut dyn FnMut(&str, u64),
    summary: &mut DemoSummary,
    body: F,
) -> Result<(), DemoError>
where
    F: FnOnce(&mut TableWriter<'a>) -> Result<(), DemoError>,
{
    let mut w = TableWriter::create(out_dir, t, opts.format, opts.seed, progress)?;
    body(&mut w)?;
    summary.tables.push(w.finish()?);
    Ok(())
}

/// Generate the demo data set into `out_dir` (created if missing; existing
/// table files are overwritten). `progress` hears `(table, rows written so
/// far)` every 65,536 rows and when a table is complete.
pub fn generate(
    out_dir: &Path,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<DemoSummary, DemoError> {
    let ctx = Ctx::new(opts)?;
    std::fs::create_dir_all(out_dir).map_err(|e| DemoError::io(out_dir, e))?;
    let mut summary = DemoSummary { tables: Vec::new() };

    let org = org::build(opts.seed, &ctx.params)?;
    table(
        out_dir,
        opts,
        &writer::JURISDICTIONS,
        progress,
        &mut summary,
        |w| {
            for j in &org.jurisdictions {
                w.str(&j.id);
                w.str(&j.name);
                w.str(j.level.as_str());
                w.opt_str(j.parent.map(|p| org.jurisdictions[p].id.as_str()));
                w.opt_str(j.profile);
                w.end_row()?;
            }
            Ok(())
        },
    )?;
    table(
        out_dir,
        opts,
        &writer::DEPARTMENTS,
        progress,
        &mut summary,
        |w| {
            for d in &org.departments {
                w.str(&d.id);
                w.str(&d.name);
                w.str(&org.jurisdictions[d.jur].id);
                w.opt_str(d.credit_code.as_deref());
                w.bool(d.is_authority);
                w.end_row()?;
            }
            Ok(())
        },
    )?;

    let cat = catalog::build(&ctx, &org);
    table(
        out_dir,
        opts,
        &writer::CATALOG_ENTRIES,
        progress,
        &mut summary,
        |w| {
            for e in &cat.entries {
                w.str(&e.id);
                w.str(&org.departments[e.dept].id);
                w.str(&e.name);
                w.str(e.share.as_str());
                w.opt_str(e.basis);
                w.str(e.open.as_str());
                w.str(e.cycle.as_str());
                w.str(e.format);
                w.int(i64::from(e.items));
                w.time(e.published);
                w.opt_time(e.withdrawn);
                w.opt_bool(e.withdrawal_approved);
                w.end_row()?;
            }
            Ok(())
        },
    )?;
    table(
        out_dir,
        opts,
        &writer::CATALOG_EVENTS,
        progress,
        &mut summary,
        |w| {
            for (i, ev) in cat.events.iter().enumerate() {
                w.str(&format!("EVT-{:08}", i + 1));
                w.str(&cat.entries[ev.entry as usize].id);
                w.str(ev.kind.as_str());
                w.time(ev.at);
                w.end_row()?;
            }
            Ok(())
        },
    )?;
    table(
        out_dir,
        opts,
        &writer::DUTY_CHANGES,
        progress,
        &mut summary,
        |w| {
            for c in &cat.duty_changes {
                w.str(&c.id);
                w.str(&org.departments[c.dept].id);
                w.str(c.kind.as_str());
                w.time(c.published);
                w.str(&c.summary);
                w.end_row()?;
            }
            Ok(())
        },
    )?;
    table(
        out_dir,
        opts,
        &writer::DATA_UPDATES,
        progress,
        &mut summary,
        |w| updates::write(&ctx, &cat, w),
    )?;

    let mut sharing = None;
    table(
        out_dir,
        opts,
        &writer::SHARE_REQUESTS,
        progress,
        &mut summary,
        |w| {
            sharing = Some(requests::write(&ctx, &org, &cat, w)?);
            Ok(())
        },
    )?;
    let sharing = sharing.expect("requests generated");
    table(
        out_dir,
        opts,
        &writer::GRANTS,
        progress,
        &mut summary,
        |w| requests::write_grants(&org, &cat, &sharing.grants, w),
    )?;
    table(
        out_dir,
        opts,
        &writer::ACCESS_LOG,
        progress,
        &mut summary,
        |w| usage::write(&ctx, &sharing.grants, org.grant_unused_months(), w),
    )?;

    let mut late_corrections = [Vec::new(), Vec::new()];
    table(
        out_dir,
        opts,
        &writer::CORRECTIONS,
        progress,
        &mut summary,
        |w| {
            late_corrections = corrections::write(&ctx, &org, &cat, w)?;
            Ok(())
        },
    )?;
    table(
        out_dir,
        opts,
        &writer::OPEN_APPLICATIONS,
        progress,
        &mut summary,
        |w| opening::write(&ctx, &org, &cat, w),
    )?;
    let facts = findings::Facts {
        sharing: &sharing.stats,
        late_corrections: &late_corrections,
    };
    table(
        out_dir,
        opts,
        &writer::FINDINGS,
        progress,
        &mut summary,
        |w| findings::write(&ctx, &org, &cat, &facts, w),
    )?;
    Ok(summary)
}
