//! 公文: every issued document the viewer's scope sees, newest first,
//! searchable by number, title, addressee and issuer, filtered by kind,
//! year, county and department (all in the URL), each downloadable as its
//! archived PDF. Kept once rendered ([`super::kept`]): issuing a document
//! appends to the audit trail, which moves the marks.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::kept::{KeptPage, Lookup, PageCache};
use super::{escape, viewer};
use crate::documents::archive::{self, IssuedDocument};
use crate::http::{ApiError, AppState};
use crate::time::chinese_instant_text;
use crate::vocab::{Action, DocumentKind};

/// The documents page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/documents", get(documents))
}

/// The page's state, all in the URL.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentsView {
    /// Words to find in the number, title, addressee or issuer.
    q: Option<String>,
    kind: Option<DocumentKind>,
    year: Option<i32>,
    /// A county (district, zone) in reach: the documents about it only.
    county: Option<String>,
    /// A department in reach: the documents sent to it or about it only.
    department: Option<String>,
}

/// Whether a document matches every word of a search (case-insensitive).
fn matches(doc: &IssuedDocument, words: &[String]) -> bool {
    let haystack = format!(
        "{} {} {} {} {}",
        doc.number, doc.title, doc.addressee, doc.issuer_name, doc.subject_id
    )
    .to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

async fn documents(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    super::Filters(v): super::Filters<DocumentsView>,
) -> Result<Response, ApiError> {
    let viewer = match viewer(&state, &headers, Action::ReadDocuments).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(answer),
    };
    let key = match PageCache::look(&state, &viewer, &uri)? {
        Lookup::Kept(page) => return Ok(page),
        Lookup::Render(key) => key,
    };
    let words: Vec<String> =
        v.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    let reach = super::narrowed_to(&viewer, v.county.as_deref(), v.department.as_deref())?;
    let all = archive::list(&state.store, v.kind, v.year, &reach)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let found: Vec<_> = all.iter().filter(|d| matches(d, &words)).collect();

    let mut body = format!(
        "<h1>公文</h1>\n<p class=\"basis\">{}范围内已签发的文书（草稿不在此列）</p>\n",
        escape(&viewer.session.user.scope.words(&viewer.org))
    );
    let kinds: Vec<(&str, &str)> = DocumentKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.chinese()))
        .collect();
    let _ = write!(
        body,
        "<form class=\"filters\" method=\"get\" action=\"/documents\" role=\"search\">\
         <label for=\"q\">检索</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"文号、标题、主送机关、发文机关\">\
         {}{}{}<label for=\"year\">发文年度</label><input type=\"number\" id=\"year\" name=\"year\" min=\"2000\" max=\"2100\" value=\"{}\">\
         <button type=\"submit\">查找</button></form>\n<p>共 {} 份。</p>",
        escape(v.q.as_deref().unwrap_or("")),
        super::filter_select("kind", "文种", &kinds, v.kind.map(DocumentKind::as_str)),
        super::county_filter(&viewer, v.county.as_deref()),
        super::department_filter(&viewer, v.department.as_deref()),
        v.year.map_or(String::new(), |y| y.to_string()),
        found.len()
    );
    if !found.is_empty() {
        body.push_str(
            "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">文号</th>\
             <th scope=\"col\">文种</th><th scope=\"col\">标题</th><th scope=\"col\">主送</th>\
             <th scope=\"col\">成文日期</th><th scope=\"col\">签发</th><th scope=\"col\">文件</th></tr></thead><tbody>\n",
        );
        for d in &found {
            let replaced = d.replaced_by.map_or(String::new(), |by| {
                format!("<br><span class=\"late\">已被第 {by} 号更正替代</span>")
            });
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\">{}{replaced}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}，{}</td><td><a href=\"/api/v1/documents/{}/pdf\" download>下载 PDF</a>（{} KiB）</td></tr>",
                escape(&d.number),
                escape(d.kind.chinese()),
                escape(&d.title),
                escape(&d.addressee),
                escape(&d.issued_on),
                escape(&d.issued_by),
                escape(&chinese_instant_text(&d.issued_at)),
                d.id,
                (d.size + 1023) / 1024,
            );
        }
        body.push_str("</tbody></table></div>");
    }
    Ok(state
        .pages
        .answer(Some(key), KeptPage::new("公文", body), &viewer.session))
}
