//! Whole rectification cases through the HTTP API, with real users of each
//! role, on both backends: open → notice (archived) → respond → return →
//! respond → accept → closed; a case under 晋城 and one under 新县 that go
//! overdue on an injected clock and get their escalation drafted and
//! issued; an extension a leader approves; a dismissal that needs a second
//! person; stale versions, transitions out of turn and attachments that
//! are not what they say.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use dukao::people::Scope;
use dukao::vocab::Role;
use sqlx::Row;

use crate::access::{DemoService, county_department_with_findings, demo_service};
use crate::both_backends;
use crate::client::{Answer, As, Client, PASSWORD};
use crate::common::TestStore;
use crate::documents::city_departments_with_findings;
use crate::pdf_inspect;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A tiny valid-looking PDF and PNG (their first bytes are what counts).
const PDF: &[u8] = b"%PDF-1.4\n% rectification report\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

struct World {
    client: Client,
    _archive: tempfile::TempDir,
    /// City departments with findings (JC), most first.
    city: Vec<String>,
    /// A 新川县 department with findings (XX, its county bureau issues).
    county: String,
}

async fn world(ts: &TestStore) -> World {
    let DemoService {
        client,
        archive,
        xinchuan: x,
        ..
    } = demo_service(ts).await;
    let city: Vec<String> = city_departments_with_findings(&ts.store)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .take(3)
        .collect();
    let county = county_department_with_findings(ts, &x).await;
    let people = [
        ("leader", Role::Leader, Scope::City),
        ("inspector", Role::Inspector, Scope::City),
        ("inspector2", Role::Inspector, Scope::City),
        (
            "county-inspector",
            Role::Inspector,
            Scope::Jurisdiction(x.clone()),
        ),
        (
            "dept0",
            Role::Department,
            Scope::Department(city[0].clone()),
        ),
        (
            "dept1",
            Role::Department,
            Scope::Department(city[1].clone()),
        ),
        (
            "dept2",
            Role::Department,
            Scope::Department(city[2].clone()),
        ),
        (
            "dept-county",
            Role::Department,
            Scope::Department(county.clone()),
        ),
    ];
    for (login, role, scope) in people {
        client
            .user(login, &format!("{login}的姓名"), role, scope)
            .await;
    }
    World {
        client,
        _archive: archive,
        city,
        county,
    }
}

impl World {
    /// Signs in (again: moving the clock by days ends idle sessions).
    async fn who(&self, login: &str) -> As {
        self.client.sign_in(login, PASSWORD).await
    }

    async fn post(&self, who: &As, uri: &str, body: serde_json::Value) -> Answer {
        self.client.send(Method::POST, uri, who, Some(body)).await
    }

