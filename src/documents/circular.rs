//! 通报: when a rectification deadline passes, the escalation the governing
//! regulation prescribes (RULES.md §4), naming the departments and what they
//! failed to do.
//!
//! A circular is issued by a bureau about the notices it issued for a year
//! whose deadline has passed by the circular's date, that no correction
//! replaced and that no earlier circular named; the inspector leaves out the
//! departments that did rectify (`except`). The escalation is the issuing
//! jurisdiction's profile's `escalation.overdue` step: 通报批评 (YK Art.37),
//! a report for supervision (PDS Art.27, KF Art.28), or, under JC, the
//! written circular of Art.43 with the refusal named as item (8). Under a
//! regulation without such a step (XX) the bureau circulates the failure on
//! its own power of supervision, and the circular says that the regulation
//! prescribes nothing and the measure is the bureau's.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::archive::{self, IssuedDocument};
use super::{
    Cited, Doc, DocumentError, Prepared, chinese_date, government_office, issuer_code, paren_label,
};
use crate::config::Config;
use crate::metrics::{Context, Period};
use crate::rules::{DeadlineKey, EscalationAction};
use crate::store::Store;
use crate::vocab::{CategoryCode, DocumentKind};

/// What a circular is drafted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircularRequest {
    /// The year of the notices (their data year).
    pub year: i32,
    /// The issuing jurisdiction (default: the root jurisdiction, the city).
    pub jurisdiction_id: Option<String>,
    /// 成文日期; notices whose deadline is before it are overdue.
    pub date: NaiveDate,
    /// Departments that rectified in time: left out.
    pub except: Vec<String>,
    /// Only these notices (archive ids), when given: a case's escalation
    /// names exactly the overdue cases' notices (src/cases).
    pub notices: Option<Vec<i64>>,
    /// What the cases know of each notice's rectification, by notice id: the
    /// deadline as extended, and what the department reported.
    pub followed: BTreeMap<i64, Followed>,
    /// Further 抄送机关.
    pub cc: Vec<String>,
}

/// A notice's rectification as its case followed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Followed {
    /// The deadline, moved by approved extensions.
    pub deadline: NaiveDate,
    /// What the department reported.
    pub reported: Reported,
}

/// What a department reported on a rectification whose deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reported {
    /// Nothing (the default where no case followed the notice).
    Nothing,
    /// A response that was verified and returned.
    Returned,
    /// A response after the deadline.
    Late,
}

/// One department in the circular.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// `（一）`.
    pub label: String,
    /// The department.
    pub name: String,
    /// The notice's 发文字号.
    pub notice_number: String,
    /// The notice's date.
    pub notice_date: String,
    /// Its deadline (as extended).
    pub deadline: String,
    /// Whether an approved extension moved it.
    pub extended: bool,
    /// What the department reported.
    pub reported: Reported,
    /// Findings the notice named.
    pub count: usize,
    /// Them per category: `审批超时3项、其他1项`.
    pub categories: String,
}

/// What a circular does, by the escalation step it carries out (the
/// template words its opening after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircularAction {
    /// 通报批评 (YK Art.37).
    CirculatedCriticism,
    /// A report for supervision to the government (PDS Art.27, KF Art.28).
    ReportUpward,
    /// A written circular naming the failure (JC Art.43).
    WrittenCircular,
    /// The regulation prescribes no step after a missed deadline (XX): the
    /// bureau circulates the failure on its own power of supervision, and
    /// the circular says that it is the bureau's measure.
    BureauCircular,
}

/// The inputs of `templates/circular.typ`.
#[derive(Debug, Clone, Serialize)]
pub struct CircularData {
    /// The common part.
    pub doc: Doc,
    /// The year.
    pub year: i32,
    /// 截至 (the circular's date).
    pub as_of: String,
    /// What the circular is: 通报批评, a report upward, or a written circular.
    pub action: CircularAction,
    /// The bureau's power of supervision (to inspect, to circulate problems
    /// found), in the regulation's words.
    pub power: Cited,
    /// The step after the deadline; none where the regulation prescribes
    /// none (the circular is then the bureau's measure).
    pub escalation: Option<Cited>,
    /// The regulation's title, 《…》.
    pub regulation: String,
    /// The departments.
    pub units: Vec<Unit>,
    /// How many.
    pub count: usize,
    /// The new deadline to rectify.
    pub deadline: String,
}

