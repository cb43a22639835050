//! Scoring one unit (a department, or a county) under a scheme, with the
//! breakdown that explains every point lost, down to the records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::measures::Metric;
use super::scheme::Scheme;
use crate::vocab::CategoryCode;

/// What a metric measured for one unit: how many items met the rule out of
/// how many were measured, and which records missed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Items that met the rule.
    pub met: u64,
    /// Items measured; 0 means nothing to measure (not applicable).
    pub total: u64,
    /// Platform ids of the items that missed it.
    pub missed: Vec<String>,
}

/// A finding held against a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRef {
    /// Finding id.
    pub id: String,
    /// Its category.
    pub category: CategoryCode,
}

/// Everything scored for one unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitInput {
    /// Department or county id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Measures by metric.
    pub measures: BTreeMap<Metric, Measure>,
    /// Findings held against it.
    pub findings: Vec<FindingRef>,
}

/// One indicator of a unit's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// Indicator id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The article it serves.
    pub serves: String,
    /// Weight in the scheme.
    pub weight: f64,
    /// Whether there was anything to measure.
    pub applicable: bool,
    /// Weight after redistributing non-applicable indicators (sums to 100
    /// over the applicable ones); 0 when not applicable.
    pub effective_weight: f64,
    /// met / total, when applicable.
    pub rate: Option<f64>,
    /// Met and total.
    pub met: u64,
    /// Items measured.
    pub total: u64,
    /// Points earned: effective_weight × rate.
    pub points: f64,
    /// Points lost: effective_weight − points.
    pub lost: f64,
    /// Records that cost points.
    pub missed: Vec<String>,
}

/// One deduction of a unit's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeductionScore {
    /// Deduction id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The article it serves.
    pub serves: String,
    /// Points deducted (after the cap).
    pub points: f64,
    /// Whether the cap applied.
    pub capped: bool,
    /// The findings counted.
    pub findings: Vec<String>,
}

/// A unit's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    /// Department or county id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether any indicator applied; a unit with nothing to measure gets no
    /// score rather than a made-up one.
    pub evaluable: bool,
    /// Final score 0..100 (weighted points minus deductions), unrounded.
    pub score: f64,
    /// Weighted points before deductions.
    pub base: f64,
    /// Grade of the score under the scheme.
    pub grade: String,
    /// Per indicator.
    pub indicators: Vec<IndicatorScore>,
    /// Per deduction.
    pub deductions: Vec<DeductionScore>,
}

/// Scores a unit. Fairness rules (tested):
/// - an indicator with nothing to measure (`total == 0`) is not applicable
///   and its weight is shared among the applicable ones in proportion to their
///   weights — never counted as 100 % or 0 %;
/// - a unit with no applicable indicator is not evaluable (no score, no
///   grade) whatever its findings;
/// - deductions are capped each and the score is clamped to 0..100.
///
/// Arithmetic is in a fixed order over the scheme's indicator list, so the
/// same inputs and scheme give the same score bit for bit.
pub fn score_unit(scheme: &Scheme, unit: &UnitInput) -> UnitScore {
    let empty = Measure::default();
    let applicable_weight: f64 = scheme
        .indicators
        .iter()
        .filter(|i| unit.measures.get(&i.metric).is_some_and(|m| m.total > 0))
        .map(|i| i.weight)
        .sum();
    let mut indicators = Vec::with_capacity(scheme.indicators.len());
    let mut base = 0.0;
    for ind in &scheme.indicators {
        let m = unit.measures.get(&ind.metric).unwrap_or(&empty);
        let applicable = m.total > 0;
        let (effective_weight, rate, points) = if applicable {
            let effective = ind.weight / applicable_weight * 100.0;
            let rate = m.met.min(m.total) as f64 / m.total as f64;
            (effective, Some(rate), effective * rate)
        } else {
            (0.0, None, 0.0)
        };
        base += points;
        indicators.push(IndicatorScore {
            id: ind.id.clone(),
            name: ind.name.clone(),
            serves: ind.serves.clone(),
            weight: ind.weight,
            applicable,
            effective_weight,
            rate,
            met: m.met,
            total: m.total,
            points,
            lost: effective_weight - points,
            missed: m.missed.clone(),
        });
    }
    let evaluable = applicable_weight > 0.0;
    let mut deductions = Vec::with_capacity(scheme.deductions.len());
    let mut deducted = 0.0;
    for d in &scheme.deductions {
        let findings: Vec<String> = unit
            .findings
            .iter()
            .filter(|f| d.categories.contains(&f.category))
            .map(|f| f.id.clone())
            .collect();
        let raw = findings.len() as f64 * d.points;
        let points = raw.min(d.cap);
        deducted += points;
        deductions.push(DeductionScore {
            id: d.id.clone(),
            name: d.name.clone(),
            serves: d.serves.clone(),
            points,
            capped: raw > d.cap,
            findings,
        });
    }
    let score = if evaluable {
        (base - deducted).clamp(0.0, 100.0)
    } else {
        0.0
    };
    UnitScore {
        id: unit.id.clone(),
        name: unit.name.clone(),
        evaluable,
        score,
        base,
        grade: if evaluable {
            scheme.grade(round2(score)).to_string()
        } else {
            "不参评".to_string()
        },
        indicators,
        deductions,
    }
}

