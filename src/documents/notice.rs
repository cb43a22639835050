//! 整改通知书: the rectification notice to one department, drafted from its
//! open findings of a year.
//!
//! **Open findings** are the department's findings whose breach occurred in
//! the year — those the metrics detected and recorded (`detected_findings`,
//! written by `dukao check` / `dukao metrics`) and the inspectors' imported
//! ones (`findings`) — that no issued notice has named yet (a correction
//! that replaces a notice may name that notice's findings again).
//!
//! Each category of findings is cited twice from the governing profile: the
//! duties broken (the broken deadline's article, then the category's duty
//! articles) and the sanction item ([`Profile::notice_basis`]). The
//! rectification deadline is the profile's `rectification` rule (or the
//! inspector's number of working days), counted in official working days
//! from the date of the notice and printed as a date; the profile's words
//! (限期改正) are quoted, never its bureau-default number as law.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use super::{
    Cited, Doc, DocumentError, DocumentKind, Prepared, chinese_date, government_office,
    issuer_code, paren_label,
};
use crate::config::Config;
use crate::metrics::table::category_chinese;
use crate::metrics::{Context, Jurisdiction, Period};
use crate::rules::{CategoryCode, DeadlineKey, EscalationAction, EscalationStep, Profile};
use crate::store::Store;
use crate::time::local_date;

/// What a notice is drafted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRequest {
    /// The department.
    pub department_id: String,
    /// The year of the findings.
    pub year: i32,
    /// 成文日期 (the rectification period runs from it).
    pub date: NaiveDate,
    /// Working days for the rectification instead of the profile's.
    pub working_days: Option<u32>,
    /// Further 抄送机关 (the jurisdiction's government office is always copied).
    pub cc: Vec<String>,
    /// The issued notice this one corrects and replaces (its findings count
    /// as open again).
    pub replaces: Option<i64>,
}

/// One finding as the notice shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeFinding {
    /// `reply:R1` or `inspection:F1`.
    pub key: String,
    /// The category.
    pub category: CategoryCode,
    /// The metrics rule (`reply`), none for an inspection finding.
    pub rule: Option<String>,
    /// The record (request, entry, grant, … id; the finding's id).
    pub record: String,
    /// The stored Chinese citation of the broken rule (detected findings).
    pub citation_text: Option<String>,
    /// The due date.
    pub due: Option<NaiveDate>,
    /// When it was done, if it was.
    pub done: Option<NaiveDate>,
    /// Working days late (done late, or still open when last judged).
    pub late: Option<i64>,
    /// When the breach became a fact (or the inspection found it).
    pub occurred: NaiveDate,
    /// The date the metrics judged it as of (detected findings).
    pub judged: Option<NaiveDate>,
    /// The inspector and evidence (imported findings).
    pub evidence: Option<(String, String)>,
}

/// The inputs of `templates/notice.typ`.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeData {
    /// The common part.
    pub doc: Doc,
    /// The year checked.
    pub year: i32,
    /// 数据截至.
    pub as_of: String,
    /// The authority's first step (the notice itself).
    pub first_step: Cited,
    /// The rectification rule and its deadline.
    pub rectification: Rectification,
    /// What follows a missed deadline, as a sentence; none where the
    /// regulation prescribes nothing (XX).
    pub overdue: Option<String>,
    /// Number of findings.
    pub total: usize,
    /// Findings per category.
    pub categories: Vec<CategoryBlock>,
    /// 附件 title.
    pub attachment_title: String,
    /// 附件 table rows.
    pub rows: Vec<[String; 7]>,
}

/// The rectification paragraph's data.
#[derive(Debug, Clone, Serialize)]
pub struct Rectification {
    /// The article.
    pub cite: String,
    /// Its words.
    pub quote: String,
    /// The due date, `2026年1月20日`.
    pub deadline: String,
}

/// The findings of one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryBlock {
    /// `（一）`.
    pub label: String,
    /// The category's name.
    pub name: String,
    /// Findings.
    pub count: usize,
    /// The first few, as phrases.
    pub examples: Vec<String>,
    /// Findings not given as examples.
    pub more: usize,
    /// Duties broken.
    pub violated: Vec<Cited>,
    /// The sanction item(s).
    pub sanction: Vec<Cited>,
}

/// Examples given in the body per category; the attachment lists all.
const EXAMPLES: usize = 3;

