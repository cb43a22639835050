//! A year's evaluation of a municipality: every department and every county
//! scored under the scheme that applies to the year, ranked (city
//! departments, each county's departments and the counties separately),
//! with the change from the year before.
//!
//! Units:
//! - **City departments** are the departments of a root jurisdiction (one
//!   without a parent); they are ranked among themselves.
//! - **Counties** are the jurisdictions below a root (county, district,
//!   zone). A county's departments are ranked within their county; the
//!   county's own score combines them with its authority (the department
//!   marked `is_authority`) as the scheme's `[county]` rule says, and the
//!   counties are ranked among themselves.
//!
//! Each department is measured under the profile that governs it, because
//! the metrics judged each item under the responsible department's profile.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use chrono::{Datelike, NaiveDate};

use super::measures;
use super::rank::{CountyScore, county_score, rank};
use super::scheme::Scheme;
use super::score::{UnitScore, round2, score_unit};
use crate::metrics::findings::Finding;
use crate::metrics::{CheckItem, Context};
use crate::org::Department;
use crate::time::local_date;
use crate::vocab::PreviousSource;

/// The scheme that produced a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemeRef {
    /// Scheme id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its title.
    pub title: String,
}

impl From<&Scheme> for SchemeRef {
    fn from(s: &Scheme) -> Self {
        SchemeRef {
            id: s.id.clone(),
            version: s.version.clone(),
            title: s.title.clone(),
        }
    }
}

/// A department's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentResult {
    /// Its jurisdiction.
    pub jurisdiction_id: String,
    /// The jurisdiction's name.
    pub jurisdiction_name: String,
    /// The ranking it belongs to: `city`, or the county's id.
    pub ranking: String,
    /// Whether it is the jurisdiction's authority (政务数据主管部门).
    pub is_authority: bool,
    /// The governing profile.
    pub profile: String,
    /// Rank within its ranking (shared on ties); none when not evaluable.
    pub rank: Option<u32>,
    /// The published score (two decimals); none when not evaluable.
    pub published: Option<f64>,
    /// Last year's published score, if it had one.
    pub previous: Option<f64>,
    /// This year's minus last year's published score.
    pub change: Option<f64>,
    /// The score with its breakdown per indicator and deduction, down to
    /// the records that cost points.
    #[serde(flatten)]
    pub score: UnitScore,
}

/// A county's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyResult {
    /// Its authority department, if it has one.
    pub authority_id: Option<String>,
    /// The departments scored with it.
    pub department_ids: Vec<String>,
    /// Rank among the counties.
    pub rank: Option<u32>,
    /// The published score.
    pub published: Option<f64>,
    /// Last year's published score.
    pub previous: Option<f64>,
    /// Change from last year.
    pub change: Option<f64>,
    /// The combined score.
    #[serde(flatten)]
    pub score: CountyScore,
}

/// How many units got each grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCount {
    /// The grade.
    pub grade: String,
    /// City and county departments with it.
    pub departments: usize,
    /// Counties with it.
    pub counties: usize,
}

/// A year's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearEvaluation {
    /// The year evaluated.
    pub year: i32,
    /// The instant it was judged as of (RFC 3339).
    pub as_of: String,
    /// The scheme that produced it.
    pub scheme: SchemeRef,
    /// True when some deadline fell in a year without official calendar
    /// data and was counted on weekends only.
    pub provisional: bool,
    /// Where the previous year's scores came from: its frozen snapshot, a
    /// live computation, or nowhere (no scheme covers it, or it has no data).
    pub previous_source: PreviousSource,
    /// Which months of the year the platform's records cover, up to the
    /// as-of instant.
    #[serde(default)]
    pub coverage: Coverage,
    /// Whether the previous year compared with covers only part of its year:
    /// its changes are then not like for like, and every page and document
    /// that prints them says so.
    #[serde(default)]
    pub previous_partial: bool,
    /// Every department, city departments first, then by county; each
    /// ranking in rank order, unranked units last.
    pub departments: Vec<DepartmentResult>,
    /// Every county, in rank order.
    pub counties: Vec<CountyResult>,
    /// Grade distribution, in the scheme's band order.
    pub grades: Vec<GradeCount>,
}

