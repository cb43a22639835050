//! Pages kept once rendered: a page's body is the same bytes for every
//! viewer of the same role and reach asking the same URL, until something
//! it rests on changes. So it is rendered once and then answered from
//! memory, with only the viewer's own header bar (their name, the
//! sign-out form with their session's CSRF token) added per request.
//!
//! "Until something changes" is told by [`Marks`]: the markers the owners
//! of the store's tables publish, read in the query that finds the
//! viewer's session (one round trip per page kept) —
//!
//! - the data version (`results::version::MARK`): every import and every
//!   case transition moves it;
//! - the newest stored result (`results::MARK`): every computation;
//! - the audit trail's head (`audit::MARK`): every change a person makes —
//!   a document issued, an evaluation frozen, a case step;
//! - the jobs' ledger (`jobs::ledger::MARKS`): an occurrence added,
//!   started or finished (the reminders and escalation drafts of the day
//!   are written by jobs);
//!
//! and today's date (a deadline's "days left" and "overdue" change at
//! midnight). A page whose content also ages with the clock (a result
//! "as of now" is renewed after the refresh interval) is kept until an
//! instant the page names ([`KeptPage::until`]). Several replicas each keep
//! their own pages and read the same markers, so none serves a page
//! older than the store.
//!
//! Only pages are kept — a page that says a result is being computed, a
//! stale result, a refusal, a PDF or a CSV are answered without keeping.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::{Viewer, page, signed_in_bar};
use crate::http::{ApiError, AppState};
use crate::people::Scope;
use crate::people::session::Session;
use crate::vocab::Role;

/// What the store's owners say about whether anything changed, and the
/// date: two equal marks mean every kept page is still true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Marks {
    data_version: i64,
    newest_result: i64,
    audit_head: i64,
    ledger: [i64; 3],
    today: NaiveDate,
}

impl Marks {
    /// Whether these marks are behind `other`: every marker moves forward
    /// only (versions and sequence numbers grow, the date advances), so
    /// marks behind the newest seen can never be current again.
    fn behind(&self, other: &Marks) -> bool {
        self != other
            && self.data_version <= other.data_version
            && self.newest_result <= other.newest_result
            && self.audit_head <= other.audit_head
            && self.ledger.iter().zip(other.ledger).all(|(a, b)| *a <= b)
            && self.today <= other.today
    }

    /// The markers as scalar subqueries, in the order [`Marks::of`]
    /// takes their values: read with the viewer's session in one query
    /// ([`crate::people::session::resume`]).
    pub fn columns() -> Vec<String> {
        let [l0, l1, l2] = crate::jobs::ledger::MARKS;
        [
            crate::results::version::MARK,
            crate::results::MARK,
            crate::audit::MARK,
            l0,
            l1,
            l2,
        ]
        .map(String::from)
        .to_vec()
    }

    /// The marks from the values of [`Marks::columns`], on `today`.
    pub fn of(values: &[i64], today: NaiveDate) -> Option<Marks> {
        let &[data_version, newest_result, audit_head, l0, l1, l2] = values else {
            return None;
        };
        Some(Marks {
            data_version,
            newest_result,
            audit_head,
            ledger: [l0, l1, l2],
            today,
        })
    }

    /// The data version the marks were read at (which organisation the
    /// viewer's scope reaches into).
    pub fn data_version(&self) -> i64 {
        self.data_version
    }
}

/// Which page: the URL asked, who may see what on it (the role and the
/// scope; the organisation the scope reaches into moves the data version),
/// and the marks it was rendered under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    url: String,
    role: Role,
    scope: Scope,
    marks: Marks,
}

/// Where a kept page's forms carry the viewer's CSRF token: a page to be
/// kept writes this instead of the token, and each answer puts the
/// viewer's own token in its place. It cannot come from data: every datum
/// is escaped, and escaping turns its `<` into `&lt;`.
pub const CSRF_SLOT: &str = "<dukao-csrf-slot>";

