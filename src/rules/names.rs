//! The closed vocabularies of the profile files: profile ids, deadline keys,
//! kinds, clocks, requirements, escalation actions. Each is written in data
//! files and JSON as its snake_case name (see [`crate::vocab`], whose
//! [`vocabulary!`](crate::vocab) macro declares them; the vocabularies the
//! rest of the service shares, such as share types and violation
//! categories, live there).

use crate::vocab::vocabulary;

vocabulary! {
    /// The stable keys of the deadlines (and time-less duties) a profile may regulate.
    DeadlineKey, "deadline key" {
        /// Catalog updated after a law revision or a change of duties.
        CatalogUpdate => "catalog_update" / "职责调整后目录更新",
        /// Periodic full maintenance of the catalog.
        CatalogFullMaintenance => "catalog_full_maintenance" / "目录全面维护",
        /// The authority's compliance review of a share request.
        Review => "review" / "符合性审查",
        /// Handling of a request for unconditionally shared data.
        ReplyUnconditional => "reply_unconditional" / "无条件共享申请办理",
        /// The provider's answer to a conditional-share request.
        ReplyConditional => "reply_conditional" / "有条件共享申请答复",
        /// JC: answer when the data is already published on the platform.
        ReplyConditionalPublished => "reply_conditional_published" / "已共享数据的申请答复",
        /// JC: publish and answer when the data is within duties but unpublished.
        ReplyConditionalUnpublished => "reply_conditional_unpublished" / "未共享数据的发布和答复",
        /// Correction (校核) of disputed data.
        Correction => "correction" / "数据校核",
        /// Answer to an open-data application (依申请开放).
        OpenApplication => "open_application" / "依申请开放答复",
        /// Minimum refresh of data (XX: each quarter's first 10 days).
        FreshnessFloor => "freshness_floor" / "数据最低更新频次",
        /// Longest lifetime of a grant.
        GrantMaxAge => "grant_max_age" / "最长授权期",
        /// A grant unused this long may be revoked.
        GrantUnused => "grant_unused" / "授权后未使用",
        /// Withdrawing published data needs prior approval.
        WithdrawalApproval => "withdrawal_approval" / "撤销发布审核",
        /// A refusal must give reasons and/or its basis.
        RefusalReason => "refusal_reason" / "不予共享说明理由",
        /// Conditional / not-shared classification needs a basis.
        ShareBasis => "share_basis" / "共享属性依据",
        /// How long access and exchange logs are kept.
        LogRetention => "log_retention" / "日志留存",
        /// Time given to rectify after a notice.
        Rectification => "rectification" / "整改期限",
    }
}

vocabulary! {
    /// What kind of time limit (or duty) a deadline entry states.
    DeadlineKind, "deadline kind" {
        /// A number of working days written in the text.
        WorkingDays => "working_days" / "工作日时限",
        /// The text says 及时/实时 without a number; the entry carries a
        /// bureau-practice number (`basis = bureau_default`) for evaluation only.
        InTime => "in_time" / "及时（本局确定期限）",
        /// The text lets the authority fix the limit (限期改正, 通知整改); the
        /// entry carries the bureau's default (`basis = bureau_default`).
        SetByAuthority => "set_by_authority" / "限期（本局确定期限）",
        /// The text sets the duty but no time at all, not even 及时; the entry
        /// carries the bureau's measure (`basis = bureau_default`), which a
        /// notice prints as the bureau's, and lateness against it breaches no
        /// text.
        NoLimit => "no_limit" / "未规定时限（本局掌握期限）",
        /// On the spot (当场), optionally with a fallback in working days.
        OnTheSpot => "on_the_spot" / "当场办理",
        /// A number of months.
        Months => "months" / "月数",
        /// A number of years.
        Years => "years" / "年数",
        /// Once a quarter, optionally within the quarter's first calendar days.
        Quarterly => "quarterly" / "每季度",
        /// Obtained directly, no time limit (unconditional sharing).
        Direct => "direct" / "直接获取",
        /// Needs the authority's prior approval.
        PriorApproval => "prior_approval" / "事先审核同意",
        /// A duty without a time limit (reasons, legal basis).
        Requirement => "requirement" / "办理要求",
        /// The regulation says nothing (only in data files; such entries are
        /// kept apart, see `Profile::not_regulated`).
        NotRegulated => "not_regulated" / "未作规定",
    }
}

vocabulary! {
    /// Where a number comes from.
    Basis, "basis" {
        /// Written in the regulation.
        Regulation => "regulation" / "办法规定",
        /// Bureau practice, not in the regulation: for evaluation only, never
        /// printed in a notice as if it were the law.
        BureauDefault => "bureau_default" / "本局确定",
    }
}

