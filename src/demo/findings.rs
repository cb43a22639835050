//! `findings`: what the authority's inspectors recorded (JC Art.41) in each
//! of the two years covered, in every category of RULES.md §3 (each
//! category at least once a year). Most findings come from the quarterly
//! inspections (in April, July, October and December), a quarter from
//! spot checks. Departments with the matching bad habit are five to eight
//! times as likely to be found at fault, and evidence cites what the
//! generated data really shows where it can (missed maintenance quarters,
//! stale entries, late replies, late corrections of that year).

use chrono::{NaiveDate, NaiveDateTime};

use super::catalog::{Catalog, Lag};
use super::clock::at;
use super::org::Org;
use super::requests::ShareStats;
use super::rng::Rng;
use super::writer::TableWriter;
use super::{Ctx, DemoError, Span};
use crate::vocab::CategoryCode;

/// Category codes of RULES.md §3 with their relative frequency, as an
/// inspection records them. Not `rectification_refused` (未按期整改): a
/// rectification not done in time is a fact of dukao's own cases (a notice's
/// deadline passed, [`crate::metrics::findings::of_cases`]), which the demo
/// opens itself ([`super::cases`]); an imported row of it would be counted
/// nowhere and only puzzle the reader.
pub const CATEGORIES: [(CategoryCode, f64); 11] = [
    (CategoryCode::CatalogNotMaintained, 18.0),
    (CategoryCode::DataNotProvided, 11.0),
    (CategoryCode::DataStaleOrSubstandard, 20.0),
    (CategoryCode::CorrectionLate, 8.0),
    (CategoryCode::DuplicateCollection, 5.0),
    (CategoryCode::UntrueData, 7.0),
    (CategoryCode::Misuse, 4.0),
    (CategoryCode::SecurityFailure, 4.0),
    (CategoryCode::ApprovalOverdue, 14.0),
    (CategoryCode::Dereliction, 1.0),
    (CategoryCode::Other, 5.0),
];

/// Facts gathered while generating the other tables.
pub struct Facts<'a> {
    /// Request handling per provider.
    pub sharing: &'a [ShareStats],
    /// Late corrections per owner, per year covered (like [`Ctx::spans`]).
    pub late_corrections: &'a [Vec<u32>; 2],
}