/// Gathers the department's open findings of the year and prepares the notice.
pub async fn prepare(
    store: &Store,
    config: &Config,
    request: &NoticeRequest,
) -> Result<Prepared, DocumentError> {
    let period = Period::new(request.year, None, None)?;
    let ctx = Context::load(store, config, period, crate::time::now_millis()).await?;
    let department = ctx
        .departments
        .get(&request.department_id)
        .ok_or_else(|| {
            DocumentError::NotFound(format!("no department {:?}", request.department_id))
        })?
        .clone();
    let (issuer_id, issuer_jurisdiction) = issuer_of(&ctx, &department.id)?;
    let issuer_name = ctx.departments[&issuer_id].name.clone();
    let profile = ctx.profile_of(&department.id).clone();
    let findings =
        open_findings(store, &ctx, &department.id, request.year, request.replaces).await?;
    if findings.is_empty() {
        return Err(DocumentError::Invalid(format!(
            "{} ({}) has no open findings in {}: nothing to notify (findings detected by the metrics \
             are stored by `dukao metrics --year {}`; findings already named in an issued notice are not open)",
            department.name, department.id, request.year, request.year
        )));
    }
    let rule = profile
        .deadline(DeadlineKey::Rectification)
        .ok_or_else(|| {
            DocumentError::Invalid(format!("profile {} has no rectification rule", profile.id))
        })?;
    let working_days = request.working_days.or(rule.working_days).ok_or_else(|| {
        DocumentError::Invalid("no rectification period: pass --working-days".into())
    })?;
    let deadline = ctx.calendar.add_working_days(request.date, working_days)?;
    let rectification = Rectification {
        deadline: chinese_date(deadline),
        ..rectification_cited(&profile, &rule.citation)
    };

    let as_of = findings
        .iter()
        .filter_map(|f| f.judged)
        .max()
        .unwrap_or_else(|| {
            request
                .date
                .min(period.end_day().pred_opt().expect("a year has a last day"))
        });
    let title_parts = vec![
        "关于限期整改".to_string(),
        format!("{}年度", request.year),
        "政务数据共享问题的通知".to_string(),
    ];
    let attachment_title = format!(
        "{}{}年度政务数据共享问题清单",
        department.name, request.year
    );
    let mut doc = Doc::new(
        &issuer_name,
        request.date,
        title_parts,
        department.name.clone(),
    );
    let title = doc.title.clone();
    doc.attachments = vec![attachment_title.clone()];
    doc.cc = std::iter::once(government_office(&issuer_jurisdiction))
        .chain(request.cc.iter().cloned())
        .collect();

    let data = NoticeData {
        doc,
        year: request.year,
        as_of: chinese_date(as_of),
        first_step: Cited::of(&profile, &profile.escalation.first_step.citation),
        rectification,
        overdue: profile
            .escalation
            .overdue
            .as_ref()
            .map(|s| overdue_sentence(&profile, s)),
        total: findings.len(),
        categories: categories(&profile, &findings),
        attachment_title,
        rows: rows(&findings),
    };
    Ok(Prepared {
        kind: DocumentKind::Notice,
        issuer_id,
        issuer_name,
        number_prefix: format!(
            "{}{}",
            issuer_code(&issuer_jurisdiction),
            DocumentKind::Notice.number_mark()
        ),
        addressee: department.name.clone(),
        title,
        subject_id: department.id.clone(),
        data_year: request.year,
        issued_on: request.date,
        deadline: Some(deadline),
        covers: findings.iter().map(|f| f.key.clone()).collect(),
        data: serde_json::to_value(&data).expect("notice data serialises"),
    })
}

fn rectification_cited(profile: &Profile, c: &crate::rules::Citation) -> Rectification {
    let cited = Cited::of(profile, c);
    Rectification {
        cite: cited.cite,
        quote: cited.quote,
        deadline: String::new(),
    }
}

/// The bureau that issues documents to a department: its jurisdiction's
/// authority (for the authority itself, the parent jurisdiction's).
pub fn issuer_of(
    ctx: &Context,
    department_id: &str,
) -> Result<(String, Jurisdiction), DocumentError> {
    let dept = &ctx.departments[department_id];
    let mut jurisdiction = ctx.jurisdictions.get(&dept.jurisdiction_id);
    while let Some(j) = jurisdiction {
        match j.authority_id.as_deref() {
            Some(a) if a != department_id => {
                let home = &ctx.departments[a].jurisdiction_id;
                return Ok((a.to_string(), ctx.jurisdictions[home].clone()));
            }
            _ => jurisdiction = j.parent_id.as_ref().and_then(|p| ctx.jurisdictions.get(p)),
        }
    }
    Err(DocumentError::Invalid(format!(
        "no data authority above {department_id} to issue the document: it is the top jurisdiction's \
         authority itself, or no department of its jurisdictions is marked is_authority"
    )))
}

