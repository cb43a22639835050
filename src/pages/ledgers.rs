//! The city's two ledgers, for its leaders and administrators:
//!
//! - `GET /jobs`: every scheduled job — its cron, what it does with missed
//!   runs, its last and next run, runs failing and waiting for their retry
//!   — and its recent occurrences, from the ledger the scheduler claims
//!   them through.
//! - `GET /audit[?subject=&before=&verify=1]`: the audit trail, newest
//!   first, a page of 100 at a time; `verify=1` checks the hash chain.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{escape, page, signed_in_bar, viewer};
use crate::http::{ApiError, AppState};
use crate::jobs::ledger;
use crate::time::{chinese_instant, chinese_instant_text};
use crate::vocab::{Action, JobName};

/// The ledgers' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(jobs))
        .route("/audit", get(audit))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// The city's scope is needed for both ledgers (they are the whole city's).
fn city_only(viewer: &super::Viewer, what: Action) -> Result<(), ApiError> {
    if viewer.session.user.scope == crate::people::Scope::City {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "{} needs the city's scope",
            what.chinese()
        )))
    }
}

async fn jobs(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let viewer = match viewer(&state, &headers, Action::ReadJobs).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(answer),
    };
    city_only(&viewer, Action::ReadJobs)?;
    let status = crate::jobs::status(&state.store, &state.config, state.clock.now()).await?;
    let mut body = String::from(
        "<h1>定时任务</h1>\n<p class=\"basis\">时间均为北京时间；每次运行记入任务台账，由数据库认领，多副本不重复运行，错过的运行按各任务的补运行方式补上。</p>\n",
    );
    body.push_str(
        "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">任务</th>\
         <th scope=\"col\">计划（cron）</th><th scope=\"col\">错过时</th><th scope=\"col\">上次运行</th>\
         <th scope=\"col\">下次运行</th></tr></thead><tbody>\n",
    );
    for j in &status {
        let last = j.last.as_ref().map_or("尚未运行".to_string(), |o| {
            format!(
                "{} {}{}",
                o.period,
                o.state.chinese(),
                o.finished_at
                    .map_or(String::new(), |at| format!("（{}）", chinese_instant(at)))
            )
        });
        let next = match (&j.next, &j.next_error_chinese) {
            (Some((period, at)), _) => format!("{period}（{}）", chinese_instant_text(at)),
            (None, Some(e)) => format!("无法确定：{e}"),
            (None, None) if !j.enabled => "已停用".to_string(),
            (None, None) => "—".to_string(),
        };
        let failing = if j.failing.is_empty() {
            String::new()
        } else {
            format!(
                "<br><span class=\"late\">{} 次运行失败待重试</span>",
                j.failing.len()
            )
        };
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td><code>{}</code></td><td>{}</td><td>{}{failing}</td><td>{}</td></tr>",
            escape(j.title),
            escape(&j.cron),
            escape(j.missed.chinese()),
            escape(&last),
            escape(&next)
        );
    }
    body.push_str("</tbody></table></div>\n");
    for job in JobName::ALL {
        let recent = ledger::recent(&state.store, job, 10)
            .await
            .map_err(internal)?;
        let _ = write!(
            body,
            "<section><h2>{}：最近的运行</h2>",
            escape(job.chinese())
        );
        if recent.is_empty() {
            body.push_str("<p>台账中还没有这项任务的运行。</p></section>\n");
            continue;
        }
        body.push_str(
            "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">期次</th>\
             <th scope=\"col\">应运行</th><th scope=\"col\">状态</th><th scope=\"col\">触发</th>\
             <th scope=\"col\">尝试</th><th scope=\"col\">结果</th></tr></thead><tbody>\n",
        );
        for o in &recent {
            let result = o
                .error
                .as_deref()
                .or(o.outcome.as_deref())
                .unwrap_or("")
                .to_string()
                + &o.warning
                    .as_deref()
                    .map_or(String::new(), |w| format!("（提醒：{w}）"));
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&o.period),
                escape(&chinese_instant(o.due_at)),
                escape(o.state.chinese()),
                escape(o.trigger.chinese()),
                o.attempts,
                escape(&result)
            );
        }
        body.push_str("</tbody></table></div></section>\n");
    }
    Ok(page(
        StatusCode::OK,
        "定时任务",
        &signed_in_bar(&viewer.session),
        &body,
        None,
    ))
}

