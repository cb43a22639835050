//! The closed vocabularies of the profile files: profile ids, deadline keys,
//! kinds, clocks, category codes, escalation actions. Each is written in data
//! files and JSON as its snake_case name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A name that is not in one of the vocabularies of this module.
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

macro_rules! names {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $s:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name used in data files, JSON and the interchange format.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)+
                }
            }

            /// The accepted names, comma separated (for error messages).
            pub fn expected() -> String {
                [$($s),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseNameError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(ParseNameError {
                        what: $what,
                        value: s.to_string(),
                        expected: Self::expected(),
                    }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

names! {
    /// The five shipped regulation profiles.
    ProfileId, "profile id" {
        /// 《新县政务数据资源共享开放管理办法》 (XX).
        Xinxian => "xinxian",
        /// 《平顶山市政务数据管理办法（试行）》 (PDS).
        Pingdingshan => "pingdingshan",
        /// 《营口市政务数据资源共享开放管理办法》 (YK).
        Yingkou => "yingkou",
        /// 《开封市政务信息资源共享管理暂行办法》 (KF).
        Kaifeng => "kaifeng",
        /// 《晋城市政务数据资源共享管理实施细则》 (JC).
        Jincheng => "jincheng",
    }
}

names! {
    /// The stable keys of the deadlines (and time-less duties) a profile may regulate.
    DeadlineKey, "deadline key" {
        /// Catalog updated after a law revision or a change of duties.
        CatalogUpdate => "catalog_update",
        /// Periodic full maintenance of the catalog.
        CatalogFullMaintenance => "catalog_full_maintenance",
        /// The authority's compliance review of a share request.
        Review => "review",
        /// Handling of a request for unconditionally shared data.
        ReplyUnconditional => "reply_unconditional",
        /// The provider's answer to a conditional-share request.
        ReplyConditional => "reply_conditional",
        /// JC: answer when the data is already published on the platform.
        ReplyConditionalPublished => "reply_conditional_published",
        /// JC: publish and answer when the data is within duties but unpublished.
        ReplyConditionalUnpublished => "reply_conditional_unpublished",
        /// Correction (校核) of disputed data.
        Correction => "correction",
        /// Answer to an open-data application (依申请开放).
        OpenApplication => "open_application",
        /// Minimum refresh of data (XX: each quarter's first 10 days).
        FreshnessFloor => "freshness_floor",
        /// Longest lifetime of a grant.
        GrantMaxAge => "grant_max_age",
        /// A grant unused this long may be revoked.
        GrantUnused => "grant_unused",
        /// Withdrawing published data needs prior approval.
        WithdrawalApproval => "withdrawal_approval",
        /// A refusal must give reasons and/or its basis.
        RefusalReason => "refusal_reason",
        /// Conditional / not-shared classification needs a basis.
        ShareBasis => "share_basis",
        /// How long access and exchange logs are kept.
        LogRetention => "log_retention",
        /// Time given to rectify after a notice.
        Rectification => "rectification",
    }
}

names! {
    /// What kind of time limit (or duty) a deadline entry states.
    DeadlineKind, "deadline kind" {
        /// A number of working days written in the text.
        WorkingDays => "working_days",
        /// The text says 及时/实时 without a number; the entry carries a
        /// bureau-practice number (`basis = bureau_default`) for evaluation only.
        InTime => "in_time",
        /// The text lets the authority fix the limit (限期改正, 通知整改); the
        /// entry carries the bureau's default (`basis = bureau_default`).
        SetByAuthority => "set_by_authority",
        /// On the spot (当场), optionally with a fallback in working days.
        OnTheSpot => "on_the_spot",
        /// A number of months.
        Months => "months",
        /// A number of years.
        Years => "years",
        /// Once a quarter, optionally within the quarter's first calendar days.
        Quarterly => "quarterly",
        /// Obtained directly, no time limit (unconditional sharing).
        Direct => "direct",
        /// Needs the authority's prior approval.
        PriorApproval => "prior_approval",
        /// A duty without a time limit (reasons, legal basis).
        Requirement => "requirement",
        /// The regulation says nothing (only in data files; such entries are
        /// kept apart, see `Profile::not_regulated`).
        NotRegulated => "not_regulated",
    }
}

names! {
    /// Where a number comes from.
    Basis, "basis" {
        /// Written in the regulation.
        Regulation => "regulation",
        /// Bureau practice, not in the regulation: for evaluation only, never
        /// printed in a notice as if it were the law.
        BureauDefault => "bureau_default",
    }
}

names! {
    /// The event that starts a deadline's clock.
    ClockStart, "clock start" {
        /// The revision or change of duties itself (之日起, 情形发生之日起).
        Event => "event",
        /// Publication of the revision or change (自公布之日起).
        Publication => "publication",
        /// Submission of the request by the user.
        Submission => "submission",
        /// Receipt of the request or report by the one who must act.
        Receipt => "receipt",
        /// Forwarding of the request by the authority to the provider.
        Forwarding => "forwarding",
        /// The grant of access.
        Grant => "grant",
        /// The rectification notice.
        Notice => "notice",
        /// The log record itself.
        Record => "record",
        /// The first day of the calendar quarter.
        QuarterStart => "quarter_start",
    }
}

names! {
    /// What a refusal or a classification must be accompanied by.
    Requirement, "requirement" {
        /// Reasons (说明理由).
        Reasons => "reasons",
        /// A basis in law or policy (依据).
        Basis => "basis",
        /// A basis in laws, regulations or rules only (法律、法规或规章依据).
        LegalBasis => "legal_basis",
    }
}

names! {
    /// 共享类型, as in the interchange format.
    ShareType, "share type" {
        /// 无条件共享.
        Unconditional => "unconditional",
        /// 有条件共享.
        Conditional => "conditional",
        /// 不予共享.
        NotShared => "none",
    }
}

names! {
    /// The administrative level a regulation applies at.
    Level, "level" {
        /// A prefecture-level city.
        City => "city",
        /// A county.
        County => "county",
    }
}

names! {
    /// The violation categories of RULES.md §3 (interchange `findings.category`).
    CategoryCode, "category code" {
        /// Catalog not compiled, published or updated.
        CatalogNotMaintained => "catalog_not_maintained",
        /// Data not provided to the platform, or not published on time.
        DataNotProvided => "data_not_provided",
        /// Data stale, inconsistent with the source, below standard or unusable.
        DataStaleOrSubstandard => "data_stale_or_substandard",
        /// Known errors not corrected, corrections late.
        CorrectionLate => "correction_late",
        /// Duplicate or excessive collection.
        DuplicateCollection => "duplicate_collection",
        /// Untrue, inaccurate or incomplete catalog or data.
        UntrueData => "untrue_data",
        /// Use beyond duties, passing to third parties, commercial use.
        Misuse => "misuse",
        /// Security duties not met; loss of control, abuse, leak.
        SecurityFailure => "security_failure",
        /// Approvals past their deadline, refusals without reasons.
        ApprovalOverdue => "approval_overdue",
        /// Rectification refused or not done.
        RectificationRefused => "rectification_refused",
        /// Dereliction or abuse of power.
        Dereliction => "dereliction",
        /// Other violations.
        Other => "other",
    }
}

names! {
    /// A step of the escalation ladder.
    EscalationAction, "escalation action" {
        /// 通知整改.
        NotifyRectification => "notify_rectification",
        /// 责令限期改正.
        OrderCorrection => "order_correction",
        /// 书面通报，并责令限期改正.
        WrittenCircularAndOrder => "written_circular_and_order",
        /// Report to the superior government or office.
        ReportUpward => "report_upward",
        /// 通报批评.
        CirculatedCriticism => "circulated_criticism",
        /// The failure is itself a new finding of the given category.
        NewFinding => "new_finding",
        /// 提请有关部门处理.
        ReferForHandling => "refer_for_handling",
        /// 依法给予处分 by the competent organ.
        Discipline => "discipline",
    }
}

names! {
    /// How often the regulation has departments evaluated.
    EvaluationFrequency, "evaluation frequency" {
        /// Every year.
        Annual => "annual",
        /// Regular and random inspections, no fixed period.
        Periodic => "periodic",
        /// Not stated.
        Unspecified => "unspecified",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for id in ProfileId::ALL {
            assert_eq!(id.as_str().parse::<ProfileId>().unwrap(), *id);
            assert_eq!(id.to_string(), id.as_str());
            assert_eq!(
                serde_json::to_string(id).unwrap(),
                format!("\"{}\"", id.as_str())
            );
        }
        for key in DeadlineKey::ALL {
            assert_eq!(key.as_str().parse::<DeadlineKey>().unwrap(), *key);
        }
        for code in CategoryCode::ALL {
            assert_eq!(code.as_str().parse::<CategoryCode>().unwrap(), *code);
        }
        assert_eq!(
            serde_json::from_str::<ProfileId>("\"jincheng\"").unwrap(),
            ProfileId::Jincheng
        );
    }

    #[test]
    fn unknown_names_are_rejected() {
        let err = "Jincheng".parse::<ProfileId>().unwrap_err();
        assert!(err.to_string().contains("unknown profile id `Jincheng`"));
        assert!(err.to_string().contains("jincheng"));
        assert!("weeks".parse::<DeadlineKind>().is_err());
        assert!(serde_json::from_str::<CategoryCode>("\"theft\"").is_err());
    }
}
