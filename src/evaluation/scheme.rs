//! The evaluation scheme: indicators, weights, deductions and grade bands,
//! read from a TOML file (`rules/evaluation/default.toml`) so a bureau changes
//! its scheme without a new release.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::measures::Metric;
use crate::vocab::{CategoryCode, vocabulary};

/// The scheme shipped with dukao.
pub const DEFAULT_SCHEME: &str = include_str!("../../rules/evaluation/default.toml");

/// Why a scheme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    /// The file could not be read.
    #[error("cannot read evaluation scheme {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, or keys of the wrong type.
    #[error("evaluation scheme {origin}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A value that makes no sense.
    #[error("evaluation scheme {origin}: {key}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// A grade band: scores of at least `min` get `name` (the highest band met).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    /// 优秀, 良好, …
    pub name: String,
    /// Lowest score of the band.
    pub min: f64,
}

vocabulary! {
    /// Where what an indicator or deduction measures comes from.
    SchemeBasis, "scheme basis" {
        /// A rule of the regulations (`serves` names its article).
        Regulation => "regulation" / "办法规定",
        /// The bureau's own choice, which the regulations do not make a duty.
        Bureau => "bureau" / "本局自定",
    }
}

/// A weighted indicator: 100 × the rate of a metric.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable id.
    pub id: String,
    /// Chinese name, as printed.
    pub name: String,
    /// The article the indicator serves, e.g. "JC Art.41(1)".
    pub serves: String,
    /// Whether it measures a rule of the regulations or a choice of the bureau.
    pub basis: SchemeBasis,
    /// What it measures and on what basis, in Chinese, as printed beside it.
    pub explanation: String,
    /// The metric whose rate it scores (met / total of the unit).
    pub metric: Metric,
    /// Its weight among the applicable indicators.
    pub weight: f64,
    /// What the annual report suggests when the indicator is among the
    /// year's weakest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
}

/// A standing suggestion of the bureau for a weak indicator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    /// Its heading (健全目录动态更新机制).
    pub title: String,
    /// Its text.
    pub text: String,
}

/// Points deducted per finding of some categories, capped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Deduction {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// The article it serves.
    pub serves: String,
    /// Whether its grading rests on the regulations or is the bureau's.
    pub basis: SchemeBasis,
    /// What it counts and on what basis, in Chinese.
    pub explanation: String,
    /// Finding categories it counts.
    pub categories: Vec<CategoryCode>,
    /// Points per finding.
    pub points: f64,
    /// At most this many points in all.
    pub cap: f64,
}

/// How a county's score combines its departments and its own authority.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CountyRule {
    /// Weight of the departments' mean score.
    pub departments_weight: f64,
    /// Weight of the county authority's own score.
    pub authority_weight: f64,
}

/// An evaluation scheme.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Scheme id.
    pub id: String,
    /// Version, stored with every result it produces.
    pub version: String,
    /// Chinese title.
    pub title: String,
    /// First year this version applies to.
    pub from_year: i32,
    /// Grade bands.
    #[serde(rename = "grade")]
    pub grades: Vec<Grade>,
    /// Indicators.
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    /// Deductions.
    #[serde(rename = "deduction", default)]
    pub deductions: Vec<Deduction>,
    /// County rule.
    pub county: CountyRule,
}

impl Scheme {
    /// The shipped default scheme.
    pub fn builtin() -> Scheme {
        Scheme::parse(DEFAULT_SCHEME, "rules/evaluation/default.toml (built-in)")
            .expect("the shipped evaluation scheme is valid")
    }

