//! The judged item: one record, under one rule of its governing regulation,
//! with its status as of the run's instant and the article it rests on.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::rules::{Citation, DeadlineKey, DeadlineRule, Profile};
use crate::time::{format_millis, local_date};
use crate::vocab::{CategoryCode, CheckKind, Rule, Stage, Status, UpdateCycle};

use super::context::Judgement;

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
    /// Which check produced it (the rule's check).
    pub check: CheckKind,
    /// Which rule it applies.
    pub rule: Rule,
    /// The profile's deadline entry the rule applied, when it applied one:
    /// the duty a breach broke, which a notice cites.
    pub deadline: Option<DeadlineKey>,
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
    /// The last day the governing regulation was in force, when it had
    /// lapsed by the day the item was judged: the citation is then of dead
    /// law, and the item says so in its note.
    pub regulation_lapsed: Option<NaiveDate>,
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
    pub update_cycle: Option<UpdateCycle>,
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
    pub category: Option<CategoryCode>,
    /// Remarks (fallbacks used, extensions ignored, …), in Chinese.
    pub note: Option<String>,
}

/// Which day puts an item of a rule in a month of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendDay {
    /// The day its deadline fell due: when the duty was met or missed.
    Deadline,
    /// The day of the act judged (a refusal, a withdrawal, a grant given
    /// for too long, a call after expiry): it has no deadline of its own.
    Act,
    /// None: the item is a state as of the run's instant (how fresh an
    /// entry is now, a grant idle now, an entry lacking its basis now), so
    /// one judgement says nothing of earlier months.
    State,
}

impl TrendDay {
    /// The day of the items of `rule`.
    pub const fn of(rule: Rule) -> TrendDay {
        match rule {
            Rule::Review
            | Rule::Reply
            | Rule::Correction
            | Rule::OpenApplication
            | Rule::CatalogUpdate
            | Rule::FullMaintenance
            | Rule::NeverUsed => TrendDay::Deadline,
            Rule::RefusalReason | Rule::Withdrawal | Rule::MaxAge | Rule::UsedAfterEnd => {
                TrendDay::Act
            }
            Rule::Freshness
            | Rule::FreshnessFloor
            | Rule::Idle
            | Rule::ShareBasis
            | Rule::Expiring => TrendDay::State,
        }
    }

    /// Whether any rule of `check` counts its items in months: a check of
    /// states only has no trend.
    pub fn has_months(check: CheckKind) -> bool {
        Rule::ALL
            .iter()
            .any(|r| r.check() == check && TrendDay::of(*r) != TrendDay::State)
    }
}

/// Whether `rule` records its breaches only: the act that breaks it (a
/// refusal without reasons, a withdrawal without approval, a grant given
/// for too long, a call after a grant's end) or an entry lacking its
/// basis. Every item of such a rule is a breach, so a share of items met
/// says nothing about it (it is always 0 %); its count does.
pub const fn records_breaches_only(rule: Rule) -> bool {
    match rule {
        Rule::RefusalReason
        | Rule::Withdrawal
        | Rule::MaxAge
        | Rule::UsedAfterEnd
        | Rule::ShareBasis => true,
        Rule::Review
        | Rule::Reply
        | Rule::Correction
        | Rule::OpenApplication
        | Rule::CatalogUpdate
        | Rule::FullMaintenance
        | Rule::NeverUsed
        | Rule::Freshness
        | Rule::FreshnessFloor
        | Rule::Idle
        | Rule::Expiring => false,
    }
}

impl CheckItem {
    /// The day the item counts on in a month-by-month trend
    /// ([`TrendDay`] of its rule): the day its deadline fell due, or the
    /// day of the act it judges; none for a state judged as of the run's
    /// instant, or an item without that day (it is in the period's totals
    /// but in no month).
    pub fn trend_day(&self) -> Option<NaiveDate> {
        let act = || self.done_at.or(self.clock_start).map(local_date);
        match TrendDay::of(self.rule) {
            TrendDay::Deadline => self.due.or_else(act),
            TrendDay::Act => act(),
            TrendDay::State => None,
        }
    }

    /// The serialised columns, in order (CSV header; columns added later go
    /// at the end, so readers of the earlier layout keep working).
    pub const COLUMNS: [&'static str; 29] = [
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
        "deadline",
        "regulation_lapsed",
    ];

    /// An item with its identity and citation; everything else empty. The
    /// check and the stage are the rule's. ([`super::Context::item`] does the
    /// same with the citation texts formatted once per run.)
    pub fn new(
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &Profile,
        citation: &Citation,
        status: Status,
    ) -> CheckItem {
        let cited = (profile.cite_short(citation), profile.cite(citation));
        CheckItem::cited(rule, id, responsible_id, &profile.id, cited, status)
    }

    pub(super) fn cited(
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &str,
        (citation, citation_text): (String, String),
        status: Status,
    ) -> CheckItem {
        CheckItem {
            check: rule.check(),
            rule,
            deadline: None,
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
            stage: rule.stage(),
            provisional: false,
            regulation_lapsed: None,
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

    /// Takes the deadline entry's key, wording and basis.
    pub fn with_rule(mut self, rule: &DeadlineRule) -> CheckItem {
        self.deadline = Some(rule.key);
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

    /// Files a breach under its rule's category (and clears the category of
    /// anything that is not a breach).
    pub fn classify(&mut self) {
        self.category = if self.status.is_breach() {
            self.rule.breach_category()
        } else {
            None
        };
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

impl Rule {
    /// The profile's deadline entries a rule applies, in the order the
    /// checks try them (a reply: JC's published and unpublished variants,
    /// then the general entry). The item records the one it applied
    /// ([`CheckItem::deadline`]); this list serves findings recorded before
    /// items did.
    pub const fn deadline_keys(self) -> &'static [DeadlineKey] {
        match self {
            Rule::Review => &[DeadlineKey::Review],
            Rule::Reply => &[
                DeadlineKey::ReplyConditionalPublished,
                DeadlineKey::ReplyConditionalUnpublished,
                DeadlineKey::ReplyConditional,
                DeadlineKey::ReplyUnconditional,
            ],
            Rule::RefusalReason => &[DeadlineKey::RefusalReason],
            Rule::NeverUsed | Rule::Idle => &[DeadlineKey::GrantUnused],
            Rule::MaxAge | Rule::UsedAfterEnd | Rule::Expiring => &[DeadlineKey::GrantMaxAge],
            Rule::Correction => &[DeadlineKey::Correction],
            Rule::OpenApplication => &[DeadlineKey::OpenApplication],
            Rule::CatalogUpdate => &[DeadlineKey::CatalogUpdate],
            Rule::FullMaintenance => &[DeadlineKey::CatalogFullMaintenance],
            Rule::Withdrawal => &[DeadlineKey::WithdrawalApproval],
            Rule::ShareBasis => &[DeadlineKey::ShareBasis],
            Rule::FreshnessFloor => &[DeadlineKey::FreshnessFloor],
            Rule::Freshness => &[],
        }
    }
}