/// A page's own part: its title and body (everything but the viewer's
/// header bar), and until when it holds. A chart a page shows is kept the
/// same way ([`KeptPage::chart`]): an SVG image, answered as it is.
#[derive(Debug, Clone)]
pub struct KeptPage {
    title: String,
    body: String,
    /// Whether `body` holds [`CSRF_SLOT`] (told once, not per answer).
    has_form: bool,
    reload_secs: Option<u32>,
    until: Option<i64>,
    /// An SVG chart, not a page.
    svg: bool,
}

impl KeptPage {
    /// A page titled `title` (escaped when answered) with `body` (HTML).
    pub fn new(title: impl Into<String>, body: String) -> KeptPage {
        KeptPage {
            title: title.into(),
            has_form: body.contains(CSRF_SLOT),
            body,
            reload_secs: None,
            until: None,
            svg: false,
        }
    }

    /// A chart: an SVG image a page shows (`<img src>`), its bytes
    /// answered as they are.
    pub fn chart(svg: String) -> KeptPage {
        KeptPage {
            svg: true,
            ..KeptPage::new(String::new(), svg)
        }
    }

    /// The page reloads itself after `secs`.
    pub fn reloading(mut self, secs: Option<u32>) -> KeptPage {
        self.reload_secs = secs;
        self
    }

    /// The page holds until `instant` (ms) at the latest, whatever the
    /// marks say (`None`: as long as they do).
    pub fn until(mut self, instant: Option<i64>) -> KeptPage {
        self.until = instant;
        self
    }

    /// The page for `session`'s viewer (with their CSRF token in the
    /// forms: [`CSRF_SLOT`]).
    pub fn respond(&self, session: &Session) -> Response {
        if self.svg {
            return (
                [
                    (header::CONTENT_TYPE, "image/svg+xml"),
                    (header::CACHE_CONTROL, "private, no-cache"),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                ],
                self.body.clone(),
            )
                .into_response();
        }
        let body = if self.has_form {
            std::borrow::Cow::Owned(self.body.replace(CSRF_SLOT, &super::escape(&session.csrf)))
        } else {
            std::borrow::Cow::Borrowed(self.body.as_str())
        };
        page(
            StatusCode::OK,
            &self.title,
            &signed_in_bar(session),
            &body,
            self.reload_secs,
        )
    }
}

/// The kept pages: those of the newest marks only (a page of older marks
/// can never be asked again), at most [`PageCache::CAPACITY`] of them and
/// [`PageCache::BUDGET`] bytes, the oldest falling out first.
#[derive(Debug, Default)]
pub struct PageCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<PageKey, Arc<KeptPage>>,
    order: VecDeque<PageKey>,
    /// The newest marks a page was kept under.
    newest: Option<Marks>,
    /// The kept bodies' bytes.
    bytes: usize,
}

/// A page asked for: kept already, or to be rendered (and then kept
/// under its key with [`PageCache::keep`]).
pub enum Lookup {
    /// The page, answered from memory.
    Kept(Response),
    /// Not kept: render it.
    Render(PageKey),
}

impl PageCache {
    /// How many pages are kept (older ones fall out first): a city's
    /// pages for its roles and reaches, with the drill-downs people open,
    /// are a few thousand at most.
    pub const CAPACITY: usize = 4096;

    /// How many bytes of pages are kept at most (总览 of a city is 140 kB).
    pub const BUDGET: usize = 64 << 20;

