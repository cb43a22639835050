//! Platform metrics (issue 3 §3): what the platform recorded, judged against
//! the regulation that governs each department, item by item, with the
//! article every judgement rests on.
//!
//! # Shape
//!
//! A run has a [`Context`]: the store's departments and jurisdictions, the
//! working-day calendar (with the bureau's overrides), the regulation
//! profiles, the governing profile of every department, the [`Period`] and
//! the as-of instant `T`. Each check ([`approvals`], [`grants`],
//! [`corrections`], [`open_applications`], [`catalog`], [`freshness`]) reads
//! the rows it needs in a few bulk queries and turns them into
//! [`CheckItem`]s in Rust, with the calendar (O(1) per deadline).
//! [`findings`] turns the breaches into findings with their category, stores
//! them deduplicated in `detected_findings` and joins the imported inspection
//! findings; [`summary`] aggregates items and findings per department and
//! per jurisdiction with polars; [`cli`] and [`api`] expose it all.
//!
//! # Semantics
//!
//! - **Governing profile.** A department is governed by its jurisdiction's
//!   `profile`, else the nearest ancestor's, else the configured
//!   `default_profile`. An item is judged under the profile of its
//!   *responsible* department: the review under the reviewing authority's,
//!   the reply under the provider's, a grant's use under the grantee's, and
//!   so on. A profile that does not regulate a rule produces no item for it.
//! - **Period.** Event-based items belong to the period of their triggering
//!   event (a request's submission, a correction's report, a duty change's
//!   publication, …). Snapshot checks (freshness, idle and expiring grants,
//!   share bases) are evaluated at the *evaluation instant*
//!   `min(T, end of period)` ([`Context::evaluation_ms`]).
//! - **As of `T`.** Records created after `T` do not exist yet; anything done
//!   after `T` counts as not yet done. `T` defaults to now.
//! - **Deadlines** follow RULES.md §1: the event's day is not counted, day 1
//!   is the next working day, the deadline is the end (24:00 Asia/Shanghai)
//!   of day N; `n = 0` (on the spot) is the event's day if it is a working
//!   day, else the next one. Where a needed year has no official calendar
//!   data, the `*_provisional` calendar functions count weekends only and the
//!   item says `provisional: true`.
//! - **Status** of a deadline item ([`Status`]): `on_time` (done before the
//!   deadline's end), `late` (done at or after it), `pending` (not done, more
//!   than [`AT_RISK_WORKING_DAYS`] working day left), `at_risk` (not done,
//!   that or less left), `overdue` (not done, deadline passed). Other checks
//!   use `violation`, `revocable`, `resolved`, `expiring` and the freshness
//!   tiers `fresh`, `due`, `overdue`, `delinquent`, `not_evaluable`.
//! - **No deadline number lives here**: every working-day count, month and
//!   year comes from the profile ([`crate::rules::DeadlineRule`]). The few
//!   constants of this module are status thresholds of the bureau's
//!   reporting (at risk, expiring soon) and the HDX freshness table
//!   ([`freshness`]), each documented where it is defined.

pub mod api;
pub mod approvals;
pub mod catalog;
pub mod cli;
pub mod corrections;
mod error;
pub mod findings;
pub mod freshness;
pub mod grants;
pub mod open_applications;
mod packed;
mod period;
pub mod summary;
pub mod table;

#[cfg(test)]
pub(crate) mod testutil;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use sqlx::Row;

pub use error::MetricsError;
pub use period::{Period, Quarter, midnight_ms};

use crate::calendar::Calendar;
use crate::config::Config;
use crate::rules::{Citation, DeadlineKind, DeadlineRule, Profile, Profiles};
use crate::store::{Store, get_bool};
use crate::time::{format_millis, local_date};

/// A deadline item not done with this many working days or fewer left is
/// `at_risk` rather than `pending` (bureau reporting threshold, issue 3 §3).
pub const AT_RISK_WORKING_DAYS: i64 = 1;

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

// ------------------------------------------------------------------ vocabularies

