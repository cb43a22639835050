//! Tests of the generated data set as a whole: determinism, referential
//! integrity, valid identifiers, sane time order, and the violations the
//! demo exists to show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::workdays::WorkDays;
use super::*;
use crate::identifiers::{check_citizen_id, check_credit_code, organization_code_check_char};
use crate::rules::{ClockStart, DeadlineKey};
use crate::vocab::{
    CatalogEventKind, CategoryCode, CorrectionOutcome, Decision, DutyChangeKind, OpenType,
    ShareType, UpdateCycle,
};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("dukao-demo-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gen_into(tag: &str, opts: &DemoOptions) -> (Scratch, DemoSummary) {
    let dir = Scratch::new(tag);
    let summary = generate(&dir.0, opts, &mut |_, _| {}).expect("demo generates");
    (dir, summary)
}

/// A parsed CSV table.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let c = self.col(name);
        self.rows.iter().map(move |r| r[c].as_str())
    }
}

/// RFC 4180 parser (quoted fields may hold commas, quotes and newlines).
fn parse_csv(path: &Path) -> Csv {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => {
                    assert!(
                        field.is_empty(),
                        "quote inside an unquoted field in {path:?}"
                    );
                    quoted = true;
                }
                ',' => row.push(std::mem::take(&mut field)),
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                '\r' => panic!("bare CR in {path:?}"),
                _ => field.push(c),
            }
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "{path:?} ends mid-row"
    );
    let header = rows.remove(0);
    for r in &rows {
        assert_eq!(r.len(), header.len(), "{path:?}: {r:?}");
    }
    Csv { header, rows }
}

fn load(dir: &Path) -> BTreeMap<&'static str, Csv> {
    writer::ALL_TABLES
        .iter()
        .map(|t| (t.name, parse_csv(&dir.join(format!("{}.csv", t.name)))))
        .collect()
}