/// What follows a missed deadline, in the regulation's words.
fn overdue_sentence(profile: &Profile, step: &EscalationStep) -> String {
    let c = Cited::of(profile, &step.citation);
    match step.action {
        EscalationAction::NewFinding => format!(
            "逾期拒不整改的，属于{}“{}”所列情形，我局将依规处理。",
            c.cite, c.quote
        ),
        _ => format!(
            "逾期未完成整改的，我局将依据{}“{}”的规定，{}。",
            c.cite, c.quote, step.wording
        ),
    }
}

/// The department's open findings whose breach occurred in `year`, by
/// category, then date.
pub async fn open_findings(
    store: &Store,
    ctx: &Context,
    department_id: &str,
    year: i32,
    replaces: Option<i64>,
) -> Result<Vec<NoticeFinding>, DocumentError> {
    let period = Period::new(year, None, None)?;
    let covered: HashSet<String> = sqlx::query(
        "SELECT l.finding_key FROM issued_document_findings l \
         JOIN issued_documents d ON d.id = l.document_id \
         WHERE d.kind = 'notice' AND d.subject_id = $1 AND d.id <> $2",
    )
    .bind(department_id)
    .bind(replaces.unwrap_or(-1))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<Result<_, _>>()?;

    let mut out = Vec::new();
    let detected = sqlx::query(
        "SELECT key, rule, record_id, category, citation_text, status, due, done_at, occurred_at, as_of \
         FROM detected_findings WHERE department_id = $1 AND occurred_at >= $2 AND occurred_at < $3",
    )
    .bind(department_id)
    .bind(period.start_ms())
    .bind(period.end_ms())
    .fetch_all(store.pool())
    .await?;
    for r in detected {
        let key: String = r.try_get("key")?;
        let Ok(category) = r.try_get::<String, _>("category")?.parse::<CategoryCode>() else {
            continue;
        };
        if covered.contains(&key) {
            continue;
        }
        let status: String = r.try_get("status")?;
        let rule: String = r.try_get("rule")?;
        let due = r
            .try_get::<Option<String>, _>("due")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        // A freshness item's `done_at` is the last update, not a completion.
        let done = r
            .try_get::<Option<i64>, _>("done_at")?
            .map(local_date)
            .filter(|_| !(rule.starts_with("freshness") && status != "late"));
        let judged = local_date(r.try_get::<i64, _>("as_of")?);
        let late = match (status.as_str(), due) {
            ("late", Some(due)) => done.map(|d| ctx.working_days_between(due, d).0),
            ("overdue" | "delinquent", Some(due)) if judged > due => {
                Some(ctx.working_days_between(due, judged).0)
            }
            _ => None,
        };
        out.push(NoticeFinding {
            key,
            category,
            rule: Some(rule),
            record: r.try_get("record_id")?,
            citation_text: Some(r.try_get("citation_text")?),
            due,
            done,
            late,
            occurred: local_date(r.try_get::<i64, _>("occurred_at")?),
            judged: Some(judged),
            evidence: None,
        });
    }
    let imported = sqlx::query(
        "SELECT id, category, found_at, inspector, evidence FROM findings \
         WHERE department_id = $1 AND found_at >= $2 AND found_at < $3",
    )
    .bind(department_id)
    .bind(period.start_ms())
    .bind(period.end_ms())
    .fetch_all(store.pool())
    .await?;
    for r in imported {
        let id: String = r.try_get("id")?;
        let key = format!("inspection:{id}");
        let Ok(category) = r.try_get::<String, _>("category")?.parse::<CategoryCode>() else {
            continue;
        };
        if covered.contains(&key) {
            continue;
        }
        out.push(NoticeFinding {
            key,
            category,
            rule: None,
            record: id,
            citation_text: None,
            due: None,
            done: None,
            late: None,
            occurred: local_date(r.try_get::<i64, _>("found_at")?),
            judged: None,
            evidence: Some((r.try_get("inspector")?, r.try_get("evidence")?)),
        });
    }
    out.sort_by(|a, b| (a.category, a.occurred, &a.key).cmp(&(b.category, b.occurred, &b.key)));
    Ok(out)
}

