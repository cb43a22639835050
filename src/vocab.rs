//! The closed vocabularies of dukao, each defined once.
//!
//! A vocabulary is a fixed set of names that crosses a boundary: a column of
//! the interchange format, a column of the store, a key of a data file, a
//! field of the JSON API, a word on a page. Each is declared here (or, for
//! the words only regulation profiles use, in [`crate::rules`]) with the
//! [`vocabulary!`] macro, which derives from the one declaration:
//!
//! - the Rust enum, matched exhaustively wherever its meaning matters (no
//!   module turns a stored string back into meaning by comparing text);
//! - its snake_case name in files, the store, URLs and JSON ([`as_str`],
//!   `Display`, `Serialize`), and the parser of that name (`FromStr`,
//!   `Deserialize`, `clap::ValueEnum`), which rejects anything else with the
//!   accepted names;
//! - the list of names the interchange specification validates against
//!   (`NAMES`, used by [`crate::model`]);
//! - its Chinese display name (`chinese`), the word pages and documents print.
//!
//! Stored text is parsed once, where it is read; a value the vocabulary does
//! not know is an error naming the record, never a silent fallback.
//!
//! [`as_str`]: ShareType::as_str

/// A name that is not in the vocabulary it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {expected})")]
pub struct ParseNameError {
    /// Which vocabulary was asked.
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted names, comma separated.
    pub expected: String,
}

/// Declares a closed vocabulary: an enum whose variants each have a stable
/// snake_case name and a Chinese display name; `| "alias"` after the
/// Chinese name accepts an older spelling when parsing.
///
/// ```ignore
/// vocabulary! {
///     /// 共享类型.
///     ShareType, "share type" {
///         /// 无条件共享.
///         Unconditional => "unconditional" / "无条件共享",
///     }
/// }
/// ```
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $s:literal / $cn:literal $(| $alias:literal)*, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($s),+].len()] = [$($name::$variant,)+];

            /// Every name, in declaration order (what the interchange format accepts).
            pub const NAMES: &'static [&'static str] = &[$($s,)+];

            /// The name in data files, the store, URLs and JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)+
                }
            }

            /// The Chinese name pages and documents print.
            pub const fn chinese(self) -> &'static str {
                match self {
                    $($name::$variant => $cn,)+
                }
            }

            /// The accepted names, comma separated (for error messages).
            pub fn expected() -> String {
                Self::NAMES.join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocab::ParseNameError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::vocab::ParseNameError {
                        what: $what,
                        value: s.to_string(),
                        expected: Self::expected(),
                    }),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                &Self::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()).help(self.chinese()))
            }
        }
    };
}

pub(crate) use vocabulary;

// ------------------------------------------------------------------ the organisation

vocabulary! {
    /// The level of a jurisdiction (interchange `jurisdictions.level`).
    JurisdictionLevel, "jurisdiction level" {
        /// A prefecture-level city (市).
        City => "city" / "市",
        /// A county (县).
        County => "county" / "县",
        /// A city district (区).
        District => "district" / "区",
        /// A development or high-tech zone (开发区).
        Zone => "zone" / "开发区",
    }
}

// ------------------------------------------------------------------ the platform's records

vocabulary! {
    /// 共享类型 of a catalog entry or a request (interchange
    /// `catalog_entries.share_type`, `share_requests.share_type`).
    ShareType, "share type" {
        /// 无条件共享.
        Unconditional => "unconditional" / "无条件共享",
        /// 有条件共享.
        Conditional => "conditional" / "有条件共享",
        /// 不予共享.
        NotShared => "none" / "不予共享",
    }
}

vocabulary! {
    /// 开放类型 of a catalog entry (interchange `catalog_entries.open_type`).
    OpenType, "open type" {
        /// 无条件开放.
        Unconditional => "unconditional" / "无条件开放",
        /// 依申请开放 (有条件开放).
        OnApplication => "on_application" / "依申请开放",
        /// 不予开放.
        NotOpen => "none" / "不予开放",
    }
}