/// The ranking a department belongs to.
pub const CITY_RANKING: &str = "city";

/// Which months of an evaluated period the platform's records (requests,
/// corrections, duty changes, applications: the events that start a
/// deadline) fall in, up to the as-of instant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The first day with a record.
    pub first: Option<NaiveDate>,
    /// The last day with a record.
    pub last: Option<NaiveDate>,
    /// Months (1–12) with at least one record.
    pub months: Vec<u32>,
    /// Months of the period elapsed by the as-of instant.
    pub months_elapsed: u32,
    /// Fewer months have records than have elapsed: the year's data covers
    /// only part of it (a platform that started mid-year, a gap in the
    /// exports).
    pub partial: bool,
}

impl Coverage {
    /// The coverage of the items of a period judged as of the context's instant.
    pub fn of(ctx: &Context, items: &[CheckItem]) -> Coverage {
        let starts = items
            .iter()
            .filter_map(|i| i.clock_start)
            .filter(|&t| ctx.period.contains_ms(t) && t <= ctx.as_of)
            .map(local_date);
        let mut months: Vec<u32> = Vec::new();
        let (mut first, mut last): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
        for day in starts {
            first = Some(first.map_or(day, |f| f.min(day)));
            last = Some(last.map_or(day, |l| l.max(day)));
            if !months.contains(&day.month()) {
                months.push(day.month());
            }
        }
        months.sort_unstable();
        let until = local_date(ctx.evaluation_ms());
        let months_elapsed = ctx
            .period
            .months()
            .filter(|&(y, m)| (y, m) <= (until.year(), until.month()))
            .count() as u32;
        Coverage {
            partial: !months.is_empty() && (months.len() as u32) < months_elapsed,
            first,
            last,
            months,
            months_elapsed,
        }
    }

    /// Whether the period has any record at all.
    pub fn is_empty(&self) -> bool {
        self.months.is_empty()
    }

    /// `10月至12月` (Chinese, for notes on partial years).
    pub fn span_chinese(&self) -> String {
        match (self.first, self.last) {
            (Some(f), Some(l)) => format!("{}月至{}月", f.month(), l.month()),
            (Some(_), None) | (None, Some(_)) | (None, None) => "无数据".to_string(),
        }
    }
}