    /// The page `uri` for `viewer`, if kept under the marks read with the
    /// viewer's session (no further query).
    pub fn look(state: &AppState, viewer: &Viewer, uri: &Uri) -> Result<Lookup, ApiError> {
        let now = state.clock.now();
        let marks = viewer.marks;
        let key = PageKey {
            url: uri
                .path_and_query()
                .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string()),
            role: viewer.session.user.role,
            scope: viewer.session.user.scope.clone(),
            marks,
        };
        let kept = state.pages.get(&key, now);
        Ok(match kept {
            Some(page) => Lookup::Kept(page.respond(&viewer.session)),
            None => Lookup::Render(key),
        })
    }

    fn get(&self, key: &PageKey, now: i64) -> Option<Arc<KeptPage>> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .map
            .get(key)
            .filter(|p| p.until.is_none_or(|until| now < until))
            .cloned()
    }

    /// Keeps `page` under `key` and answers it for `session`'s viewer. A
    /// page rendered under marks already behind the newest is answered and
    /// not kept; one under newer marks drops every page kept before.
    pub fn keep(&self, key: PageKey, page: KeptPage, session: &Session) -> Response {
        let response = page.respond(session);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match inner.newest {
            Some(newest) if key.marks.behind(&newest) => return response,
            Some(newest) if newest == key.marks => {}
            Some(_) | None => {
                inner.map.clear();
                inner.order.clear();
                inner.bytes = 0;
                inner.newest = Some(key.marks);
            }
        }
        inner.bytes += page.body.len();
        if let Some(replaced) = inner.map.insert(key.clone(), Arc::new(page)) {
            inner.bytes -= replaced.body.len();
        } else {
            inner.order.push_back(key);
        }
        while inner.order.len() > Self::CAPACITY || inner.bytes > Self::BUDGET {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.map.remove(&old) {
                inner.bytes -= gone.body.len();
            }
        }
        response
    }
}

impl PageCache {
    /// `page` for `session`'s viewer, kept under `key` when there is one
    /// (`None`: a page that must not be kept — it says something is being
    /// computed, or rests on a stale result).
    pub fn answer(&self, key: Option<PageKey>, page: KeptPage, session: &Session) -> Response {
        match key {
            Some(key) => self.keep(key, page, session),
            None => page.respond(session),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(version: i64, day: u32) -> Marks {
        Marks {
            data_version: version,
            newest_result: 10,
            audit_head: 20,
            ledger: [1, 2, 3],
            today: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
        }
    }

    #[test]
    fn marks_only_move_forward() {
        assert!(marks(1, 2).behind(&marks(2, 2)));
        assert!(marks(2, 1).behind(&marks(2, 2)));
        assert!(!marks(2, 2).behind(&marks(2, 2)), "the same marks");
        assert!(!marks(3, 1).behind(&marks(2, 2)), "not behind: moved apart");
    }

    #[test]
    fn only_the_newest_marks_pages_are_kept_within_the_budget() {
        let cache = PageCache::default();
        let session = Session {
            id: 1,
            user: crate::people::User {
                id: 1,
                login: "l".into(),
                name: "领导".into(),
                role: Role::Leader,
                scope: Scope::City,
                created_at: String::new(),
                disabled_at: None,
            },
            csrf: "t".into(),
            created_at: 0,
        };
        let key = |url: &str, m: Marks| PageKey {
            url: url.into(),
            role: Role::Leader,
            scope: Scope::City,
            marks: m,
        };
        let page = |n: usize| KeptPage::new("t", "x".repeat(n));
        cache.keep(key("/a", marks(1, 1)), page(10), &session);
        cache.keep(key("/b", marks(1, 1)), page(10), &session);
        assert!(cache.get(&key("/a", marks(1, 1)), 0).is_some());
        // Newer marks: the older pages go.
        cache.keep(key("/a", marks(2, 1)), page(10), &session);
        assert!(cache.get(&key("/b", marks(1, 1)), 0).is_none());
        assert!(cache.get(&key("/a", marks(2, 1)), 0).is_some());
        // A page rendered under marks behind them is answered, not kept.
        cache.keep(key("/c", marks(1, 1)), page(10), &session);
        assert!(cache.get(&key("/c", marks(1, 1)), 0).is_none());
        // The byte budget: the oldest falls out first.
        cache.keep(key("/big", marks(2, 1)), page(PageCache::BUDGET), &session);
        assert!(cache.get(&key("/a", marks(2, 1)), 0).is_none());
        assert!(cache.get(&key("/big", marks(2, 1)), 0).is_some());
        // A page past its instant is not answered.
        cache.keep(
            key("/until", marks(2, 1)),
            page(1).until(Some(100)),
            &session,
        );
        assert!(cache.get(&key("/until", marks(2, 1)), 99).is_some());
        assert!(cache.get(&key("/until", marks(2, 1)), 100).is_none());
    }
}