vocabulary! {
    /// The update cycle a catalog entry declares (interchange
    /// `catalog_entries.update_cycle`).
    UpdateCycle, "update cycle" {
        /// 实时.
        Realtime => "realtime" / "实时",
        /// 每日.
        Daily => "daily" / "每日",
        /// 每周.
        Weekly => "weekly" / "每周",
        /// 每月.
        Monthly => "monthly" / "每月",
        /// 每季度.
        Quarterly => "quarterly" / "每季度",
        /// 每半年.
        Semiannual => "semiannual" / "每半年",
        /// 每年.
        Annual => "annual" / "每年",
        /// 不定期.
        Irregular => "irregular" / "不定期",
    }
}

vocabulary! {
    /// What happened to a catalog entry (interchange `catalog_events.kind`).
    CatalogEventKind, "catalog event kind" {
        /// The entry was created.
        Created => "created" / "新建",
        /// The entry was updated.
        Updated => "updated" / "更新",
        /// The department's catalog was maintained (reviewed in full).
        Maintained => "maintained" / "维护",
        /// The entry was withdrawn.
        Withdrawn => "withdrawn" / "撤销",
    }
}

vocabulary! {
    /// Why a department's duties changed (interchange `duty_changes.kind`).
    DutyChangeKind, "duty change kind" {
        /// A law or regulation was revised.
        LawRevision => "law_revision" / "法律法规修订",
        /// The department's administrative duties changed.
        DutyChange => "duty_change" / "职能调整",
    }
}

vocabulary! {
    /// The decision on a share request or an open-data application.
    Decision, "decision" {
        /// Approved.
        Approved => "approved" / "同意",
        /// Refused.
        Refused => "refused" / "不予同意",
        /// Not decided yet.
        Pending => "pending" / "待办",
    }
}

vocabulary! {
    /// How a correction (校核) ended (interchange `corrections.outcome`).
    CorrectionOutcome, "correction outcome" {
        /// The data was corrected.
        Corrected => "corrected" / "已更正",
        /// The data was checked and confirmed correct.
        Confirmed => "confirmed" / "经核无误",
    }
}

vocabulary! {
    /// Who applies for open data (interchange `open_applications.applicant_kind`).
    ApplicantKind, "applicant kind" {
        /// A natural person (身份证号).
        Person => "person" / "自然人",
        /// An organisation (统一社会信用代码).
        Organisation => "organisation" / "法人或其他组织",
    }
}

vocabulary! {
    /// The violation categories of RULES.md §3 (interchange
    /// `findings.category`); each profile maps them onto its own articles.
    CategoryCode, "category code" {
        /// Catalog not compiled, published or updated.
        CatalogNotMaintained => "catalog_not_maintained" / "目录未编制更新",
        /// Data not provided to the platform, or not published on time.
        DataNotProvided => "data_not_provided" / "数据未提供",
        /// Data stale, inconsistent with the source, below standard or unusable.
        DataStaleOrSubstandard => "data_stale_or_substandard" / "数据过期或不达标",
        /// Known errors not corrected, corrections late.
        CorrectionLate => "correction_late" / "纠错不及时",
        /// Duplicate or excessive collection.
        DuplicateCollection => "duplicate_collection" / "重复采集",
        /// Untrue, inaccurate or incomplete catalog or data.
        UntrueData => "untrue_data" / "数据不实",
        /// Use beyond duties, passing to third parties, commercial use.
        Misuse => "misuse" / "违规使用",
        /// Security duties not met; loss of control, abuse, unauthorised use, leak.
        SecurityFailure => "security_failure" / "安全责任未落实",
        /// Approvals past their deadline, refusals without reasons.
        ApprovalOverdue => "approval_overdue" / "审批超时",
        /// Rectification refused or not done (a missed deadline is not by
        /// itself a refusal: 拒不 needs an inspector's finding).
        RectificationRefused => "rectification_refused" / "未按期整改",
        /// Dereliction or abuse of power.
        Dereliction => "dereliction" / "失职渎职",
        /// Other violations.
        Other => "other" / "其他",
    }
}

