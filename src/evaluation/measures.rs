//! From the metrics to the evaluation's measures: for each department, how
//! many items met each rule out of how many were judged, and which records
//! missed it; and the findings held against it.
//!
//! Every item counts against the department *responsible* for it (the
//! metrics already say who: the authority for its own reviews, the provider
//! for its replies, the grantee for the use of a grant), so the authority's
//! review delays score the authority, not the provider.
//!
//! | metric | items | met | missed |
//! |---|---|---|---|
//! | `catalog_updates_on_time` | catalog updates after duty changes, quarterly full maintenance | `on_time` | `late`, `overdue` |
//! | `entries_classified_with_basis` | every active catalog entry (one freshness item each), plus entries withdrawn in the period | entries with no violation | conditional / not-shared without basis, withdrawn without approval |
//! | `entries_fresh` | freshness and 新县's quarterly floor | `fresh`, `due`, `on_time` | `overdue`, `delinquent`, `late` |
//! | `corrections_on_time` | corrections (校核) | `on_time` | `late`, `overdue` |
//! | `approval_stages_on_time` | each review and each reply, each refusal | `on_time` | `late`, `overdue`, refusal without reason |
//! | `grants_used` | grants whose first-use window ended in the period | used within the window | not used within it |
//!
//! Open items (`pending`, `at_risk`) are not judged yet and count nowhere;
//! `not_evaluable` freshness (irregular cycle) counts nowhere.

use std::collections::{BTreeMap, BTreeSet};

use super::score::{FindingRef, Measure, UnitInput};
use crate::metrics::findings::Finding;
use crate::metrics::{CheckItem, Context};
use crate::vocab::{Rule, Status, vocabulary};

vocabulary! {
    /// What an evaluation scheme's indicator may measure (`metric` in the
    /// scheme files), each a rate over the items of some rules.
    Metric, "metric" {
        /// Catalog updates and quarterly maintenance on time.
        CatalogUpdatesOnTime => "catalog_updates_on_time" / "目录按时更新",
        /// Entries classified with their basis and not withdrawn without approval.
        EntriesClassifiedWithBasis => "entries_classified_with_basis" / "共享属性有依据",
        /// Entries refreshed on their declared cycle.
        EntriesFresh => "entries_fresh" / "数据按周期更新",
        /// Corrections answered in time.
        CorrectionsOnTime => "corrections_on_time" / "校核按时完成",
        /// Review and reply stages done in time.
        ApprovalStagesOnTime => "approval_stages_on_time" / "审批按时办结",
        /// Grants used within their first-use window.
        GrantsUsed => "grants_used" / "授权按时使用",
    }
}

/// How an item counts: met, missed, or not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Met,
    Missed,
    NotJudged,
}

fn deadline_verdict(status: Status) -> Verdict {
    if status.is_ok() {
        Verdict::Met
    } else if status.is_breach() {
        Verdict::Missed
    } else {
        Verdict::NotJudged
    }
}

/// The metric an item feeds (other than the share-basis coverage, which is
/// assembled per entry) and its verdict.
fn classify(rule: Rule, status: Status) -> Option<(Metric, Verdict)> {
    let metric = match rule {
        Rule::CatalogUpdate | Rule::FullMaintenance => Metric::CatalogUpdatesOnTime,
        Rule::Freshness | Rule::FreshnessFloor => Metric::EntriesFresh,
        Rule::Correction => Metric::CorrectionsOnTime,
        Rule::Review | Rule::Reply | Rule::RefusalReason => Metric::ApprovalStagesOnTime,
        Rule::NeverUsed => {
            let verdict = match status {
                Status::OnTime => Verdict::Met,
                // Unused through the window: revocable now, or resolved only
                // by a late first use or by the grant's end.
                Status::Revocable | Status::Resolved => Verdict::Missed,
                Status::Late
                | Status::Pending
                | Status::AtRisk
                | Status::Overdue
                | Status::Violation
                | Status::Expiring
                | Status::Fresh
                | Status::Due
                | Status::Delinquent
                | Status::NotEvaluable => Verdict::NotJudged,
            };
            return Some((Metric::GrantsUsed, verdict));
        }
        // The entries' share attributes are assembled per entry; the other
        // grant rules and open applications are not measured.
        Rule::ShareBasis
        | Rule::Withdrawal
        | Rule::Idle
        | Rule::MaxAge
        | Rule::UsedAfterEnd
        | Rule::Expiring
        | Rule::OpenApplication => return None,
    };
    Some((metric, deadline_verdict(status)))
}

/// Whether an item of `rule` judged `status` is one of the records that
/// cost its department points on `metric` (what a drill-down from an
/// indicator lists): the items [`collect`] counts as missed.
pub fn counts_against(rule: Rule, status: Status, metric: Metric) -> bool {
    match metric {
        Metric::EntriesClassifiedWithBasis => {
            matches!(rule, Rule::ShareBasis | Rule::Withdrawal) && status.is_breach()
        }
        Metric::CatalogUpdatesOnTime
        | Metric::EntriesFresh
        | Metric::CorrectionsOnTime
        | Metric::ApprovalStagesOnTime
        | Metric::GrantsUsed => classify(rule, status) == Some((metric, Verdict::Missed)),
    }
}