    /// POST with `If-Match` naming `version` of case `id`.
    async fn change(
        &self,
        who: &As,
        id: i64,
        version: i64,
        path: &str,
        body: serde_json::Value,
    ) -> Answer {
        let mut request = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/cases/{id}/{path}"))
            .header("content-type", "application/json")
            .header("if-match", format!("\"case-{id}-v{version}\""));
        request = authenticate(request, who);
        self.client
            .request(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// The case now, with its version.
    async fn case(&self, who: &As, id: i64) -> serde_json::Value {
        let (status, body) = self.client.get(who, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Applies a change at the case's current version; expects `status`.
    async fn step(
        &self,
        who: &As,
        id: i64,
        path: &str,
        body: serde_json::Value,
        status: u16,
    ) -> serde_json::Value {
        let version: i64 = sqlx::query("SELECT version FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(self.client.store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        let answer = self.change(who, id, version, path, body).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.text());
        answer.json()
    }

    async fn open(&self, who: &As, department: &str) -> i64 {
        let answer = self
            .post(
                who,
                "/api/v1/cases",
                serde_json::json!({"department_id": department, "year": 2025}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
        assert_eq!(
            answer.headers["etag"].to_str().unwrap(),
            format!("\"case-{}-v1\"", answer.json()["id"])
        );
        answer.json()["id"].as_i64().unwrap()
    }

    async fn upload(&self, who: &As, id: i64, name: &str, mime: &str, bytes: &[u8]) -> Answer {
        self.client
            .raw(
                Method::POST,
                &format!("/api/v1/cases/{id}/attachments?name={name}"),
                who,
                mime,
                Body::from(bytes.to_vec()),
            )
            .await
    }
}

pub(crate) fn authenticate(
    request: axum::http::request::Builder,
    who: &As,
) -> axum::http::request::Builder {
    match who {
        As::Session { secret, csrf } => request
            .header("cookie", format!("dukao_session={secret}"))
            .header("x-csrf-token", csrf.as_str()),
        As::Token(secret) => request.header("authorization", format!("Bearer {secret}")),
        As::Nobody | As::SessionWithoutCsrf(_) => request,
    }
}

async fn a_whole_case(ts: &TestStore) {
    let w = world(ts).await;
    let inspector = w.who("inspector").await;
    let dept = w.who("dept0").await;
    let other_dept = w.who("dept1").await;
    let county = w.who("county-inspector").await;
    let c = w.city[0].clone();

    // Only an inspector opens, and only in reach.
    let body = serde_json::json!({"department_id": c, "year": 2025});
    assert_eq!(
        w.post(&dept, "/api/v1/cases", body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.post(&county, "/api/v1/cases", body.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let id = w.open(&inspector, &c).await;
    let case = w.case(&inspector, id).await;
    assert_eq!(case["state"], "opened");
    let findings = case["findings"].as_array().unwrap().len();
    assert!(findings > 0);
    // A finding belongs to one case: all are taken now.
    let again = w.post(&inspector, "/api/v1/cases", body.clone()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text());
    assert!(
        again.text().contains("at least one finding"),
        "{}",
        again.text()
    );

    // Who sees it: the department itself, not another, not another county.
    assert_eq!(
        w.client.get(&dept, &format!("/api/v1/cases/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        w.client
            .get(&other_dept, &format!("/api/v1/cases/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.client
            .get(&county, &format!("/api/v1/cases/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, listed) = w.client.get(&other_dept, "/api/v1/cases").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        0,
        "a department lists its own cases only"
    );
    let (_, listed) = w
        .client
        .get(&dept, "/api/v1/cases?year=2025&state=opened")
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The draft, then the notice: If-Match required, a stale one refused.
    let draft = w
        .client
        .send(
            Method::POST,
            &format!("/api/v1/cases/{id}/notice/draft"),
            &inspector,
            None,
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text());
    assert!(draft.bytes.starts_with(b"%PDF"));
    let unversioned = w
        .client
        .send(
            Method::POST,
            &format!("/api/v1/cases/{id}/notice"),
            &inspector,
            None,
        )
        .await;
    assert_eq!(
        unversioned.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{}",
        unversioned.text()
    );
    let stale = w
        .change(&inspector, id, 0, "notice", serde_json::json!({}))
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.text()
    );
    let refused = w
        .change(&dept, id, 1, "notice", serde_json::json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let issued = w
        .change(&inspector, id, 1, "notice", serde_json::json!({}))
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text());
    let case = issued.json();
    assert_eq!(case["state"], "notified");
    assert_eq!(case["version"], 2);
    // JC: 10 working days from Sunday 2026-02-01 (the Spring Festival
    // holiday of 2026 starts on 15 February).
    assert_eq!(case["deadline"], "2026-02-13");
    let notice_id = case["notice_id"].as_i64().unwrap();
    let (status, doc) = w
        .client
        .get(&dept, &format!("/api/v1/documents/{notice_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "the department reads its notice");
    assert_eq!(doc["kind"], "notice");
    assert_eq!(doc["issued_by"], "inspector的姓名");
    let twice = w
        .change(&inspector, id, 2, "notice", serde_json::json!({}))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text());
    assert!(twice.text().contains("issued already"), "{}", twice.text());

    // A change the API does not know names none.
    let unknown = w
        .change(&inspector, id, 2, "close", serde_json::json!({}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text());
    assert!(
        unknown.text().contains("dismissal-decision"),
        "{}",
        unknown.text()
    );

    // Verifying before any response is refused.
    let early = w
        .step(
            &inspector,
            id,
            "verification",
            serde_json::json!({"outcome": "accept"}),
            409,
        )
        .await;
    assert!(
        early["error"].as_str().unwrap().contains("no response"),
        "{early}"
    );

    // Attachments: what they say they are, in reach, by the department.
    let fake = w.upload(&dept, id, "scan.png", "image/png", PDF).await;
    assert_eq!(
        fake.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        fake.text()
    );
    let exe = w
        .upload(&dept, id, "x.exe", "application/octet-stream", b"MZ")
        .await;
    assert_eq!(exe.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        w.upload(&inspector, id, "a.pdf", "application/pdf", PDF)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.upload(&other_dept, id, "a.pdf", "application/pdf", PDF)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let report = w
        .upload(&dept, id, "整改报告.pdf", "application/pdf", PDF)
        .await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text());
    let report_sha = report.json()["sha256"].as_str().unwrap().to_string();
    let photo = w.upload(&dept, id, "现场照片.png", "image/png", PNG).await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text());
    let photo_sha = photo.json()["sha256"].as_str().unwrap().to_string();
    let big = w
        .client
        .raw(
            Method::POST,
            &format!("/api/v1/cases/{id}/attachments?name=big.pdf"),
            &dept,
            "application/pdf",
            Body::from(vec![b'%'; (10 << 20) + 1]),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Respond, return (with a reason), respond again, accept.
    w.step(
        &inspector,
        id,
        "response",
        serde_json::json!({"text": "已整改"}),
        403,
    )
    .await;
    let responded = w
        .step(
            &dept,
            id,
            "response",
            serde_json::json!({"text": "已完成目录更新并补录审批记录", "attachments": [report_sha]}),
            200,
        )
        .await;
    assert_eq!(responded["state"], "responded");
    w.step(
        &dept,
        id,
        "response",
        serde_json::json!({"text": "再报"}),
        409,
    )
    .await;
    // 督办: the response waits for verification on the inspector's work
    // list, and on no one's outside the case's reach.
    let work = w.client.get_once(&inspector, "/work").await;
    let html = work.text();
    assert_eq!(work.status, StatusCode::OK, "{html}");
    let waiting = html
        .split("待核验的整改报告")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap()
        .to_string();
    assert!(
        waiting.contains(&format!("<a href=\"/cases/{id}\">第 {id} 号</a>")),
        "{html}"
    );
    assert!(waiting.contains("待核验"));
    let county = w.who("county-inspector").await;
    let theirs = w.client.get_once(&county, "/work").await.text();
    assert!(theirs.contains("待核验的整改报告（0）"), "{theirs}");
    w.step(
        &inspector,
        id,
        "verification",
        serde_json::json!({"outcome": "return"}),
        400,
    )
    .await;
    w.client.clock.advance(Duration::from_secs(600));
    let returned = w
        .step(
            &inspector,
            id,
            "verification",
            serde_json::json!({"outcome": "return", "reason": "缺少审批记录截图"}),
            200,
        )
        .await;
    assert_eq!(returned["state"], "returned");
    assert_eq!(
        returned["deadline"], "2026-02-13",
        "a return does not restart the clock"
    );
    // An attachment carried by one response cannot be carried again.
    w.step(
        &dept,
        id,
        "response",
        serde_json::json!({"text": "补充", "attachments": [report_sha]}),
        400,
    )
    .await;
    w.step(
        &dept,
        id,
        "response",
        serde_json::json!({"text": "已补充审批记录截图", "attachments": [photo_sha]}),
        200,
    )
    .await;
    w.step(
        &dept,
        id,
        "verification",
        serde_json::json!({"outcome": "accept"}),
        403,
    )
    .await;
    let closed = w
        .step(
            &inspector,
            id,
            "verification",
            serde_json::json!({"outcome": "accept"}),
            200,
        )
        .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["overdue"], false);
    assert!(closed["closed_at"].is_string());
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "notice_issued",
            "response_submitted",
            "returned",
            "response_submitted",
            "accepted"
        ]
    );
    let attachments = closed["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert!(attachments.iter().all(|a| a["event_id"].is_i64()));

    // A closed case is not edited any more.
    let late = w
        .step(
            &dept,
            id,
            "extension",
            serde_json::json!({"reason": "x", "working_days": 3}),
            409,
        )
        .await;
    assert!(
        late["error"].as_str().unwrap().contains("finished"),
        "{late}"
    );
    assert_eq!(
        w.upload(&dept, id, "late.pdf", "application/pdf", b"%PDF-1.7 late")
            .await
            .status,
        StatusCode::CONFLICT
    );

    // The attachment is served as stored, to those in reach.
    let file = w
        .client
        .send(
            Method::GET,
            &format!("/api/v1/cases/{id}/attachments/{report_sha}"),
            &inspector,
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PDF);
    assert_eq!(file.headers["content-type"], "application/pdf");
    let file = w
        .client
        .send(
            Method::GET,
            &format!("/api/v1/cases/{id}/attachments/{report_sha}"),
            &other_dept,
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::NOT_FOUND);

    // Every change is in the audit trail with actor, role and source.
    let rows = sqlx::query(
        "SELECT actor, details FROM audit_log WHERE action = 'case.change' AND subject = $1 ORDER BY seq",
    )
    .bind(format!("case:{id}"))
    .fetch_all(ts.store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 6);
    let last: serde_json::Value =
        serde_json::from_str(&rows[5].try_get::<String, _>("details").unwrap()).unwrap();
    assert_eq!(last["event"], "accepted");
    assert_eq!(last["role"], "inspector");
    assert_eq!(last["source"], "unknown");
    assert_eq!(
        rows[5].try_get::<String, _>("actor").unwrap(),
        "inspector的姓名"
    );
    let uploads: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'case.attachment'")
            .fetch_one(ts.store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    assert_eq!(uploads, 2);
    // The history is immutable.
    assert!(
        sqlx::query("DELETE FROM case_events")
            .execute(ts.store.pool())
            .await
            .is_err()
    );
}
both_backends!(a_whole_case_from_notice_to_closure, a_whole_case);

async fn overdue_cases_are_escalated(ts: &TestStore) {
    let w = world(ts).await;
    let inspector = w.who("inspector").await;
    let county_inspector = w.who("county-inspector").await;

    // 晋城 (the city bureau) and 新县 (the county's own bureau).
    let jc = w.open(&inspector, &w.city[1]).await;
    let jc_notice = w
        .change(&inspector, jc, 1, "notice", serde_json::json!({}))
        .await;
    assert_eq!(
        jc_notice.status,
        StatusCode::CREATED,
        "{}",
        jc_notice.text()
    );
    // The city's inspector does not issue in the county bureau's name.
    let xx = w.open(&county_inspector, &w.county).await;
    let foreign = w
        .change(&inspector, xx, 1, "notice", serde_json::json!({}))
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.text());
    let xx_notice = w
        .change(&county_inspector, xx, 1, "notice", serde_json::json!({}))
        .await;
    assert_eq!(
        xx_notice.status,
        StatusCode::CREATED,
        "{}",
        xx_notice.text()
    );
    assert_eq!(xx_notice.json()["deadline"], "2026-02-13");

    // An extension the 晋城 department got moves its deadline, and the
    // circular will say so.
    let dept = w.who("dept1").await;
    let leader = w.who("leader").await;
    w.step(
        &dept,
        jc,
        "extension",
        serde_json::json!({"reason": "需协调上级系统", "working_days": 2}),
        200,
    )
    .await;
    let extended = w
        .step(
            &leader,
            jc,
            "extension-decision",
            serde_json::json!({"approve": true}),
            200,
        )
        .await;
    assert_eq!(extended["deadline"], "2026-02-24");

    // Nothing is overdue on the deadline's day.
    let (_, pending) = w
        .client
        .get(&inspector, "/api/v1/escalations?year=2025")
        .await;
    assert_eq!(pending, serde_json::json!([]));
    w.client.clock.advance(DAY * 30);
    let inspector = w.who("inspector").await;
    let county_inspector = w.who("county-inspector").await;
    let leader = w.who("leader").await;
    assert_eq!(w.case(&inspector, jc).await["overdue"], true);
    let (_, listed) = w.client.get(&inspector, "/api/v1/cases?year=2025").await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["overdue"] == true)
    );

    // The city sees both bureaus' overdue cases; the county its own only.
    let (status, pending) = w.client.get(&leader, "/api/v1/escalations?year=2025").await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    let groups = pending.as_array().unwrap();
    assert_eq!(groups.len(), 2, "{pending}");
    let city_group = groups
        .iter()
        .find(|g| g["step"]["profile"] == "jincheng")
        .expect("JC's group");
    assert_eq!(city_group["step"]["bureau_measure"], false);
    assert!(
        city_group["step"]["cite"]
            .as_str()
            .unwrap()
            .contains("第四十三条")
    );
    let county_group = groups
        .iter()
        .find(|g| g["step"]["profile"] == "xinxian")
        .expect("XX's group");
    assert_eq!(
        county_group["step"]["bureau_measure"], true,
        "XX prescribes no step"
    );
    assert!(county_group["step"]["cite"].is_null());
    let (_, own) = w
        .client
        .get(&county_inspector, "/api/v1/escalations?year=2025")
        .await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    let dept = w.who("dept1").await;
    assert_eq!(
        w.client.get(&dept, "/api/v1/escalations?year=2025").await.0,
        StatusCode::FORBIDDEN
    );

    // Drafts: a leader may read them; several bureaus need a choice.
    let ambiguous = w
        .post(
            &leader,
            "/api/v1/escalations/draft",
            serde_json::json!({"year": 2025}),
        )
        .await;
    assert_eq!(
        ambiguous.status,
        StatusCode::BAD_REQUEST,
        "{}",
        ambiguous.text()
    );
    let jc_issuer = city_group["issuer_id"].as_str().unwrap();
    let draft = w
        .post(
            &leader,
            "/api/v1/escalations/draft",
            serde_json::json!({"year": 2025, "issuer_id": jc_issuer}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text());
    let text = pdf_inspect::squeeze(&pdf_inspect::text(&draft.bytes));
    assert!(text.contains("书面通报"), "{text}");
    assert!(text.contains("第四十三条"), "{text}");
    assert!(text.contains("经批准延期至2026年2月24日"), "{text}");
    assert!(text.contains("逾期未完成整改，未报送整改情况"), "{text}");
    let xx_draft = w
        .post(
            &county_inspector,
            "/api/v1/escalations/draft",
            serde_json::json!({"year": 2025}),
        )
        .await;
    assert_eq!(xx_draft.status, StatusCode::OK, "{}", xx_draft.text());
    let text = pdf_inspect::squeeze(&pdf_inspect::text(&xx_draft.bytes));
    assert!(text.contains("未规定处理措施"), "{text}");
    assert!(text.contains("本通报系我局依上述职责作出"), "{text}");

    // Nothing was issued by itself; an inspector issues, then it is done.
    assert_eq!(
        w.case(&inspector, jc).await["escalation_id"],
        serde_json::Value::Null
    );
    let by_leader = w
        .post(
            &leader,
            "/api/v1/escalations/issue",
            serde_json::json!({"year": 2025, "issuer_id": jc_issuer}),
        )
        .await;
    assert_eq!(by_leader.status, StatusCode::FORBIDDEN);
    let issued = w
        .post(
            &inspector,
            "/api/v1/escalations/issue",
            serde_json::json!({"year": 2025, "issuer_id": jc_issuer}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text());
    assert_eq!(issued.json()["kind"], "circular");
    let case = w.case(&inspector, jc).await;
    assert_eq!(case["escalation_id"], issued.json()["id"]);
    assert_eq!(
        case["events"].as_array().unwrap().last().unwrap()["kind"],
        "escalated"
    );
    // The county's, from 督办: its row offers the draft and the issue
    // form; issuing goes back to 督办, which says what was issued.
    let (_, xx_pending) = w
        .client
        .get(&county_inspector, "/api/v1/escalations?year=2025")
        .await;
    let xx_issuer = xx_pending[0]["issuer_id"].as_str().unwrap().to_string();
    let work = w.client.get_once(&county_inspector, "/work").await.text();
    let draft_link = format!("/work/escalation-draft.pdf?year=2025&amp;issuer={xx_issuer}");
    assert!(work.contains(&draft_link), "{work}");
    assert!(work.contains("签发通报"), "{work}");
    let page_draft = w
        .client
        .get_once(&county_inspector, &draft_link.replace("&amp;", "&"))
        .await;
    assert_eq!(page_draft.status, StatusCode::OK, "{}", page_draft.text());
    assert_eq!(page_draft.headers["content-type"], "application/pdf");
    let As::Session { csrf, .. } = &county_inspector else {
        unreachable!("a person signs in with a session")
    };
    let xx_issued = w
        .client
        .raw(
            Method::POST,
            "/work/escalations",
            &county_inspector,
            "application/x-www-form-urlencoded",
            Body::from(format!("csrf={csrf}&year=2025&issuer={xx_issuer}")),
        )
        .await;
    assert_eq!(
        xx_issued.status,
        StatusCode::SEE_OTHER,
        "{}",
        xx_issued.text()
    );
    let back = xx_issued.headers["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/work?issued="), "{back}");
    let work = w.client.get_once(&county_inspector, &back).await.text();
    assert!(work.contains("id=\"done-escalation\""), "{work}");
    assert!(work.contains("没有待签发的逾期通报"), "{work}");
    assert!(
        w.case(&county_inspector, xx).await["escalation_id"].is_i64(),
        "the case is marked escalated"
    );
    let (_, pending) = w.client.get(&leader, "/api/v1/escalations?year=2025").await;
    assert_eq!(
        pending,
        serde_json::json!([]),
        "each case is escalated once"
    );

    // The evaluation's "not rectified in time" is the cases' missed
    // deadlines: the deadline's day is in 2026, so is the finding.
    let config = dukao::config::Config::default();
    let as_of = w.client.clock.now();
    let ctx = dukao::metrics::Context::load(
        &ts.store,
        &config,
        dukao::metrics::Period::new(2026, None, None).unwrap(),
        as_of,
    )
    .await
    .unwrap();
    let judged = dukao::metrics::judge(&ctx, &ts.store).await.unwrap();
    let missed: Vec<_> = judged
        .findings
        .iter()
        .filter(|f| f.source == dukao::vocab::FindingSource::CaseDeadline)
        .map(|f| (f.key.clone(), f.department_id.clone(), f.category))
        .collect();
    assert_eq!(
        missed,
        [
            (
                format!("case:{jc}"),
                w.city[1].clone(),
                dukao::vocab::CategoryCode::RectificationRefused
            ),
            (
                format!("case:{xx}"),
                w.county.clone(),
                dukao::vocab::CategoryCode::RectificationRefused
            ),
        ]
    );
    let before = ctx.for_period(
        dukao::metrics::Period::new(2026, None, None).unwrap(),
        crate::client::START + 10 * 24 * 3600 * 1000,
    );
    let judged = dukao::metrics::judge(&before, &ts.store).await.unwrap();
    assert!(
        judged
            .findings
            .iter()
            .all(|f| f.source != dukao::vocab::FindingSource::CaseDeadline),
        "not before the deadline has passed"
    );

    // Overdue stays a fact: responding late does not undo it.
    let dept = w.who("dept1").await;
    let late = w
        .step(
            &dept,
            jc,
            "response",
            serde_json::json!({"text": "已整改"}),
            200,
        )
        .await;
    assert_eq!(late["overdue"], true);
}
both_backends!(
    overdue_cases_under_jincheng_and_xinxian_are_escalated,
    overdue_cases_are_escalated
);

async fn extensions_and_dismissals(ts: &TestStore) {
    let w = world(ts).await;
    let inspector = w.who("inspector").await;
    let second = w.who("inspector2").await;
    let leader = w.who("leader").await;
    let dept = w.who("dept2").await;
    let id = w.open(&inspector, &w.city[2]).await;
    w.step(
        &dept,
        id,
        "extension",
        serde_json::json!({"reason": "系统改造", "working_days": 5}),
        409,
    )
    .await;
    w.step(&inspector, id, "notice", serde_json::json!({}), 201)
        .await;

    // The department asks; only a leader decides, once.
    w.step(
        &dept,
        id,
        "extension",
        serde_json::json!({"reason": " ", "working_days": 5}),
        400,
    )
    .await;
    let asked = w
        .step(
            &dept,
            id,
            "extension",
            serde_json::json!({"reason": "系统改造需要停机窗口", "working_days": 5}),
            200,
        )
        .await;
    assert!(asked["pending_extension"].is_i64());
    w.step(
        &dept,
        id,
        "extension",
        serde_json::json!({"reason": "再次申请", "working_days": 5}),
        409,
    )
    .await;
    w.step(
        &inspector,
        id,
        "extension-decision",
        serde_json::json!({"approve": true}),
        403,
    )
    .await;
    let approved = w
        .step(
            &leader,
            id,
            "extension-decision",
            serde_json::json!({"approve": true}),
            200,
        )
        .await;
    // 2026-02-13 + 5 working days, over the Spring Festival holiday
    // (15–23 February; Saturday 14 February is a make-up working day).
    assert_eq!(approved["deadline"], "2026-02-27", "{approved}");
    assert!(approved["pending_extension"].is_null());
    let extension = &approved["extensions"][0];
    assert_eq!(extension["approved"], true);
    assert_eq!(extension["decided_by"], "leader的姓名");
    assert!(extension["basis"].as_str().unwrap().contains("本局决定"));
    w.step(
        &leader,
        id,
        "extension-decision",
        serde_json::json!({"approve": true}),
        409,
    )
    .await;

    // Two changes from the same version: the second is stale.
    let version = w.case(&inspector, id).await["version"].as_i64().unwrap();
    let first = w
        .change(
            &inspector,
            id,
            version,
            "dismissal",
            serde_json::json!({"reason": "系统数据口径错误，非部门责任"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let racing = w
        .change(
            &second,
            id,
            version,
            "dismissal",
            serde_json::json!({"reason": "同上"}),
        )
        .await;
    assert_eq!(
        racing.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        racing.text()
    );

    // The proposer cannot decide; a second person can.
    w.step(
        &dept,
        id,
        "dismissal-decision",
        serde_json::json!({"confirm": true}),
        403,
    )
    .await;
    let alone = w
        .step(
            &inspector,
            id,
            "dismissal-decision",
            serde_json::json!({"confirm": true}),
            409,
        )
        .await;
    assert!(
        alone["error"].as_str().unwrap().contains("second person"),
        "{alone}"
    );
    let dismissed = w
        .step(
            &second,
            id,
            "dismissal-decision",
            serde_json::json!({"confirm": true, "remark": "经复核属实"}),
            200,
        )
        .await;
    assert_eq!(dismissed["state"], "dismissed");
    assert_eq!(dismissed["overdue"], false);
    w.client.clock.advance(DAY * 60);
    let inspector = w.who("inspector").await;
    assert_eq!(
        w.case(&inspector, id).await["overdue"],
        false,
        "a dismissed case is never overdue"
    );
}
both_backends!(
    an_extension_approved_and_a_dismissal_by_two,
    extensions_and_dismissals
);

async fn findings_entered_by_hand(ts: &TestStore) {
    let w = world(ts).await;
    let inspector = w.who("inspector").await;
    let c = &w.city[0];
    let answer = w
        .post(
            &inspector,
            "/api/v1/cases",
            serde_json::json!({"department_id": c, "year": 2026, "findings": [],
                "manual": [{"category": "untrue_data", "evidence": "现场核查：人口库与户籍系统不一致"}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let keys = answer.json()["findings"].clone();
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert!(keys[0].as_str().unwrap().starts_with("inspection:"));
    let missing = w
        .post(
            &inspector,
            "/api/v1/cases",
            serde_json::json!({"department_id": c, "year": 2026, "findings": [],
                "manual": [{"category": "untrue_data", "evidence": " "}]}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let unknown = w
        .post(
            &inspector,
            "/api/v1/cases",
            serde_json::json!({"department_id": c, "year": 2025, "findings": ["reply:NOPE"]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text().contains("reply:NOPE"), "{}", unknown.text());
}
both_backends!(
    findings_entered_by_hand_with_evidence,
    findings_entered_by_hand
);

/// A finding that recurs after its case closed — the same rule broken by
/// the same record again, a breach that goes on and began after the
/// closing — reopens the case: dukao itself does it, the finding joins the
/// case, and it runs again as a returned case with its notice's deadline.
/// A breach that began before the closing, one that ended, and a case
/// still open are left alone.
async fn a_recurring_finding_reopens_its_case(ts: &TestStore) {
    use dukao::metrics::findings::{Finding, breaches_of};
    use dukao::metrics::{Context, Period};
    use dukao::vocab::{FindingSource, Status};

    let w = world(ts).await;
    let inspector = w.who("inspector").await;
    let dept = w.who("dept1").await;
    let c = w.city[1].clone();
    let id = w.open(&inspector, &c).await;
    w.step(&inspector, id, "notice", serde_json::json!({}), 201)
        .await;
    w.step(
        &dept,
        id,
        "response",
        serde_json::json!({"text": "已整改", "attachments": []}),
        200,
    )
    .await;
    let closed = w
        .step(
            &inspector,
            id,
            "verification",
            serde_json::json!({"outcome": "accept"}),
            200,
        )
        .await;
    assert_eq!(closed["state"], "closed");
    let deadline = closed["deadline"].clone();
    let keys: Vec<String> = closed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let breaches = breaches_of(&ts.store, &keys).await.unwrap();
    let (key, (rule, record)) = breaches.iter().next().expect("detected findings");

    // The run: the same rule broken by the same record, as its check
    // judges it, in a new episode (a new key).
    let state = &w.client.state;
    let closed_at = state.clock.now();
    let ctx = Context::load(
        &ts.store,
        &state.config,
        Period::new(2025, None, None).unwrap(),
        dukao::time::parse_timestamp("2025-12-31T23:59:59+08:00").unwrap(),
    )
    .await
    .unwrap();
    let judged = dukao::metrics::judge(&ctx, &ts.store).await.unwrap();
    let mut item = judged
        .items
        .iter()
        .find(|i| i.rule == *rule && i.id == *record)
        .expect("the check judges the record")
        .clone();
    item.status = Status::Overdue;
    let finding = |status: Status, occurred_at: i64| {
        let mut item = item.clone();
        item.status = status;
        Finding {
            key: format!("{key}:again"),
            source: FindingSource::Detected,
            department_id: c.clone(),
            category: item.category.expect("a breach has its category"),
            occurred_at,
            item: Some(item),
        }
    };
    let reopen = |run: Vec<Finding>| async move {
        dukao::cases::recurrence::reopen(&ts.store, &run, closed_at + 3_600_000)
            .await
            .unwrap()
    };
    // Began before the closing, or ended (done late): not a recurrence.
    assert!(
        reopen(vec![finding(Status::Overdue, closed_at - 1)])
            .await
            .is_empty()
    );
    assert!(
        reopen(vec![finding(Status::Late, closed_at + 1)])
            .await
            .is_empty()
    );
    // Goes on, began after the closing: the case runs again.
    let reopened = reopen(vec![finding(Status::Overdue, closed_at + 1)]).await;
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0].case_id, id);
    assert_eq!(reopened[0].findings, vec![format!("{key}:again")]);
    let case = w.case(&inspector, id).await;
    assert_eq!(case["state"], "returned", "{case}");
    assert_eq!(case["deadline"], deadline, "the notice's deadline stands");
    assert!(case["closed_at"].is_null());
    assert!(
        case["findings"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(format!("{key}:again")))
    );
    let last = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "reopened");
    assert_eq!(last["actor"], "督考自动监测");
    assert!(last["role"].is_null(), "no person, no role: {last}");
    assert!(
        last["text"].as_str().unwrap().contains("问题复现"),
        "{last}"
    );
    // In the audit trail, as dukao's.
    let entry = sqlx::query("SELECT actor FROM audit_log WHERE subject = $1 ORDER BY seq DESC")
        .bind(format!("case:{id}"))
        .fetch_one(ts.store.pool())
        .await
        .unwrap();
    assert_eq!(entry.try_get::<String, _>(0).unwrap(), "督考自动监测");
    // Open again: the next run leaves it as it is; the department responds.
    assert!(
        reopen(vec![finding(Status::Overdue, closed_at + 2)])
            .await
            .is_empty()
    );
    w.step(
        &dept,
        id,
        "response",
        serde_json::json!({"text": "再次整改", "attachments": []}),
        200,
    )
    .await;
}
both_backends!(
    a_recurring_finding_reopens_its_case_,
    a_recurring_finding_reopens_its_case
);

/// The demo's cases (`dukao demo`): the earlier one, opened and notified in
/// mid-October of the demo year and never answered, went overdue within the
/// year, so the year-end judgement holds its missed deadline as the one
/// 未按期整改 finding (the demo imports no such rows) and its escalation is
/// pending; today's two cases are over other departments, one notified.
async fn the_demos_cases(ts: &TestStore) {
    use dukao::vocab::{CaseState, CategoryCode, FindingSource};
    let store = &ts.store;
    crate::common::import_dir(store, crate::common::demo_csv()).await;
    let archive = tempfile::tempdir().unwrap();
    let config = dukao::config::Config {
        archive_dir: archive.path().to_path_buf(),
        ..dukao::config::Config::default()
    };
    let profiles = config.profiles().unwrap();
    let org = dukao::org::Org::load(store, &profiles, &config.default_profile)
        .await
        .unwrap();
    let earlier = dukao::demo::cases::open_earlier(&config, store, &org, 2025)
        .await
        .unwrap()
        .expect("a city department with findings by October");
    let case = &earlier.case;
    assert_eq!(case.state, CaseState::Notified);
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let deadline = case.deadline.expect("the notice's deadline");
    assert!(
        deadline > day("2025-10-15") && deadline < day("2025-12-31"),
        "{deadline}"
    );
    let notice =
        dukao::documents::archive::get(store, case.notice_id.unwrap(), &dukao::access::Reach::City)
            .await
            .unwrap();
    assert_eq!(
        notice.issued_on, "2025-10-15",
        "a working day, dated as issued"
    );
    assert!(
        notice.issued_at.starts_with("2025-10-15T09:30"),
        "issued by the caller's clock: {}",
        notice.issued_at
    );
    assert!(notice.number.ends_with("〔2025〕1号"), "{}", notice.number);

    // The year-end judgement, as the demo's walkthrough makes it.
    crate::documents::record_findings(store).await;
    let period = dukao::metrics::Period::new(2025, None, None).unwrap();
    let as_of = dukao::metrics::parse_as_of(Some("2025-12-31")).unwrap();
    let ctx = dukao::metrics::Context::load(store, &config, period, as_of)
        .await
        .unwrap();
    let judged = dukao::metrics::judge(&ctx, store).await.unwrap();
    let late: Vec<(String, FindingSource)> = judged
        .findings
        .iter()
        .filter(|f| f.category == CategoryCode::RectificationRefused)
        .map(|f| (f.key.clone(), f.source))
        .collect();
    assert_eq!(
        late,
        [(format!("case:{}", case.id), FindingSource::CaseDeadline)]
    );
    let pending = dukao::cases::escalation::pending(
        store,
        &org,
        &profiles,
        &dukao::access::Reach::City,
        2025,
        day("2025-12-31"),
    )
    .await
    .unwrap();
    assert!(
        pending
            .iter()
            .any(|p| p.cases.iter().any(|c| c.id == case.id)),
        "its escalation awaits an inspector"
    );

    // Today's cases: other departments, the department user's notified.
    let today = dukao::demo::cases::open(&config, store, &org, 2025, &[earlier.clone()])
        .await
        .unwrap();
    let states: Vec<CaseState> = today.iter().map(|c| c.case.state).collect();
    assert_eq!(states, [CaseState::Notified, CaseState::Opened]);
    assert!(
        today
            .iter()
            .all(|c| c.case.department_id != case.department_id)
    );
    assert_ne!(today[0].case.department_id, today[1].case.department_id);
}
both_backends!(the_demos_cases_, the_demos_cases);