impl CategoryCode {
    /// The category as a heading of a notice: what the department did, in
    /// a full phrase (RULES.md §3).
    pub const fn heading(self) -> &'static str {
        match self {
            CategoryCode::CatalogNotMaintained => "未按要求编制或更新政务数据目录",
            CategoryCode::DataNotProvided => "未按规定提供或发布政务数据",
            CategoryCode::DataStaleOrSubstandard => "数据未按周期更新或质量不达标",
            CategoryCode::CorrectionLate => "数据校核更正不及时",
            CategoryCode::DuplicateCollection => "重复采集数据",
            CategoryCode::UntrueData => "目录或数据不真实、不准确、不完整",
            CategoryCode::Misuse => "超范围使用共享数据",
            CategoryCode::SecurityFailure => "未落实数据安全责任",
            CategoryCode::ApprovalOverdue => "共享申请未按时审核答复",
            CategoryCode::RectificationRefused => "未按期整改或整改不到位",
            CategoryCode::Dereliction => "玩忽职守、滥用职权",
            CategoryCode::Other => "其他违反规定的行为",
        }
    }
}

// ------------------------------------------------------------------ judging

vocabulary! {
    /// The six checks of the metrics.
    CheckKind, "check" {
        /// Review and reply deadlines of share requests, refusals without reason.
        Approvals => "approvals" / "共享审批",
        /// Catalog updates after duty changes, quarterly maintenance, withdrawals, share bases.
        Catalog => "catalog" / "目录维护",
        /// Data refreshed on its declared cycle; 新县's quarterly floor.
        Freshness => "freshness" / "数据更新",
        /// Unused, idle, over-long, expiring grants and use after expiry or revocation.
        Grants => "grants" / "授权使用",
        /// Corrections (校核) of disputed data.
        Corrections => "corrections" / "数据校核",
        /// Open-data applications (依申请开放).
        OpenApplications => "open-applications" / "依申请开放" | "open_applications",
    }
}

vocabulary! {
    /// The stage of a share request an approvals item is about.
    Stage, "stage" {
        /// The authority's compliance review.
        Review => "review" / "符合性审查",
        /// The provider's answer to a conditional request.
        Reply => "reply" / "提供部门答复",
        /// A refusal without reason.
        RefusalReason => "refusal_reason" / "不予共享说明理由",
    }
}

vocabulary! {
    /// The rule an item applies; with the record id it makes the item's
    /// stable key, and the key of the finding a breach becomes.
    Rule, "rule" {
        /// The authority's compliance review of a request.
        Review => "review" / "共享申请符合性审查",
        /// The provider's reply to a conditional request.
        Reply => "reply" / "共享申请答复",
        /// A refusal must give reasons (or its basis).
        RefusalReason => "refusal_reason" / "不予共享未说明理由",
        /// A grant not used within the profile's months of being granted.
        NeverUsed => "never_used" / "授权后未使用",
        /// A used grant without use for the profile's months.
        Idle => "idle" / "授权长期闲置",
        /// A grant whose lifetime exceeds the profile's maximum.
        MaxAge => "max_age" / "授权期限超过最长授权期",
        /// A grant used after its expiry or revocation.
        UsedAfterEnd => "used_after_end" / "授权期满或收回后继续调用",
        /// A grant expiring soon.
        Expiring => "expiring" / "授权即将到期",
        /// The answer to a correction request.
        Correction => "correction" / "数据校核",
        /// The answer to an open-data application.
        OpenApplication => "open_application" / "依申请开放答复",
        /// The catalog updated after a law revision or duty change.
        CatalogUpdate => "catalog_update" / "职责调整后目录更新",
        /// The quarterly full maintenance of a department's catalog.
        FullMaintenance => "full_maintenance" / "目录定期维护",
        /// Published data withdrawn without the authority's prior approval.
        Withdrawal => "withdrawal" / "未经审核撤销已发布数据",
        /// A conditional or not-shared entry without a stated basis.
        ShareBasis => "share_basis" / "共享属性缺少依据",
        /// Data refreshed on its declared cycle.
        Freshness => "freshness" / "数据按周期更新",
        /// 新县's floor: data updated in the first days of each quarter.
        FreshnessFloor => "freshness_floor" / "数据季度更新",
    }
}

