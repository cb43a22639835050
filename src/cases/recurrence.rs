//! A finding that recurs reopens its case.
//!
//! A case closes when an inspector accepts the department's response: the
//! breach, they agreed, has ended. When a later run of the checks records
//! an ongoing breach ([`ONGOING`]: a duty still unmet) of the **same rule
//! by the same record**, and it became a fact **after the case closed**,
//! the rectification did not hold. dukao itself then reopens the case
//! ([`Actor::dukao`]: the history names no person): the recurring findings
//! join it, and it runs again as a returned case does — the notice's
//! deadline stands and keeps running ([`super::flow`]).
//!
//! "The same record" is what a finding's key cannot tell alone: a stale
//! catalog entry's finding is keyed by the entry's last update, so its
//! staleness after a later refresh is a new key for the same entry. The
//! rule and the record are what the finding breaks, read from its recorded
//! row ([`crate::metrics::findings::breaches_of`]).
//!
//! Not reopened: a dismissed case (its findings were false; a new breach
//! is a new case's), a case still open (it is being rectified), a breach
//! that began before the case closed (it did not recur: it was never
//! ended, and the acceptance is the inspector's to answer for), a finding
//! another case holds already.

use std::collections::BTreeMap;

use super::CaseError;
use super::record::{self, Actor, Filter, Write};
use crate::access::Reach;
use crate::metrics::findings::{Finding, ONGOING, breaches_of};
use crate::store::Store;
use crate::time::{chinese_date, local_date, parse_timestamp};
use crate::vocab::{CaseState, Rule};

/// A case reopened, with the findings that recurred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopened {
    /// The case.
    pub case_id: i64,
    /// The recurring findings' keys.
    pub findings: Vec<String>,
}

/// Reopens the closed cases whose findings recur among `run`'s findings
/// (a run of the checks, being recorded); `now_ms` is the run's time.
pub async fn reopen(
    store: &Store,
    run: &[Finding],
    now_ms: i64,
) -> Result<Vec<Reopened>, CaseError> {
    let closed_filter = Filter {
        state: Some(CaseState::Closed),
        ..Filter::default()
    };
    let closed = record::list(store, &Reach::City, &closed_filter).await?;
    if closed.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = closed.iter().flat_map(|c| c.findings.clone()).collect();
    let breaches = breaches_of(store, &keys)
        .await
        .map_err(|e| CaseError::Stored(format!("the closed cases' findings: {e}")))?;
    // What each closed case's findings break, and when it closed.
    let mut broken: BTreeMap<(&str, Rule, &str), (i64, i64, i64)> = BTreeMap::new();
    for case in &closed {
        let closed_at = case
            .closed_at
            .as_deref()
            .ok_or_else(|| CaseError::Stored(format!("case {}: closed without closed_at", case.id)))
            .and_then(|t| {
                parse_timestamp(t)
                    .map_err(|e| CaseError::Stored(format!("case {}: closed_at: {e}", case.id)))
            })?;
        for key in &case.findings {
            if let Some((rule, record_id)) = breaches.get(key) {
                broken.insert(
                    (case.department_id.as_str(), *rule, record_id.as_str()),
                    (case.id, case.version, closed_at),
                );
            }
        }
    }
    // The run's ongoing breaches of the same rule by the same record, that
    // began after the case closed.
    let mut recurring: BTreeMap<(i64, i64), Vec<&Finding>> = BTreeMap::new();
    for f in run {
        let Some(item) = f.item.as_ref().filter(|i| ONGOING.contains(&i.status)) else {
            continue;
        };
        let Some(&(case_id, version, closed_at)) =
            broken.get(&(f.department_id.as_str(), item.rule, item.id.as_str()))
        else {
            continue;
        };
        if f.occurred_at > closed_at {
            recurring.entry((case_id, version)).or_default().push(f);
        }
    }
    if recurring.is_empty() {
        return Ok(Vec::new());
    }
    let candidates: Vec<String> = recurring
        .values()
        .flatten()
        .map(|f| f.key.clone())
        .collect();
    let held = record::taken(store, &candidates).await?;
    let mut reopened = Vec::new();
    for ((case_id, version), findings) in recurring {
        let findings: Vec<&Finding> = findings
            .into_iter()
            .filter(|f| held.get(&f.key).is_none_or(|holder| *holder == case_id))
            .collect();
        let Some(first) = findings.first() else {
            continue;
        };
        let item = first.item.as_ref().expect("kept above: detected findings");
        let cause = format!(
            "问题复现：{}（记录 {}）于{}再次发生{}，整改未能保持，案件重新办理；整改期限仍以整改通知书所定为准。",
            item.rule.chinese(),
            item.id,
            chinese_date(local_date(first.occurred_at)),
            if findings.len() > 1 {
                format!("，另有 {} 条问题同样复现", findings.len() - 1)
            } else {
                String::new()
            },
        );
        let keys: Vec<String> = findings.iter().map(|f| f.key.clone()).collect();
        let write = Write::Reopen {
            findings: keys.clone(),
            cause,
        };
        match record::change(
            store,
            case_id,
            Some(version),
            &Actor::dukao(),
            now_ms,
            write,
        )
        .await
        {
            Ok(_) => reopened.push(Reopened {
                case_id,
                findings: keys,
            }),
            // Changed meanwhile by a person (or another replica's run): the
            // next run sees it as it is then.
            Err(CaseError::Stale { .. } | CaseError::Refused { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(reopened)
}
