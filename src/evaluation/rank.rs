//! Rankings and county scores.
//!
//! Tie-breaking rule: units are ranked by their published score (rounded to
//! two decimals). Equal published scores share a rank and the next rank is
//! skipped ("1, 2, 2, 4"), because two departments the bureau publishes with
//! the same score cannot honestly be told apart by a hidden decimal. Within a
//! tie, units are listed by id so the order is stable. Units that are not
//! evaluable get no rank.

use serde::{Deserialize, Serialize};

use super::scheme::Scheme;
use super::score::{UnitScore, round2};

/// A unit's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// Unit id.
    pub id: String,
    /// Published score.
    pub score: f64,
    /// 1-based rank (shared on ties).
    pub rank: u32,
}

/// Ranks evaluable units by published score, ties sharing a rank.
pub fn rank(units: &[&UnitScore]) -> Vec<Ranked> {
    let mut list: Vec<(&str, f64)> = units
        .iter()
        .filter(|u| u.evaluable)
        .map(|u| (u.id.as_str(), round2(u.score)))
        .collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut out: Vec<Ranked> = Vec::with_capacity(list.len());
    for (i, (id, score)) in list.iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.score == *score => prev.rank,
            _ => i as u32 + 1,
        };
        out.push(Ranked {
            id: id.to_string(),
            score: *score,
            rank,
        });
    }
    out
}

/// A county's combined result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyScore {
    /// County (jurisdiction) id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether anything could be scored.
    pub evaluable: bool,
    /// Combined score, unrounded.
    pub score: f64,
    /// Grade under the scheme.
    pub grade: String,
    /// Mean score of its evaluable departments (authority excluded).
    pub departments_mean: Option<f64>,
    /// How many departments that mean is over.
    pub departments_scored: usize,
    /// Its authority's own score.
    pub authority_score: Option<f64>,
}

/// Combines a county's departments and its authority as the scheme says:
/// `departments_weight × mean(departments) + authority_weight × authority`.
/// Where one side has nothing to score, the other stands alone (its weight
/// becomes 1), never a 0 or 100 in its place.
pub fn county_score(
    scheme: &Scheme,
    id: &str,
    name: &str,
    authority: Option<&UnitScore>,
    departments: &[&UnitScore],
) -> CountyScore {
    let scored: Vec<f64> = departments
        .iter()
        .filter(|d| d.evaluable)
        .map(|d| d.score)
        .collect();
    let mean = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    let authority_score = authority.filter(|a| a.evaluable).map(|a| a.score);
    let rule = &scheme.county;
    let score = match (mean, authority_score) {
        (Some(m), Some(a)) => Some(rule.departments_weight * m + rule.authority_weight * a),
        (Some(m), None) => Some(m),
        (None, Some(a)) => Some(a),
        (None, None) => None,
    };
    CountyScore {
        id: id.to_string(),
        name: name.to_string(),
        evaluable: score.is_some(),
        score: score.unwrap_or(0.0),
        grade: match score {
            Some(s) => scheme.grade(round2(s)).to_string(),
            None => "不参评".to_string(),
        },
        departments_mean: mean,
        departments_scored: scored.len(),
        authority_score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, score: f64) -> UnitScore {
        UnitScore {
            id: id.into(),
            name: id.into(),
            evaluable: true,
            score,
            base: score,
            grade: String::new(),
            indicators: Vec::new(),
            deductions: Vec::new(),
        }
    }

    #[test]
    fn ties_share_a_rank_and_skip_the_next() {
        let a = unit("D3", 91.004);
        let b = unit("D1", 90.996);
        let c = unit("D2", 95.0);
        let d = unit("D4", 80.0);
        let mut e = unit("D5", 99.0);
        e.evaluable = false;
        let r = rank(&[&a, &b, &c, &d, &e]);
        let view: Vec<(&str, u32)> = r.iter().map(|r| (r.id.as_str(), r.rank)).collect();
        // 91.004 and 90.996 both publish as 91.00: same rank, listed by id.
        assert_eq!(view, [("D2", 1), ("D1", 2), ("D3", 2), ("D4", 4)]);
    }

    /// A county with two departments (90 and 70) and an authority at 80:
    /// 0.7 × 80 + 0.3 × 80 = 80 → 良好.
    #[test]
    fn county_with_two_departments() {
        let s = Scheme::builtin();
        let d1 = unit("D1", 90.0);
        let d2 = unit("D2", 70.0);
        let auth = unit("A", 80.0);
        let c = county_score(&s, "J2", "东川县", Some(&auth), &[&d1, &d2]);
        assert_eq!(c.departments_mean, Some(80.0));
        assert_eq!(round2(c.score), 80.0);
        assert_eq!(c.grade, "良好");
        // Authority at 50 instead: 0.7 × 80 + 0.3 × 50 = 71 → 合格.
        let weak = unit("A", 50.0);
        let c = county_score(&s, "J2", "东川县", Some(&weak), &[&d1, &d2]);
        assert_eq!(round2(c.score), 71.0);
        assert_eq!(c.grade, "合格");
        // No authority result: the departments' mean stands alone.
        let c = county_score(&s, "J2", "东川县", None, &[&d1, &d2]);
        assert_eq!(round2(c.score), 80.0);
    }
}