vocabulary! {
    /// The event that starts a deadline's clock.
    ClockStart, "clock start" {
        /// The revision or change of duties itself (之日起, 情形发生之日起).
        Event => "event" / "情形发生之日",
        /// Publication of the revision or change (自公布之日起).
        Publication => "publication" / "公布之日",
        /// Submission of the request by the user.
        Submission => "submission" / "提出申请之日",
        /// Receipt of the request or report by the one who must act.
        Receipt => "receipt" / "收到之日",
        /// Forwarding of the request by the authority to the provider.
        Forwarding => "forwarding" / "转交之日",
        /// The grant of access.
        Grant => "grant" / "授权之日",
        /// The rectification notice.
        Notice => "notice" / "通知之日",
        /// The log record itself.
        Record => "record" / "记录之日",
        /// The first day of the calendar quarter.
        QuarterStart => "quarter_start" / "季度首日",
    }
}

vocabulary! {
    /// What a refusal or a classification must be accompanied by.
    Requirement, "requirement" {
        /// Reasons (说明理由).
        Reasons => "reasons" / "说明理由",
        /// A basis in law or policy (依据).
        Basis => "basis" / "依据",
        /// A basis in laws, regulations or rules only (法律、法规或规章依据).
        LegalBasis => "legal_basis" / "法律、法规或规章依据",
        /// A filing (备案) with the authority (KF Art.10), checked by inspection.
        Filing => "filing" / "备案",
    }
}

vocabulary! {
    /// The administrative level a regulation applies at.
    Level, "level" {
        /// A prefecture-level city.
        City => "city" / "市级",
        /// A county.
        County => "county" / "县级",
    }
}

vocabulary! {
    /// A step of the escalation ladder.
    EscalationAction, "escalation action" {
        /// 通知整改.
        NotifyRectification => "notify_rectification" / "通知整改",
        /// 责令限期改正.
        OrderCorrection => "order_correction" / "责令限期改正",
        /// 书面通报，并责令限期改正.
        WrittenCircularAndOrder => "written_circular_and_order" / "书面通报并责令限期改正",
        /// Report to the superior government or office.
        ReportUpward => "report_upward" / "报上级机关",
        /// 通报批评.
        CirculatedCriticism => "circulated_criticism" / "通报批评",
        /// The failure is itself a new finding of the given category.
        NewFinding => "new_finding" / "另行认定问题",
        /// 提请有关部门处理.
        ReferForHandling => "refer_for_handling" / "提请有关部门处理",
        /// 依法给予处分 by the competent organ.
        Discipline => "discipline" / "依法给予处分",
    }
}

vocabulary! {
    /// Whose bureau issues a regulation's notices to a department.
    IssuerLevel, "issuer level" {
        /// The city's bureau, whatever the department's level (YK Art.37
        /// 市大数据管理局, KF Art.28 市政务服务和大数据管理局).
        City => "city" / "市级主管部门",
        /// The bureau of the department's own level (JC Art.43 同级数据管理部门).
        SameLevel => "same_level" / "同级主管部门",
    }
}

vocabulary! {
    /// How a regulation gives the bureau the power to have problems rectified.
    RectificationPower, "rectification power" {
        /// In words (JC Art.41 督促相关部门及时整改, YK Art.36 督促…落实整改).
        Explicit => "explicit" / "明文规定",
        /// Only in the lead-in of the liability article, for the conduct it
        /// lists (PDS Art.27, KF Art.28 通知整改).
        LiabilityLeadIn => "liability_lead_in" / "责任条款规定",
        /// Implied by a general power to supervise (XX Art.5 管理和监督).
        Implied => "implied" / "由监督职责推出",
    }
}

vocabulary! {
    /// A step of the escalation ladder, as a category may name it.
    LadderStep, "escalation step" {
        /// What follows a missed rectification deadline.
        Overdue => "overdue" / "逾期未整改的处理",
    }
}

vocabulary! {
    /// How often the regulation has departments evaluated.
    EvaluationFrequency, "evaluation frequency" {
        /// Every year.
        Annual => "annual" / "每年",
        /// Regular and random inspections, no fixed period.
        Periodic => "periodic" / "定期检查和随机抽查",
        /// Not stated.
        Unspecified => "unspecified" / "未规定",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for key in DeadlineKey::ALL {
            assert_eq!(key.as_str().parse::<DeadlineKey>().unwrap(), key);
        }
        assert_eq!(
            serde_json::from_str::<DeadlineKind>("\"working_days\"").unwrap(),
            DeadlineKind::WorkingDays
        );
    }

    #[test]
    fn unknown_names_are_rejected() {
        let err = "Review".parse::<DeadlineKey>().unwrap_err();
        assert!(err.to_string().contains("unknown deadline key `Review`"));
        assert!(err.to_string().contains("review"));
        assert!("weeks".parse::<DeadlineKind>().is_err());
    }
}
