//! The text of a regulation, cut into its articles (第N条) and their items
//! (（N）), so that every sentence a profile quotes is checked against the
//! article and item it cites — the promise every notice rests on.
//!
//! The text is the regulation as published (plain text or Markdown, line
//! breaks anywhere). An article starts on a line that begins with its
//! heading, `第N条` (after any `*` or `#` markup), and the headings must run
//! 第一条, 第二条, … without a gap; a heading-like cross-reference inside a
//! sentence that happens to start a line is not taken for the next article
//! unless it has the next number. An article ends where the next begins; an
//! item of an article runs from `（N）` to `（N+1）`. Quotes and texts are
//! compared after removing all white space and turning full-width digits
//! into ASCII ([`normalize`]).

use std::ops::Range;

use super::citation::Citation;
use super::numeral::{article_cn, chinese_number};

/// Removes whitespace and turns full-width digits into ASCII, so that quotes
/// can be compared with the text regardless of line breaks and digit width.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// A regulation's text, normalized, with the span of each article.
#[derive(Debug, Clone)]
pub struct RegulationText {
    normalized: String,
    /// The span of article `i + 1` in `normalized`.
    articles: Vec<Range<usize>>,
}

/// Why a quote does not stand where it is cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteProblem {
    /// The text has no such article.
    NoArticle(u32),
    /// The article has no such item.
    NoItem(u32, u32),
    /// The quote is not in the cited article (or item).
    NotInText,
}

impl RegulationText {
    /// Cuts a text into its articles; `None` when it has no 第一条 heading.
    pub fn parse(text: &str) -> Option<RegulationText> {
        let mut normalized = String::with_capacity(text.len());
        let mut starts: Vec<usize> = Vec::new();
        for line in text.lines() {
            let bare = line.trim_start().trim_start_matches(['*', '#', ' ', '　']);
            let next = starts.len() as u32 + 1;
            if bare.starts_with(&article_cn(next)) {
                starts.push(normalized.len());
            }
            normalized.push_str(&normalize(line));
        }
        if starts.is_empty() {
            return None;
        }
        let ends = starts.iter().skip(1).copied().chain([normalized.len()]);
        let articles = starts
            .iter()
            .copied()
            .zip(ends)
            .map(|(s, e)| s..e)
            .collect();
        Some(RegulationText {
            normalized,
            articles,
        })
    }

    /// The number of articles.
    pub fn articles(&self) -> usize {
        self.articles.len()
    }

    /// The normalized text of article `n`.
    pub fn article(&self, n: u32) -> Option<&str> {
        let span = self.articles.get((n as usize).checked_sub(1)?)?;
        Some(&self.normalized[span.clone()])
    }

    /// The normalized text of item `k` of article `n`.
    pub fn item(&self, n: u32, k: u32) -> Option<&str> {
        let article = self.article(n)?;
        let start = article.find(&format!("（{}）", chinese_number(k)))?;
        let rest = &article[start..];
        let end = rest
            .find(&format!("（{}）", chinese_number(k + 1)))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }

    /// Checks that the citation's quote stands in its article (and item).
    pub fn check(&self, c: &Citation) -> Result<(), QuoteProblem> {
        let article = self
            .article(c.article)
            .ok_or(QuoteProblem::NoArticle(c.article))?;
        let span = match c.item {
            None => article,
            Some(k) => self
                .item(c.article, k)
                .ok_or(QuoteProblem::NoItem(c.article, k))?,
        };
        if span.contains(&normalize(&c.quote)) {
            Ok(())
        } else {
            Err(QuoteProblem::NotInText)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "第一章 总 则\n\n**第一条** 为规范管理，\n依据第三条规定，制定本办法。\n\
        第二条 部门应当：\n（一）编制目录；\n（二）在５个工作日内\n答复。\n\
        第二条的规定不适用于下列情形。\n## 第三条 本办法自印发之日起施行。\n";

    fn cite(article: u32, item: Option<u32>, quote: &str) -> Citation {
        Citation {
            article,
            item,
            quote: quote.into(),
            condition: None,
            applies_to: Vec::new(),
        }
    }

    #[test]
    fn articles_run_in_sequence_and_items_within_them() {
        let t = RegulationText::parse(TEXT).unwrap();
        assert_eq!(t.articles(), 3);
        assert!(t.article(1).unwrap().contains("依据第三条规定"));
        // A line starting with 第二条 after article 2 is a cross-reference.
        assert!(t.article(2).unwrap().contains("第二条的规定不适用"));
        assert_eq!(t.item(2, 1), Some("（一）编制目录；"));
        assert_eq!(t.check(&cite(2, Some(2), "在5个工作日内答复。")), Ok(()));
        assert_eq!(
            t.check(&cite(2, Some(1), "在5个工作日内")),
            Err(QuoteProblem::NotInText)
        );
        assert_eq!(
            t.check(&cite(3, Some(1), "x")),
            Err(QuoteProblem::NoItem(3, 1))
        );
        assert_eq!(
            t.check(&cite(4, None, "x")),
            Err(QuoteProblem::NoArticle(4))
        );
        assert!(RegulationText::parse("没有条文").is_none());
    }
}
