//! Plain-text tables for `dukao metrics --format table`, aligned for
//! Chinese text (CJK characters take two columns).

use std::collections::BTreeMap;
use std::io::Write;

use super::summary::{CheckRow, FindingRow, Level, Summary};
use crate::vocab::{CategoryCode, Status};

/// Display width: East Asian wide and full-width characters count two.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Writes rows under a header; the first `left` columns are left-aligned.
pub fn render(
    out: &mut dyn Write,
    title: &str,
    header: &[String],
    rows: &[Vec<String>],
    left: usize,
) -> std::io::Result<()> {
    writeln!(out, "{title}")?;
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i >= left))
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header))?;
    writeln!(
        out,
        "{}",
        "-".repeat(widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1))
    )?;
    for r in rows {
        writeln!(out, "{}", line(r))?;
    }
    if rows.is_empty() {
        writeln!(out, "（无）")?;
    }
    writeln!(out)
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn check_table(
    out: &mut dyn Write,
    title: &str,
    rows: &[&CheckRow],
    level: Level,
) -> std::io::Result<()> {
    let shown: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| rows.iter().any(|r| r.counts.get(*s) > 0))
        .collect();
    let mut header: Vec<String> = match level {
        Level::Department => vec!["部门编号".into(), "部门".into(), "检查项".into()],
        Level::Jurisdiction => vec!["辖区编号".into(), "辖区".into(), "检查项".into()],
    };
    header.push("事项".into());
    header.extend(shown.iter().map(|s| s.chinese().to_string()));
    header.push("违规合计".into());
    header.push("按时率".into());
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.id.clone(), r.name.clone(), r.check.chinese().to_string()];
            cells.push(r.items.to_string());
            cells.extend(shown.iter().map(|s| r.counts.get(*s).to_string()));
            cells.push(r.breaches.to_string());
            cells.push(rate(r.on_time_rate));
            cells
        })
        .collect();
    render(out, title, &header, &body, 3)
}

fn finding_table(
    out: &mut dyn Write,
    title: &str,
    rows: &[&FindingRow],
    level: Level,
) -> std::io::Result<()> {
    let categories: Vec<CategoryCode> = CategoryCode::ALL
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|r| r.category == *c))
        .collect();
    // id → (name, category → (detected, total))
    let mut by_id: BTreeMap<&str, (&str, BTreeMap<CategoryCode, (i64, i64)>)> = BTreeMap::new();
    for r in rows {
        by_id
            .entry(r.id.as_str())
            .or_insert_with(|| (r.name.as_str(), BTreeMap::new()))
            .1
            .insert(r.category, (r.detected, r.total));
    }
    let mut header: Vec<String> = match level {
        Level::Department => vec!["部门编号".into(), "部门".into()],
        Level::Jurisdiction => vec!["辖区编号".into(), "辖区".into()],
    };
    header.extend(categories.iter().map(|c| c.chinese().to_string()));
    header.push("合计".into());
    header.push("其中监测发现".into());
    let body: Vec<Vec<String>> = by_id
        .iter()
        .map(|(id, (name, cats))| {
            let mut cells = vec![id.to_string(), name.to_string()];
            cells.extend(
                categories
                    .iter()
                    .map(|c| cats.get(c).map(|v| v.1).unwrap_or(0).to_string()),
            );
            cells.push(cats.values().map(|v| v.1).sum::<i64>().to_string());
            cells.push(cats.values().map(|v| v.0).sum::<i64>().to_string());
            cells
        })
        .collect();
    render(out, title, &header, &body, 2)
}

/// Writes the summary as four tables: checks per department and per
/// jurisdiction, findings by category per department and per jurisdiction.
pub fn write_summary(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "统计期间：{}　截至：{}\n", s.period, s.as_of)?;
    for (level, name) in [(Level::Department, "部门"), (Level::Jurisdiction, "辖区")] {
        let rows: Vec<&CheckRow> = s.checks.iter().filter(|r| r.level == level).collect();
        check_table(out, &format!("各{name}检查结果"), &rows, level)?;
    }
    for (level, name) in [(Level::Department, "部门"), (Level::Jurisdiction, "辖区")] {
        let rows: Vec<&FindingRow> = s.findings.iter().filter(|r| r.level == level).collect();
        finding_table(out, &format!("各{name}问题分类统计"), &rows, level)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_double() {
        assert_eq!(width("部门"), 4);
        assert_eq!(width("DEP-1"), 5);
        assert_eq!(width("（无）"), 6);
        assert_eq!(pad("按时", 6, true), "  按时");
    }
}
