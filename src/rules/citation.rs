//! Article citations.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::numeral::{article_cn, item_cn};
use crate::vocab::{ParseNameError, Rule};

/// What a finding is about, as a sanction item may be limited to it: a
/// breach of a metrics rule, or an inspector's finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conduct {
    /// A breach the metrics detected under this rule.
    Rule(Rule),
    /// A finding an inspector recorded (the imported `findings`).
    Inspection,
}

impl Conduct {
    /// The name in profile files: a rule's name, or `inspection`.
    pub fn as_str(self) -> &'static str {
        match self {
            Conduct::Rule(rule) => rule.as_str(),
            Conduct::Inspection => "inspection",
        }
    }
}

impl fmt::Display for Conduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Conduct {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "inspection" {
            return Ok(Conduct::Inspection);
        }
        s.parse()
            .map(Conduct::Rule)
            .map_err(|e: ParseNameError| ParseNameError {
                what: "conduct",
                expected: format!("inspection, {}", e.expected),
                ..e
            })
    }
}

impl Serialize for Conduct {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Conduct {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A reference to an article (条) and optionally one of its items (项) of a
/// regulation, with the governing sentence quoted from the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// Article number, from 1.
    pub article: u32,
    /// Item number within the article, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    /// The governing sentence, verbatim from the regulation (line breaks removed).
    pub quote: String,
    /// For a sanction item: the element of the conduct it requires that
    /// dukao's metrics never establish and an inspector must (拒不, 故意,
    /// 造成不良后果), in the quote's words. A notice never presumes it: it
    /// names such an item only as what follows if the condition is found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// For a sanction item: the conduct it describes, when narrower than its
    /// category (JC Art.43(5) 规定时限: catalog updates and inspections, not
    /// share bases); empty means every conduct of the category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Conduct>,
}

impl Citation {
    /// Whether a sanction item describes this conduct.
    pub fn applies(&self, conduct: Conduct) -> bool {
        self.applies_to.is_empty() || self.applies_to.contains(&conduct)
    }

    /// Whether the item needs an element an inspector must establish.
    pub fn is_conditional(&self) -> bool {
        self.condition.is_some()
    }

    /// The short Latin form used in logs and tables: `JC Art.30(2)`, `YK Art.29`.
    pub fn short(&self, profile_code: &str) -> String {
        match self.item {
            Some(item) => format!("{profile_code} Art.{}({item})", self.article),
            None => format!("{profile_code} Art.{}", self.article),
        }
    }

    /// The Chinese reference without the title: `第三十条第（二）项`, `第十二条`.
    pub fn chinese(&self) -> String {
        match self.item {
            Some(item) => format!("{}{}", article_cn(self.article), item_cn(item)),
            None => article_cn(self.article),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_chinese_forms() {
        let c = Citation {
            article: 30,
            item: Some(2),
            quote: "…".into(),
            condition: None,
            applies_to: Vec::new(),
        };
        assert_eq!(c.short("JC"), "JC Art.30(2)");
        assert_eq!(c.chinese(), "第三十条第（二）项");
        let c = Citation {
            article: 12,
            item: None,
            quote: "…".into(),
            condition: None,
            applies_to: Vec::new(),
        };
        assert_eq!(c.short("JC"), "JC Art.12");
        assert_eq!(c.chinese(), "第十二条");
    }
}