/// The six checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum CheckKind {
    /// Review and reply deadlines of share requests, refusals without reason.
    Approvals,
    /// Catalog updates after duty changes, quarterly maintenance, withdrawals, share bases.
    Catalog,
    /// Data refreshed on its declared cycle; 新县's quarterly floor.
    Freshness,
    /// Unused, idle, over-long, expiring grants and use after expiry or revocation.
    Grants,
    /// Corrections (校核) of disputed data.
    Corrections,
    /// Open-data applications (依申请开放).
    #[value(name = "open-applications")]
    OpenApplications,
}

impl CheckKind {
    /// Every check, in reporting order.
    pub const ALL: [CheckKind; 6] = [
        CheckKind::Approvals,
        CheckKind::Catalog,
        CheckKind::Freshness,
        CheckKind::Grants,
        CheckKind::Corrections,
        CheckKind::OpenApplications,
    ];

    /// The name on the command line, in URLs and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Approvals => "approvals",
            CheckKind::Catalog => "catalog",
            CheckKind::Freshness => "freshness",
            CheckKind::Grants => "grants",
            CheckKind::Corrections => "corrections",
            CheckKind::OpenApplications => "open-applications",
        }
    }

    /// The Chinese name used in tables.
    pub fn chinese(self) -> &'static str {
        match self {
            CheckKind::Approvals => "共享审批",
            CheckKind::Catalog => "目录维护",
            CheckKind::Freshness => "数据更新",
            CheckKind::Grants => "授权使用",
            CheckKind::Corrections => "数据校核",
            CheckKind::OpenApplications => "依申请开放",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CheckKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || (s == "open_applications" && *k == CheckKind::OpenApplications))
            .ok_or_else(|| {
                format!(
                    "unknown check {s:?}: expected approvals, catalog, freshness, grants, corrections or open-applications"
                )
            })
    }
}

impl Serialize for CheckKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The status of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Done before the deadline's end.
    OnTime,
    /// Done at or after the deadline's end.
    Late,
    /// Not done, more than [`AT_RISK_WORKING_DAYS`] working day left.
    Pending,
    /// Not done, [`AT_RISK_WORKING_DAYS`] working day or less left.
    AtRisk,
    /// Not done and the deadline has passed; for freshness: past HDX's
    /// overdue age.
    Overdue,
    /// A breach without a deadline (refusal without reason, withdrawal
    /// without approval, entry without basis, grant over its maximum age,
    /// use after expiry or revocation).
    Violation,
    /// A grant the provider or the bureau may revoke (JC Art.31: unused for
    /// more than the profile's months).
    Revocable,
    /// A revocable condition that has ended (the grant was used, or ended).
    Resolved,
    /// A grant expiring soon (informational).
    Expiring,
    /// Freshness: younger than the declared cycle.
    Fresh,
    /// Freshness: the cycle has elapsed, within HDX's leeway.
    Due,
    /// Freshness: past HDX's delinquent age.
    Delinquent,
    /// Freshness: the declared cycle is `irregular`.
    NotEvaluable,
}