/// What a metrics rule is about, in a notice's words.
pub fn rule_chinese(rule: &str) -> &'static str {
    match rule {
        "review" => "共享申请符合性审查",
        "reply" => "共享申请答复",
        "refusal_reason" => "不予共享未说明理由",
        "correction" => "数据校核",
        "open_application" => "依申请开放答复",
        "catalog_update" => "职责调整后目录更新",
        "full_maintenance" => "目录定期维护",
        "withdrawal" => "未经审核撤销已发布数据",
        "share_basis" => "共享属性缺少依据",
        "freshness" => "数据按周期更新",
        "freshness_floor" => "数据季度更新",
        "used_after_end" => "授权期满或收回后继续调用",
        "max_age" => "授权期限超过最长授权期",
        "never_used" => "授权后未使用",
        "idle" => "授权长期闲置",
        _ => "其他",
    }
}

/// One finding as a phrase of the body: record, due date, what happened.
fn example(f: &NoticeFinding) -> String {
    if let Some((inspector, evidence)) = &f.evidence {
        return format!(
            "{}监督检查（检查人：{}）发现：{}",
            chinese_date(f.occurred),
            inspector,
            evidence.trim().trim_end_matches(['。', '；', ';', '.'])
        );
    }
    let rule = f.rule.as_deref().unwrap_or("");
    let outcome = match (f.done, f.late, f.judged) {
        (Some(done), Some(n), _) => format!("，于{}办结，逾期{n}个工作日", chinese_date(done)),
        (None, Some(n), Some(judged)) => {
            format!("，截至{}仍未办结，已逾期{n}个工作日", chinese_date(judged))
        }
        _ => String::new(),
    };
    let due = f.due.map(chinese_date);
    match (rule, due) {
        ("review", Some(due)) => format!("共享申请{}应于{due}前完成符合性审查{outcome}", f.record),
        ("reply", Some(due)) => format!("共享申请{}应于{due}前答复{outcome}", f.record),
        ("correction", Some(due)) => {
            format!("数据校核申请{}应于{due}前完成校核{outcome}", f.record)
        }
        ("open_application", Some(due)) => format!("开放申请{}应于{due}前答复{outcome}", f.record),
        ("catalog_update", Some(due)) => {
            format!("职责调整事项{}后应于{due}前更新目录{outcome}", f.record)
        }
        ("full_maintenance", Some(due)) => {
            format!("目录定期维护（{}）应于{due}前完成{outcome}", f.record)
        }
        ("refusal_reason", _) => format!("共享申请{}不予共享但未说明理由", f.record),
        ("withdrawal", _) => format!("目录{}未经审核同意即撤销发布", f.record),
        ("share_basis", _) => format!("目录{}的共享属性缺少依据", f.record),
        ("freshness" | "freshness_floor", Some(due)) => {
            format!("目录{}的数据应于{due}前更新，未按更新周期更新", f.record)
        }
        ("freshness" | "freshness_floor", None) => {
            format!("目录{}的数据未按更新周期更新", f.record)
        }
        ("used_after_end", _) => format!("授权{}期满或收回后仍被调用", f.record),
        ("max_age", _) => format!("授权{}的期限超过最长授权期", f.record),
        (rule, _) => format!("{}（{}）{outcome}", rule_chinese(rule), f.record),
    }
}

/// The deadline rule a detected finding broke: the profile's rule whose
/// citation is the stored one.
fn broken_rule(profile: &Profile, f: &NoticeFinding) -> Option<DeadlineKey> {
    let text = f.citation_text.as_deref()?;
    let preferred: &[DeadlineKey] = match f.rule.as_deref()? {
        "review" => &[DeadlineKey::Review],
        "reply" => &[
            DeadlineKey::ReplyConditionalPublished,
            DeadlineKey::ReplyConditionalUnpublished,
            DeadlineKey::ReplyConditional,
            DeadlineKey::ReplyUnconditional,
        ],
        "refusal_reason" => &[DeadlineKey::RefusalReason],
        "correction" => &[DeadlineKey::Correction],
        "open_application" => &[DeadlineKey::OpenApplication],
        "catalog_update" => &[DeadlineKey::CatalogUpdate],
        "full_maintenance" => &[DeadlineKey::CatalogFullMaintenance],
        "withdrawal" => &[DeadlineKey::WithdrawalApproval],
        "share_basis" => &[DeadlineKey::ShareBasis],
        "freshness_floor" => &[DeadlineKey::FreshnessFloor],
        "max_age" | "used_after_end" => &[DeadlineKey::GrantMaxAge],
        _ => &[],
    };
    preferred
        .iter()
        .copied()
        .find(|k| {
            profile
                .deadline(*k)
                .is_some_and(|r| profile.cite(&r.citation) == text)
        })
        .or_else(|| {
            preferred
                .iter()
                .copied()
                .find(|k| profile.deadline(*k).is_some())
        })
}