/// Rounds to two decimals, as scores are published (and ranked).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(met: u64, total: u64) -> Measure {
        Measure {
            met,
            total,
            missed: (0..total - met).map(|i| format!("R{i}")).collect(),
        }
    }

    fn unit(measures: &[(&str, Measure)]) -> UnitInput {
        UnitInput {
            id: "D1".into(),
            name: "云州市公安局".into(),
            measures: measures
                .iter()
                .map(|(k, m)| (k.parse().unwrap(), m.clone()))
                .collect(),
            findings: Vec::new(),
        }
    }

    fn all_perfect() -> Vec<(&'static str, Measure)> {
        vec![
            ("catalog_updates_on_time", measure(4, 4)),
            ("entries_classified_with_basis", measure(10, 10)),
            ("entries_fresh", measure(10, 10)),
            ("corrections_on_time", measure(2, 2)),
            ("approval_stages_on_time", measure(20, 20)),
            ("grants_used", measure(5, 5)),
        ]
    }

    /// A department with late approvals: 16 of 20 stages on time costs
    /// 25 × 4/20 = 5 points; everything else perfect → 95.
    #[test]
    fn late_approvals_cost_their_share_of_the_weight() {
        let s = Scheme::builtin();
        let mut m = all_perfect();
        m[4].1 = measure(16, 20);
        let r = score_unit(&s, &unit(&m));
        assert_eq!(round2(r.score), 95.0);
        assert_eq!(r.grade, "优秀");
        let ind = r
            .indicators
            .iter()
            .find(|i| i.id == "requests_in_time")
            .unwrap();
        assert_eq!(round2(ind.lost), 5.0);
        assert_eq!(ind.missed, ["R0", "R1", "R2", "R3"]);
    }

    /// A department that received no requests and holds no grants: the two
    /// indicators (weights 25 and 10) are not applicable; the other four
    /// (weights 20, 15, 20, 10 = 65) share 100 points. With data freshness at
    /// 5/10 it loses 20/65 × 100 × 0.5 = 15.38 points → 84.62, 良好.
    #[test]
    fn nothing_to_measure_redistributes_the_weight() {
        let s = Scheme::builtin();
        let mut m = all_perfect();
        m[4].1 = Measure::default();
        m.remove(5);
        m[2].1 = measure(5, 10);
        let r = score_unit(&s, &unit(&m));
        assert_eq!(round2(r.score), 84.62);
        assert_eq!(r.grade, "良好");
        let fresh = r.indicators.iter().find(|i| i.id == "data_fresh").unwrap();
        assert_eq!(round2(fresh.effective_weight), 30.77);
        let req = r
            .indicators
            .iter()
            .find(|i| i.id == "requests_in_time")
            .unwrap();
        assert!(!req.applicable);
        assert_eq!(req.rate, None);
        assert_eq!(req.effective_weight, 0.0);
        let total: f64 = r.indicators.iter().map(|i| i.effective_weight).sum();
        assert!((total - 100.0).abs() < 1e-9);
    }

    /// Deductions per finding are capped: 7 general findings at 0.5 = 3.5;
    /// 6 serious at 3 = 18, capped at 15.
    #[test]
    fn deductions_are_capped() {
        let s = Scheme::builtin();
        let mut u = unit(&all_perfect());
        for i in 0..7 {
            u.findings.push(FindingRef {
                id: format!("F{i}"),
                category: CategoryCode::ApprovalOverdue,
            });
        }
        for i in 0..6 {
            u.findings.push(FindingRef {
                id: format!("S{i}"),
                category: CategoryCode::Misuse,
            });
        }
        let r = score_unit(&s, &u);
        assert_eq!(round2(r.score), 100.0 - 3.5 - 15.0);
        let serious = r
            .deductions
            .iter()
            .find(|d| d.id == "findings_serious")
            .unwrap();
        assert!(serious.capped);
        assert_eq!(serious.findings.len(), 6);
        assert_eq!(r.grade, "良好");
    }

    #[test]
    fn a_unit_with_nothing_to_measure_is_not_evaluable() {
        let s = Scheme::builtin();
        let r = score_unit(&s, &unit(&[]));
        assert!(!r.evaluable);
        assert_eq!(r.grade, "不参评");
    }

    #[test]
    fn changing_a_weight_changes_the_score() {
        let mut m = all_perfect();
        m[4].1 = measure(16, 20);
        let s = Scheme::builtin();
        let before = score_unit(&s, &unit(&m)).score;
        let text = super::super::scheme::DEFAULT_SCHEME.replace("weight = 25.0", "weight = 50.0");
        let heavier = Scheme::parse(&text, "edited.toml").unwrap();
        let after = score_unit(&heavier, &unit(&m)).score;
        // 50/125 × 100 × 0.2 = 8 points lost instead of 5.
        assert_eq!(round2(before), 95.0);
        assert_eq!(round2(after), 92.0);
    }
}