impl Status {
    /// Every status, in reporting order.
    pub const ALL: [Status; 13] = [
        Status::OnTime,
        Status::Late,
        Status::Pending,
        Status::AtRisk,
        Status::Overdue,
        Status::Violation,
        Status::Revocable,
        Status::Resolved,
        Status::Expiring,
        Status::Fresh,
        Status::Due,
        Status::Delinquent,
        Status::NotEvaluable,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTime => "on_time",
            Status::Late => "late",
            Status::Pending => "pending",
            Status::AtRisk => "at_risk",
            Status::Overdue => "overdue",
            Status::Violation => "violation",
            Status::Revocable => "revocable",
            Status::Resolved => "resolved",
            Status::Expiring => "expiring",
            Status::Fresh => "fresh",
            Status::Due => "due",
            Status::Delinquent => "delinquent",
            Status::NotEvaluable => "not_evaluable",
        }
    }

    /// The Chinese column header.
    pub fn chinese(self) -> &'static str {
        match self {
            Status::OnTime => "按时",
            Status::Late => "逾期办结",
            Status::Pending => "办理中",
            Status::AtRisk => "临期",
            Status::Overdue => "超期",
            Status::Violation => "违规",
            Status::Revocable => "可收回",
            Status::Resolved => "已消除",
            Status::Expiring => "即将到期",
            Status::Fresh => "已更新",
            Status::Due => "待更新",
            Status::Delinquent => "严重滞后",
            Status::NotEvaluable => "不可评估",
        }
    }

    /// Counts towards the on-time rate's numerator: done in time, or data
    /// not yet past HDX's leeway (`fresh`, `due`).
    pub fn is_ok(self) -> bool {
        matches!(self, Status::OnTime | Status::Fresh | Status::Due)
    }

    /// A breach: counts towards the rate's denominator against it, and
    /// becomes a finding ([`findings`]).
    pub fn is_breach(self) -> bool {
        matches!(
            self,
            Status::Late | Status::Overdue | Status::Violation | Status::Delinquent
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stage of a share request an approvals item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The authority's compliance review.
    Review,
    /// The provider's answer to a conditional request.
    Reply,
    /// A refusal without reason.
    RefusalReason,
}

/// The rule an item applies; with the record id it makes the item's stable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The authority's compliance review of a request.
    Review,
    /// The provider's reply to a conditional request.
    Reply,
    /// A refusal must give reasons (or its basis).
    RefusalReason,
    /// A grant not used within the profile's months of being granted.
    NeverUsed,
    /// A used grant without use for the profile's months.
    Idle,
    /// A grant whose lifetime exceeds the profile's maximum.
    MaxAge,
    /// A grant used after its expiry or revocation.
    UsedAfterEnd,
    /// A grant expiring soon.
    Expiring,
    /// The answer to a correction request.
    Correction,
    /// The answer to an open-data application.
    OpenApplication,
    /// The catalog updated after a law revision or duty change.
    CatalogUpdate,
    /// The quarterly full maintenance of a department's catalog.
    FullMaintenance,
    /// Published data withdrawn without the authority's prior approval.
    Withdrawal,
    /// A conditional or not-shared entry without a stated basis.
    ShareBasis,
    /// Data refreshed on its declared cycle.
    Freshness,
    /// 新县's floor: data updated in the first days of each quarter.
    FreshnessFloor,
}

impl Rule {
    /// The snake_case name (key prefix).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Review => "review",
            Rule::Reply => "reply",
            Rule::RefusalReason => "refusal_reason",
            Rule::NeverUsed => "never_used",
            Rule::Idle => "idle",
            Rule::MaxAge => "max_age",
            Rule::UsedAfterEnd => "used_after_end",
            Rule::Expiring => "expiring",
            Rule::Correction => "correction",
            Rule::OpenApplication => "open_application",
            Rule::CatalogUpdate => "catalog_update",
            Rule::FullMaintenance => "full_maintenance",
            Rule::Withdrawal => "withdrawal",
            Rule::ShareBasis => "share_basis",
            Rule::Freshness => "freshness",
            Rule::FreshnessFloor => "freshness_floor",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ------------------------------------------------------------------ items

fn ser_instant<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(ms) => s.serialize_str(&format_millis(*ms)),
        None => s.serialize_none(),
    }
}

