//! Deny by default, on both backends: every route × every role × in and
//! out of scope, with the status each must answer (401 without identity,
//! 403 for an action the role or scope may not take, 404 for a row outside
//! the scope, 200/201/204 otherwise); what the lists leave out; sessions
//! (CSRF, idle expiry on an injected clock, logout, throttling); and a
//! large body without a token refused before it is read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use dukao::model::TableName;
use dukao::people::Scope;
use dukao::vocab::{JurisdictionLevel, Role};
use sqlx::Row;

use crate::both_backends;
use crate::client::{As, Client, PASSWORD};
use crate::common::{TestStore, demo_csv, import_dir};
use crate::documents::{city_departments_with_findings, record_findings};

/// The people and programs of the matrix, in its column order.
const WHO: [&str; 9] = [
    "leader@city",
    "leader@county",
    "inspector@city",
    "inspector@county",
    "department",
    "admin@city",
    "admin@county",
    "platform",
    "nobody",
];

/// The demo with a city department `c` and a county department `k` (of
/// 新川县 `x`, under its own 新县 profile) that both have findings.
struct World {
    client: Client,
    _archive: tempfile::TempDir,
    who: Vec<As>,
    c: String,
    k: String,
    x: String,
    root: String,
}

pub(crate) async fn county_department_with_findings(ts: &TestStore, county: &str) -> String {
    sqlx::query(
        "SELECT d.id, COUNT(*) AS n FROM detected_findings f \
         JOIN departments d ON d.id = f.department_id \
         WHERE d.jurisdiction_id = $1 AND NOT d.is_authority \
         GROUP BY d.id ORDER BY n DESC, d.id",
    )
    .bind(county)
    .fetch_all(ts.store.pool())
    .await
    .unwrap()
    .first()
    .expect("the county has a department with findings")
    .try_get(0)
    .unwrap()
}

/// The demo municipality imported, its 2025 findings recorded, served with
/// an archive of its own.
pub(crate) struct DemoService {
    pub client: Client,
    pub archive: tempfile::TempDir,
    pub org: dukao::org::Org,
    /// 新川县, the county under its own 新县 profile.
    pub xinchuan: String,
}

pub(crate) async fn demo_service(ts: &TestStore) -> DemoService {
    import_dir(&ts.store, demo_csv()).await;
    record_findings(&ts.store).await;
    let archive = tempfile::tempdir().unwrap();
    let config = dukao::config::Config {
        archive_dir: archive.path().to_path_buf(),
        ..dukao::config::Config::default()
    };
    let client = Client::with_config(ts, config);
    let org = dukao::org::Org::load(
        &ts.store,
        &dukao::config::Config::default().profiles().unwrap(),
        "jincheng",
    )
    .await
    .unwrap();
    let xinchuan = org
        .jurisdictions
        .values()
        .find(|j| {
            j.level == JurisdictionLevel::County && j.own_profile.as_deref() == Some("xinxian")
        })
        .expect("the demo has 新川县")
        .id
        .clone();
    DemoService {
        client,
        archive,
        org,
        xinchuan,
    }
}

async fn world(ts: &TestStore) -> World {
    let DemoService {
        client,
        archive,
        org,
        xinchuan: x,
    } = demo_service(ts).await;
    let root = org.root().unwrap().id.clone();
    let c = city_departments_with_findings(&ts.store).await[0].0.clone();
    let k = county_department_with_findings(ts, &x).await;
    let county = Scope::Jurisdiction(x.clone());
    let people = [
        ("lc", Role::Leader, Scope::City),
        ("lx", Role::Leader, county.clone()),
        ("ic", Role::Inspector, Scope::City),
        ("ix", Role::Inspector, county.clone()),
        ("dc", Role::Department, Scope::Department(c.clone())),
        ("ac", Role::Admin, Scope::City),
        ("ax", Role::Admin, county),
    ];
    let mut who = Vec::new();
    for (login, role, scope) in people {
        client
            .user(login, &format!("{login}的姓名"), role, scope)
            .await;
        who.push(client.sign_in(login, PASSWORD).await);
    }
    who.push(
        client
            .token(Role::Platform, Scope::City, &[TableName::Findings])
            .await,
    );
    who.push(As::Nobody);
    World {
        client,
        _archive: archive,
        who,
        c,
        k,
        x,
        root,
    }
}

/// Expected statuses, one per [`WHO`].
fn statuses(codes: [u16; 9]) -> [StatusCode; 9] {
    codes.map(|c| StatusCode::from_u16(c).unwrap())
}

impl World {
    /// The department in reach of each identity ("in") and one outside it
    /// ("out"; the city's people have nothing outside, so theirs is in).
    fn target(&self, column: usize, inside: bool) -> &str {
        match (column, inside) {
            (1 | 3 | 6, true) | (4, false) => &self.k,
            (1 | 3 | 6, false) | (4, true) => &self.c,
            (0 | 2 | 5 | 7 | 8, _) => &self.c,
            _ => unreachable!("nine columns"),
        }
    }