impl Rule {
    /// The check that applies the rule.
    pub const fn check(self) -> CheckKind {
        match self {
            Rule::Review | Rule::Reply | Rule::RefusalReason => CheckKind::Approvals,
            Rule::NeverUsed | Rule::Idle | Rule::MaxAge | Rule::UsedAfterEnd | Rule::Expiring => {
                CheckKind::Grants
            }
            Rule::Correction => CheckKind::Corrections,
            Rule::OpenApplication => CheckKind::OpenApplications,
            Rule::CatalogUpdate | Rule::FullMaintenance | Rule::Withdrawal | Rule::ShareBasis => {
                CheckKind::Catalog
            }
            Rule::Freshness | Rule::FreshnessFloor => CheckKind::Freshness,
        }
    }

    /// The approval stage the rule is about, for approvals.
    pub const fn stage(self) -> Option<Stage> {
        match self {
            Rule::Review => Some(Stage::Review),
            Rule::Reply => Some(Stage::Reply),
            Rule::RefusalReason => Some(Stage::RefusalReason),
            Rule::NeverUsed
            | Rule::Idle
            | Rule::MaxAge
            | Rule::UsedAfterEnd
            | Rule::Expiring
            | Rule::Correction
            | Rule::OpenApplication
            | Rule::CatalogUpdate
            | Rule::FullMaintenance
            | Rule::Withdrawal
            | Rule::ShareBasis
            | Rule::Freshness
            | Rule::FreshnessFloor => None,
        }
    }

    /// The violation category a breach of the rule is filed under
    /// (RULES.md §3); `None` for rules whose items are never breaches.
    ///
    /// | rule | category | why |
    /// |---|---|---|
    /// | `review`, `reply`, `refusal_reason`, `open_application` | `approval_overdue` | approvals past their deadline, refusals without reasons (JC Art.41(5); YK lists Art.29 among this category's duties) |
    /// | `correction` | `correction_late` | corrections late (XX Art.18, YK Art.23, JC Art.32) |
    /// | `catalog_update`, `full_maintenance`, `share_basis` | `catalog_not_maintained` | the catalog not updated or not compiled as required (JC Art.43(1), YK Art.37(1)) |
    /// | `withdrawal` | `data_not_provided` | published data taken off the platform without approval (JC Art.19, Art.43(2)) |
    /// | `freshness`, `freshness_floor` | `data_stale_or_substandard` | data not refreshed on its cycle (JC Art.41(3), Art.43(5)) |
    /// | `used_after_end` | `security_failure` | use without a valid grant is 非授权使用 (JC Art.31, Art.43(6)), not use beyond duties (43(7)) |
    /// | `max_age` | `other` | a grant beyond the maximum term breaks JC Art.31 but no category names it |
    /// | `never_used`, `idle`, `expiring` | none | grounds for discretionary revocation or information, not breaches |
    pub const fn breach_category(self) -> Option<CategoryCode> {
        match self {
            Rule::Review | Rule::Reply | Rule::RefusalReason | Rule::OpenApplication => {
                Some(CategoryCode::ApprovalOverdue)
            }
            Rule::Correction => Some(CategoryCode::CorrectionLate),
            Rule::CatalogUpdate | Rule::FullMaintenance | Rule::ShareBasis => {
                Some(CategoryCode::CatalogNotMaintained)
            }
            Rule::Withdrawal => Some(CategoryCode::DataNotProvided),
            Rule::Freshness | Rule::FreshnessFloor => Some(CategoryCode::DataStaleOrSubstandard),
            Rule::UsedAfterEnd => Some(CategoryCode::SecurityFailure),
            Rule::MaxAge => Some(CategoryCode::Other),
            Rule::NeverUsed | Rule::Idle | Rule::Expiring => None,
        }
    }

    /// Whether the item's `done_at` is a completion (a reply, a review, an
    /// update of the catalog) rather than the last of a series of events
    /// (a freshness item's last data update).
    pub const fn done_is_completion(self) -> bool {
        match self {
            Rule::Freshness | Rule::FreshnessFloor => false,
            Rule::Review
            | Rule::Reply
            | Rule::RefusalReason
            | Rule::NeverUsed
            | Rule::Idle
            | Rule::MaxAge
            | Rule::UsedAfterEnd
            | Rule::Expiring
            | Rule::Correction
            | Rule::OpenApplication
            | Rule::CatalogUpdate
            | Rule::FullMaintenance
            | Rule::Withdrawal
            | Rule::ShareBasis => true,
        }
    }
}