/// One judged record: a deadline, a breach or a state, with its citation.
///
/// Serialised (JSON, CSV) with the columns of [`CheckItem::COLUMNS`]; instants
/// as RFC 3339 in Asia/Shanghai, dates as `YYYY-MM-DD`, absent values as null
/// (empty in CSV).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckItem {
    /// Which check produced it.
    pub check: CheckKind,
    /// Which rule it applies.
    pub rule: Rule,
    /// Stable key across runs (`rule:record_id`, plus a quarter or episode
    /// where a record has several): the dedupe key of findings.
    pub key: String,
    /// The record's platform id (request, grant, correction, application,
    /// duty change, entry; the department for quarterly maintenance).
    pub id: String,
    /// The department answerable for it.
    pub responsible_id: String,
    /// The governing profile's id.
    pub profile: String,
    /// Short citation, e.g. `JC Art.30(2)`.
    pub citation: String,
    /// Chinese citation, e.g. `《晋城市政务数据资源共享管理实施细则》第三十条第（二）项`.
    pub citation_text: String,
    /// The limit in the regulation's words.
    pub wording: Option<String>,
    /// The due date (the deadline expires at its end), if any.
    pub due: Option<NaiveDate>,
    /// When it was done (only if at or before the as-of instant).
    #[serde(serialize_with = "ser_instant")]
    pub done_at: Option<i64>,
    /// The judgement.
    pub status: Status,
    /// Approvals: the request's stage.
    pub stage: Option<Stage>,
    /// True when a year without official calendar data forced a
    /// weekends-only count.
    pub provisional: bool,
    /// True when the number of days is bureau practice (`in_time`,
    /// `basis = bureau_default`), not the regulation's.
    pub bureau_default: bool,
    /// What started the clock.
    #[serde(serialize_with = "ser_instant")]
    pub clock_start: Option<i64>,
    /// Working days allowed (extension included).
    pub working_days: Option<u32>,
    /// `late`/`overdue`: working days after the due date (to the day done,
    /// or to the as-of day).
    pub working_days_late: Option<i64>,
    /// `pending`/`at_risk`: working days left after the as-of day.
    pub working_days_left: Option<i64>,
    /// Corrections: the approved extension counted, in working days.
    pub extension_days: Option<i64>,
    /// Freshness: the entry's declared update cycle.
    pub update_cycle: Option<String>,
    /// Freshness: days since the last update (or publication).
    pub age_days: Option<i64>,
    /// Grants: first use at or before the as-of instant.
    #[serde(serialize_with = "ser_instant")]
    pub first_use_at: Option<i64>,
    /// Grants: last use at or before the evaluation instant.
    #[serde(serialize_with = "ser_instant")]
    pub last_use_at: Option<i64>,
    /// Grants: access-log rows after the grant ended, within the period.
    pub uses_after_end: Option<i64>,
    /// The violation category when the item is a breach (RULES.md §3).
    pub category: Option<crate::rules::CategoryCode>,
    /// Remarks (fallbacks used, extensions ignored, …), in Chinese.
    pub note: Option<String>,
}

impl CheckItem {
    /// The serialised columns, in order (CSV header).
    pub const COLUMNS: [&'static str; 27] = [
        "check",
        "rule",
        "key",
        "id",
        "responsible_id",
        "profile",
        "citation",
        "citation_text",
        "wording",
        "due",
        "done_at",
        "status",
        "stage",
        "provisional",
        "bureau_default",
        "clock_start",
        "working_days",
        "working_days_late",
        "working_days_left",
        "extension_days",
        "update_cycle",
        "age_days",
        "first_use_at",
        "last_use_at",
        "uses_after_end",
        "category",
        "note",
    ];

    /// An item with its identity and citation; everything else empty.
    /// ([`Context::item`] does the same with the citation texts cached.)
    pub fn new(
        check: CheckKind,
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &Profile,
        citation: &Citation,
        status: Status,
    ) -> CheckItem {
        let cited = (profile.cite_short(citation), profile.cite(citation));
        CheckItem::cited(check, rule, id, responsible_id, &profile.id, cited, status)
    }

    fn cited(
        check: CheckKind,
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &str,
        (citation, citation_text): (String, String),
        status: Status,
    ) -> CheckItem {
        CheckItem {
            check,
            rule,
            key: format!("{}:{id}", rule.as_str()),
            id: id.to_string(),
            responsible_id: responsible_id.to_string(),
            profile: profile.to_string(),
            citation,
            citation_text,
            wording: None,
            due: None,
            done_at: None,
            status,
            stage: None,
            provisional: false,
            bureau_default: false,
            clock_start: None,
            working_days: None,
            working_days_late: None,
            working_days_left: None,
            extension_days: None,
            update_cycle: None,
            age_days: None,
            first_use_at: None,
            last_use_at: None,
            uses_after_end: None,
            category: None,
            note: None,
        }
    }

