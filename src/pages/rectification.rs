//! 总览's rectification figures: the cases of a year in the viewer's reach
//! as they stand today — open, of them overdue, closed, dismissed — beside
//! last year's cases as they stand, and the share of deadlines met, month
//! by month. Cases are live work, not a judged result: the figures are
//! today's (the page's date), whatever as-of instant the rest of the page
//! is judged at, and each links to its cases. (A missed deadline is also a
//! finding of the year, 未按期整改, counted in the headline's categories.)
//!
//! A deadline counts in the month it fell, once it has passed: met when
//! the response that was accepted (or awaits verification) came by it,
//! missed otherwise ([`Case::overdue_on`]). A deadline still running is
//! neither.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::escape;
use super::headline::{Totals, trend_cell};
use crate::cases::Case;
use crate::http::ApiError;
use crate::vocab::CaseState;

/// How the cases of a year stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Not finished: opened, notified, responded or returned.
    pub open: usize,
    /// Of the open ones, past their deadline without the rectification.
    pub overdue: usize,
    /// Closed: the rectification accepted.
    pub closed: usize,
    /// Dismissed as false findings.
    pub dismissed: usize,
}

impl Standing {
    /// The cases' standing on `today`.
    pub fn of(cases: &[Case], today: NaiveDate) -> Standing {
        let mut out = Standing::default();
        for case in cases {
            match case.state {
                CaseState::Closed => out.closed += 1,
                CaseState::Dismissed => out.dismissed += 1,
                CaseState::Opened
                | CaseState::Notified
                | CaseState::Responded
                | CaseState::Returned => {
                    out.open += 1;
                    if case.overdue_on(today) {
                        out.overdue += 1;
                    }
                }
            }
        }
        out
    }
}

/// The deadlines of `year` that passed by `today`, met and missed, per
/// month of the deadline (January first).
pub fn deadlines_per_month(cases: &[Case], year: i32, today: NaiveDate) -> [Totals; 12] {
    let mut months = [Totals::default(); 12];
    for case in cases {
        let Some(deadline) = case.deadline else {
            continue;
        };
        if deadline.year() != year || deadline >= today || case.state == CaseState::Dismissed {
            continue;
        }
        let month = &mut months[deadline.month0() as usize];
        month.items += 1;
        if case.overdue_on(today) {
            month.breaches += 1;
        } else {
            month.ok += 1;
        }
    }
    months
}

/// The section: each figure of `year`'s cases today with last year's, and
/// the deadlines met month by month.
pub fn section(
    cases: &[Case],
    previous: &[Case],
    year: i32,
    today: NaiveDate,
) -> Result<String, ApiError> {
    let now = Standing::of(cases, today);
    let before = Standing::of(previous, today);
    let mut out = format!(
        "<section aria-labelledby=\"rectification\"><h2 id=\"rectification\">整改案件</h2>\n\
         <p class=\"basis\">截至今日（{}）{year}年度数据所立案件的办理情况，较上年为{}年度案件截至今日的情况。</p>\n\
         <div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">案件</th>\
         <th scope=\"col\">件数</th><th scope=\"col\">较上年</th><th scope=\"col\">查看</th></tr></thead><tbody>\n",
        crate::time::chinese_date(today),
        year - 1
    );
    let change = |a: usize, b: usize| format!("{:+} 件", a as i64 - b as i64);
    for (label, sub, n, m, link) in [
        (
            "在办",
            false,
            now.open,
            before.open,
            format!("/cases?year={year}"),
        ),
        (
            "逾期未整改",
            true,
            now.overdue,
            before.overdue,
            "/work".to_string(),
        ),
        (
            "已办结",
            false,
            now.closed,
            before.closed,
            format!("/cases?year={year}&state=closed"),
        ),
        (
            "已撤销",
            false,
            now.dismissed,
            before.dismissed,
            format!("/cases?year={year}&state=dismissed"),
        ),
    ] {
        let _ = writeln!(
            out,
            "<tr{}><th scope=\"row\">{}{}</th><td>{n}</td><td>{}</td><td><a href=\"{}\">案件</a></td></tr>",
            if sub { " class=\"sub\"" } else { "" },
            if sub { "其中：" } else { "" },
            escape(label),
            change(n, m),
            escape(&link),
        );
    }
    out.push_str("</tbody></table></div>\n");
    let months = deadlines_per_month(cases, year, today);
    let met: Totals = months.iter().copied().sum();
    let earlier: Totals = deadlines_per_month(previous, year - 1, today)
        .into_iter()
        .sum();
    let rate = |t: &Totals| t.rate().map(|r| 100.0 * r);
    let _ = writeln!(
        out,
        "<p>已届满的整改期限 {} 个，按期整改 {} 个（{}），较上年 {}；各月：{}</p>",
        met.judged(),
        met.ok,
        rate(&met).map_or("—".to_string(), |r| format!("{r:.1}%")),
        match (rate(&met), rate(&earlier)) {
            (Some(r), Some(p)) => format!("{:+.1} 个百分点", r - p),
            _ => "—".to_string(),
        },
        trend_cell(&months)?,
    );
    out.push_str("</section>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: i64, state: CaseState, deadline: Option<&str>, responded: Option<&str>) -> Case {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        Case {
            id,
            department_id: "D1".into(),
            year: 2025,
            state,
            version: 1,
            opened_by: "督查".into(),
            opened_at: "2025-03-01T09:00:00+08:00".into(),
            notice_id: deadline.map(|_| id),
            deadline: deadline.map(day),
            responded_on: responded.map(day),
            closed_at: None,
            escalation_id: None,
            dismissal: None,
            pending_extension: None,
            findings: vec![],
        }
    }

    #[test]
    fn cases_stand_as_today_sees_them() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap();
        let cases = [
            case(1, CaseState::Opened, None, None),
            case(2, CaseState::Notified, Some("2025-05-20"), None),
            case(3, CaseState::Notified, Some("2025-06-20"), None),
            case(4, CaseState::Closed, Some("2025-05-10"), Some("2025-05-09")),
            case(5, CaseState::Closed, Some("2025-05-12"), Some("2025-05-15")),
            case(6, CaseState::Dismissed, Some("2025-04-01"), None),
        ];
        assert_eq!(
            Standing::of(&cases, today),
            Standing {
                open: 3,
                overdue: 1,
                closed: 2,
                dismissed: 1
            }
        );
        let months = deadlines_per_month(&cases, 2025, today);
        // May: case 2 missed, case 4 met, case 5 met late (missed); June's
        // deadline still runs; the dismissed case is neither.
        assert_eq!((months[4].ok, months[4].breaches), (1, 2));
        assert_eq!(months[5].judged(), 0);
        assert_eq!(months[3].judged(), 0);
        let html = section(&cases, &[], 2025, today).unwrap();
        assert!(
            html.contains("<th scope=\"row\">在办</th><td>3</td><td>+3 件</td>"),
            "{html}"
        );
        assert!(html.contains("其中：逾期未整改</th><td>1</td>"), "{html}");
        assert!(
            html.contains("已届满的整改期限 3 个，按期整改 1 个（33.3%）"),
            "{html}"
        );
        assert!(html.contains("state=dismissed"));
    }
}