vocabulary! {
    /// The status of a judged item.
    Status, "status" {
        /// Done before the deadline's end.
        OnTime => "on_time" / "按时",
        /// Done at or after the deadline's end.
        Late => "late" / "逾期办结",
        /// Not done, more than one working day left.
        Pending => "pending" / "办理中",
        /// Not done, one working day or less left.
        AtRisk => "at_risk" / "临期",
        /// Not done and the deadline has passed; for freshness: past HDX's
        /// overdue age.
        Overdue => "overdue" / "超期",
        /// A breach without a deadline (refusal without reason, withdrawal
        /// without approval, entry without basis, grant over its maximum age,
        /// use after expiry or revocation).
        Violation => "violation" / "违规",
        /// A grant the provider or the bureau may revoke (JC Art.31: unused
        /// for more than the profile's months).
        Revocable => "revocable" / "可收回",
        /// A revocable condition that has ended (the grant was used, or ended).
        Resolved => "resolved" / "已消除",
        /// A grant expiring soon (informational).
        Expiring => "expiring" / "即将到期",
        /// Freshness: younger than the declared cycle.
        Fresh => "fresh" / "已更新",
        /// Freshness: the cycle has elapsed, within HDX's leeway.
        Due => "due" / "待更新",
        /// Freshness: past HDX's delinquent age.
        Delinquent => "delinquent" / "严重滞后",
        /// Freshness: the declared cycle is `irregular`.
        NotEvaluable => "not_evaluable" / "不可评估",
    }
}

impl Status {
    /// Counts towards the on-time rate's numerator: done in time, or data
    /// not yet past HDX's leeway (`fresh`, `due`).
    pub const fn is_ok(self) -> bool {
        match self {
            Status::OnTime | Status::Fresh | Status::Due => true,
            Status::Late
            | Status::Pending
            | Status::AtRisk
            | Status::Overdue
            | Status::Violation
            | Status::Revocable
            | Status::Resolved
            | Status::Expiring
            | Status::Delinquent
            | Status::NotEvaluable => false,
        }
    }

    /// A breach: counts towards the rate's denominator against it, and
    /// becomes a finding.
    pub const fn is_breach(self) -> bool {
        match self {
            Status::Late | Status::Overdue | Status::Violation | Status::Delinquent => true,
            Status::OnTime
            | Status::Pending
            | Status::AtRisk
            | Status::Revocable
            | Status::Resolved
            | Status::Expiring
            | Status::Fresh
            | Status::Due
            | Status::NotEvaluable => false,
        }
    }
}

vocabulary! {
    /// Where a finding comes from.
    FindingSource, "finding source" {
        /// Detected by the metrics.
        Detected => "detected" / "监测发现",
        /// Imported from an inspection (`findings` table).
        Imported => "imported" / "检查发现",
        /// A rectification case whose deadline passed without the
        /// rectification (src/cases): category `rectification_refused`.
        CaseDeadline => "case_deadline" / "整改逾期",
    }
}

// ------------------------------------------------------------------ results and documents

vocabulary! {
    /// Where a year's evaluation comes from.
    EvaluationStatus, "evaluation status" {
        /// The official snapshot, frozen.
        Frozen => "frozen" / "已冻结",
        /// Computed from the store now.
        Live => "live" / "实时计算",
    }
}

vocabulary! {
    /// Where the previous year's scores of a comparison come from.
    PreviousSource, "previous-year source" {
        /// Its frozen snapshot.
        Frozen => "frozen" / "上年冻结结果",
        /// Computed from the store.
        Computed => "computed" / "上年实时计算结果",
        /// No comparison: no scheme covers the previous year, or it has no data.
        Absent => "none" / "无上年可比数据",
    }
}

vocabulary! {
    /// The kinds of official document.
    DocumentKind, "document kind" {
        /// 整改通知书.
        Notice => "notice" / "整改通知书",
        /// 通报.
        Circular => "circular" / "通报",
        /// 年度政务数据共享情况报告.
        Annual => "annual" / "年度政务数据共享情况报告",
    }
}