    /// Takes the limit's wording and basis from a rule.
    pub fn with_rule(mut self, rule: &DeadlineRule) -> CheckItem {
        self.wording = Some(rule.wording.clone()).filter(|w| !w.is_empty());
        self.bureau_default = rule.is_bureau_default();
        self
    }

    /// Applies a deadline judgement.
    pub fn with_judgement(mut self, j: &Judgement) -> CheckItem {
        self.status = j.status;
        self.due = Some(j.due);
        self.done_at = j.done_at;
        self.working_days_late = j.working_days_late;
        self.working_days_left = j.working_days_left;
        self.provisional |= j.provisional;
        self
    }

    /// Appends a remark.
    pub fn add_note(&mut self, note: impl AsRef<str>) {
        match &mut self.note {
            Some(n) => {
                n.push('；');
                n.push_str(note.as_ref());
            }
            None => self.note = Some(note.as_ref().to_string()),
        }
    }
}

/// The number of working days a rule allows, for the kinds counted in
/// working days (`working_days`, `in_time`, `set_by_authority`); `None` for
/// the others.
pub fn working_day_limit(rule: &DeadlineRule) -> Option<u32> {
    match rule.kind {
        DeadlineKind::WorkingDays | DeadlineKind::InTime | DeadlineKind::SetByAuthority => {
            rule.working_days
        }
        _ => None,
    }
}

// ------------------------------------------------------------------ context

/// A department as the metrics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its jurisdiction.
    pub jurisdiction_id: String,
    /// The bureau (政务数据主管部门) of its jurisdiction.
    pub is_authority: bool,
    /// The governing profile's id.
    pub profile: String,
}

/// A jurisdiction as the metrics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Jurisdiction {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// city, county, district, zone.
    pub level: String,
    /// Parent jurisdiction.
    pub parent_id: Option<String>,
    /// Its own profile, if it names one.
    pub own_profile: Option<String>,
    /// The governing profile's id (own, else the nearest ancestor's, else the default).
    pub profile: String,
    /// Its authority department, else the nearest ancestor's.
    pub authority_id: Option<String>,
}

/// The result of judging a deadline as of `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    /// The due date.
    pub due: NaiveDate,
    /// The status.
    pub status: Status,
    /// When done (only if at or before `T`).
    pub done_at: Option<i64>,
    /// `late`/`overdue`: working days past the due date.
    pub working_days_late: Option<i64>,
    /// `pending`/`at_risk`: working days left.
    pub working_days_left: Option<i64>,
    /// A year without calendar data was involved.
    pub provisional: bool,
}

/// Everything a check needs: calendar, profiles, departments with their
/// governing profile, the period and the as-of instant.
#[derive(Debug, Clone)]
pub struct Context {
    /// The working-day calendar (with the bureau's overrides).
    pub calendar: Calendar,
    /// The regulation profiles.
    pub profiles: Profiles,
    /// The profile of jurisdictions that name none, up to the root.
    pub default_profile: String,
    /// Departments by id.
    pub departments: BTreeMap<String, Department>,
    /// Jurisdictions by id.
    pub jurisdictions: BTreeMap<String, Jurisdiction>,
    /// The period.
    pub period: Period,
    /// The as-of instant `T`, milliseconds since the epoch.
    pub as_of: i64,
    /// Formatted citations: profile id → (article, item) → (short, Chinese).
    citations: HashMap<String, HashMap<(u32, Option<u32>), (String, String)>>,
}

/// Every citation a profile holds, formatted once.
fn format_citations(
    profiles: &Profiles,
) -> HashMap<String, HashMap<(u32, Option<u32>), (String, String)>> {
    profiles
        .iter()
        .map(|p| {
            let mut all: Vec<&Citation> = Vec::new();
            for rule in p.deadlines.values() {
                all.push(&rule.citation);
                all.extend(rule.also.iter());
            }
            all.extend(p.not_regulated.values().filter_map(|n| n.citation.as_ref()));
            for c in p.categories.values() {
                all.extend(c.sanction.iter());
                all.extend(c.duties.iter());
            }
            let map = all
                .into_iter()
                .map(|c| ((c.article, c.item), (p.cite_short(c), p.cite(c))))
                .collect();
            (p.id.clone(), map)
        })
        .collect()
}

