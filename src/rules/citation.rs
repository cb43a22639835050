//! Article citations.

use serde::{Deserialize, Serialize};

use super::numeral::{article_cn, item_cn};

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
}

impl Citation {
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
        };
        assert_eq!(c.short("JC"), "JC Art.30(2)");
        assert_eq!(c.chinese(), "第三十条第（二）项");
        let c = Citation {
            article: 12,
            item: None,
            quote: "…".into(),
            condition: None,
        };
        assert_eq!(c.short("JC"), "JC Art.12");
        assert_eq!(c.chinese(), "第十二条");
    }
}