vocabulary! {
    /// The state changes the audit trail records.
    AuditAction, "audit action" {
        /// An official document was numbered and archived.
        DocumentIssue => "document.issue" / "发文",
        /// A year's evaluation was frozen as the official result.
        EvaluationFreeze => "evaluation.freeze" / "冻结年度评估结果",
        /// A user was created.
        UserAdd => "user.add" / "新增用户",
        /// A user was disabled (they can no longer sign in).
        UserDisable => "user.disable" / "停用用户",
        /// A user's password was set anew.
        UserPassword => "user.password" / "重置用户密码",
        /// An API token was created.
        TokenAdd => "token.add" / "新增接口令牌",
        /// An API token was revoked.
        TokenRevoke => "token.revoke" / "吊销接口令牌",
        /// Rows of the platform's tables landed (an import run).
        DataImport => "data.import" / "导入数据",
        /// A person signed in.
        Login => "session.login" / "登录",
        /// A sign-in was refused (wrong login or password, disabled user,
        /// or throttled after repeated failures).
        LoginFailed => "session.login_failed" / "登录失败",
        /// A person signed out.
        Logout => "session.logout" / "退出登录",
        /// A rectification case changed (opened, notice issued, response,
        /// verification, extension, dismissal, escalation); the details
        /// name the [`CaseEventKind`].
        CaseChange => "case.change" / "整改案件变更",
        /// A department uploaded an attachment to its case.
        CaseAttachment => "case.attachment" / "上传整改材料",
        /// Someone ran a scheduled job's occurrence by hand.
        JobRun => "job.run" / "手动运行定时任务",
    }
}

// ------------------------------------------------------------------ the clock

vocabulary! {
    /// dukao's scheduled duties (src/jobs), each with its own period: a day,
    /// a quarter, a year.
    JobName, "job" {
        /// Judges every check as of now: records new findings, heals ended
        /// ones, stores the results, and sends the day's reminders.
        DailyScan => "daily-scan" / "每日监测",
        /// Drafts the escalation of cases past their rectification deadline.
        CaseDeadlines => "case-deadlines" / "整改期限检查",
        /// The quarterly checks: 营口's maintenance, 新县's data floor,
        /// grants expiring within 30 days.
        Quarterly => "quarterly" / "季度检查",
        /// Freezes the previous year's evaluation and drafts the annual
        /// sharing report.
        AnnualReport => "annual-report" / "年度共享情况报告",
        /// Warns while next year's working-day calendar is not loaded.
        CalendarWatch => "calendar-watch" / "工作日历检查",
    }
}

vocabulary! {
    /// Where an occurrence of a job stands in the ledger.
    OccurrenceState, "occurrence state" {
        /// Due, not claimed yet.
        Pending => "pending" / "待运行",
        /// Claimed by a replica, under its lease.
        Running => "running" / "运行中",
        /// Done.
        Succeeded => "succeeded" / "已完成",
        /// Failed; retried after its backoff until an attempt succeeds.
        Failed => "failed" / "失败待重试",
        /// Missed while dukao was down and not run by the job's policy
        /// (the reason is stored).
        Skipped => "skipped" / "已跳过",
    }
}

vocabulary! {
    /// Why an occurrence ran.
    Trigger, "trigger" {
        /// At its scheduled time.
        Schedule => "schedule" / "按计划",
        /// Missed while dukao was down, run at start.
        CatchUp => "catch_up" / "补运行",
        /// Asked for by someone (`dukao jobs run`, the API).
        Manual => "manual" / "手动",
    }
}

vocabulary! {
    /// What a job does with the occurrences it missed while dukao was down.
    MissedPolicy, "missed-run policy" {
        /// Runs the latest missed one once; the older ones are skipped as
        /// superseded.
        Latest => "latest" / "只补最近一次",
        /// Runs every missed one, up to the job's cap (older ones skipped).
        All => "all" / "逐一补运行",
        /// Runs none; each is recorded as skipped.
        Skip => "skip" / "不补运行",
    }
}

// ------------------------------------------------------------------ cases