/// Per department: what was measured and what is held against it. Every
/// department of the context appears, with empty measures if nothing
/// concerned it.
pub fn collect(
    ctx: &Context,
    items: &[CheckItem],
    findings: &[Finding],
) -> BTreeMap<String, UnitInput> {
    let mut units: BTreeMap<String, UnitInput> = ctx
        .org
        .departments
        .values()
        .map(|d| {
            (
                d.id.clone(),
                UnitInput {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    ..UnitInput::default()
                },
            )
        })
        .collect();
    // Entries in scope and entries in breach of their share attributes.
    let mut entries: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut unshared: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();

    for item in items {
        let dept = item.responsible_id.as_str();
        if item.rule == Rule::Freshness {
            entries.entry(dept).or_default().insert(&item.id);
        }
        if matches!(item.rule, Rule::ShareBasis | Rule::Withdrawal) && item.status.is_breach() {
            entries.entry(dept).or_default().insert(&item.id);
            unshared.entry(dept).or_default().insert(&item.id);
        }
        let Some((metric, verdict)) = classify(item.rule, item.status) else {
            continue;
        };
        if verdict == Verdict::NotJudged {
            continue;
        }
        let Some(unit) = units.get_mut(dept) else {
            continue;
        };
        let m = unit.measures.entry(metric).or_default();
        m.total += 1;
        match verdict {
            Verdict::Met => m.met += 1,
            Verdict::Missed => m.missed.push(item.id.clone()),
            Verdict::NotJudged => {}
        }
    }

    for (dept, all) in &entries {
        let Some(unit) = units.get_mut(*dept) else {
            continue;
        };
        let bad = unshared.get(dept);
        let missed: Vec<String> =
            bad.map_or(Vec::new(), |b| b.iter().map(|s| s.to_string()).collect());
        unit.measures.insert(
            Metric::EntriesClassifiedWithBasis,
            Measure {
                met: (all.len() - missed.len()) as u64,
                total: all.len() as u64,
                missed,
            },
        );
    }

    for f in findings {
        if let Some(unit) = units.get_mut(&f.department_id) {
            unit.findings.push(FindingRef {
                id: f.key.clone(),
                category: f.category,
            });
        }
    }
    for unit in units.values_mut() {
        for m in unit.measures.values_mut() {
            m.missed.sort();
        }
        unit.findings.sort_by(|a, b| a.id.cmp(&b.id));
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::findings;
    use crate::metrics::testutil::{ctx_at, judged_item as item};

    #[test]
    fn items_count_against_the_responsible_department() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let items = vec![
            item(&ctx, Rule::Review, "R1", "DEP-C-AUTH", Status::Late),
            item(&ctx, Rule::Reply, "R1", "DEP-C-1", Status::OnTime),
            item(&ctx, Rule::Reply, "R2", "DEP-C-1", Status::Overdue),
            item(&ctx, Rule::Reply, "R3", "DEP-C-1", Status::Pending),
            item(&ctx, Rule::NeverUsed, "G1", "DEP-C-2", Status::OnTime),
            item(&ctx, Rule::NeverUsed, "G2", "DEP-C-2", Status::Resolved),
            item(&ctx, Rule::Freshness, "E1", "DEP-C-2", Status::Fresh),
            item(&ctx, Rule::Freshness, "E2", "DEP-C-2", Status::NotEvaluable),
            item(&ctx, Rule::ShareBasis, "E2", "DEP-C-2", Status::Violation),
        ];
        let found = findings::detected(&ctx, &items);
        let units = collect(&ctx, &items, &found);
        let auth = &units["DEP-C-AUTH"].measures[&Metric::ApprovalStagesOnTime];
        assert_eq!(
            (auth.met, auth.total, auth.missed.clone()),
            (0, 1, vec!["R1".to_string()])
        );
        let provider = &units["DEP-C-1"].measures[&Metric::ApprovalStagesOnTime];
        assert_eq!(
            (provider.met, provider.total),
            (1, 2),
            "pending is not judged"
        );
        assert_eq!(provider.missed, ["R2"]);
        let grants = &units["DEP-C-2"].measures[&Metric::GrantsUsed];
        assert_eq!((grants.met, grants.total), (1, 2));
        let fresh = &units["DEP-C-2"].measures[&Metric::EntriesFresh];
        assert_eq!(
            (fresh.met, fresh.total),
            (1, 1),
            "irregular is not evaluable"
        );
        let basis = &units["DEP-C-2"].measures[&Metric::EntriesClassifiedWithBasis];
        assert_eq!(
            (basis.met, basis.total, basis.missed.clone()),
            (1, 2, vec!["E2".to_string()])
        );
        // Breaches with a category become findings of the responsible party.
        assert!(
            units["DEP-C-AUTH"]
                .findings
                .iter()
                .any(|f| f.id.contains("R1"))
        );
        assert!(
            units["DEP-C-1"]
                .findings
                .iter()
                .any(|f| f.id.contains("R2"))
        );
    }
}
