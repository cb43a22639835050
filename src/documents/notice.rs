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

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::archive;
use super::{
    Cited, Doc, DocumentError, Prepared, chinese_date, government_office, issuer_code, paren_label,
};
use crate::config::Config;
use crate::metrics::findings::{self, FindingDetail, StoredFinding};
use crate::metrics::{Context, Period};
use crate::rules::{
    Citation, Conduct, DeadlineKey, DeadlineKind, DeadlineRule, EscalationAction, EscalationStep,
    NoticeBasis, Profile, SanctionSource,
};
use crate::store::Store;
use crate::time::local_date;
use crate::vocab::{CategoryCode, DocumentKind, Rule, Status};

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
    /// Only these open findings (by key), when given: a case's notice
    /// names exactly the case's findings (src/cases). A key that is not an
    /// open finding of the department and year is refused.
    pub findings: Option<Vec<String>>,
}

/// One finding as the notice shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeFinding {
    /// `reply:R1` or `inspection:F1`.
    pub key: String,
    /// The category.
    pub category: CategoryCode,
    /// The metrics rule, none for an inspection finding.
    pub rule: Option<Rule>,
    /// The profile's deadline entry the rule applied, when recorded.
    pub deadline: Option<DeadlineKey>,
    /// The record (request, entry, grant, … id; the finding's id).
    pub record: String,
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
    /// The bureau's power to inspect (the opening's basis): its power of
    /// supervision, in the words the regulation gives it.
    pub power: Cited,
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
    /// The category (a circular on an overdue notice reads it back).
    pub code: CategoryCode,
    /// Where its basis comes from.
    pub source: SanctionSource,
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
    /// The bureau's own measures of deadlines the text sets without a
    /// number, each a sentence: the dates above are counted with them.
    pub measures: Vec<String>,
    /// The basis, as a sentence: 属于…所列情形 (an item names the conduct),
    /// 依照…的规定 (the regulation's own step), 根据…的规定 (the power).
    pub basis: String,
    /// What follows if an inspector establishes an element the findings do
    /// not (拒不, 故意, 造成不良后果), a sentence each; never presumed.
    pub conditional: Vec<String>,
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
        .org
        .departments
        .get(&request.department_id)
        .ok_or_else(|| {
            DocumentError::NotFound(format!("no department {:?}", request.department_id))
        })?
        .clone();
    let issuer = ctx.org.issuer_of(&ctx.profiles, &department.id)?;
    let issuer_is_city = issuer.jurisdiction.is_root();
    let (issuer_id, issuer_name, issuer_jurisdiction) =
        (issuer.department_id, issuer.name, issuer.jurisdiction);
    let profile = ctx.profile_of(&department.id).clone();
    let power = profile.supervision.of_issuer(issuer_is_city).clone();
    let mut findings =
        open_findings(store, &ctx, &department.id, request.year, request.replaces).await?;
    if let Some(only) = &request.findings {
        if let Some(key) = only.iter().find(|k| !findings.iter().any(|f| &f.key == *k)) {
            return Err(DocumentError::Invalid(format!(
                "{key} is not an open finding of {} ({}) in {}: unknown, of another year, \
                 or named by an issued notice already",
                department.name, department.id, request.year
            )));
        }
        findings.retain(|f| only.contains(&f.key));
    }
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
    let categories = categories(&profile, &findings, issuer_is_city);
    // The order to rectify rests on the liability article's lead-in when some
    // finding is conduct its items name; else on the power of supervision.
    let listed = categories.iter().any(|c| {
        matches!(
            c.source,
            SanctionSource::Category | SanctionSource::Other | SanctionSource::Overdue
        )
    });
    let order = if listed {
        Cited::of(&profile, &rule.citation)
    } else {
        Cited::power(&profile, &power)
    };
    let rectification = Rectification {
        cite: order.cite,
        quote: order.quote,
        deadline: chinese_date(deadline),
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
    doc.note = super::lapsed_note(&profile, request.date);
    doc.cc = std::iter::once(government_office(&issuer_jurisdiction))
        .chain(request.cc.iter().cloned())
        .collect();

    let data = NoticeData {
        doc,
        year: request.year,
        as_of: chinese_date(as_of),
        power: Cited::power(&profile, &power),
        rectification,
        overdue: profile
            .escalation
            .overdue
            .as_ref()
            .map(|s| overdue_sentence(&profile, s)),
        total: findings.len(),
        categories,
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

/// What follows a missed deadline, in the regulation's words.
fn overdue_sentence(profile: &Profile, step: &EscalationStep) -> String {
    let c = Cited::of(profile, &step.citation);
    match step.action {
        EscalationAction::NewFinding => format!(
            "逾期拒不整改的，属于{}“{}”所列情形，我局将依规处理。",
            c.cite, c.quote
        ),
        EscalationAction::NotifyRectification
        | EscalationAction::OrderCorrection
        | EscalationAction::WrittenCircularAndOrder
        | EscalationAction::ReportUpward
        | EscalationAction::CirculatedCriticism
        | EscalationAction::ReferForHandling
        | EscalationAction::Discipline => format!(
            "逾期未完成整改的，我局将依据{}“{}”的规定，{}。",
            c.cite, c.quote, step.wording
        ),
    }
}

/// The department's open findings whose breach occurred in `year`, by
/// category, then date: its stored findings ([`findings::stored_of_department`])
/// that no issued notice names yet ([`archive::named_findings`]).
pub async fn open_findings(
    store: &Store,
    ctx: &Context,
    department_id: &str,
    year: i32,
    replaces: Option<i64>,
) -> Result<Vec<NoticeFinding>, DocumentError> {
    let period = Period::new(year, None, None)?;
    let covered = archive::named_findings(store, department_id, replaces).await?;
    Ok(
        findings::stored_of_department(store, department_id, &period)
            .await?
            .into_iter()
            .filter(|f| !covered.contains(&f.key))
            .map(|f| notice_finding(ctx, f))
            .collect(),
    )
}

fn notice_finding(ctx: &Context, f: StoredFinding) -> NoticeFinding {
    let occurred = local_date(f.occurred_at);
    match f.detail {
        FindingDetail::Detected {
            rule,
            deadline,
            record_id,
            status,
            due,
            done_at,
            judged_at,
            citation_text: _,
        } => {
            let judged = local_date(judged_at);
            // A freshness item's `done_at` is the last update, not a completion.
            let done = done_at
                .map(local_date)
                .filter(|_| rule.done_is_completion() || status == Status::Late);
            let late = match (status, due) {
                (Status::Late, Some(due)) => done.map(|d| ctx.working_days_between(due, d).0),
                (Status::Overdue | Status::Delinquent, Some(due)) if judged > due => {
                    Some(ctx.working_days_between(due, judged).0)
                }
                (_, _) => None,
            };
            NoticeFinding {
                key: f.key,
                category: f.category,
                rule: Some(rule),
                deadline,
                record: record_id,
                due,
                done,
                late,
                occurred,
                judged: Some(judged),
                evidence: None,
            }
        }
        FindingDetail::Imported {
            inspector,
            evidence,
        } => NoticeFinding {
            record: f.key.trim_start_matches("inspection:").to_string(),
            key: f.key,
            category: f.category,
            rule: None,
            deadline: None,
            due: None,
            done: None,
            late: None,
            occurred,
            judged: None,
            evidence: Some((inspector, evidence)),
        },
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
    let Some(rule) = f.rule else {
        return format!("{}（{}）", f.category.chinese(), f.record);
    };
    let outcome = match (f.done, f.late, f.judged) {
        (Some(done), Some(n), _) => format!("，于{}办结，逾期{n}个工作日", chinese_date(done)),
        (None, Some(n), Some(judged)) => {
            format!("，截至{}仍未办结，已逾期{n}个工作日", chinese_date(judged))
        }
        (_, _, _) => String::new(),
    };
    let record = &f.record;
    let due = f.due.map(chinese_date);
    match (rule, due) {
        (Rule::Review, Some(due)) => {
            format!("共享申请{record}应于{due}前完成符合性审查{outcome}")
        }
        (Rule::Reply, Some(due)) => format!("共享申请{record}应于{due}前答复{outcome}"),
        (Rule::Correction, Some(due)) => {
            format!("数据校核申请{record}应于{due}前完成校核{outcome}")
        }
        (Rule::OpenApplication, Some(due)) => {
            format!("开放申请{record}应于{due}前答复{outcome}")
        }
        (Rule::CatalogUpdate, Some(due)) => {
            format!("职责调整事项{record}后应于{due}前更新目录{outcome}")
        }
        (Rule::FullMaintenance, Some(due)) => {
            format!("目录定期维护（{record}）应于{due}前完成{outcome}")
        }
        (Rule::RefusalReason, _) => format!("共享申请{record}不予共享但未说明理由"),
        (Rule::Withdrawal, _) => format!("目录{record}未经审核同意即撤销发布"),
        (Rule::ShareBasis, _) => format!("目录{record}的共享属性缺少依据"),
        (Rule::Freshness | Rule::FreshnessFloor, Some(due)) => {
            format!("目录{record}的数据应于{due}前更新，未按更新周期更新")
        }
        (Rule::Freshness | Rule::FreshnessFloor, None) => {
            format!("目录{record}的数据未按更新周期更新")
        }
        (Rule::UsedAfterEnd, _) => format!("授权{record}期满或收回后仍被调用"),
        (Rule::MaxAge, _) => format!("授权{record}的期限超过最长授权期"),
        (
            Rule::Review
            | Rule::Reply
            | Rule::Correction
            | Rule::OpenApplication
            | Rule::CatalogUpdate
            | Rule::FullMaintenance,
            None,
        )
        | (Rule::NeverUsed | Rule::Idle | Rule::Expiring, _) => {
            format!("{}（{record}）{outcome}", rule.chinese())
        }
    }
}

/// The deadline entry a detected finding broke: the one recorded with it,
/// else (findings recorded before entries were) the first entry of its rule
/// the profile regulates.
fn broken_rule(profile: &Profile, f: &NoticeFinding) -> Option<DeadlineKey> {
    f.deadline.or_else(|| {
        f.rule?
            .deadline_keys()
            .iter()
            .copied()
            .find(|k| profile.deadline(*k).is_some())
    })
}

fn categories(
    profile: &Profile,
    findings: &[NoticeFinding],
    issuer_is_city: bool,
) -> Vec<CategoryBlock> {
    let mut by_category: BTreeMap<CategoryCode, Vec<&NoticeFinding>> = BTreeMap::new();
    for f in findings {
        by_category.entry(f.category).or_default().push(f);
    }
    by_category
        .into_iter()
        .enumerate()
        .map(|(i, (code, list))| {
            let conducts: Vec<Conduct> = dedup(list.iter().map(|f| conduct(f)));
            let broken: Vec<DeadlineKey> =
                dedup(list.iter().filter_map(|f| broken_rule(profile, f)));
            let basis = profile.notice_basis(code, &conducts, &broken, issuer_is_city);
            let cite = |c: &Citation| Cited::of(profile, c);
            let mut violated: Vec<Cited> = basis.violated.iter().map(|c| cite(c)).collect();
            if violated.is_empty() && basis.source != SanctionSource::Supervision {
                // A category without duty articles: the item states the duty.
                violated = basis.basis.iter().map(|c| cite(c)).collect();
            }
            CategoryBlock {
                code,
                source: basis.source,
                label: paren_label(i + 1),
                name: code.heading().to_string(),
                count: list.len(),
                examples: list.iter().take(EXAMPLES).map(|f| example(f)).collect(),
                more: list.len().saturating_sub(EXAMPLES),
                violated,
                measures: broken
                    .iter()
                    .filter_map(|k| profile.deadline(*k))
                    .filter_map(|rule| bureau_measure(profile, rule))
                    .collect(),
                basis: basis_sentence(profile, &basis, issuer_is_city),
                conditional: basis
                    .conditional
                    .iter()
                    .map(|c| conditional_sentence(profile, c))
                    .collect(),
            }
        })
        .collect()
}

fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// What a finding is about, as a sanction item is limited to it.
fn conduct(f: &NoticeFinding) -> Conduct {
    f.rule.map_or(Conduct::Inspection, Conduct::Rule)
}

/// The bureau's measure of a deadline the regulation sets without a number,
/// as a sentence: the text's words, then the number as the bureau's.
fn bureau_measure(profile: &Profile, rule: &DeadlineRule) -> Option<String> {
    let n = rule.working_days?;
    let cite = profile.cite(&rule.citation);
    match rule.kind {
        DeadlineKind::InTime => Some(format!(
            "{cite}要求“{}”，未规定具体天数，本局按{n}个工作日掌握，上述应办结日期据此计算。",
            rule.wording
        )),
        DeadlineKind::NoLimit => Some(format!(
            "{cite}对“{}”未规定时限，本局按{n}个工作日掌握，上述应办结日期据此计算。",
            rule.wording
        )),
        DeadlineKind::WorkingDays
        | DeadlineKind::SetByAuthority
        | DeadlineKind::OnTheSpot
        | DeadlineKind::Months
        | DeadlineKind::Years
        | DeadlineKind::Quarterly
        | DeadlineKind::Direct
        | DeadlineKind::PriorApproval
        | DeadlineKind::Requirement
        | DeadlineKind::NotRegulated => None,
    }
}

/// The basis of a category, as a sentence.
fn basis_sentence(profile: &Profile, basis: &NoticeBasis<'_>, issuer_is_city: bool) -> String {
    let all = |list: &[&Citation]| {
        list.iter()
            .map(|c| {
                let c = Cited::of(profile, c);
                format!("{}“{}”", c.cite, c.quote)
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    match basis.source {
        SanctionSource::Category | SanctionSource::Other => {
            format!("属于{}所列情形。", all(&basis.basis))
        }
        SanctionSource::Overdue => format!("对此，{}已有规定。", all(&basis.basis)),
        SanctionSource::Supervision => {
            let power = Cited::power(profile, profile.supervision.of_issuer(issuer_is_city));
            format!(
                "根据{}“{}”的规定，我局督促你单位予以整改。",
                power.cite, power.quote
            )
        }
    }
}

/// What follows if the element of a conditional item is established.
fn conditional_sentence(profile: &Profile, c: &Citation) -> String {
    let cited = Cited::of(profile, c);
    format!(
        "经查实存在“{}”情形的，属于{}“{}”所列情形，我局将依规另行处理。",
        c.condition.as_deref().unwrap_or_default(),
        cited.cite,
        cited.quote
    )
}

fn rows(findings: &[NoticeFinding]) -> Vec<[String; 7]> {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = match (&f.evidence, f.rule) {
                (Some((_, evidence)), _) => format!("监督检查发现：{}", evidence.trim()),
                (None, Some(rule)) => rule.chinese().to_string(),
                (None, None) => String::new(),
            };
            let done = match (f.done, &f.evidence, f.late) {
                (Some(d), _, _) => chinese_date(d),
                (None, Some((inspector, _)), _) => {
                    format!("{}检查（{}）", chinese_date(f.occurred), inspector)
                }
                (None, None, Some(_)) if f.rule.is_some_and(|r| !r.done_is_completion()) => {
                    "未更新".to_string()
                }
                (None, None, Some(_)) => "未办结".to_string(),
                (None, None, None) => "—".to_string(),
            };
            [
                (i + 1).to_string(),
                f.category.chinese().to_string(),
                f.record.clone(),
                what,
                f.due.map(chinese_date).unwrap_or_else(|| "—".into()),
                done,
                f.late.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect()
}