/// Gathers the overdue notices and prepares the circular.
pub async fn prepare(
    store: &Store,
    config: &Config,
    request: &CircularRequest,
) -> Result<Prepared, DocumentError> {
    let period = Period::new(request.year, None, None)?;
    let ctx = Context::load(store, config, period, crate::time::now_millis()).await?;
    let org = &ctx.org;
    let jurisdiction = match &request.jurisdiction_id {
        Some(id) => org
            .jurisdictions
            .get(id)
            .ok_or_else(|| DocumentError::NotFound(format!("no jurisdiction {id:?}")))?,
        None => org
            .root()
            .ok_or_else(|| DocumentError::NotFound("no root jurisdiction".into()))?,
    }
    .clone();
    let issuer = org.authority_of(&jurisdiction.id).ok_or_else(|| {
        DocumentError::Invalid(format!(
            "{} has no data authority to issue the circular",
            jurisdiction.name
        ))
    })?;
    let (issuer_id, issuer_name) = (issuer.department_id, issuer.name);
    let profile = ctx
        .profiles
        .by_id(&jurisdiction.profile)
        .expect("profiles are checked when the context is built")
        .clone();
    let step = profile.escalation.overdue.clone();
    let notices: Vec<IssuedDocument> =
        archive::overdue_notices(store, &issuer_id, request.year, request.date)
            .await?
            .into_iter()
            .filter(|n| !request.except.contains(&n.subject_id))
            .filter(|n| {
                request
                    .notices
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&n.id))
            })
            .collect();
    if notices.is_empty() {
        return Err(DocumentError::Invalid(format!(
            "{issuer_name} issued no notice for {} whose deadline passed before {} and that no circular named yet",
            request.year,
            chinese_date(request.date)
        )));
    }
    let mut units = Vec::new();
    for (i, n) in notices.iter().enumerate() {
        let categories = category_counts(n, &archive::input(store, n.id).await?)?;
        let followed = request.followed.get(&n.id);
        let notice_deadline = n.deadline.as_deref().and_then(parse_date);
        units.push(Unit {
            label: paren_label(i + 1),
            name: n.addressee.clone(),
            notice_number: n.number.clone(),
            notice_date: parse_date(&n.issued_on)
                .map(chinese_date)
                .unwrap_or_default(),
            deadline: followed
                .map(|f| f.deadline)
                .or(notice_deadline)
                .map(chinese_date)
                .unwrap_or_default(),
            extended: followed.is_some_and(|f| Some(f.deadline) != notice_deadline),
            reported: followed.map_or(Reported::Nothing, |f| f.reported),
            count: categories.iter().map(|c| c.1).sum(),
            categories: categories
                .iter()
                .map(|(code, n)| format!("{}{n}项", code.chinese()))
                .collect::<Vec<_>>()
                .join("、"),
        });
    }
    let action = match step.as_ref().map(|s| s.action) {
        None => CircularAction::BureauCircular,
        Some(EscalationAction::CirculatedCriticism) => CircularAction::CirculatedCriticism,
        Some(EscalationAction::ReportUpward) => CircularAction::ReportUpward,
        Some(
            EscalationAction::NotifyRectification
            | EscalationAction::OrderCorrection
            | EscalationAction::WrittenCircularAndOrder
            | EscalationAction::NewFinding
            | EscalationAction::ReferForHandling
            | EscalationAction::Discipline,
        ) => CircularAction::WrittenCircular,
    };
    let root = org.root().cloned().unwrap_or_else(|| jurisdiction.clone());
    let addressee = match action {
        CircularAction::ReportUpward
            if step.as_ref().is_some_and(|s| s.wording.contains("办公室")) =>
        {
            government_office(&root)
        }
        CircularAction::ReportUpward => format!("{}人民政府", root.name),
        CircularAction::CirculatedCriticism
        | CircularAction::WrittenCircular
        | CircularAction::BureauCircular
            if jurisdiction.is_root() =>
        {
            format!(
                "各县（市、区）政务数据主管部门，{}直各有关部门",
                short_level(&jurisdiction.name)
            )
        }
        CircularAction::CirculatedCriticism
        | CircularAction::WrittenCircular
        | CircularAction::BureauCircular => {
            format!("{}各有关部门", jurisdiction.name)
        }
    };
    let rule = profile.deadline(DeadlineKey::Rectification);
    let working_days = rule.and_then(|r| r.working_days).unwrap_or(10);
    let deadline = ctx.calendar.add_working_days(request.date, working_days)?;
    let year = format!("{}年度", request.year);
    let title_parts: Vec<String> = match action {
        CircularAction::CirculatedCriticism => vec![
            format!("关于对{}个单位", units.len()),
            "未按期完成".into(),
            year,
            "政务数据共享问题整改".into(),
            "予以通报批评的通报".into(),
        ],
        CircularAction::ReportUpward
        | CircularAction::WrittenCircular
        | CircularAction::BureauCircular => vec![
            format!("关于{}个单位", units.len()),
            "未按期完成".into(),
            year,
            "政务数据共享问题整改情况的通报".into(),
        ],
    };
    let mut doc = Doc::new(&issuer_name, request.date, title_parts, addressee.clone());
    let title = doc.title.clone();
    doc.note = super::lapsed_note(&profile, request.date);
    doc.cc = std::iter::once(government_office(&jurisdiction))
        .filter(|office| *office != addressee)
        .chain(request.cc.iter().cloned())
        .collect();
    let data = CircularData {
        doc,
        year: request.year,
        as_of: chinese_date(request.date),
        action,
        power: Cited::power(
            &profile,
            profile.supervision.of_issuer(jurisdiction.is_root()),
        ),
        escalation: step.as_ref().map(|s| Cited::of(&profile, &s.citation)),
        regulation: profile.title_marked(),
        count: units.len(),
        units,
        deadline: chinese_date(deadline),
    };
    Ok(Prepared {
        kind: DocumentKind::Circular,
        issuer_id,
        issuer_name,
        number_prefix: format!(
            "{}{}",
            issuer_code(&jurisdiction),
            DocumentKind::Circular.number_mark()
        ),
        addressee,
        title,
        subject_id: jurisdiction.id.clone(),
        data_year: request.year,
        issued_on: request.date,
        deadline: Some(deadline),
        covers: notices.iter().map(|n| format!("notice:{}", n.id)).collect(),
        data: serde_json::to_value(&data).expect("circular data serialises"),
    })
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `云州市` → `市` for 市直各有关部门; a county → `县`.
fn short_level(name: &str) -> &'static str {
    if name.ends_with('县') {
        "县"
    } else if name.ends_with('区') {
        "区"
    } else {
        "市"
    }
}

/// Findings per category of an issued notice, from the data it was
/// rendered from (its `categories`, in the order of RULES.md §3).
fn category_counts(
    notice: &IssuedDocument,
    input: &serde_json::Value,
) -> Result<Vec<(CategoryCode, usize)>, DocumentError> {
    #[derive(serde::Deserialize)]
    struct Block {
        code: CategoryCode,
        count: usize,
    }
    #[derive(serde::Deserialize)]
    struct NoticeInput {
        categories: Vec<Block>,
    }
    let parsed: NoticeInput = serde_json::from_value(input.clone()).map_err(|e| {
        DocumentError::Io(format!(
            "the stored data of notice {} ({}) has no readable categories: {e}",
            notice.id, notice.number
        ))
    })?;
    let mut out: Vec<(CategoryCode, usize)> = parsed
        .categories
        .into_iter()
        .map(|b| (b.code, b.count))
        .collect();
    out.sort_by_key(|(code, _)| *code);
    Ok(out)
}