impl YearEvaluation {
    /// Scores a year from its items and findings. Deterministic: the same
    /// inputs and scheme give the same result, bit for bit.
    pub fn compute(
        ctx: &Context,
        scheme: &Scheme,
        items: &[CheckItem],
        findings: &[Finding],
    ) -> YearEvaluation {
        let inputs = measures::collect(ctx, items, findings);
        let scores: BTreeMap<&str, UnitScore> = inputs
            .iter()
            .map(|(id, input)| (id.as_str(), score_unit(scheme, input)))
            .collect();

        // Rankings: city departments, then each county's departments.
        let org = &ctx.org;
        let ranking_of = |dept_jur: &str| -> String {
            match org.jurisdictions.get(dept_jur) {
                Some(j) if !j.is_root() => org.county_of(dept_jur).to_string(),
                Some(_) | None => CITY_RANKING.to_string(),
            }
        };
        let mut groups: BTreeMap<String, Vec<&UnitScore>> = BTreeMap::new();
        for d in org.departments.values() {
            groups
                .entry(ranking_of(&d.jurisdiction_id))
                .or_default()
                .push(&scores[d.id.as_str()]);
        }
        let mut departments = Vec::with_capacity(scores.len());
        let order = std::iter::once(CITY_RANKING.to_string())
            .chain(groups.keys().filter(|k| *k != CITY_RANKING).cloned())
            .collect::<Vec<_>>();
        for group in &order {
            let Some(units) = groups.get(group) else {
                continue;
            };
            let ranked = rank(units);
            let mut listed: Vec<&UnitScore> = ranked
                .iter()
                .map(|r| *units.iter().find(|u| u.id == r.id).expect("ranked unit"))
                .collect();
            let mut rest: Vec<&UnitScore> =
                units.iter().copied().filter(|u| !u.evaluable).collect();
            rest.sort_by(|a, b| a.id.cmp(&b.id));
            listed.extend(rest);
            for unit in listed {
                let d = &org.departments[&unit.id];
                let r = ranked.iter().find(|r| r.id == unit.id);
                departments.push(DepartmentResult {
                    jurisdiction_id: d.jurisdiction_id.clone(),
                    jurisdiction_name: org
                        .jurisdictions
                        .get(&d.jurisdiction_id)
                        .map(|j| j.name.clone())
                        .unwrap_or_default(),
                    ranking: group.clone(),
                    is_authority: d.is_authority,
                    profile: d.profile.clone(),
                    rank: r.map(|r| r.rank),
                    published: r.map(|r| r.score),
                    previous: None,
                    change: None,
                    score: unit.clone(),
                });
            }
        }

        // Counties.
        let mut county_scores = Vec::new();
        let mut county_meta = BTreeMap::new();
        for j in org.jurisdictions.values().filter(|j| !j.is_root()) {
            if org.county_of(&j.id) != j.id {
                continue; // a sub-unit of a county is scored with its county
            }
            let members: Vec<&Department> = org
                .departments
                .values()
                .filter(|d| org.county_of(&d.jurisdiction_id) == j.id)
                .collect();
            if members.is_empty() {
                continue;
            }
            let authority = members
                .iter()
                .find(|d| d.is_authority && d.jurisdiction_id == j.id)
                .map(|d| d.id.clone());
            let others: Vec<&UnitScore> = members
                .iter()
                .filter(|d| Some(&d.id) != authority.as_ref())
                .map(|d| &scores[d.id.as_str()])
                .collect();
            let auth_score = authority.as_deref().map(|a| &scores[a]);
            county_scores.push(county_score(scheme, &j.id, &j.name, auth_score, &others));
            county_meta.insert(
                j.id.clone(),
                (
                    authority,
                    others.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
                ),
            );
        }
        let as_units: Vec<UnitScore> = county_scores
            .iter()
            .map(|c| UnitScore {
                id: c.id.clone(),
                name: c.name.clone(),
                evaluable: c.evaluable,
                score: c.score,
                base: c.score,
                grade: c.grade.clone(),
                indicators: Vec::new(),
                deductions: Vec::new(),
            })
            .collect();
        let ranked = rank(&as_units.iter().collect::<Vec<_>>());
        let mut counties: Vec<CountyResult> = county_scores
            .into_iter()
            .map(|c| {
                let r = ranked.iter().find(|r| r.id == c.id);
                let (authority_id, department_ids) = county_meta.remove(&c.id).unwrap_or_default();
                CountyResult {
                    authority_id,
                    department_ids,
                    rank: r.map(|r| r.rank),
                    published: r.map(|r| r.score),
                    previous: None,
                    change: None,
                    score: c,
                }
            })
            .collect();
        counties.sort_by(|a, b| {
            (a.rank.is_none(), a.rank, &a.score.id).cmp(&(b.rank.is_none(), b.rank, &b.score.id))
        });

        let grades = scheme
            .grades
            .iter()
            .map(|g| GradeCount {
                grade: g.name.clone(),
                departments: departments
                    .iter()
                    .filter(|d| d.score.evaluable && d.score.grade == g.name)
                    .count(),
                counties: counties
                    .iter()
                    .filter(|c| c.score.evaluable && c.score.grade == g.name)
                    .count(),
            })
            .collect();

        YearEvaluation {
            year: ctx.period.year,
            as_of: crate::time::format_millis(ctx.as_of),
            scheme: SchemeRef::from(scheme),
            provisional: items.iter().any(|i| i.provisional),
            previous_source: PreviousSource::Absent,
            coverage: Coverage::of(ctx, items),
            previous_partial: false,
            departments,
            counties,
            grades,
        }
    }