fn ts(s: &str) -> NaiveDateTime {
    let local = s.strip_suffix("+08:00").unwrap_or(s);
    assert_eq!(local.len(), 19, "timestamp {s:?}");
    NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn opt_ts(s: &str) -> Option<NaiveDateTime> {
    (!s.is_empty()).then(|| ts(s))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn scale_parses() {
    assert_eq!("small".parse::<Scale>(), Ok(Scale::Small));
    assert_eq!("city".parse::<Scale>(), Ok(Scale::City));
    assert_eq!("province".parse::<Scale>(), Ok(Scale::Province));
    assert!(
        "town"
            .parse::<Scale>()
            .unwrap_err()
            .to_string()
            .contains("town")
    );
    assert_eq!(DemoOptions::default().year, 2025);
    assert_eq!(DemoOptions::default().seed, 7);
}

#[test]
fn uncovered_year_is_an_error() {
    let dir = Scratch::new("uncovered");
    let opts = DemoOptions {
        year: 2010,
        ..DemoOptions::default()
    };
    let err = generate(&dir.0, &opts, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(err, DemoError::YearNotCovered { year: 2010, .. }),
        "{err}"
    );
}

#[test]
fn deterministic_and_seed_sensitive() {
    let opts = DemoOptions::default();
    let (a, sa) = gen_into("det-a", &opts);
    let (b, sb) = gen_into("det-b", &opts);
    let (c, _) = gen_into("det-c", &DemoOptions { seed: 8, ..opts });
    assert_eq!(sa, sb);
    let mut differing = 0;
    for t in writer::ALL_TABLES {
        let f = format!("{}.csv", t.name);
        let fa = std::fs::read(a.0.join(&f)).unwrap();
        assert_eq!(
            fa,
            std::fs::read(b.0.join(&f)).unwrap(),
            "{f} differs between runs"
        );
        if fa != std::fs::read(c.0.join(&f)).unwrap() {
            differing += 1;
        }
    }
    // Every table but the fixed place names changes with the seed.
    assert!(
        differing >= 11,
        "only {differing} tables depend on the seed"
    );
}

#[test]
fn ndjson_is_typed_json() {
    let opts = DemoOptions {
        format: OutputFormat::Ndjson,
        ..DemoOptions::default()
    };
    let (dir, summary) = gen_into("ndjson", &opts);
    for (name, rows) in &summary.tables {
        let text = std::fs::read_to_string(dir.0.join(format!("{name}.ndjson"))).unwrap();
        let mut n = 0;
        let table = writer::ALL_TABLES.iter().find(|t| t.name == name).unwrap();
        for line in text.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
            let obj = v.as_object().unwrap();
            assert_eq!(obj.len(), table.columns.len());
            for (col, kind) in table.columns {
                let x = &obj[*col];
                let ok = match kind {
                    writer::Kind::Str | writer::Kind::Time => x.is_string(),
                    writer::Kind::OptStr | writer::Kind::OptTime => {
                        x.is_null() || x.as_str().is_some_and(|s| !s.is_empty())
                    }
                    writer::Kind::Bool => x.is_boolean(),
                    writer::Kind::OptBool => x.is_boolean() || x.is_null(),
                    writer::Kind::Int => x.is_i64(),
                    writer::Kind::OptInt => x.is_i64() || x.is_null(),
                };
                assert!(ok, "{name}.{col}: {x}");
            }
            n += 1;
        }
        assert_eq!(n, *rows, "{name}");
    }
}

/// The two years covered: the year before the demo year, then the demo year.
const YEARS: [i32; 2] = [2024, 2025];

/// The year an id carries: `REQ-2024-000123` → 2024.
fn id_year(id: &str) -> i32 {
    id.split('-').nth(1).unwrap().parse().unwrap()
}

/// A rate of the year before the demo year compared with the demo year's:
/// different (the years are drawn independently) but not wildly so (the
/// same departments keep the same habits).
fn comparable(what: &str, before: f64, now: f64) {
    eprintln!(
        "{what}: {:.2} % in 2024, {:.2} % in 2025",
        before * 100.0,
        now * 100.0
    );
    assert!(before > 0.0 && now > 0.0, "{what}: {before} / {now}");
    assert!(before != now, "{what}: the same rate in both years ({now})");
    let (lo, hi) = (before.min(now), before.max(now));
    assert!(
        hi <= 2.0 * lo || hi - lo < 0.02,
        "{what}: {before} in 2024 against {now} in 2025"
    );
}

/// The five working days before the first break of a week or more (the
/// Spring Festival) of `year`.
fn before_spring_festival(wd: &WorkDays, year: i32) -> Vec<NaiveDate> {
    let mut run = 0;
    let mut day = d(year, 1, 1);
    loop {
        if wd.is_working(day) {
            if run >= 7 {
                break;
            }
            run = 0;
        } else {
            run += 1;
        }
        day = day.succ_opt().unwrap();
    }
    let mut before = day - chrono::TimeDelta::days(run + 1);
    let mut out = Vec::new();
    while out.len() < 5 {
        if wd.is_working(before) {
            out.push(before);
        }
        before = before.pred_opt().unwrap();
    }
    out
}

#[test]
fn small_dataset_is_consistent_and_shows_violations() {
    let started = std::time::Instant::now();
    let (dir, summary) = gen_into("small", &DemoOptions::default());
    eprintln!(
        "small demo generated in {:?}: {:?}",
        started.elapsed(),
        summary.tables
    );
    let t = load(&dir.0);
    let names: Vec<&str> = summary.tables.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<&str> = writer::ALL_TABLES.iter().map(|t| t.name).collect();
    assert_eq!(names, expected);
    for (name, rows) in &summary.tables {
        assert_eq!(t[name.as_str()].rows.len() as u64, *rows, "{name}");
    }
    let count = |name: &str| t[name].rows.len();
    assert_eq!(count("departments"), 25);
    assert_eq!(count("catalog_entries"), 1_500);
    assert!(
        (15_000..20_000).contains(&count("share_requests")),
        "{}",
        count("share_requests")
    );
    assert!(
        (13_500..18_000).contains(&count("grants")),
        "{}",
        count("grants")
    );
    assert!(
        (350_000..520_000).contains(&count("access_log")),
        "{}",
        count("access_log")
    );
    assert!(
        (200_000..340_000).contains(&count("data_updates")),
        "{}",
        count("data_updates")
    );

    // Unique ids.
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for name in expected.iter().copied() {
        if t[name].header[0] == "id" {
            let set: BTreeSet<&str> = t[name].values("id").collect();
            assert_eq!(set.len(), count(name), "duplicate ids in {name}");
            ids.insert(name, set);
        }
    }
    let refs = [
        ("jurisdictions", "parent_id", "jurisdictions"),
        ("departments", "jurisdiction_id", "jurisdictions"),
        ("catalog_entries", "department_id", "departments"),
        ("catalog_events", "entry_id", "catalog_entries"),
        ("duty_changes", "department_id", "departments"),
        ("data_updates", "entry_id", "catalog_entries"),
        ("share_requests", "requester_id", "departments"),
        ("share_requests", "provider_id", "departments"),
        ("share_requests", "entry_id", "catalog_entries"),
        ("grants", "request_id", "share_requests"),
        ("grants", "grantee_id", "departments"),
        ("grants", "entry_id", "catalog_entries"),
        ("access_log", "grant_id", "grants"),
        ("corrections", "entry_id", "catalog_entries"),
        ("corrections", "raised_by_id", "departments"),
        ("open_applications", "entry_id", "catalog_entries"),
        ("findings", "department_id", "departments"),
    ];
    for (table, col, target) in refs {
        for v in t[table].values(col) {
            assert!(
                v.is_empty() && col == "parent_id" || ids[target].contains(v),
                "{table}.{col} = {v:?} not in {target}"
            );
        }
    }
    // Ids carry the year of the record: the year of the submission, grant,
    // publication, correction, application or finding.
    for (table, col) in [
        ("duty_changes", "published_at"),
        ("share_requests", "submitted_at"),
        ("grants", "granted_at"),
        ("corrections", "raised_at"),
        ("open_applications", "submitted_at"),
        ("findings", "found_at"),
    ] {
        let tb = &t[table];
        let mut years = BTreeSet::new();
        for r in &tb.rows {
            let y = ts(&r[tb.col(col)]).date().year();
            assert_eq!(id_year(&r[0]), y, "{table} {}", r[0]);
            years.insert(y);
        }
        for y in YEARS {
            assert!(years.contains(&y), "{table} has no record of {y}");
        }
    }

    // Places and profiles.
    let jur = &t["jurisdictions"];
    let profiles: Vec<&str> = jur.values("profile").collect();
    assert_eq!(profiles.iter().filter(|p| **p == "jincheng").count(), 1);
    assert_eq!(profiles.iter().filter(|p| **p == "xinxian").count(), 1);
    assert_eq!(
        profiles.iter().filter(|p| p.is_empty()).count(),
        jur.rows.len() - 2
    );
    let levels: BTreeSet<&str> = jur.values("level").collect();
    assert_eq!(
        levels,
        ["city", "county", "district", "zone"].into_iter().collect()
    );
    let dep = &t["departments"];
    let authorities: Vec<&str> = dep
        .rows
        .iter()
        .filter(|r| r[dep.col("is_authority")] == "true")
        .map(|r| r[dep.col("jurisdiction_id")].as_str())
        .collect();
    assert_eq!(authorities.len(), jur.rows.len());
    assert_eq!(
        authorities.iter().collect::<BTreeSet<_>>().len(),
        jur.rows.len()
    );

    // Identifiers.
    let mut codes = 0;
    for code in dep.values("credit_code").filter(|c| !c.is_empty()) {
        check_credit_code(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(code.starts_with("11") || code.starts_with("12"), "{code}");
        assert_eq!(
            organization_code_check_char(&code[8..16]).unwrap(),
            code[16..17].chars().next().unwrap()
        );
        codes += 1;
    }
    assert!(codes >= 20);
    let oa = &t["open_applications"];
    let (mut persons, mut orgs) = (0, 0);
    for r in &oa.rows {
        let code = &r[oa.col("applicant_code")];
        match r[oa.col("applicant_kind")].as_str() {
            "person" => {
                check_citizen_id(code).unwrap_or_else(|e| panic!("{code}: {e}"));
                persons += 1;
            }
            "organisation" => {
                check_credit_code(code).unwrap_or_else(|e| panic!("{code}: {e}"));
                orgs += 1;
            }
            k => panic!("applicant_kind {k}"),
        }
    }
    assert!(persons > 0 && orgs > 0);

    // Time order, and nothing after the end of the demo year.
    let year_end = d(2025, 12, 31).and_hms_opt(23, 59, 59).unwrap();
    let mut no_offset = 0;
    let mut with_offset = 0;
    for name in &expected {
        let tb = &t[name];
        for (i, h) in tb.header.iter().enumerate() {
            if h == "at" || h.ends_with("_at") {
                for r in &tb.rows {
                    let v = &r[i];
                    if v.is_empty() {
                        continue;
                    }
                    if v.ends_with("+08:00") {
                        with_offset += 1;
                    } else {
                        no_offset += 1;
                    }
                    if h != "expires_at" {
                        assert!(ts(v) <= year_end, "{name}.{h} = {v}");
                    }
                }
            }
        }
    }
    assert!(
        no_offset > 0 && no_offset * 20 < with_offset,
        "{no_offset} / {with_offset}"
    );

    // The regulation profiles, as the service loads them.
    let rules = crate::rules::Profiles::builtin();
    let rule = |profile: &str, key: DeadlineKey| {
        rules
            .by_id(profile)
            .unwrap_or_else(|| panic!("profile {profile}"))
            .deadline(key)
    };
    let limit = |profile: &str, key: DeadlineKey| {
        rule(profile, key)
            .and_then(|r| r.working_day_limit())
            .unwrap_or_else(|| panic!("{profile} {key}"))
    };

    // Catalog.
    let ce = &t["catalog_entries"];
    let cycles: BTreeSet<&str> = ce.values("update_cycle").collect();
    assert_eq!(cycles.len(), UpdateCycle::ALL.len(), "{cycles:?}");
    let shares: BTreeSet<&str> = ce.values("share_type").collect();
    assert_eq!(shares, ShareType::ALL.iter().map(|s| s.as_str()).collect());
    let opens: BTreeSet<&str> = ce.values("open_type").collect();
    assert_eq!(opens, OpenType::ALL.iter().map(|s| s.as_str()).collect());
    let no_basis = ce
        .rows
        .iter()
        .filter(|r| {
            r[ce.col("share_type")] != "unconditional" && r[ce.col("share_basis")].is_empty()
        })
        .count();
    assert!(no_basis > 0);
    let unapproved = ce
        .values("withdrawal_approved")
        .filter(|v| *v == "false")
        .count();
    assert!(unapproved > 0);
    for r in &ce.rows {
        let withdrawn = !r[ce.col("withdrawn_at")].is_empty();
        assert_eq!(withdrawn, !r[ce.col("withdrawal_approved")].is_empty());
    }
    // Published before or during the two years; the catalog grows in both.
    let published_in = |y: i32| {
        ce.values("published_at")
            .filter(|v| ts(v).date().year() == y)
            .count()
    };
    assert!(published_in(2024) > 50 && published_in(2025) > 50);
    let entry_share: BTreeMap<&str, (&str, &str)> = ce
        .rows
        .iter()
        .map(|r| {
            (
                r[0].as_str(),
                (
                    r[ce.col("department_id")].as_str(),
                    r[ce.col("share_type")].as_str(),
                ),
            )
        })
        .collect();
    let events = &t["catalog_events"];
    let kinds: BTreeSet<&str> = events.values("kind").collect();
    assert_eq!(kinds.len(), CatalogEventKind::ALL.len(), "{kinds:?}");
    // Quarterly maintenance in every quarter of both years, skipped by some.
    let mut maintained: BTreeMap<(i32, u32), BTreeSet<&str>> = BTreeMap::new();
    for r in &events.rows {
        if r[events.col("kind")] == "maintained" {
            let at = ts(&r[events.col("at")]);
            maintained
                .entry((at.year(), at.month0() / 3 + 1))
                .or_default()
                .insert(entry_share[r[events.col("entry_id")].as_str()].0);
        }
    }
    let mut missed_quarters = [0usize; 2];
    for (i, y) in YEARS.into_iter().enumerate() {
        for q in 1..=4 {
            let n = maintained.get(&(y, q)).map_or(0, BTreeSet::len);
            assert!(
                n > 15,
                "{n} departments maintained their catalog in {y} Q{q}"
            );
            missed_quarters[i] += count("departments") - n;
        }
    }
    comparable(
        "department-quarters without maintenance",
        missed_quarters[0] as f64 / (4 * count("departments")) as f64,
        missed_quarters[1] as f64 / (4 * count("departments")) as f64,
    );

    // Requests.
    let jur_profile: BTreeMap<&str, (&str, &str)> = jur
        .rows
        .iter()
        .map(|r| {
            (
                r[0].as_str(),
                (
                    r[jur.col("parent_id")].as_str(),
                    r[jur.col("profile")].as_str(),
                ),
            )
        })
        .collect();
    let profile_of_dept: BTreeMap<&str, &str> = dep
        .rows
        .iter()
        .map(|r| {
            let (parent, own) = jur_profile[r[dep.col("jurisdiction_id")].as_str()];
            let p = if own.is_empty() {
                jur_profile[parent].1
            } else {
                own
            };
            (r[0].as_str(), p)
        })
        .collect();
    let wd = WorkDays::builtin(d(2019, 1, 1), d(2026, 12, 31));
    let sr = &t["share_requests"];
    let c = |n: &str| sr.col(n);

    /// What one year's requests show.
    #[derive(Debug, Default)]
    struct Year {
        requests: usize,
        late_replies: usize,
        on_time: usize,
        no_reason: usize,
        refused: usize,
        pending: usize,
        reviews: usize,
        late_reviews: usize,
        weekend: usize,
        decisions: BTreeMap<String, u32>,
        per_day: BTreeMap<NaiveDate, u32>,
        per_month: [u32; 12],
    }
    let mut years: [Year; 2] = Default::default();
    for r in &sr.rows {
        let sub = ts(&r[c("submitted_at")]);
        let reviewed = opt_ts(&r[c("reviewed_at")]);
        let forwarded = opt_ts(&r[c("forwarded_at")]);
        let replied = opt_ts(&r[c("replied_at")]);
        let (owner, share) = entry_share[r[c("entry_id")].as_str()];
        assert_eq!(owner, r[c("provider_id")]);
        assert_eq!(share, r[c("share_type")]);
        assert_ne!(r[c("requester_id")], r[c("provider_id")]);
        if let Some(x) = reviewed {
            assert!(x >= sub, "{r:?}");
        }
        if let Some(x) = forwarded {
            assert!(x >= reviewed.unwrap(), "{r:?}");
        }
        if let Some(x) = replied {
            assert!(x >= sub, "reply before submission: {r:?}");
            assert!(
                x >= reviewed.unwrap() && forwarded.is_none_or(|f| x >= f),
                "{r:?}"
            );
        }
        let decision = r[c("decision")].as_str();
        assert!(Decision::NAMES.contains(&decision), "{decision}");
        assert_eq!(replied.is_some(), decision != "pending", "{r:?}");
        if decision != "refused" {
            assert!(r[c("refusal_reason")].is_empty());
        }
        assert_eq!(
            forwarded.is_some(),
            share == "conditional" && reviewed.is_some(),
            "{r:?}"
        );
        let Some(i) = YEARS.iter().position(|y| *y == sub.date().year()) else {
            // Carried over from before the two years: approved, for their grant.
            assert_eq!(decision, "approved", "{r:?}");
            continue;
        };
        let y = &mut years[i];
        y.requests += 1;
        *y.decisions.entry(decision.to_string()).or_default() += 1;
        if decision == "refused" {
            y.refused += 1;
            if r[c("refusal_reason")].is_empty() {
                y.no_reason += 1;
            }
        }
        if decision == "pending" {
            y.pending += 1;
        }
        *y.per_day.entry(sub.date()).or_default() += 1;
        y.per_month[sub.date().month0() as usize] += 1;
        if !wd.is_working(sub.date()) {
            y.weekend += 1;
        }
        // The requester's authority reviews, under its profile.
        let reviewer = profile_of_dept[r[c("requester_id")].as_str()];
        if let (Some(x), Some(review)) = (reviewed, rule(reviewer, DeadlineKey::Review)) {
            y.reviews += 1;
            if wd.between(sub.date(), x.date()) > review.working_days.unwrap() {
                y.late_reviews += 1;
            }
        }
        if let (Some(f), Some(x)) = (forwarded, replied) {
            let published = r[c("already_published")] == "true";
            let profile = profile_of_dept[r[c("provider_id")].as_str()];
            let reply = rules
                .by_id(profile)
                .unwrap()
                .reply_conditional(published)
                .unwrap();
            let base = match reply.from {
                Some(ClockStart::Forwarding) => f.date(),
                _ => sub.date(),
            };
            if wd.between(base, x.date()) > reply.working_days.unwrap() {
                y.late_replies += 1;
            } else {
                y.on_time += 1;
            }
        }
    }
    for (year, y) in YEARS.iter().zip(&years) {
        eprintln!(
            "{year}: {} requests, decisions {:?}, late replies {}, on time {}, no reason {}, pending {}, late reviews {} of {}, weekend {}, per month {:?}",
            y.requests,
            y.decisions,
            y.late_replies,
            y.on_time,
            y.no_reason,
            y.pending,
            y.late_reviews,
            y.reviews,
            y.weekend,
            y.per_month
        );
        assert!(
            y.late_replies > 10 && y.on_time > 10 * y.late_replies,
            "{year}: {} late, {} on time",
            y.late_replies,
            y.on_time
        );
        assert!(
            y.no_reason > 0 && y.pending > 0 && y.late_reviews > 0,
            "{year}"
        );
        assert!(y.weekend > 0 && y.weekend * 20 < y.requests, "{year}");
        // Busier in the week before the Spring Festival than in an average
        // working day.
        let working: Vec<u32> = y
            .per_day
            .iter()
            .filter(|(d, _)| wd.is_working(**d))
            .map(|(_, n)| *n)
            .collect();
        let mean = f64::from(working.iter().sum::<u32>()) / working.len() as f64;
        let rush: u32 = before_spring_festival(&wd, *year)
            .iter()
            .map(|x| y.per_day.get(x).copied().unwrap_or(0))
            .sum();
        assert!(
            f64::from(rush) / 5.0 > 1.5 * mean,
            "{year}: rush {rush}, mean {mean}"
        );
    }
    // The year before is a full year: requests every month, about as many
    // as in the demo year.
    let [before, now] = &years;
    assert!(
        before.requests * 10 > now.requests * 8 && before.requests < now.requests,
        "{} requests in 2024, {} in 2025",
        before.requests,
        now.requests
    );
    for m in 0..12 {
        let (a, b) = (before.per_month[m], now.per_month[m]);
        assert!(
            a > 0 && f64::from(a) > 0.5 * f64::from(b) && f64::from(a) < 1.5 * f64::from(b),
            "month {}: {a} requests in 2024, {b} in 2025",
            m + 1
        );
    }
    let rate = |a: usize, b: usize| a as f64 / b as f64;
    comparable(
        "late replies",
        rate(before.late_replies, before.late_replies + before.on_time),
        rate(now.late_replies, now.late_replies + now.on_time),
    );
    comparable(
        "late reviews",
        rate(before.late_reviews, before.reviews),
        rate(now.late_reviews, now.reviews),
    );
    comparable(
        "refusals without reason",
        rate(before.no_reason, before.refused),
        rate(now.no_reason, now.refused),
    );
    comparable(
        "refusals",
        rate(before.refused, before.requests),
        rate(now.refused, now.requests),
    );
    // December's requests of the year before are answered in January; only
    // stuck ones are still pending at the export.
    assert!(before.pending * 100 < before.requests * 3);

    // Grants and their use.
    let decision_of: BTreeMap<&str, (&str, Option<NaiveDateTime>)> = sr
        .rows
        .iter()
        .map(|r| {
            (
                r[0].as_str(),
                (r[c("decision")].as_str(), opt_ts(&r[c("replied_at")])),
            )
        })
        .collect();
    let gr = &t["grants"];
    let mut over_three_years = 0;
    let mut carried = 0;
    let mut end_of: BTreeMap<&str, NaiveDateTime> = BTreeMap::new();
    let mut granted_at: BTreeMap<&str, NaiveDateTime> = BTreeMap::new();
    for r in &gr.rows {
        let (decision, replied) = decision_of[r[gr.col("request_id")].as_str()];
        assert_eq!(decision, "approved");
        let granted = ts(&r[gr.col("granted_at")]);
        let expires = ts(&r[gr.col("expires_at")]);
        let revoked = opt_ts(&r[gr.col("revoked_at")]);
        assert!(granted >= replied.unwrap() && expires > granted);
        if granted.checked_add_months(chrono::Months::new(36)).unwrap() < expires {
            over_three_years += 1;
        }
        if granted.date() < d(2024, 1, 1) {
            carried += 1;
            assert!(
                expires.date() > d(2024, 1, 1),
                "in force at the start: {r:?}"
            );
        }
        if let Some(x) = revoked {
            assert!(x >= granted);
        }
        end_of.insert(r[0].as_str(), revoked.map_or(expires, |x| x.min(expires)));
        granted_at.insert(r[0].as_str(), granted);
    }
    let approved = sr.values("decision").filter(|d| *d == "approved").count();
    assert_eq!(approved, count("grants"));
    assert!(over_three_years > 0 && carried > 0);
    // JC Art.31: a grant unused for three months may be revoked.
    let unused_months = rule("jincheng", DeadlineKey::GrantUnused)
        .and_then(|r| r.month_limit())
        .unwrap();
    let window_end = |g: &str| {
        granted_at[g]
            .checked_add_months(chrono::Months::new(unused_months))
            .unwrap()
    };
    let al = &t["access_log"];
    let mut first_use: BTreeMap<&str, NaiveDateTime> = BTreeMap::new();
    let mut after_end = BTreeSet::new();
    let mut last = None;
    let mut log_months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
    let mut early_rows = 0;
    for r in &al.rows {
        let g = r[0].as_str();
        let at = ts(&r[1]);
        assert!(r[2].parse::<u32>().unwrap() >= 1);
        assert!(last.is_none_or(|l| l <= at), "access log out of time order");
        last = Some(at);
        first_use.entry(g).or_insert(at);
        if at > end_of[g] {
            after_end.insert(g);
        }
        if at.year() < 2024 {
            // Before the two years: only the grants made before them, in
            // their first-use window.
            assert!(at < window_end(g), "{g} used at {at}");
            early_rows += 1;
        } else {
            *log_months.entry((at.year(), at.month())).or_default() += 1;
        }
    }
    let never_used = count("grants") - first_use.len();
    eprintln!(
        "never used {never_used}, used after end {}, {early_rows} rows before 2024, access log per month {log_months:?}",
        after_end.len()
    );
    assert!(never_used * 100 > 3 * count("grants") && never_used * 100 < 15 * count("grants"));
    assert!(!after_end.is_empty());
    assert!(early_rows > 0 && early_rows * 5 < count("access_log"));
    assert_eq!(log_months.len(), 24, "the access log covers both years");
    let (a, b): (usize, usize) = (
        log_months.range((2024, 1)..(2025, 1)).map(|(_, n)| n).sum(),
        log_months.range((2025, 1)..).map(|(_, n)| n).sum(),
    );
    assert!(
        a * 10 > b * 7 && a < b,
        "{a} access-log rows in 2024, {b} in 2025"
    );
    // Grants not used within their window (the evaluation's grant use),
    // by the year the window ends: the carried-over grants' windows ending
    // in 2024 are judged on their early rows.
    let unused = |y: i32| {
        let ending: Vec<&str> = granted_at
            .keys()
            .copied()
            .filter(|g| window_end(g).year() == y)
            .collect();
        let missed = ending
            .iter()
            .filter(|g| first_use.get(*g).is_none_or(|f| *f >= window_end(g)))
            .count();
        rate(missed, ending.len())
    };
    comparable("grants unused in their window", unused(2024), unused(2025));

    // Data updates: every month of both years.
    let du = &t["data_updates"];
    let mut update_months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
    for at in du.values("at") {
        let at = ts(at);
        *update_months.entry((at.year(), at.month())).or_default() += 1;
    }
    assert_eq!(update_months.len(), 24, "{update_months:?}");
    let (a, b): (usize, usize) = (
        update_months
            .range((2024, 1)..(2025, 1))
            .map(|(_, n)| n)
            .sum(),
        update_months.range((2025, 1)..).map(|(_, n)| n).sum(),
    );
    assert!(
        a * 10 > b * 7 && a < b * 11 / 10,
        "{a} updates in 2024, {b} in 2025"
    );

    // Corrections.
    let co = &t["corrections"];
    let (mut ext, mut unresolved) = (0, 0);
    let mut late_corr = [0usize; 2];
    let mut raised = [0usize; 2];
    for r in &co.rows {
        let raised_at = ts(&r[co.col("raised_at")]);
        let extended = opt_ts(&r[co.col("extended_at")]);
        let resolved = opt_ts(&r[co.col("resolved_at")]);
        let outcome = r[co.col("outcome")].as_str();
        assert_eq!(resolved.is_some(), !outcome.is_empty());
        assert!(outcome.is_empty() || CorrectionOutcome::NAMES.contains(&outcome));
        let (owner, _) = entry_share[r[co.col("entry_id")].as_str()];
        let profile = profile_of_dept[owner];
        let mut limit = limit(profile, DeadlineKey::Correction);
        if let Some(x) = extended {
            ext += 1;
            assert!(x >= raised_at);
            let days: u32 = r[co.col("extension_days")].parse().unwrap();
            let allowed = rule(profile, DeadlineKey::Correction)
                .and_then(|r| r.extension_working_days)
                .unwrap_or_else(|| panic!("{profile} allows no extension: {r:?}"));
            assert!((1..=allowed).contains(&days));
            assert_eq!(profile, "xinxian");
            limit += days;
        } else {
            assert!(r[co.col("extension_days")].is_empty());
        }
        let i = YEARS.iter().position(|y| *y == raised_at.year()).unwrap();
        raised[i] += 1;
        match resolved {
            Some(x) => {
                assert!(x >= raised_at);
                if wd.between(raised_at.date(), x.date()) > limit {
                    late_corr[i] += 1;
                }
            }
            None => unresolved += 1,
        }
    }
    assert!(
        ext > 0 && unresolved > 0 && late_corr.iter().all(|n| *n > 0),
        "{ext} {unresolved} {late_corr:?}"
    );
    comparable(
        "late corrections",
        rate(late_corr[0], raised[0]),
        rate(late_corr[1], raised[1]),
    );

    // Open applications.
    let (mut late_open, mut pending_open, mut spot) = (0, 0, 0);
    for r in &oa.rows {
        let sub = ts(&r[oa.col("submitted_at")]);
        let answered = opt_ts(&r[oa.col("answered_at")]);
        assert_eq!(answered.is_none(), r[oa.col("decision")] == "pending");
        if r[oa.col("on_the_spot")] == "true" {
            spot += 1;
            assert!(answered.is_some());
        }
        let (owner, _) = entry_share[r[oa.col("entry_id")].as_str()];
        let pace = rule(profile_of_dept[owner], DeadlineKey::OpenApplication)
            .and_then(|r| r.working_days)
            .unwrap_or(org::OPEN_ANSWER_PACE_WD);
        match answered {
            Some(x) => {
                assert!(x >= sub);
                if wd.between(sub.date(), x.date()) > pace {
                    late_open += 1;
                }
            }
            None => pending_open += 1,
        }
    }
    assert!(late_open > 0 && pending_open > 0 && spot * 2 > count("open_applications"));

    // Findings: every category in each year.
    let fi = &t["findings"];
    for y in YEARS {
        let cats: BTreeSet<&str> = fi
            .rows
            .iter()
            .filter(|r| ts(&r[fi.col("found_at")]).year() == y)
            .map(|r| r[fi.col("category")].as_str())
            .collect();
        let all: BTreeSet<&str> = findings::CATEGORIES.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(cats, all, "{y}");
        // Every category but the one dukao's cases decide.
        let inspected: BTreeSet<&str> = CategoryCode::ALL
            .iter()
            .filter(|c| **c != CategoryCode::RectificationRefused)
            .map(|c| c.as_str())
            .collect();
        assert_eq!(all, inspected);
    }
    assert!(fi.values("evidence").any(|e| e.contains('\n')));
    assert!(fi.values("inspector").all(|i| i.contains('、')));
    assert!(fi.values("evidence").any(|e| e.contains("2024年第")));

    // Duty changes: followed on time, late and never, in each year.
    let updated: Vec<(&str, NaiveDateTime)> = events
        .rows
        .iter()
        .filter(|r| r[events.col("kind")] == "updated")
        .map(|r| {
            (
                entry_share[r[events.col("entry_id")].as_str()].0,
                ts(&r[events.col("at")]),
            )
        })
        .collect();
    let dc = &t["duty_changes"];
    let mut in_time = [0; 2];
    let mut late_dc = [0; 2];
    for r in &dc.rows {
        let dept = r[dc.col("department_id")].as_str();
        assert!(DutyChangeKind::NAMES.contains(&r[dc.col("kind")].as_str()));
        let published = ts(&r[dc.col("published_at")]);
        let i = YEARS.iter().position(|y| *y == published.year()).unwrap();
        let limit = limit(profile_of_dept[dept], DeadlineKey::CatalogUpdate);
        let first = updated
            .iter()
            .filter(|(d, at)| *d == dept && *at > published)
            .map(|(_, at)| *at)
            .min();
        match first {
            Some(x) if wd.between(published.date(), x.date()) <= limit => in_time[i] += 1,
            _ => late_dc[i] += 1,
        }
    }
    assert!(
        in_time.iter().all(|n| *n > 0) && late_dc.iter().all(|n| *n > 0),
        "{in_time:?} {late_dc:?}"
    );
}

/// The deadlines come from the loaded profiles, never from the generator;
/// a profile the generator cannot produce for is an error naming it.
#[test]
fn deadlines_follow_the_profiles() {
    let rules = crate::rules::Profiles::builtin();
    for id in crate::rules::Profiles::SHIPPED {
        let p = rules.by_id(id).unwrap();
        let dl = org::deadlines(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(dl.profile, id);
        assert_eq!(
            Some(dl.catalog_update_wd),
            p.deadline(DeadlineKey::CatalogUpdate)
                .and_then(|r| r.working_day_limit()),
            "{id}"
        );
        assert_eq!(
            Some(dl.correction_wd),
            p.deadline(DeadlineKey::Correction)
                .and_then(|r| r.working_day_limit()),
            "{id}"
        );
        assert_eq!(
            (dl.reply_published_wd, dl.reply_unpublished_wd),
            (
                p.reply_conditional(true).unwrap().working_days.unwrap(),
                p.reply_conditional(false).unwrap().working_days.unwrap()
            ),
            "{id}"
        );
        assert_eq!(
            dl.review_wd,
            p.deadline(DeadlineKey::Review).and_then(|r| r.working_days),
            "{id}"
        );
    }
    let jc = org::deadlines("jincheng").unwrap();
    assert!(jc.reply_from_forwarding && jc.review_wd.is_some());
    assert!(jc.reply_unpublished_wd > jc.reply_published_wd);
    assert!(
        org::deadlines("xinxian")
            .unwrap()
            .extension_max_wd
            .is_some()
    );
    assert_eq!(org::deadlines("pingdingshan").unwrap().open_answer_wd, None);
    assert!(org::deadlines("yingkou").unwrap().open_answer_wd.is_some());

    // A province's cities rotate through three profiles, all generated for.
    let province = org::build(7, &ScaleParams::of(Scale::Province)).unwrap();
    let used: BTreeSet<&str> = province
        .jurisdictions
        .iter()
        .map(|j| j.rules.profile)
        .collect();
    assert_eq!(
        used,
        ["jincheng", "pingdingshan", "xinxian", "yingkou"]
            .into_iter()
            .collect()
    );

    let err = org::deadlines("nowhere").unwrap_err();
    assert!(matches!(&err, DemoError::Profile { profile, .. } if profile == "nowhere"));
    assert!(err.to_string().contains("`nowhere`"), "{err}");
    // A profile without a reply deadline cannot be generated for.
    let mut p = rules.by_id("pingdingshan").unwrap().clone();
    p.deadlines.remove(&DeadlineKey::ReplyConditional);
    let err = org::deadlines_of("pingdingshan", &p).unwrap_err();
    assert!(
        err.to_string().contains("pingdingshan") && err.to_string().contains("reply_conditional"),
        "{err}"
    );
}

#[test]
fn both_years_must_be_in_the_calendar() {
    let ok = DemoOptions {
        year: 2020,
        ..DemoOptions::default()
    };
    let ctx = Ctx::new(&ok).expect("2019 and 2020 are covered");
    assert_eq!(
        ctx.spans.map(|s| s.year),
        [2019, 2020],
        "the year before, then the demo year"
    );
    assert_eq!(ctx.start, d(2019, 1, 1));
    let err = Ctx::new(&DemoOptions {
        year: 2019,
        ..DemoOptions::default()
    })
    .unwrap_err();
    assert!(
        matches!(err, DemoError::YearNotCovered { year: 2019, .. }),
        "{err}"
    );
    assert!(Ctx::new(&DemoOptions::default()).is_ok());
}

/// Measures the `city` scale; run with
/// `cargo test --release --lib demo::tests::city_scale -- --ignored --nocapture`.
#[test]
#[ignore]
fn city_scale() {
    let dir = Scratch::new("city");
    let started = std::time::Instant::now();
    let summary = generate(
        &dir.0,
        &DemoOptions {
            scale: Scale::City,
            ..DemoOptions::default()
        },
        &mut |_, _| {},
    )
    .unwrap();
    let elapsed = started.elapsed();
    let bytes: u64 = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    eprintln!("city demo: {elapsed:?}, {} MB", bytes / 1_000_000);
    for (t, n) in &summary.tables {
        eprintln!("{t:>20} {n:>12}");
    }
}