vocabulary! {
    /// Where a rectification case stands. Whether it is overdue is not a
    /// state: it follows from the deadline and the day (src/cases).
    CaseState, "case state" {
        /// Opened by an inspector; no notice yet.
        Opened => "opened" / "已立案",
        /// The 整改通知书 is issued; the department's response is awaited.
        Notified => "notified" / "整改中",
        /// The department responded; an inspector verifies.
        Responded => "responded" / "待核验",
        /// The response was returned with a reason; the deadline keeps running.
        Returned => "returned" / "退回整改",
        /// The response was accepted: rectified.
        Closed => "closed" / "已办结",
        /// Dismissed as a false finding, by two people.
        Dismissed => "dismissed" / "已撤销",
    }
}

vocabulary! {
    /// What happened to a case: its history, one event per change.
    CaseEventKind, "case event" {
        /// An inspector opened the case.
        Opened => "opened" / "立案",
        /// The 整改通知书 was issued for its findings.
        NoticeIssued => "notice_issued" / "下发整改通知书",
        /// The department submitted its rectification (text, attachments).
        ResponseSubmitted => "response_submitted" / "报送整改情况",
        /// An inspector returned the response, with a reason.
        Returned => "returned" / "退回重新整改",
        /// An inspector accepted the response: the case is closed.
        Accepted => "accepted" / "核验通过",
        /// The department asked for more time, with a reason.
        ExtensionRequested => "extension_requested" / "申请延期",
        /// A leader granted the extension.
        ExtensionApproved => "extension_approved" / "同意延期",
        /// A leader refused the extension.
        ExtensionRefused => "extension_refused" / "不同意延期",
        /// An inspector proposed to dismiss the case as a false finding.
        DismissalProposed => "dismissal_proposed" / "提请撤销",
        /// A second person confirmed the dismissal.
        Dismissed => "dismissed" / "撤销",
        /// A second person refused the dismissal.
        DismissalRefused => "dismissal_refused" / "不予撤销",
        /// A finding of the closed case recurred: the case runs again.
        Reopened => "reopened" / "问题复现，重新整改",
        /// The escalation the profile prescribes was issued over it.
        Escalated => "escalated" / "逾期升级",
    }
}

// ------------------------------------------------------------------ people

vocabulary! {
    /// What a person or a program may do in dukao (each user has one).
    Role, "role" {
        /// Reads everything in scope, freezes the evaluation, approves extensions.
        Leader => "leader" / "领导",
        /// Opens and runs rectification cases, issues documents in the name
        /// of the bureau of its scope.
        Inspector => "inspector" / "督查人员",
        /// A department's own user: its findings, cases and documents; submits
        /// responses.
        Department => "department" / "部门用户",
        /// Manages users, tokens and schemes; does no case work.
        Admin => "admin" / "系统管理员",
        /// A program of the data-sharing platform: API tokens only, each
        /// limited to the tables it may push.
        Platform => "platform" / "平台接口",
    }
}

vocabulary! {
    /// What a request asks to do; [`crate::access`] decides, in one table,
    /// which roles may.
    Action, "action" {
        /// Read jurisdictions and departments.
        ReadOrganisation => "organisation.read" / "查看组织机构",
        /// Read the checks' items and the metrics summary.
        ReadChecks => "checks.read" / "查看监测指标",
        /// Read evaluation results.
        ReadEvaluation => "evaluation.read" / "查看年度评估",
        /// Freeze a year's evaluation as the official result.
        FreezeEvaluation => "evaluation.freeze" / "冻结年度评估",
        /// Render a draft document (watermarked, unnumbered).
        DraftDocument => "document.draft" / "生成文书草稿",
        /// Issue a document: number, archive, audit.
        IssueDocument => "document.issue" / "签发文书",
        /// Read the archive of issued documents.
        ReadDocuments => "documents.read" / "查看已发文书",
        /// Read and verify the audit trail.
        ReadAudit => "audit.read" / "查看审计日志",
        /// Read the import runs and the rows per table.
        ReadImports => "imports.read" / "查看数据导入",
        /// Push rows of the platform's tables.
        Ingest => "ingest" / "推送平台数据",
        /// Read rectification cases, their history and attachments.
        ReadCases => "cases.read" / "查看整改案件",
        /// Open a case from findings.
        OpenCase => "case.open" / "整改立案",
        /// Respond to a case: attachments, the response, an extension request.
        RespondCase => "case.respond" / "报送整改情况",
        /// Accept or return a response.
        VerifyCase => "case.verify" / "核验整改情况",
        /// Decide an extension request.
        DecideExtension => "case.extension" / "审批延期申请",
        /// Propose to dismiss a case as a false finding.
        ProposeDismissal => "case.dismissal.propose" / "提请撤销案件",
        /// Confirm or refuse a dismissal someone else proposed.
        ConfirmDismissal => "case.dismissal.confirm" / "确认撤销案件",
        /// Read the scheduled jobs and their ledger.
        ReadJobs => "jobs.read" / "查看定时任务",
        /// Run a scheduled job's occurrence by hand.
        RunJobs => "jobs.run" / "手动运行定时任务",
    }
}