    /// Adds last year's published scores and the change.
    pub fn with_previous(
        mut self,
        previous: &YearEvaluation,
        source: PreviousSource,
    ) -> YearEvaluation {
        let before: BTreeMap<&str, f64> = previous
            .departments
            .iter()
            .filter_map(|d| d.published.map(|p| (d.score.id.as_str(), p)))
            .collect();
        for d in &mut self.departments {
            d.previous = before.get(d.score.id.as_str()).copied();
            d.change = d
                .published
                .zip(d.previous)
                .map(|(now, then)| round2(now - then));
        }
        let before: BTreeMap<&str, f64> = previous
            .counties
            .iter()
            .filter_map(|c| c.published.map(|p| (c.score.id.as_str(), p)))
            .collect();
        for c in &mut self.counties {
            c.previous = before.get(c.score.id.as_str()).copied();
            c.change = c
                .published
                .zip(c.previous)
                .map(|(now, then)| round2(now - then));
        }
        self.previous_source = source;
        self.previous_partial = previous.coverage.partial;
        self
    }

    /// What a reader of the year's changes must know, in Chinese: data
    /// covering only part of this year or of the previous one, or no
    /// comparison at all. Pages and documents print these beside the scores.
    pub fn comparison_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.coverage.partial {
            notes.push(format!(
                "本年度平台数据仅覆盖{}（{}个月，应有{}个月），评估结果不代表全年情况。",
                self.coverage.span_chinese(),
                self.coverage.months.len(),
                self.coverage.months_elapsed
            ));
        }
        match self.previous_source {
            PreviousSource::Absent => notes.push(
                "无上年度可比结果（上年度未适用评估方案或无平台数据），不列同比变化。".into(),
            ),
            PreviousSource::Frozen | PreviousSource::Computed if self.previous_partial => notes
                .push("上年度平台数据仅覆盖部分月份，同比变化并非同口径比较，仅供参考。".into()),
            PreviousSource::Frozen | PreviousSource::Computed => {}
        }
        notes
    }

    /// A department's result.
    pub fn department(&self, id: &str) -> Option<&DepartmentResult> {
        self.departments.iter().find(|d| d.score.id == id)
    }

    /// A county's result.
    pub fn county(&self, id: &str) -> Option<&CountyResult> {
        self.counties.iter().find(|c| c.score.id == id)
    }

    /// Keeps the departments and counties a caller's scope reaches, and
    /// counts the grades over them; ranks stay the city-wide ones.
    pub fn retain(&mut self, department: impl Fn(&str) -> bool, county: impl Fn(&str) -> bool) {
        self.departments.retain(|d| department(&d.score.id));
        self.counties.retain(|c| county(&c.score.id));
        for g in &mut self.grades {
            g.departments = self
                .departments
                .iter()
                .filter(|d| d.score.evaluable && d.score.grade == g.grade)
                .count();
            g.counties = self
                .counties
                .iter()
                .filter(|c| c.score.evaluable && c.score.grade == g.grade)
                .count();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::findings;
    use crate::metrics::testutil::{ctx_at, judged_item as item};
    use crate::vocab::{Rule, Status};

    #[test]
    fn a_year_of_hand_computed_scores() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let items = vec![
            item(&ctx, Rule::Reply, "R1", "DEP-X-1", Status::OnTime),
            item(&ctx, Rule::Reply, "R2", "DEP-X-1", Status::OnTime),
            item(&ctx, Rule::Reply, "R3", "DEP-X-1", Status::OnTime),
            item(&ctx, Rule::Reply, "R4", "DEP-X-1", Status::Late),
            item(&ctx, Rule::Correction, "K1", "DEP-X-2", Status::OnTime),
            item(&ctx, Rule::Review, "R5", "DEP-X-AUTH", Status::OnTime),
            item(&ctx, Rule::Review, "R6", "DEP-X-AUTH", Status::Overdue),
            item(&ctx, Rule::Reply, "R7", "DEP-C-1", Status::OnTime),
            item(&ctx, Rule::Reply, "R8", "DEP-C-2", Status::OnTime),
            item(&ctx, Rule::Review, "R9", "DEP-C-AUTH", Status::OnTime),
            item(&ctx, Rule::Review, "R10", "DEP-C-AUTH", Status::Late),
        ];
        let found = findings::detected(&ctx, &items);
        let scheme = Scheme::builtin();
        let e = YearEvaluation::compute(&ctx, &scheme, &items, &found);

        let x1 = e.department("DEP-X-1").unwrap();
        assert_eq!(x1.published, Some(74.5));
        assert_eq!(x1.ranking, "JUR-X");
        let lost: Vec<&str> = x1
            .score
            .indicators
            .iter()
            .flat_map(|i| i.missed.iter().map(String::as_str))
            .collect();
        assert_eq!(lost, ["R4"], "the record that cost the points");
        assert_eq!(e.department("DEP-X-2").unwrap().published, Some(100.0));
        assert_eq!(e.department("DEP-X-AUTH").unwrap().published, Some(49.5));

        let county = e.county("JUR-X").unwrap();
        assert!(
            (county.score.score - 75.925).abs() < 1e-9,
            "{}",
            county.score.score
        );
        assert_eq!(county.score.grade, "合格");
        assert_eq!(county.authority_id.as_deref(), Some("DEP-X-AUTH"));

        let c1 = e.department("DEP-C-1").unwrap();
        let c2 = e.department("DEP-C-2").unwrap();
        assert_eq!(
            (c1.rank, c2.rank),
            (Some(1), Some(1)),
            "a tie shares the rank"
        );
        assert_eq!(e.department("DEP-C-AUTH").unwrap().rank, Some(3));
        let y1 = e.department("DEP-Y-1").unwrap();
        assert_eq!(
            (y1.rank, y1.published, y1.score.evaluable),
            (None, None, false)
        );
        assert_eq!(
            y1.ranking, CITY_RANKING,
            "a root's departments rank with the city"
        );

        // Same inputs, same result, bit for bit.
        let again = YearEvaluation::compute(&ctx, &scheme, &items, &found);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            serde_json::to_string(&again).unwrap()
        );

        // Change from last year.
        let mut last = e.clone();
        for d in &mut last.departments {
            if d.score.id == "DEP-X-1" {
                d.published = Some(80.0);
            }
        }
        let e = e.with_previous(&last, PreviousSource::Frozen);
        let x1 = e.department("DEP-X-1").unwrap();
        assert_eq!((x1.previous, x1.change), (Some(80.0), Some(-5.5)));
        assert_eq!(e.previous_source, PreviousSource::Frozen);
    }

    #[test]
    fn a_year_with_records_in_part_of_its_months_is_partial() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let at = |d: &str, id: &str| {
            let mut i = item(&ctx, Rule::Reply, id, "DEP-C-1", Status::OnTime);
            i.clock_start = Some(crate::metrics::testutil::ms(d));
            i
        };
        let late_start = vec![
            at("2025-10-08T10:00:00+08:00", "R1"),
            at("2025-11-03T10:00:00+08:00", "R2"),
            at("2025-12-01T10:00:00+08:00", "R3"),
        ];
        let c = Coverage::of(&ctx, &late_start);
        assert_eq!((c.months.clone(), c.months_elapsed), (vec![10, 11, 12], 12));
        assert!(c.partial);
        assert_eq!(c.span_chinese(), "10月至12月");
        let full: Vec<CheckItem> = (1..=12)
            .map(|m| at(&format!("2025-{m:02}-10T10:00:00+08:00"), &format!("R{m}")))
            .collect();
        assert!(!Coverage::of(&ctx, &full).partial);
        // As of mid-year, six months with records are the whole year so far.
        let mid = ctx_at("2025-06-30T23:00:00+08:00");
        let first_half: Vec<CheckItem> = full[..6].to_vec();
        let c = Coverage::of(&mid, &first_half);
        assert_eq!(c.months_elapsed, 6);
        assert!(!c.partial);

        // Compared with a partial previous year, the change is flagged.
        let scheme = Scheme::builtin();
        let this = YearEvaluation::compute(&ctx, &scheme, &full, &[]);
        let last = YearEvaluation::compute(&ctx, &scheme, &late_start, &[]);
        let compared = this.clone().with_previous(&last, PreviousSource::Computed);
        assert!(compared.previous_partial);
        assert!(
            compared
                .comparison_notes()
                .iter()
                .any(|n| n.contains("并非同口径比较"))
        );
        let same = this.clone();
        assert!(
            !this
                .with_previous(&same, PreviousSource::Frozen)
                .previous_partial
        );
    }
}