struct Finding {
    dept: usize,
    category: CategoryCode,
    found: NaiveDateTime,
    inspector: String,
    evidence: String,
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// Generate and write the findings, year by year.
pub fn write(
    ctx: &Ctx,
    org: &Org,
    catalog: &Catalog,
    facts: &Facts,
    w: &mut TableWriter,
) -> Result<(), DemoError> {
    let mut rng = Rng::stream(ctx.seed, "findings", 0);
    let windows = [(4, 7, 25), (7, 7, 25), (10, 9, 28), (12, 1, 20)];
    let weights: Vec<f64> = CATEGORIES.iter().map(|c| c.1).collect();
    for (si, span) in ctx.spans.iter().enumerate() {
        let year = span.year;
        let late_corrections = &facts.late_corrections[si];
        let mut all = Vec::new();
        for (ci, city) in org.cities().into_iter().enumerate() {
            let depts: Vec<usize> = org
                .city_departments(city)
                .into_iter()
                .filter(|&d| !org.departments[d].is_authority)
                .collect();
            let inspectors = org.inspectors_of(city);
            for i in 0..ctx.count_in(span, ctx.params.findings_per_city) {
                let category = if ci == 0 && i < CATEGORIES.len() {
                    CATEGORIES[i].0
                } else {
                    CATEGORIES[rng.weighted(&weights)].0
                };
                let dw: Vec<f64> = depts
                    .iter()
                    .map(|&d| {
                        let t = org.departments[d].traits;
                        let hit = match category {
                            CategoryCode::CatalogNotMaintained | CategoryCode::UntrueData => {
                                t.skips_maintenance || t.sloppy_catalog
                            }
                            CategoryCode::DataNotProvided
                            | CategoryCode::DataStaleOrSubstandard => t.stale_data,
                            CategoryCode::CorrectionLate => {
                                t.slow_corrections || late_corrections[d] > 0
                            }
                            CategoryCode::ApprovalOverdue => {
                                t.slow_replier
                                    || t.careless_refusals
                                    || facts.sharing[d].late_in(year) > 3
                            }
                            CategoryCode::RectificationRefused | CategoryCode::Dereliction => {
                                t.count() >= 2
                            }
                            CategoryCode::DuplicateCollection
                            | CategoryCode::Misuse
                            | CategoryCode::SecurityFailure
                            | CategoryCode::Other => false,
                        };
                        org.departments[d].weight.sqrt() * if hit { 6.0 } else { 1.0 }
                    })
                    .collect();
                let dept = depts[rng.weighted(&dw)];
                let day = if rng.chance(0.75) {
                    let (m, a, b) = *rng.pick(&windows);
                    ctx.wd.random_in(&mut rng, span.day(m, a), span.day(m, b))
                } else {
                    ctx.wd.random_in(&mut rng, span.first, span.last)
                }
                .unwrap_or(span.last);
                let found = at(day, 9 * 3600 + rng.below(8 * 3600) as u32);
                let a = rng.below(inspectors.len() as u64) as usize;
                let b =
                    (a + 1 + rng.below(inspectors.len() as u64 - 1) as usize) % inspectors.len();
                let inspector = format!("{}、{}", inspectors[a], inspectors[b]);
                let evidence =
                    evidence(&mut rng, span, si, org, catalog, facts, dept, category, day);
                all.push(Finding {
                    dept,
                    category,
                    found,
                    inspector,
                    evidence,
                });
            }
        }
        all.sort_by(|a, b| a.found.cmp(&b.found).then(a.dept.cmp(&b.dept)));
        for (i, f) in all.iter().enumerate() {
            w.str(&format!("FND-{year}-{:04}", i + 1));
            w.str(&org.departments[f.dept].id);
            w.str(f.category.as_str());
            w.time(f.found);
            w.str(&f.inspector);
            w.str(&f.evidence);
            w.end_row()?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn evidence(
    rng: &mut Rng,
    span: &Span,
    si: usize,
    org: &Org,
    catalog: &Catalog,
    facts: &Facts,
    dept: usize,
    category: CategoryCode,
    day: NaiveDate,
) -> String {
    let year = span.year;
    let entries = &catalog.by_dept[dept];
    let entry = entries
        .get(rng.below(entries.len().max(1) as u64) as usize)
        .map(|&e| catalog.entries[e as usize].name.as_str())
        .unwrap_or("共享目录");
    let stale: Vec<usize> = entries
        .iter()
        .map(|&e| e as usize)
        .filter(|&e| catalog.entries[e].lags[si] != Lag::OnCycle)
        .collect();
    let dname = &org.departments[dept].name;
    let date = fmt_date(day);
    match category {
        CategoryCode::CatalogNotMaintained => {
            let missed = catalog.stats.missed_in(dept, year);
            if let Some(q) = missed.first() {
                format!(
                    "{year}年第{q}季度未开展资源目录全量维护，{}条目录信息无维护记录；全年共{}个季度未维护。",
                    entries.len(),
                    missed.len()
                )
            } else {
                format!(
                    "职责调整后未在规定时限内更新资源目录，“{entry}”等{}条目录信息与现行职责不符。",
                    rng.range(2, 9)
                )
            }
        }
        CategoryCode::DataNotProvided => {
            if rng.chance(0.5) {
                format!("“{entry}”已编入共享目录，但未向共享平台挂接数据资源，截至{date}挂接率为0。")
            } else {
                format!(
                    "共享目录中{}条资源未按要求挂接数据，其中“{entry}”已逾期{}天。",
                    rng.range(2, 15),
                    rng.range(20, 180)
                )
            }
        }
        CategoryCode::DataStaleOrSubstandard => {
            if let Some(&e) = stale.first() {
                let en = &catalog.entries[e];
                format!(
                    "“{}”更新周期为{}，抽查时平台数据已连续{}个周期未更新。",
                    en.name,
                    en.cycle.chinese(),
                    rng.range(2, 12)
                )
            } else {
                let n = rng.range(200, 2_000);
                format!(
                    "抽检“{entry}”{n}条记录，其中{}条与源头数据不一致，关键字段空值率{}%。",
                    rng.range(5, n / 10),
                    rng.range(3, 25)
                )
            }
        }
        CategoryCode::CorrectionLate => {
            let n = facts.late_corrections[si][dept].max(1);
            format!(
                "使用部门提出的数据校核申请{n}件超过规定时限未办结，最长超期{}个工作日；涉及“{entry}”。",
                rng.range(1, 10)
            )
        }
        CategoryCode::DuplicateCollection => format!(
            "“{entry}”相关数据已可通过共享平台获取，{dname}办理业务时仍要求申请人重复提交纸质材料，抽查办件{}件。",
            rng.range(5, 40)
        ),
        CategoryCode::UntrueData => {
            let n = rng.range(12, 60);
            format!(
                "目录“{entry}”登记数据项{n}项，实际挂接{}项，存在漏编、错编。",
                n - rng.range(2, 10)
            )
        }
        CategoryCode::Misuse => format!(
            "经日志审计：\n1. 授权期满后仍调用“{entry}”共享接口{}次；\n2. 将共享获取的数据提供给下属企业用于非履职用途。",
            rng.range(30, 900)
        ),
        CategoryCode::SecurityFailure => format!(
            "1. 共享数据前置库服务器存在弱口令{}处；\n2. 接口调用日志留存不足24个月；\n3. 未按要求开展数据安全风险评估。",
            rng.range(1, 6)
        ),
        CategoryCode::ApprovalOverdue => {
            let (n, max, m) = match facts.sharing[dept].before(day) {
                (0, _, 0) => (rng.range(1, 6) as u32, rng.range(1, 8) as u32, rng.range(0, 3) as u32),
                found => found,
            };
            if n > 0 {
                format!("截至{date}，有条件共享申请超期答复{n}件，最长超期{max}个工作日；拒绝共享未说明理由{m}件。")
            } else {
                format!("截至{date}，拒绝共享申请{m}件未说明理由和依据。")
            }
        }
        // Not generated (see [`CATEGORIES`]): the words an inspection
        // would write, should a platform's export carry one.
        CategoryCode::RectificationRefused => {
            let city = &org.jurisdictions[org.jurisdictions[org.departments[dept].jur].city];
            format!(
                "{year}年{}月下发《整改通知书》（{}数督〔{year}〕{}号），限期{}个工作日整改，逾期未提交整改报告，经催告仍未整改。",
                rng.range(1, 9),
                city.short,
                rng.range(1, 40),
                [10, 15, 20][rng.below(3) as usize]
            )
        }
        CategoryCode::Dereliction => "对共享平台多次预警的超期事项长期不予处理，致使群众办事重复提交材料，造成不良影响，经调查属实。".to_string(),
        CategoryCode::Other => match rng.below(3) {
            0 => format!("未按要求报送{}年度政务数据共享工作总结。", year - 1),
            1 => "数据共享联络员变更后未及时向主管部门备案。".to_string(),
            // Plain ASCII punctuation, as typed by some inspectors.
            _ => "共享数据使用情况台账缺失, 无法说明\"数据用途\"与使用场景。".to_string(),
        },
    }
}