    async fn expect(
        &self,
        route: &str,
        method: Method,
        uri: impl Fn(&str) -> String,
        body: impl Fn(&str) -> Option<serde_json::Value>,
        inside: [StatusCode; 9],
        outside: [StatusCode; 9],
    ) {
        for (column, who) in self.who.iter().enumerate() {
            for (is_inside, expected) in [(true, inside[column]), (false, outside[column])] {
                let target = self.target(column, is_inside);
                let answer = self
                    .client
                    .send(method.clone(), &uri(target), who, body(target))
                    .await;
                assert_eq!(
                    answer.status,
                    expected,
                    "{route} as {} ({}): {}",
                    WHO[column],
                    if is_inside {
                        "in scope"
                    } else {
                        "out of scope"
                    },
                    answer.text()
                );
            }
        }
    }
}

const OK: u16 = 200;

async fn every_route_every_role_every_scope(ts: &TestStore) {
    let w = world(ts).await;
    let get = Method::GET;
    let none = |_: &str| None;
    let fixed = |uri: &'static str| move |_: &str| uri.to_string();
    //            leader      inspector   dept  admin       platform nobody
    //            city county city county       city county
    let everyone = statuses([OK, OK, OK, OK, OK, OK, OK, OK, 401]);
    let org_readers = statuses([OK, OK, OK, OK, OK, OK, OK, 403, 401]);
    let city_records = statuses([OK, 403, OK, 403, 403, OK, 403, OK, 401]);
    let case_readers = statuses([OK, OK, OK, OK, OK, 403, 403, 403, 401]);
    let case_rows_out = statuses([OK, 404, OK, 404, 404, 403, 403, 403, 401]);
    let auditors = statuses([OK, 403, 403, 403, 403, OK, 403, 403, 401]);
    let drafters = statuses([OK, OK, OK, OK, 403, 403, 403, 403, 401]);
    let drafters_out = statuses([OK, 404, OK, 404, 403, 403, 403, 403, 401]);

    let open_to_all = statuses([OK; 9]);
    w.expect(
        "GET /healthz",
        get.clone(),
        fixed("/healthz"),
        none,
        open_to_all,
        open_to_all,
    )
    .await;
    // The pages anyone may load; the start page sends whoever has no
    // session to the sign-in page (signing in and out: tests/it/pages.rs).
    for uri in ["/login", "/static/dukao.css"] {
        w.expect(uri, get.clone(), fixed(uri), none, open_to_all, open_to_all)
            .await;
    }
    let start = statuses([OK, OK, OK, OK, OK, OK, OK, 303, 303]);
    w.expect("GET /", get.clone(), fixed("/"), none, start, start)
        .await;
    let session = "GET /api/v1/session";
    w.expect(
        session,
        get.clone(),
        fixed("/api/v1/session"),
        none,
        everyone,
        everyone,
    )
    .await;
    for uri in ["/api/v1/jurisdictions", "/api/v1/departments"] {
        w.expect(uri, get.clone(), fixed(uri), none, org_readers, org_readers)
            .await;
    }
    for uri in ["/api/v1/tables", "/api/v1/imports"] {
        w.expect(
            uri,
            get.clone(),
            fixed(uri),
            none,
            city_records,
            city_records,
        )
        .await;
    }
    let stored = [
        "/api/v1/check/approvals?year=2025&as_of=2025-12-31",
        "/api/v1/metrics?year=2025&as_of=2025-12-31",
        "/api/v1/evaluation/2025?as_of=2025-12-31",
    ];
    // These answer from stored results: the first read of one not stored
    // yet is 202 while the background computes it (tests/it/clock.rs).
    let first = w.client.get_once(&w.who[0], stored[0]).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    for uri in stored {
        let (status, body) = w.client.get(&w.who[0], uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    for uri in stored {
        w.expect(
            uri,
            get.clone(),
            fixed(uri),
            none,
            case_readers,
            case_readers,
        )
        .await;
    }
    w.expect(
        "GET /api/v1/evaluation/{year}/{id}",
        get.clone(),
        |d| format!("/api/v1/evaluation/2025/{d}?as_of=2025-12-31"),
        none,
        case_readers,
        case_rows_out,
    )
    .await;
    // The overview's pages (people only: a token is sent to sign in).
    let viewers = statuses([OK, OK, OK, OK, OK, 403, 403, 303, 303]);
    let viewers_out = statuses([OK, 404, OK, 404, 404, 403, 403, 303, 303]);
    w.expect(
        "GET /overview",
        get.clone(),
        fixed("/overview?year=2025&as_of=2025-12-31"),
        none,
        viewers,
        viewers,
    )
    .await;
    w.expect(
        "GET /overview/chart.svg",
        get.clone(),
        fixed("/overview/chart.svg?year=2025&as_of=2025-12-31&chart=departments"),
        none,
        viewers,
        viewers,
    )
    .await;
    w.expect(
        "GET /work",
        get.clone(),
        fixed("/work"),
        none,
        viewers,
        viewers,
    )
    .await;
    w.expect(
        "GET /documents",
        get.clone(),
        fixed("/documents"),
        none,
        viewers,
        viewers,
    )
    .await;
    let city_ledgers = statuses([OK, 403, OK, 403, 403, OK, 403, 303, 303]);
    w.expect(
        "GET /jobs",
        get.clone(),
        fixed("/jobs"),
        none,
        city_ledgers,
        city_ledgers,
    )
    .await;
    let page_auditors = statuses([OK, 403, 403, 403, 403, OK, 403, 303, 303]);
    w.expect(
        "GET /audit",
        get.clone(),
        fixed("/audit?verify=1"),
        none,
        page_auditors,
        page_auditors,
    )
    .await;
    w.expect(
        "GET /overview/unit",
        get.clone(),
        |d| format!("/overview/unit?year=2025&as_of=2025-12-31&unit={d}"),
        none,
        viewers,
        viewers_out,
    )
    .await;
    w.expect(
        "GET /overview/records",
        get.clone(),
        |d| {
            format!(
                "/overview/records?year=2025&as_of=2025-12-31&unit={d}&indicator=requests_in_time"
            )
        },
        none,
        viewers,
        viewers_out,
    )
    .await;
    let job_readers = statuses([OK, 403, OK, 403, 403, OK, 403, 403, 401]);
    w.expect(
        "GET /api/v1/jobs",
        get.clone(),
        fixed("/api/v1/jobs"),
        none,
        job_readers,
        job_readers,
    )
    .await;
    w.expect(
        "GET /api/v1/reminders",
        get.clone(),
        fixed("/api/v1/reminders?day=2026-01-05"),
        none,
        case_readers,
        case_readers,
    )
    .await;
    let job_runners = statuses([403, 403, 403, 403, 403, OK, 403, 403, 401]);
    w.expect(
        "POST /api/v1/jobs/{name}/run",
        Method::POST,
        fixed("/api/v1/jobs/calendar-watch/run?period=2026-11-20&again=true"),
        none,
        job_runners,
        job_runners,
    )
    .await;
    for uri in ["/api/v1/audit", "/api/v1/audit/verify"] {
        w.expect(uri, get.clone(), fixed(uri), none, auditors, auditors)
            .await;
    }
    let notice = |d: &str| Some(serde_json::json!({"department_id": d, "year": 2025}));
    w.expect(
        "POST /api/v1/documents/draft/{kind}",
        Method::POST,
        fixed("/api/v1/documents/draft/notice"),
        notice,
        drafters,
        drafters_out,
    )
    .await;

    // Cases: one opened for each department by its own inspector, with an
    // attachment; changes are sent without If-Match, so that an identity
    // allowed to make them gets 428 (authorised, precondition missing) and
    // nothing changes.
    let open = |who: usize, department: &str| {
        let w = &w;
        let body = serde_json::json!({"department_id": department, "year": 2025});
        async move {
            let answer = w
                .client
                .send(Method::POST, "/api/v1/cases", &w.who[who], Some(body))
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
            answer.json()["id"].as_i64().unwrap()
        }
    };
    let case_c = open(2, &w.c).await;
    let case_k = open(3, &w.k).await;
    let case_of = |d: &str| if d == w.c { case_c } else { case_k };
    let uploader = dukao::cases::Actor {
        name: "测试".into(),
        role: Some(Role::Department),
        source: "test".into(),
    };
    let mut sha = String::new();
    for id in [case_c, case_k] {
        sha = dukao::cases::attachments::upload(
            &ts.store,
            w._archive.path(),
            id,
            "报告.pdf",
            "application/pdf",
            b"%PDF-1.4 report",
            &uploader,
            crate::client::START,
        )
        .await
        .unwrap()
        .sha256;
    }
    w.expect(
        "GET /api/v1/cases",
        get.clone(),
        fixed("/api/v1/cases"),
        none,
        case_readers,
        case_readers,
    )
    .await;
    w.expect(
        "GET /api/v1/cases/{id}",
        get.clone(),
        |d| format!("/api/v1/cases/{}", case_of(d)),
        none,
        case_readers,
        case_rows_out,
    )
    .await;
    w.expect(
        "GET /api/v1/cases/{id}/attachments/{sha256}",
        get.clone(),
        |d| format!("/api/v1/cases/{}/attachments/{sha}", case_of(d)),
        none,
        case_readers,
        case_rows_out,
    )
    .await;
    let unversioned = 428;
    let u = unversioned;
    let inspectors = statuses([403, 403, u, u, 403, 403, 403, 403, 401]);
    let inspectors_out = statuses([403, 403, u, 404, 403, 403, 403, 403, 401]);
    let departments = statuses([403, 403, 403, 403, u, 403, 403, 403, 401]);
    let departments_out = statuses([403, 403, 403, 403, 404, 403, 403, 403, 401]);
    let leaders = statuses([u, u, 403, 403, 403, 403, 403, 403, 401]);
    let leaders_out = statuses([u, 404, 403, 403, 403, 403, 403, 403, 401]);
    let deciders = statuses([u, u, u, u, 403, 403, 403, 403, 401]);
    let deciders_out = statuses([u, 404, u, 404, 403, 403, 403, 403, 401]);
    for (path, body, inside, outside) in [
        ("notice", serde_json::json!({}), inspectors, inspectors_out),
        (
            "response",
            serde_json::json!({"text": "已整改"}),
            departments,
            departments_out,
        ),
        (
            "verification",
            serde_json::json!({"outcome": "accept"}),
            inspectors,
            inspectors_out,
        ),
        (
            "extension",
            serde_json::json!({"reason": "停机窗口", "working_days": 3}),
            departments,
            departments_out,
        ),
        (
            "extension-decision",
            serde_json::json!({"approve": true}),
            leaders,
            leaders_out,
        ),
        (
            "dismissal",
            serde_json::json!({"reason": "误报"}),
            inspectors,
            inspectors_out,
        ),
        (
            "dismissal-decision",
            serde_json::json!({"confirm": true}),
            deciders,
            deciders_out,
        ),
    ] {
        w.expect(
            &format!("POST /api/v1/cases/{{id}}/{path}"),
            Method::POST,
            |d| format!("/api/v1/cases/{}/{path}", case_of(d)),
            |_| Some(body.clone()),
            inside,
            outside,
        )
        .await;
    }
    w.expect(
        "POST /api/v1/cases/{id}/notice/draft",
        Method::POST,
        |d| format!("/api/v1/cases/{}/notice/draft", case_of(d)),
        none,
        drafters,
        drafters_out,
    )
    .await;
    for (column, who) in w.who.iter().enumerate() {
        for inside in [true, false] {
            let target = w.target(column, inside);
            let answer = w
                .client
                .raw(
                    Method::POST,
                    &format!("/api/v1/cases/{}/attachments?name=a.pdf", case_of(target)),
                    who,
                    "application/pdf",
                    Body::from(&b"%PDF-1.4 report"[..]),
                )
                .await;
            let expected = match (column, inside) {
                (4, true) => 201,
                (4, false) => 404,
                (8, _) => 401,
                _ => 403,
            };
            assert_eq!(
                answer.status.as_u16(),
                expected,
                "upload as {} ({inside}): {}",
                WHO[column],
                answer.text()
            );
        }
    }
    // The cases' pages (people only: a program is sent to sign in).
    w.expect(
        "GET /cases",
        get.clone(),
        fixed("/cases"),
        none,
        viewers,
        viewers,
    )
    .await;
    w.expect(
        "GET /cases/{id}",
        get.clone(),
        |d| format!("/cases/{}", case_of(d)),
        none,
        viewers,
        viewers_out,
    )
    .await;
    let page_drafters = statuses([OK, OK, OK, OK, 403, 403, 403, 303, 303]);
    let page_drafters_out = statuses([OK, 404, OK, 404, 403, 403, 403, 303, 303]);
    w.expect(
        "GET /cases/{id}/notice-draft.pdf",
        get.clone(),
        |d| format!("/cases/{}/notice-draft.pdf", case_of(d)),
        none,
        page_drafters,
        page_drafters_out,
    )
    .await;
    // The pages' forms carry the session's CSRF token in a field. Opening
    // a case for a department whose open findings a case holds already is
    // refused (400) once the inspector is allowed; every step is sent with
    // a version the case never had, so the allowed get 412 and nothing
    // changes.
    let csrf_of = |who: &As| match who {
        As::Session { csrf, .. } => csrf.clone(),
        As::Nobody | As::Token(_) | As::SessionWithoutCsrf(_) => String::new(),
    };
    let urlencoded = "application/x-www-form-urlencoded";
    // 督办's escalations: nothing is overdue, so those allowed find none.
    let page_nothing_overdue = statuses([404, 404, 404, 404, 403, 403, 403, 303, 303]);
    w.expect(
        "GET /work/escalation-draft.pdf",
        get.clone(),
        fixed("/work/escalation-draft.pdf?year=2025&issuer=none"),
        none,
        page_nothing_overdue,
        page_nothing_overdue,
    )
    .await;
    for (column, who) in w.who.iter().enumerate() {
        let answer = w
            .client
            .raw(
                Method::POST,
                "/work/escalations",
                who,
                urlencoded,
                Body::from(format!("csrf={}&year=2025&issuer=none", csrf_of(who))),
            )
            .await;
        let expected = match column {
            2 | 3 => 404,
            7 | 8 => 303,
            _ => 403,
        };
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "POST /work/escalations as {}: {}",
            WHO[column],
            answer.text()
        );
    }
    for (column, who) in w.who.iter().enumerate() {
        for inside in [true, false] {
            let target = w.target(column, inside);
            let answer = w
                .client
                .raw(
                    Method::POST,
                    "/cases",
                    who,
                    urlencoded,
                    Body::from(format!(
                        "csrf={}&department_id={target}&year=2025",
                        csrf_of(who)
                    )),
                )
                .await;
            let expected = match (column, inside) {
                (2, _) | (3, true) => 400,
                (3, false) => 404,
                (7 | 8, _) => 303,
                _ => 403,
            };
            assert_eq!(
                answer.status.as_u16(),
                expected,
                "POST /cases as {} ({inside}): {}",
                WHO[column],
                answer.text()
            );
        }
    }
    let s = 412;
    let page_inspectors = statuses([403, 403, s, s, 403, 403, 403, 303, 303]);
    let page_inspectors_out = statuses([403, 403, s, 404, 403, 403, 403, 303, 303]);
    let page_departments = statuses([403, 403, 403, 403, s, 403, 403, 303, 303]);
    let page_departments_out = statuses([403, 403, 403, 403, 404, 403, 403, 303, 303]);
    let page_leaders = statuses([s, s, 403, 403, 403, 403, 403, 303, 303]);
    let page_leaders_out = statuses([s, 404, 403, 403, 403, 403, 403, 303, 303]);
    let page_deciders = statuses([s, s, s, s, 403, 403, 403, 303, 303]);
    let page_deciders_out = statuses([s, 404, s, 404, 403, 403, 403, 303, 303]);
    for (step, inside_codes, outside_codes) in [
        ("notice", page_inspectors, page_inspectors_out),
        ("response", page_departments, page_departments_out),
        ("verification", page_inspectors, page_inspectors_out),
        ("extension", page_departments, page_departments_out),
        ("extension-decision", page_leaders, page_leaders_out),
        ("dismissal", page_inspectors, page_inspectors_out),
        ("dismissal-decision", page_deciders, page_deciders_out),
    ] {
        for (column, who) in w.who.iter().enumerate() {
            for (inside, expected) in [(true, inside_codes[column]), (false, outside_codes[column])]
            {
                let target = w.target(column, inside);
                let uri = format!("/cases/{}/{step}", case_of(target));
                let csrf = csrf_of(who);
                let (content_type, body) = if step == "response" {
                    let boundary = "dukao-matrix";
                    let part = |name: &str, value: &str| {
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                        )
                    };
                    (
                        format!("multipart/form-data; boundary={boundary}"),
                        format!(
                            "{}{}{}--{boundary}--\r\n",
                            part("csrf", &csrf),
                            part("version", "0"),
                            part("text", "已整改")
                        ),
                    )
                } else {
                    (
                        urlencoded.to_string(),
                        format!(
                            "csrf={csrf}&version=0&outcome=accept&reason=x&working_days=3&decision=approve"
                        ),
                    )
                };
                let answer = w
                    .client
                    .raw(Method::POST, &uri, who, &content_type, Body::from(body))
                    .await;
                assert_eq!(
                    answer.status,
                    expected,
                    "POST /cases/{{id}}/{step} as {} ({inside}): {}",
                    WHO[column],
                    answer.text()
                );
            }
        }
    }
    // The cases' states did not move.
    for id in [case_c, case_k] {
        let (_, case) = w
            .client
            .get(&w.who[0], &format!("/api/v1/cases/{id}"))
            .await;
        assert_eq!(case["version"], 1, "{case}");
    }
    w.expect(
        "GET /api/v1/escalations",
        get.clone(),
        fixed("/api/v1/escalations?year=2025"),
        none,
        drafters,
        drafters,
    )
    .await;
    let nothing_overdue = statuses([404, 404, 404, 404, 403, 403, 403, 403, 401]);
    let nothing_to_issue = statuses([403, 403, 404, 404, 403, 403, 403, 403, 401]);
    let year = |_: &str| Some(serde_json::json!({"year": 2025}));
    w.expect(
        "POST /api/v1/escalations/draft",
        Method::POST,
        fixed("/api/v1/escalations/draft"),
        year,
        nothing_overdue,
        nothing_overdue,
    )
    .await;
    w.expect(
        "POST /api/v1/escalations/issue",
        Method::POST,
        fixed("/api/v1/escalations/issue"),
        year,
        nothing_to_issue,
        nothing_to_issue,
    )
    .await;
    // Opening a case: inspectors, in reach (hand-entered findings, so that
    // each opening has findings of its own).
    let mut opened = std::collections::BTreeMap::new();
    for (column, department, expected) in [
        (0, &w.c, 403),
        (4, &w.c, 403),
        (5, &w.c, 403),
        (7, &w.c, 403),
        (8, &w.c, 401),
        (3, &w.c, 404),
        (2, &w.c, 201),
        (3, &w.k, 201),
    ] {
        let body = serde_json::json!({"department_id": department, "year": 2026, "findings": [],
            "manual": [{"category": "other", "evidence": "现场检查记录"}]});
        let answer = w
            .client
            .send(Method::POST, "/api/v1/cases", &w.who[column], Some(body))
            .await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "open as {}: {}",
            WHO[column],
            answer.text()
        );
        if expected == 201 {
            opened.insert(department.clone(), answer.json()["id"].as_i64().unwrap());
        }
    }

    // A new notice is issued through its case, never by the documents
    // route (which issues a notice only as a correction).
    let answer = w
        .client
        .send(
            Method::POST,
            "/api/v1/documents/issue/notice",
            &w.who[2],
            notice(&w.c),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text());

    // Issuing changes state, so each case's notice is sent once, refusals
    // first: a leader may not; a county inspector may not reach the city's
    // department's case; the city's inspector may not issue in the county
    // bureau's name (新县 has the county's own bureau supervise); then each
    // issues in its own bureau's name.
    let issue = |who: usize, department: &str| {
        let w = &w;
        let id = opened[department];
        let request = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/cases/{id}/notice"))
            .header("content-type", "application/json")
            .header("if-match", format!("\"case-{id}-v1\""));
        let request = crate::cases::authenticate(request, &w.who[who])
            .body(Body::from("{}"))
            .unwrap();
        async move { w.client.request(request).await }
    };
    for (column, department, expected) in [
        (0, &w.c, 403),
        (1, &w.k, 403),
        (3, &w.c, 404),
        (2, &w.k, 403),
        (4, &w.c, 403),
        (5, &w.c, 403),
        (7, &w.c, 403),
        (8, &w.c, 401),
        (2, &w.c, 201),
        (3, &w.k, 201),
    ] {
        let answer = issue(column, department).await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "issue as {}: {}",
            WHO[column],
            answer.text()
        );
        if expected == 403 && column == 2 {
            assert!(
                answer.text().contains("issued in the name of"),
                "{}",
                answer.text()
            );
        }
    }

    // The archive: each sees what its scope reaches.
    let documents = |column: usize| {
        let w = &w;
        async move {
            let (status, body) = w.client.get(&w.who[column], "/api/v1/documents").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body.as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["id"].as_i64().unwrap(),
                        d["subject_id"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let all = documents(0).await;
    assert_eq!(all.len(), 2);
    let of_c = all.iter().find(|(_, s)| *s == w.c).unwrap().0;
    let of_k = all.iter().find(|(_, s)| *s == w.k).unwrap().0;
    assert_eq!(
        documents(1).await,
        [(of_k, w.k.clone())],
        "the county's only"
    );
    assert_eq!(documents(4).await, [(of_c, w.c.clone())], "its own only");
    let doc_of = |d: &str| if d == w.c { of_c } else { of_k };
    w.expect(
        "GET /api/v1/documents",
        get.clone(),
        fixed("/api/v1/documents"),
        none,
        case_readers,
        case_readers,
    )
    .await;
    w.expect(
        "GET /api/v1/documents/{id}",
        get.clone(),
        |d| format!("/api/v1/documents/{}", doc_of(d)),
        none,
        case_readers,
        case_rows_out,
    )
    .await;
    w.expect(
        "GET /api/v1/documents/{id}/pdf",
        get.clone(),
        |d| format!("/api/v1/documents/{}/pdf", doc_of(d)),
        none,
        case_readers,
        case_rows_out,
    )
    .await;

    // Pushing data: the platform's token, for its tables.
    let finding = |d: &str| {
        Some(serde_json::json!({
            "id": format!("F-{d}"), "department_id": d, "category": "other",
            "found_at": "2025-06-03T10:00:00+08:00", "inspector": "李明", "evidence": "x"
        }))
    };
    for (column, who) in w.who.iter().enumerate() {
        let body = finding(&w.c).unwrap().to_string();
        let answer = w
            .client
            .raw(
                Method::POST,
                "/api/v1/ingest/findings",
                who,
                "application/x-ndjson",
                Body::from(body),
            )
            .await;
        let expected = [403, 403, 403, 403, 403, 403, 403, 200, 401][column];
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "ingest as {}: {}",
            WHO[column],
            answer.text()
        );
    }

    // Freezing the year is a city leader's, once.
    let freeze = "/api/v1/evaluation/2025/freeze?as_of=2025-12-31";
    for (column, expected) in [
        (1, 403),
        (2, 403),
        (4, 403),
        (5, 403),
        (7, 403),
        (8, 401),
        (0, 201),
        (0, 409),
    ] {
        let answer = w
            .client
            .send(Method::POST, freeze, &w.who[column], None)
            .await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "freeze as {}: {}",
            WHO[column],
            answer.text()
        );
    }
    let (_, frozen) = w.client.get(&w.who[0], "/api/v1/evaluation/2025").await;
    assert_eq!(frozen["status"], "frozen");
    assert_eq!(frozen["frozen_by"], "lc的姓名");

    // Signing in as nobody with a wrong password; signing out last.
    let answer = w.client.sign_in_answer("lc", "not the password").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    for (column, who) in w.who.iter().enumerate() {
        let answer = w
            .client
            .send(Method::DELETE, "/api/v1/session", who, None)
            .await;
        let expected = [204, 204, 204, 204, 204, 204, 204, 400, 401][column];
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "sign out as {}: {}",
            WHO[column],
            answer.text()
        );
    }
    // Signed out means signed out: the cookie no longer works.
    let (status, _) = w.client.get(&w.who[0], "/api/v1/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The matrix above names every route the service has.
    let covered = [
        "GET /healthz",
        "GET /login",
        "POST /login",
        "POST /logout",
        "GET /",
        "GET /static/dukao.css",
        "GET /api/v1/session",
        "POST /api/v1/session",
        "DELETE /api/v1/session",
        "GET /api/v1/jurisdictions",
        "GET /api/v1/departments",
        "GET /api/v1/tables",
        "GET /api/v1/imports",
        "POST /api/v1/ingest/{table}",
        "GET /api/v1/check/{kind}",
        "GET /api/v1/metrics",
        "GET /api/v1/evaluation/{year}",
        "GET /api/v1/evaluation/{year}/{id}",
        "POST /api/v1/evaluation/{year}/freeze",
        "GET /api/v1/audit",
        "GET /api/v1/audit/verify",
        "POST /api/v1/documents/draft/{kind}",
        "POST /api/v1/documents/issue/{kind}",
        "GET /api/v1/documents",
        "GET /api/v1/documents/{id}",
        "GET /api/v1/documents/{id}/pdf",
        "GET /api/v1/cases",
        "POST /api/v1/cases",
        "GET /api/v1/cases/{id}",
        "POST /api/v1/cases/{id}/notice/draft",
        "POST /api/v1/cases/{id}/notice",
        "POST /api/v1/cases/{id}/attachments",
        "GET /api/v1/cases/{id}/attachments/{sha256}",
        "POST /api/v1/cases/{id}/{change}",
        "GET /api/v1/escalations",
        "POST /api/v1/escalations/draft",
        "POST /api/v1/escalations/issue",
        "GET /api/v1/jobs",
        "POST /api/v1/jobs/{name}/run",
        "GET /api/v1/reminders",
        "GET /overview",
        "GET /overview/records",
        "GET /overview/unit",
        "GET /overview/chart.svg",
        "GET /work",
        "GET /work/escalation-draft.pdf",
        "POST /work/escalations",
        "GET /cases",
        "POST /cases",
        "GET /cases/{id}",
        "GET /cases/{id}/notice-draft.pdf",
        "POST /cases/{id}/{step}",
        "GET /documents",
        "GET /jobs",
        "GET /audit",
    ];
    let mut served = routes_in_source();
    served.sort();
    let mut covered: Vec<String> = covered.iter().map(|s| s.to_string()).collect();
    covered.sort();
    assert_eq!(
        served, covered,
        "a route was added or removed: update the matrix"
    );
}
both_backends!(matrix, every_route_every_role_every_scope);