/// The audit page's state, all in the URL.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditView {
    /// Entries about this subject only (`case:12`, `user:wang`).
    subject: Option<String>,
    /// Entries before this sequence number (the next page).
    before: Option<i64>,
    /// `1`: check the hash chain.
    verify: Option<u8>,
}

/// Entries per page.
const AUDIT_PAGE: i64 = 100;

async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::Filters(v): super::Filters<AuditView>,
) -> Result<Response, ApiError> {
    let viewer = match viewer(&state, &headers, Action::ReadAudit).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(answer),
    };
    city_only(&viewer, Action::ReadAudit)?;
    let subject = v.subject.clone().filter(|s| !s.trim().is_empty());
    let filter = crate::audit::Filter {
        subject: subject.clone(),
        before: v.before,
        limit: AUDIT_PAGE,
    };
    let entries = crate::audit::list(&state.store, &filter).await?;
    let mut body = String::from("<h1>审计记录</h1>\n");
    if v.verify == Some(1) {
        let check = crate::audit::verify(&state.store).await?;
        match &check.broken {
            None => {
                let _ = write!(
                    body,
                    "<p class=\"notice\" role=\"status\">哈希链完整：共核对 {} 条记录。</p>",
                    check.entries
                );
            }
            Some(b) => {
                let _ = write!(
                    body,
                    "<p class=\"error\" role=\"alert\">哈希链在第 {} 条处断开：{}</p>",
                    b.seq,
                    escape(&b.reason)
                );
            }
        }
    }
    let _ = write!(
        body,
        "<form class=\"filters\" method=\"get\" action=\"/audit\">\
         <label for=\"subject\">对象</label><input type=\"text\" id=\"subject\" name=\"subject\" value=\"{}\" placeholder=\"如 case:12、user:wang\">\
         <label class=\"check\"><input type=\"checkbox\" name=\"verify\" value=\"1\">核对哈希链</label>\
         <button type=\"submit\">查找</button></form>\n",
        escape(subject.as_deref().unwrap_or(""))
    );
    if entries.is_empty() {
        body.push_str("<p>没有符合条件的审计记录。</p>");
    } else {
        body.push_str(
            "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">序号</th>\
             <th scope=\"col\">时间</th><th scope=\"col\">操作人</th><th scope=\"col\">操作</th>\
             <th scope=\"col\">对象</th><th scope=\"col\">详情</th></tr></thead><tbody>\n",
        );
        for e in &entries {
            let action = e
                .action
                .parse::<crate::vocab::AuditAction>()
                .map_or_else(|_| e.action.clone(), |a| a.chinese().to_string());
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                e.seq,
                escape(&chinese_instant(e.at)),
                escape(&e.actor),
                escape(&action),
                escape(&e.subject),
                escape(&e.details)
            );
        }
        body.push_str("</tbody></table></div>");
        if let Some(last) = entries
            .last()
            .filter(|_| entries.len() as i64 == AUDIT_PAGE)
        {
            let subject_part = subject.as_deref().map_or(String::new(), |s| {
                format!("&amp;subject={}", escape(&super::url_encode(s)))
            });
            let _ = write!(
                body,
                "<p><a href=\"/audit?before={}{subject_part}\">更早的记录</a></p>",
                last.seq
            );
        }
    }
    Ok(page(
        StatusCode::OK,
        "审计记录",
        &signed_in_bar(&viewer.session),
        &body,
        None,
    ))
}