impl Context {
    /// Builds a context from in-memory departments and jurisdictions; every
    /// governing profile and authority is resolved here.
    ///
    /// `jurisdictions` are `(id, name, level, parent_id, profile)`;
    /// `departments` are `(id, name, jurisdiction_id, is_authority)`.
    #[allow(clippy::type_complexity)]
    pub fn new(
        calendar: Calendar,
        profiles: Profiles,
        default_profile: &str,
        jurisdictions: Vec<(String, String, String, Option<String>, Option<String>)>,
        departments: Vec<(String, String, String, bool)>,
        period: Period,
        as_of: i64,
    ) -> Result<Context, MetricsError> {
        if profiles.by_id(default_profile).is_none() {
            return Err(MetricsError::UnknownProfile {
                id: default_profile.to_string(),
                origin: "default_profile".into(),
            });
        }
        let raw: HashMap<String, (String, String, Option<String>, Option<String>)> = jurisdictions
            .into_iter()
            .map(|(id, name, level, parent, profile)| {
                (
                    id,
                    (
                        name,
                        level,
                        parent.filter(|p| !p.is_empty()),
                        profile.filter(|p| !p.is_empty()),
                    ),
                )
            })
            .collect();
        for (id, (_, _, _, profile)) in &raw {
            if let Some(p) = profile {
                if profiles.by_id(p).is_none() {
                    return Err(MetricsError::UnknownProfile {
                        id: p.clone(),
                        origin: format!("jurisdiction {id}"),
                    });
                }
            }
        }
        // Authority department of each jurisdiction (the first by id if several).
        let mut own_authority: HashMap<&str, &str> = HashMap::new();
        let mut sorted: Vec<&(String, String, String, bool)> = departments.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, _, jur, is_authority) in sorted {
            if *is_authority {
                own_authority.entry(jur.as_str()).or_insert(id.as_str());
            }
        }
        let mut resolved: BTreeMap<String, Jurisdiction> = BTreeMap::new();
        for (id, (name, level, parent, own)) in &raw {
            // Walk up for the profile and the authority.
            let mut profile = None;
            let mut authority = None;
            let mut cursor = Some(id.as_str());
            let mut steps = 0usize;
            while let Some(j) = cursor {
                steps += 1;
                if steps > raw.len() + 1 {
                    return Err(MetricsError::ParentCycle(id.clone()));
                }
                let Some((_, _, p, prof)) = raw.get(j) else {
                    break;
                };
                if profile.is_none() {
                    profile = prof.clone();
                }
                if authority.is_none() {
                    authority = own_authority.get(j).map(|a| a.to_string());
                }
                if profile.is_some() && authority.is_some() {
                    break;
                }
                cursor = p.as_deref();
            }
            resolved.insert(
                id.clone(),
                Jurisdiction {
                    id: id.clone(),
                    name: name.clone(),
                    level: level.clone(),
                    parent_id: parent.clone(),
                    own_profile: own.clone(),
                    profile: profile.unwrap_or_else(|| default_profile.to_string()),
                    authority_id: authority,
                },
            );
        }
        let departments = departments
            .into_iter()
            .map(|(id, name, jurisdiction_id, is_authority)| {
                let profile = resolved
                    .get(&jurisdiction_id)
                    .map(|j| j.profile.clone())
                    .unwrap_or_else(|| default_profile.to_string());
                (
                    id.clone(),
                    Department {
                        id,
                        name,
                        jurisdiction_id,
                        is_authority,
                        profile,
                    },
                )
            })
            .collect();
        Ok(Context {
            calendar,
            citations: format_citations(&profiles),
            profiles,
            default_profile: default_profile.to_string(),
            departments,
            jurisdictions: resolved,
            period,
            as_of,
        })
    }

    /// Loads departments and jurisdictions from the store; calendar and
    /// default profile from the configuration; the shipped profiles.
    pub async fn load(
        store: &Store,
        config: &Config,
        period: Period,
        as_of: i64,
    ) -> Result<Context, MetricsError> {
        let calendar = config.calendar()?;
        let jurisdictions =
            sqlx::query("SELECT id, name, level, parent_id, profile FROM jurisdictions")
                .fetch_all(store.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("id")?,
                        r.try_get::<String, _>("name")?,
                        r.try_get::<String, _>("level")?,
                        r.try_get::<Option<String>, _>("parent_id")?,
                        r.try_get::<Option<String>, _>("profile")?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let departments =
            sqlx::query("SELECT id, name, jurisdiction_id, is_authority FROM departments")
                .fetch_all(store.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("id")?,
                        r.try_get::<String, _>("name")?,
                        r.try_get::<String, _>("jurisdiction_id")?,
                        get_bool(r, "is_authority")?.unwrap_or(false),
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Context::new(
            calendar,
            Profiles::builtin().clone(),
            &config.default_profile,
            jurisdictions,
            departments,
            period,
            as_of,
        )
    }

    /// The profile governing a department (the default profile for an
    /// unknown id).
    pub fn profile_of(&self, department_id: &str) -> &Profile {
        let id = self
            .departments
            .get(department_id)
            .map(|d| d.profile.as_str())
            .unwrap_or(self.default_profile.as_str());
        self.profiles
            .by_id(id)
            .or_else(|| self.profiles.by_id(&self.default_profile))
            .expect("profiles checked when the context was built")
    }

    /// An item with its identity and citation (formatted once per run).
    #[allow(clippy::too_many_arguments)]
    pub fn item(
        &self,
        check: CheckKind,
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &Profile,
        citation: &Citation,
        status: Status,
    ) -> CheckItem {
        let cited = self
            .citations
            .get(profile.id.as_str())
            .and_then(|m| m.get(&(citation.article, citation.item)))
            .cloned()
            .unwrap_or_else(|| (profile.cite_short(citation), profile.cite(citation)));
        CheckItem::cited(check, rule, id, responsible_id, &profile.id, cited, status)
    }

    /// The authority department that reviews requests of `requester_id`:
    /// the bureau of the requester's own jurisdiction (JC Art.28:
    /// 政务数据主管部门负责受理同级政务部门的政务数据使用申请，对申请材料进行符合性审核),
    /// else the nearest ancestor's.
    pub fn reviewing_authority(&self, requester_id: &str) -> Option<&str> {
        let dept = self.departments.get(requester_id)?;
        self.jurisdictions
            .get(&dept.jurisdiction_id)?
            .authority_id
            .as_deref()
    }

    /// The evaluation instant of snapshot checks: `min(T, last instant of the period)`.
    pub fn evaluation_ms(&self) -> i64 {
        self.as_of.min(self.period.end_ms() - 1)
    }

    /// The due date of `n` working days from an event (RULES.md §1), and
    /// whether it is provisional.
    pub fn due_after(&self, event_ms: i64, n: u32) -> (NaiveDate, bool) {
        let p = self
            .calendar
            .add_working_days_provisional(local_date(event_ms), n);
        (p.value, p.provisional)
    }

    /// Working days strictly after `from` up to and including `to`; falls
    /// back to weekends-only for uncovered years, flagged.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> (i64, bool) {
        match self.calendar.working_days_between(from, to) {
            Ok(n) => (n, false),
            Err(_) => {
                let mut n = 0;
                let mut provisional = false;
                let mut d = from;
                while d < to {
                    d = d.succ_opt().expect("date below `to`");
                    let w = self.calendar.is_working_day_provisional(d);
                    provisional |= w.provisional;
                    if w.value {
                        n += 1;
                    }
                }
                (n, provisional)
            }
        }
    }

    /// Judges a deadline due at the end of `due`, done at `done` (if at all),
    /// as of `T`.
    pub fn judge(&self, due: NaiveDate, done: Option<i64>) -> Judgement {
        let end = Calendar::end_of_day(due).timestamp_millis();
        let done = done.filter(|&t| t <= self.as_of);
        let mut j = Judgement {
            due,
            status: Status::Pending,
            done_at: done,
            working_days_late: None,
            working_days_left: None,
            provisional: false,
        };
        match done {
            Some(t) if t < end => j.status = Status::OnTime,
            Some(t) => {
                let (n, p) = self.working_days_between(due, local_date(t));
                j.status = Status::Late;
                j.working_days_late = Some(n);
                j.provisional = p;
            }
            None if self.as_of >= end => {
                let (n, p) = self.working_days_between(due, local_date(self.as_of));
                j.status = Status::Overdue;
                j.working_days_late = Some(n);
                j.provisional = p;
            }
            None => {
                let (n, p) = self.working_days_between(local_date(self.as_of), due);
                j.status = if n <= AT_RISK_WORKING_DAYS {
                    Status::AtRisk
                } else {
                    Status::Pending
                };
                j.working_days_left = Some(n);
                j.provisional = p;
            }
        }
        j
    }

    /// Judges `n` working days from `event_ms`: due date, then status.
    pub fn judge_after(&self, event_ms: i64, n: u32, done: Option<i64>) -> Judgement {
        let (due, provisional) = self.due_after(event_ms, n);
        let mut j = self.judge(due, done);
        j.provisional |= provisional;
        j
    }

    /// Whether a record created at `ms` belongs to this run: in the period
    /// and not after `T`.
    pub fn in_scope(&self, ms: i64) -> bool {
        self.period.contains_ms(ms) && ms <= self.as_of
    }
}