/// What the lists leave out: a county sees its subtree, a department itself.
async fn lists_are_cut_to_the_scope(ts: &TestStore) {
    let w = world(ts).await;
    let ids = |body: &serde_json::Value, key: &str| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = w.client.get(&w.who[0], "/api/v1/departments").await;
    let (_, county) = w.client.get(&w.who[1], "/api/v1/departments").await;
    let (_, own) = w.client.get(&w.who[4], "/api/v1/departments").await;
    let county_ids = ids(&county, "id");
    assert!(ids(&all, "id").len() > county_ids.len() && !county_ids.is_empty());
    assert!(
        county
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["jurisdiction_id"] == w.x)
    );
    assert!(county_ids.contains(&w.k) && !county_ids.contains(&w.c));
    assert_eq!(ids(&own, "id"), [w.c.clone()]);
    let (_, jurisdictions) = w.client.get(&w.who[1], "/api/v1/jurisdictions").await;
    assert_eq!(ids(&jurisdictions, "id"), [w.x.clone()]);
    let (_, jurisdictions) = w.client.get(&w.who[4], "/api/v1/jurisdictions").await;
    assert_eq!(
        ids(&jurisdictions, "id"),
        [w.root.clone()],
        "its own jurisdiction"
    );

    let uri = "/api/v1/check/approvals?year=2025&as_of=2025-12-31";
    let (_, items) = w.client.get(&w.who[4], uri).await;
    let responsible = ids(&items, "responsible_id");
    assert!(!responsible.is_empty() && responsible.iter().all(|r| *r == w.c));
    let (_, items) = w.client.get(&w.who[1], uri).await;
    assert!(
        ids(&items, "responsible_id")
            .iter()
            .all(|r| county_ids.contains(r))
    );

    let (_, summary) = w
        .client
        .get(&w.who[4], "/api/v1/metrics?year=2025&as_of=2025-12-31")
        .await;
    let rows = summary["checks"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["level"] == "department" && r["id"] == w.c.as_str())
    );

    let uri = "/api/v1/evaluation/2025?as_of=2025-12-31";
    let (_, county_result) = w.client.get(&w.who[1], uri).await;
    let departments = ids(&county_result["departments"], "id");
    assert!(!departments.is_empty() && departments.iter().all(|d| county_ids.contains(d)));
    assert_eq!(ids(&county_result["counties"], "id"), [w.x.clone()]);
    let counted: u64 = county_result["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["departments"].as_u64().unwrap())
        .sum();
    assert!(
        counted <= departments.len() as u64,
        "grades counted over the scope"
    );
    let (_, own_result) = w.client.get(&w.who[4], uri).await;
    assert_eq!(ids(&own_result["departments"], "id"), [w.c.clone()]);
    assert!(own_result["counties"].as_array().unwrap().is_empty());
}
both_backends!(lists, lists_are_cut_to_the_scope);