vocabulary! {
    /// How far a user's or token's rights reach.
    ScopeKind, "scope kind" {
        /// The whole municipality.
        City => "city" / "全市",
        /// One county, district or zone and everything below it.
        Jurisdiction => "jurisdiction" / "区县",
        /// One department.
        Department => "department" / "部门",
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        fn check<T>(all: &[T], names: &[&str])
        where
            T: Copy + PartialEq + fmt::Debug + std::str::FromStr + fmt::Display + serde::Serialize,
            <T as std::str::FromStr>::Err: fmt::Debug,
        {
            assert_eq!(all.len(), names.len());
            for (value, name) in all.iter().zip(names) {
                assert_eq!(value.to_string(), *name);
                assert_eq!(name.parse::<T>().unwrap(), *value);
                assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{name}\""));
            }
            let unique: std::collections::HashSet<_> = names.iter().collect();
            assert_eq!(unique.len(), names.len());
        }
        check(&ShareType::ALL, ShareType::NAMES);
        check(&OpenType::ALL, OpenType::NAMES);
        check(&UpdateCycle::ALL, UpdateCycle::NAMES);
        check(&CategoryCode::ALL, CategoryCode::NAMES);
        check(&CheckKind::ALL, CheckKind::NAMES);
        check(&Rule::ALL, Rule::NAMES);
        check(&Status::ALL, Status::NAMES);
        check(&DocumentKind::ALL, DocumentKind::NAMES);
        check(&AuditAction::ALL, AuditAction::NAMES);
        check(&Role::ALL, Role::NAMES);
        check(&ScopeKind::ALL, ScopeKind::NAMES);
        check(&Action::ALL, Action::NAMES);
        check(&CaseState::ALL, CaseState::NAMES);
        check(&CaseEventKind::ALL, CaseEventKind::NAMES);
        check(&JobName::ALL, JobName::NAMES);
        check(&OccurrenceState::ALL, OccurrenceState::NAMES);
        check(&Trigger::ALL, Trigger::NAMES);
        check(&MissedPolicy::ALL, MissedPolicy::NAMES);
    }

    #[test]
    fn unknown_names_are_rejected_with_the_accepted_ones() {
        let err = "Conditional".parse::<ShareType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown share type `Conditional` (expected one of: unconditional, conditional, none)"
        );
        assert!(serde_json::from_str::<CategoryCode>("\"theft\"").is_err());
        assert_eq!(
            serde_json::from_str::<CategoryCode>("\"misuse\"").unwrap(),
            CategoryCode::Misuse
        );
    }

    #[test]
    fn every_breach_has_a_category_and_only_breaches_do() {
        for rule in Rule::ALL {
            assert_eq!(rule.check().as_str().is_empty(), false);
        }
        assert_eq!(
            Rule::Reply.breach_category(),
            Some(CategoryCode::ApprovalOverdue)
        );
        assert_eq!(
            Rule::UsedAfterEnd.breach_category(),
            Some(CategoryCode::SecurityFailure)
        );
        assert_eq!(Rule::NeverUsed.breach_category(), None);
        assert!(Status::ALL.iter().all(|s| !(s.is_ok() && s.is_breach())));
    }
}
