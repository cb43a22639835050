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
        (5_000..8_000).contains(&count("share_requests")),
        "{}",
        count("share_requests")
    );
    assert!(
        (4_500..6_500).contains(&count("grants")),
        "{}",
        count("grants")
    );
    assert!(
        (150_000..260_000).contains(&count("access_log")),
        "{}",
        count("access_log")
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

    // Time order, and nothing after the end of the year.
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

    // Catalog.
    let ce = &t["catalog_entries"];
    let cycles: BTreeSet<&str> = ce.values("update_cycle").collect();
    assert_eq!(cycles.len(), 8, "{cycles:?}");
    let shares: BTreeSet<&str> = ce.values("share_type").collect();
    assert_eq!(
        shares,
        ["conditional", "none", "unconditional"]
            .into_iter()
            .collect()
    );
    let opens: BTreeSet<&str> = ce.values("open_type").collect();
    assert_eq!(
        opens,
        ["none", "on_application", "unconditional"]
            .into_iter()
            .collect()
    );
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
    let kinds: BTreeSet<&str> = t["catalog_events"].values("kind").collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");

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
    let (mut late_replies, mut on_time, mut no_reason, mut pending, mut late_reviews, mut weekend) =
        (0, 0, 0, 0, 0, 0);
    let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut decisions: BTreeMap<String, u32> = BTreeMap::new();
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
        *decisions.entry(decision.to_string()).or_default() += 1;
        assert_eq!(replied.is_some(), decision != "pending", "{r:?}");
        if decision == "refused" && r[c("refusal_reason")].is_empty() {
            no_reason += 1;
        }
        if decision != "refused" {
            assert!(r[c("refusal_reason")].is_empty());
        }
        if decision == "pending" {
            pending += 1;
        }
        assert_eq!(
            forwarded.is_some(),
            share == "conditional" && reviewed.is_some(),
            "{r:?}"
        );
        if sub.date().year() != 2025 {
            continue;
        }
        *per_day.entry(sub.date()).or_default() += 1;
        if !wd.is_working(sub.date()) {
            weekend += 1;
        }
        let profile = profile_of_dept[r[c("provider_id")].as_str()];
        if profile == "jincheng" {
            if let Some(x) = reviewed {
                if wd.between(sub.date(), x.date()) > 2 {
                    late_reviews += 1;
                }
            }
        }
        if let (Some(f), Some(x)) = (forwarded, replied) {
            let published = r[c("already_published")] == "true";
            let (base, limit) = match profile {
                "jincheng" => (f.date(), if published { 5 } else { 10 }),
                "xinxian" => (sub.date(), 10),
                p => panic!("profile {p}"),
            };
            if wd.between(base, x.date()) > limit {
                late_replies += 1;
            } else {
                on_time += 1;
            }
        }
    }
    eprintln!(
        "decisions {decisions:?}, late replies {late_replies}, on time {on_time}, no reason {no_reason}, pending {pending}, late reviews {late_reviews}, weekend {weekend}"
    );
    assert!(
        late_replies > 10 && on_time > 10 * late_replies,
        "{late_replies} late, {on_time} on time"
    );
    assert!(no_reason > 0 && pending > 0 && late_reviews > 0);
    assert!(weekend > 0 && weekend * 20 < count("share_requests"));
    // Busier in the week before the Spring Festival than in an average working day.
    let working: Vec<u32> = per_day
        .iter()
        .filter(|(d, _)| wd.is_working(**d))
        .map(|(_, n)| *n)
        .collect();
    let mean = f64::from(working.iter().sum::<u32>()) / working.len() as f64;
    let rush: u32 = [
        d(2025, 1, 22),
        d(2025, 1, 23),
        d(2025, 1, 24),
        d(2025, 1, 26),
        d(2025, 1, 27),
    ]
    .iter()
    .map(|x| per_day.get(x).copied().unwrap_or(0))
    .sum();
    assert!(
        f64::from(rush) / 5.0 > 1.5 * mean,
        "rush {rush}, mean {mean}"
    );

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
        if granted.date() < d(2025, 1, 1) {
            carried += 1;
        }
        if let Some(x) = revoked {
            assert!(x >= granted);
        }
        end_of.insert(r[0].as_str(), revoked.map_or(expires, |x| x.min(expires)));
    }
    let approved = sr.values("decision").filter(|d| *d == "approved").count();
    assert_eq!(approved, count("grants"));
    assert!(over_three_years > 0 && carried > 0);
    let al = &t["access_log"];
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut after_end = BTreeSet::new();
    let mut last = None;
    for r in &al.rows {
        let g = r[0].as_str();
        let at = ts(&r[1]);
        assert!(r[2].parse::<u32>().unwrap() >= 1);
        assert!(last.is_none_or(|l| l <= at), "access log out of time order");
        last = Some(at);
        used.insert(g);
        if at > end_of[g] {
            after_end.insert(g);
        }
    }
    let never_used = count("grants") - used.len();
    eprintln!(
        "never used {never_used}, used after end {}",
        after_end.len()
    );
    assert!(never_used * 100 > 3 * count("grants") && never_used * 100 < 15 * count("grants"));
    assert!(!after_end.is_empty());

    // Corrections.
    let co = &t["corrections"];
    let (mut ext, mut unresolved, mut late_corr) = (0, 0, 0);
    for r in &co.rows {
        let raised = ts(&r[co.col("raised_at")]);
        let extended = opt_ts(&r[co.col("extended_at")]);
        let resolved = opt_ts(&r[co.col("resolved_at")]);
        let outcome = r[co.col("outcome")].as_str();
        assert_eq!(resolved.is_some(), !outcome.is_empty());
        assert!(outcome.is_empty() || outcome == "corrected" || outcome == "confirmed");
        let mut limit = 5;
        if let Some(x) = extended {
            ext += 1;
            assert!(x >= raised);
            let days: u32 = r[co.col("extension_days")].parse().unwrap();
            assert!((1..=10).contains(&days));
            limit += days;
            let (owner, _) = entry_share[r[co.col("entry_id")].as_str()];
            assert_eq!(profile_of_dept[owner], "xinxian");
        } else {
            assert!(r[co.col("extension_days")].is_empty());
        }
        match resolved {
            Some(x) => {
                assert!(x >= raised);
                if wd.between(raised.date(), x.date()) > limit {
                    late_corr += 1;
                }
            }
            None => unresolved += 1,
        }
    }
    assert!(
        ext > 0 && unresolved > 0 && late_corr > 0,
        "{ext} {unresolved} {late_corr}"
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
        match answered {
            Some(x) => {
                assert!(x >= sub);
                if wd.between(sub.date(), x.date()) > 10 {
                    late_open += 1;
                }
            }
            None => pending_open += 1,
        }
    }
    assert!(late_open > 0 && pending_open > 0 && spot * 2 > count("open_applications"));

    // Findings.
    let fi = &t["findings"];
    let cats: BTreeSet<&str> = fi.values("category").collect();
    let all: BTreeSet<&str> = findings::CATEGORIES.iter().map(|c| c.0).collect();
    assert_eq!(cats, all);
    assert!(fi.values("evidence").any(|e| e.contains('\n')));
    assert!(fi.values("inspector").all(|i| i.contains('、')));

    // Duty changes: followed on time, late and never.
    let events = &t["catalog_events"];
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
    let (mut in_time, mut late_dc) = (0, 0);
    for r in &dc.rows {
        let dept = r[dc.col("department_id")].as_str();
        let published = ts(&r[dc.col("published_at")]);
        let limit = if profile_of_dept[dept] == "jincheng" {
            15
        } else {
            10
        };
        let first = updated
            .iter()
            .filter(|(d, at)| *d == dept && *at > published)
            .map(|(_, at)| *at)
            .min();
        match first {
            Some(x) if wd.between(published.date(), x.date()) <= limit => in_time += 1,
            _ => late_dc += 1,
        }
    }
    assert!(in_time > 0 && late_dc > 0);
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