async fn sessions(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let client = Client::new(ts);
    client
        .user("zhou", "周局长", Role::Leader, Scope::City)
        .await;
    let answer = client.sign_in_answer("zhou", PASSWORD).await;
    let cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP by default");
    assert_eq!(answer.json()["role"], "leader");
    let session = client.sign_in("zhou", PASSWORD).await;
    let As::Session { secret, .. } = &session else {
        unreachable!()
    };

    // A state change with the cookie but without its CSRF token: 403.
    let without = As::SessionWithoutCsrf(secret.clone());
    let draft = serde_json::json!({"year": 2025});
    let uri = "/api/v1/documents/draft/circular";
    let answer = client
        .send(Method::POST, uri, &without, Some(draft.clone()))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
    assert!(answer.text().contains("CSRF"));
    let (status, _) = client.get(&without, "/api/v1/session").await;
    assert_eq!(status, StatusCode::OK, "reading needs no CSRF token");

    // Idle for the policy's 30 minutes: the session has ended.
    client.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        client.get(&session, "/api/v1/session").await.0,
        StatusCode::OK
    );
    client.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        client.get(&session, "/api/v1/session").await.0,
        StatusCode::OK,
        "used: still alive"
    );
    client.clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(
        client.get(&session, "/api/v1/session").await.0,
        StatusCode::UNAUTHORIZED
    );
    let ended: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT end_reason FROM sessions ORDER BY id")
            .fetch_all(ts.store.pool())
            .await
            .unwrap();
    assert_eq!(ended.last().unwrap().0.as_deref(), Some("idle"));

    // Five failures in a row, then even the right password is refused for
    // the rest of the window.
    for _ in 0..5 {
        let answer = client.sign_in_answer("zhou", "wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json()["error"], "wrong login or password");
    }
    let answer = client.sign_in_answer("zhou", PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.text()
    );
    let retry: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    client.clock.advance(Duration::from_secs(retry));
    client.sign_in("zhou", PASSWORD).await;
    // An unknown login answers as a wrong password does.
    let answer = client.sign_in_answer("nobody", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"], "wrong login or password");

    // Disabling a user ends their sessions at once.
    let live = client.sign_in("zhou", PASSWORD).await;
    dukao::people::disable_user(&ts.store, "zhou", dukao::people::Actor { name: "管理员" })
        .await
        .unwrap();
    assert_eq!(
        client.get(&live, "/api/v1/session").await.0,
        StatusCode::UNAUTHORIZED
    );

    // The trail has every sign-in, failure and the source of each.
    let trail = dukao::audit::list(&ts.store, &dukao::audit::Filter::newest(100))
        .await
        .unwrap();
    let count = |action: &str| trail.iter().filter(|e| e.action == action).count();
    assert_eq!(count("session.login"), 4);
    assert_eq!(
        count("session.login_failed"),
        7,
        "five wrong, one throttled, one unknown"
    );
    let throttled = trail
        .iter()
        .find(|e| e.details.contains("throttled"))
        .expect("the throttled attempt is audited");
    assert!(
        throttled.details.contains("\"source\""),
        "{}",
        throttled.details
    );
}
both_backends!(sessions_, sessions);

/// A body that records whether anyone read it.
fn watched_body(size: usize, read: Arc<AtomicBool>) -> Body {
    let chunk = axum::body::Bytes::from(vec![b'x'; size]);
    let stream = futures_util::stream::once(async move {
        read.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk)
    });
    Body::from_stream(stream)
}

