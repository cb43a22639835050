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
use crate::metrics::{CheckItem, Context, Rule, Status};

/// Catalog updates and quarterly maintenance on time.
pub const CATALOG_UPDATES_ON_TIME: &str = "catalog_updates_on_time";
/// Entries shared as their attributes require.
pub const ENTRIES_CLASSIFIED_WITH_BASIS: &str = "entries_classified_with_basis";
/// Entries refreshed on their declared cycle.
pub const ENTRIES_FRESH: &str = "entries_fresh";
/// Corrections answered in time.
pub const CORRECTIONS_ON_TIME: &str = "corrections_on_time";
/// Review and reply stages done in time.
pub const APPROVAL_STAGES_ON_TIME: &str = "approval_stages_on_time";
/// Grants used within their first-use window.
pub const GRANTS_USED: &str = "grants_used";

/// Every metric a scheme's indicator may name.
pub const METRICS: [&str; 6] = [
    CATALOG_UPDATES_ON_TIME,
    ENTRIES_CLASSIFIED_WITH_BASIS,
    ENTRIES_FRESH,
    CORRECTIONS_ON_TIME,
    APPROVAL_STAGES_ON_TIME,
    GRANTS_USED,
];

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
fn classify(item: &CheckItem) -> Option<(&'static str, Verdict)> {
    let metric = match item.rule {
        Rule::CatalogUpdate | Rule::FullMaintenance => CATALOG_UPDATES_ON_TIME,
        Rule::Freshness | Rule::FreshnessFloor => ENTRIES_FRESH,
        Rule::Correction => CORRECTIONS_ON_TIME,
        Rule::Review | Rule::Reply | Rule::RefusalReason => APPROVAL_STAGES_ON_TIME,
        Rule::NeverUsed => {
            let verdict = match item.status {
                Status::OnTime => Verdict::Met,
                // Unused through the window: revocable now, or resolved only
                // by a late first use or by the grant's end.
                Status::Revocable | Status::Resolved => Verdict::Missed,
                _ => Verdict::NotJudged,
            };
            return Some((GRANTS_USED, verdict));
        }
        _ => return None,
    };
    Some((metric, deadline_verdict(item.status)))
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
        match item.rule {
            Rule::Freshness => {
                entries.entry(dept).or_default().insert(&item.id);
            }
            Rule::ShareBasis | Rule::Withdrawal if item.status.is_breach() => {
                entries.entry(dept).or_default().insert(&item.id);
                unshared.entry(dept).or_default().insert(&item.id);
            }
            _ => {}
        }
        let Some((metric, verdict)) = classify(item) else {
            continue;
        };
        if verdict == Verdict::NotJudged {
            continue;
        }
        let Some(unit) = units.get_mut(dept) else {
            continue;
        };
        let m = unit.measures.entry(metric.to_string()).or_default();
        m.total += 1;
        match verdict {
            Verdict::Met => m.met += 1,
            _ => m.missed.push(item.id.clone()),
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
            ENTRIES_CLASSIFIED_WITH_BASIS.to_string(),
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
                category: f.category.as_str().to_string(),
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
        let auth = &units["DEP-C-AUTH"].measures[APPROVAL_STAGES_ON_TIME];
        assert_eq!(
            (auth.met, auth.total, auth.missed.clone()),
            (0, 1, vec!["R1".to_string()])
        );
        let provider = &units["DEP-C-1"].measures[APPROVAL_STAGES_ON_TIME];
        assert_eq!(
            (provider.met, provider.total),
            (1, 2),
            "pending is not judged"
        );
        assert_eq!(provider.missed, ["R2"]);
        let grants = &units["DEP-C-2"].measures[GRANTS_USED];
        assert_eq!((grants.met, grants.total), (1, 2));
        let fresh = &units["DEP-C-2"].measures[ENTRIES_FRESH];
        assert_eq!(
            (fresh.met, fresh.total),
            (1, 1),
            "irregular is not evaluable"
        );
        let basis = &units["DEP-C-2"].measures[ENTRIES_CLASSIFIED_WITH_BASIS];
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