    /// Reads a scheme file.
    pub fn load(path: &Path) -> Result<Scheme, SchemeError> {
        let text = std::fs::read_to_string(path).map_err(|source| SchemeError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Scheme::parse(&text, &path.display().to_string())
    }

    /// The scheme that applies to `year`: among the schemes at `source` (a
    /// scheme file, or a folder of `.toml` schemes), the one with the latest
    /// `from_year` not after `year`; without a source, the built-in scheme.
    /// Read afresh on every call, so an edited weight needs no rebuild.
    pub fn for_year(source: Option<&Path>, year: i32) -> Result<Scheme, SchemeError> {
        Scheme::applicable(source, year)?.ok_or_else(|| SchemeError::Invalid {
            origin: source.map_or("built-in".to_string(), |p| p.display().to_string()),
            key: "from_year".into(),
            message: format!("no evaluation scheme applies to {year}"),
        })
    }

    /// [`Scheme::for_year`], or `None` when no scheme covers the year (a
    /// year before the first scheme: nothing to compare with).
    pub fn applicable(source: Option<&Path>, year: i32) -> Result<Option<Scheme>, SchemeError> {
        let candidates = match source {
            None => vec![Scheme::builtin()],
            Some(path) if path.is_dir() => {
                let entries = std::fs::read_dir(path).map_err(|source| SchemeError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                let mut files: Vec<_> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect();
                files.sort();
                files
                    .iter()
                    .map(|f| Scheme::load(f))
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(path) => vec![Scheme::load(path)?],
        };
        let origin = source.map_or("built-in".to_string(), |p| p.display().to_string());
        let mut applicable: Vec<Scheme> = candidates
            .into_iter()
            .filter(|s| s.from_year <= year)
            .collect();
        applicable.sort_by_key(|s| s.from_year);
        if applicable.len() > 1 {
            let n = applicable.len();
            if applicable[n - 1].from_year == applicable[n - 2].from_year {
                return Err(SchemeError::Invalid {
                    origin,
                    key: "from_year".into(),
                    message: format!(
                        "two schemes ({} and {}) both start in {}",
                        applicable[n - 2].version,
                        applicable[n - 1].version,
                        applicable[n - 1].from_year
                    ),
                });
            }
        }
        Ok(applicable.pop())
    }

    /// Parses and validates a scheme.
    pub fn parse(text: &str, origin: &str) -> Result<Scheme, SchemeError> {
        let parse_error = |e: toml::de::Error| SchemeError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        };
        let value: toml::Table = toml::from_str(text).map_err(parse_error)?;
        check_names(&value, origin)?;
        let mut scheme: Scheme = toml::from_str(text).map_err(parse_error)?;
        scheme.validate(origin)?;
        // Highest band first, so the first band met is the grade.
        scheme.grades.sort_by(|a, b| b.min.total_cmp(&a.min));
        Ok(scheme)
    }

    fn validate(&self, origin: &str) -> Result<(), SchemeError> {
        let invalid = |key: String, message: &str| SchemeError::Invalid {
            origin: origin.to_string(),
            key,
            message: message.to_string(),
        };
        if self.indicators.is_empty() {
            return Err(invalid(
                "indicator".into(),
                "a scheme needs at least one indicator",
            ));
        }
        let mut ids = HashSet::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            if !(ind.weight.is_finite() && ind.weight > 0.0) {
                return Err(invalid(
                    format!("indicator[{i}].weight"),
                    "must be a positive number",
                ));
            }
            if !ids.insert(ind.id.as_str()) {
                return Err(invalid(format!("indicator[{i}].id"), "duplicate id"));
            }
        }
        for (i, d) in self.deductions.iter().enumerate() {
            if !(d.points.is_finite() && d.points >= 0.0 && d.cap.is_finite() && d.cap >= 0.0) {
                return Err(invalid(
                    format!("deduction[{i}]"),
                    "points and cap must be non-negative numbers",
                ));
            }
            if !ids.insert(d.id.as_str()) {
                return Err(invalid(format!("deduction[{i}].id"), "duplicate id"));
            }
        }
        if self.grades.is_empty() || !self.grades.iter().any(|g| g.min <= 0.0) {
            return Err(invalid(
                "grade".into(),
                "grade bands must cover every score: one band needs min = 0",
            ));
        }
        let c = &self.county;
        if !(c.departments_weight >= 0.0
            && c.authority_weight >= 0.0
            && (c.departments_weight + c.authority_weight - 1.0).abs() < 1e-9)
        {
            return Err(invalid(
                "county".into(),
                "departments_weight and authority_weight must be non-negative and add up to 1",
            ));
        }
        Ok(())
    }

    /// The grade of a score.
    pub fn grade(&self, score: f64) -> &str {
        self.grades
            .iter()
            .find(|g| score >= g.min)
            .map(|g| g.name.as_str())
            .unwrap_or("")
    }
}

/// Checks the vocabulary names of a scheme file before it is read into
/// [`Scheme`], so that an unknown metric or category is reported with its
/// key (`indicator[5].metric`) and the names accepted.
fn check_names(file: &toml::Table, origin: &str) -> Result<(), SchemeError> {
    let invalid = |key: String, e: crate::vocab::ParseNameError| SchemeError::Invalid {
        origin: origin.to_string(),
        key,
        message: e.to_string(),
    };
    let tables = |name: &str| {
        file.get(name)
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
    };
    for (i, indicator) in tables("indicator") {
        if let Some(metric) = indicator.get("metric").and_then(toml::Value::as_str) {
            metric
                .parse::<Metric>()
                .map_err(|e| invalid(format!("indicator[{i}].metric"), e))?;
        }
    }
    for (i, deduction) in tables("deduction") {
        let categories = deduction.get("categories").and_then(toml::Value::as_array);
        for name in categories
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_str)
        {
            name.parse::<CategoryCode>()
                .map_err(|e| invalid(format!("deduction[{i}].categories"), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scheme_loads_with_jc_art41_items() {
        let s = Scheme::builtin();
        assert_eq!(s.indicators.len(), 6);
        let total: f64 = s.indicators.iter().map(|i| i.weight).sum();
        assert_eq!(total, 100.0);
        // JC Art.41's inspection items (1), (3), (4), (5) are measured; (2)
        // (data published as its attributes require) is not, and no
        // indicator claims it: the share-basis indicator serves Art.23.
        for item in [1, 3, 4, 5] {
            let art = format!("Art.41({item})");
            assert!(
                s.indicators.iter().any(|i| i.serves.contains(&art)),
                "{art}"
            );
        }
        assert!(!s.indicators.iter().any(|i| i.serves.contains("Art.41(2)")));
        // What the regulations do not make a duty is marked as the bureau's.
        let grants = s.indicators.iter().find(|i| i.id == "grants_used").unwrap();
        assert_eq!(grants.basis, SchemeBasis::Bureau);
        assert!(grants.explanation.contains("可视情收回授权"));
        assert!(
            s.deductions
                .iter()
                .all(|d| !d.serves.contains("43(8)") && !d.serves.contains("43(4)")),
            "no deduction presumes refusal or intent"
        );
        assert_eq!(s.grade(90.0), "优秀");
        assert_eq!(s.grade(89.99), "良好");
        assert_eq!(s.grade(60.0), "合格");
        assert_eq!(s.grade(59.99), "不合格");
    }

    #[test]
    fn bad_schemes_name_the_key() {
        let base = Scheme::builtin();
        let mut text = toml::to_string(&base).unwrap();
        text = text.replacen("weight = 20.0", "weight = -1.0", 1);
        let e = Scheme::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(
            e.contains("x.toml: indicator[0].weight: must be a positive number"),
            "{e}"
        );

        let text = toml::to_string(&base)
            .unwrap()
            .replacen("\"misuse\"", "\"laziness\"", 1);
        let e = Scheme::parse(&text, "y.toml").unwrap_err().to_string();
        assert!(e.contains("y.toml: deduction[0].categories"), "{e}");
        assert!(e.contains("unknown category code `laziness`"), "{e}");
        let text =
            toml::to_string(&base)
                .unwrap()
                .replacen("\"entries_fresh\"", "\"entries_tidy\"", 1);
        let e = Scheme::parse(&text, "w.toml").unwrap_err().to_string();
        assert!(e.contains("w.toml: indicator[2].metric"), "{e}");
        assert!(e.contains("unknown metric `entries_tidy`"), "{e}");

        let mut bad = base.clone();
        bad.county.authority_weight = 0.5;
        let e = Scheme::parse(&toml::to_string(&bad).unwrap(), "z.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("add up to 1"), "{e}");
    }
}