async fn bodies_are_not_read_before_the_token(ts: &TestStore) {
    let client = Client::new(ts);
    let size = 8 << 20;
    let read = Arc::new(AtomicBool::new(false));
    let request = axum::http::Request::post("/api/v1/ingest/findings")
        .header("content-type", "application/x-ndjson")
        .header("content-length", size.to_string())
        .body(watched_body(size, read.clone()))
        .unwrap();
    let answer = client.request(request).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        !read.load(Ordering::SeqCst),
        "the body was read without a token"
    );

    // With a token, a declared length over the limit is 413 unread.
    let token = client
        .token(Role::Platform, Scope::City, &[TableName::Findings])
        .await;
    let As::Token(secret) = token else {
        unreachable!()
    };
    let huge = dukao::ingest::api::MAX_INGEST_BODY + 1;
    let request = axum::http::Request::post("/api/v1/ingest/findings")
        .header("content-type", "application/x-ndjson")
        .header("authorization", format!("Bearer {secret}"))
        .header("content-length", huge.to_string())
        .body(watched_body(16, read.clone()))
        .unwrap();
    let answer = client.request(request).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.text()
    );
    assert!(
        !read.load(Ordering::SeqCst),
        "the body was read though too large"
    );
}
both_backends!(unread_bodies, bodies_are_not_read_before_the_token);

/// Every `METHOD /path` routed in `src/`, read from the `.route(…)` calls.
fn routes_in_source() -> Vec<String> {
    let mut routes = Vec::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices(".route(") {
                let rest = &text[at + ".route(".len()..];
                let start = rest.find('"').unwrap() + 1;
                let end = start + rest[start..].find('"').unwrap();
                let route = &rest[start..end];
                let mut chain = rest[end + 1..].trim_start_matches([',', ' ', '\n']);
                loop {
                    let method = ["get", "post", "delete", "put", "patch"]
                        .into_iter()
                        .find(|m| chain.starts_with(&format!("{m}(")));
                    let Some(method) = method else { break };
                    routes.push(format!("{} {route}", method.to_uppercase()));
                    let close = chain.find(')').unwrap();
                    chain = chain[close + 1..].trim_start_matches(['.', ' ', '\n']);
                }
            }
        }
    }
    routes
}