fn categories(profile: &Profile, findings: &[NoticeFinding]) -> Vec<CategoryBlock> {
    let mut by_category: BTreeMap<CategoryCode, Vec<&NoticeFinding>> = BTreeMap::new();
    for f in findings {
        by_category.entry(f.category).or_default().push(f);
    }
    by_category
        .into_iter()
        .enumerate()
        .map(|(i, (code, list))| {
            let mut violated: Vec<Cited> = Vec::new();
            let mut keys: Vec<Option<DeadlineKey>> =
                list.iter().map(|f| broken_rule(profile, f)).collect();
            keys.dedup();
            if keys.is_empty() {
                keys.push(None);
            }
            for key in &keys {
                for c in profile.notice_basis(code, *key).violated {
                    let c = Cited::of(profile, c);
                    if !violated.contains(&c) {
                        violated.push(c);
                    }
                }
            }
            let basis = profile.notice_basis(code, None);
            if violated.is_empty() {
                // A category without duty articles: the sanction item states the duty.
                violated = basis
                    .sanction
                    .iter()
                    .map(|c| Cited::of(profile, c))
                    .collect();
            }
            CategoryBlock {
                label: paren_label(i + 1),
                name: category_heading(code).to_string(),
                count: list.len(),
                examples: list.iter().take(EXAMPLES).map(|f| example(f)).collect(),
                more: list.len().saturating_sub(EXAMPLES),
                violated,
                sanction: basis
                    .sanction
                    .iter()
                    .map(|c| Cited::of(profile, c))
                    .collect(),
            }
        })
        .collect()
}

/// A category as a heading of the notice (RULES.md §3).
pub fn category_heading(code: CategoryCode) -> &'static str {
    match code {
        CategoryCode::CatalogNotMaintained => "未按要求编制或更新政务数据目录",
        CategoryCode::DataNotProvided => "未按规定提供或发布政务数据",
        CategoryCode::DataStaleOrSubstandard => "数据未按周期更新或质量不达标",
        CategoryCode::CorrectionLate => "数据校核更正不及时",
        CategoryCode::DuplicateCollection => "重复采集数据",
        CategoryCode::UntrueData => "目录或数据不真实、不准确、不完整",
        CategoryCode::Misuse => "超范围使用共享数据",
        CategoryCode::SecurityFailure => "未落实数据安全责任",
        CategoryCode::ApprovalOverdue => "共享申请未按时审核答复",
        CategoryCode::RectificationRefused => "拒不整改或整改不到位",
        CategoryCode::Dereliction => "玩忽职守、滥用职权",
        CategoryCode::Other => "其他违反规定的行为",
    }
}

fn rows(findings: &[NoticeFinding]) -> Vec<[String; 7]> {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = match (&f.evidence, f.rule.as_deref()) {
                (Some((_, evidence)), _) => format!("监督检查发现：{}", evidence.trim()),
                (None, Some(rule)) => rule_chinese(rule).to_string(),
                (None, None) => String::new(),
            };
            let done = match (f.done, &f.evidence, f.late) {
                (Some(d), _, _) => chinese_date(d),
                (None, Some((inspector, _)), _) => {
                    format!("{}检查（{}）", chinese_date(f.occurred), inspector)
                }
                (None, None, Some(_))
                    if f.rule
                        .as_deref()
                        .is_some_and(|r| r.starts_with("freshness")) =>
                {
                    "未更新".to_string()
                }
                (None, None, Some(_)) => "未办结".to_string(),
                (None, None, None) => "—".to_string(),
            };
            [
                (i + 1).to_string(),
                category_chinese(f.category).to_string(),
                f.record.clone(),
                what,
                f.due.map(chinese_date).unwrap_or_else(|| "—".into()),
                done,
                f.late.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect()
}