// ------------------------------------------------------------------ running

/// Runs one check.
pub async fn run_check(
    ctx: &Context,
    store: &Store,
    kind: CheckKind,
) -> Result<Vec<CheckItem>, MetricsError> {
    let mut items = match kind {
        CheckKind::Approvals => approvals::run(ctx, store).await?,
        CheckKind::Catalog => catalog::run(ctx, store).await?,
        CheckKind::Freshness => freshness::run(ctx, store).await?,
        CheckKind::Grants => grants::run(ctx, store).await?,
        CheckKind::Corrections => corrections::run(ctx, store).await?,
        CheckKind::OpenApplications => open_applications::run(ctx, store).await?,
    };
    findings::classify(&mut items);
    Ok(items)
}

/// Wall time of one stage of a run (`dukao metrics --timings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// The stage.
    pub stage: String,
    /// How long it took.
    pub elapsed: Duration,
}

/// Runs the given checks concurrently (each on a task of its own, so that
/// one check's queries overlap another's computation); returns their items
/// in the order of `kinds` and appends each one's wall time.
pub async fn run_checks(
    ctx: &Context,
    store: &Store,
    kinds: &[CheckKind],
    timings: &mut Vec<Timing>,
) -> Result<Vec<CheckItem>, MetricsError> {
    let shared = std::sync::Arc::new(ctx.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, &kind) in kinds.iter().enumerate() {
        let (ctx, store) = (shared.clone(), store.clone());
        tasks.spawn(async move {
            let started = Instant::now();
            let items = run_check(&ctx, &store, kind).await;
            (i, kind, items, started.elapsed())
        });
    }
    let mut results: Vec<Option<Vec<CheckItem>>> = vec![None; kinds.len()];
    let mut times = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, kind, items, elapsed) = joined.map_err(|e| MetricsError::Task(e.to_string()))?;
        results[i] = Some(items?);
        times.push((i, kind, elapsed));
    }
    times.sort_by_key(|t| t.0);
    timings.extend(times.into_iter().map(|(_, kind, elapsed)| Timing {
        stage: format!("check {kind}"),
        elapsed,
    }));
    Ok(results.into_iter().flatten().flatten().collect())
}

/// Parses an as-of instant: RFC 3339 (without offset: Asia/Shanghai), or a
/// plain date meaning the *end* of that day; `None` is now.
pub fn parse_as_of(text: Option<&str>) -> Result<i64, MetricsError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(crate::time::now_millis());
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Calendar::end_of_day(date).timestamp_millis() - 1);
    }
    crate::time::parse_timestamp(text).map_err(|source| MetricsError::AsOf {
        value: text.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests;
