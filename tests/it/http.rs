//! The HTTP service, driven through the real router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dukao::config::Config;
use dukao::http::AppState;
use dukao::web::router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::both_backends;
use crate::common::{TestStore, demo_csv, fingerprint, import_dir};

const TOKEN: &str = "platform-secret-token";

pub(crate) fn app(ts: &TestStore) -> axum::Router {
    let config = Config {
        ingest_tokens: vec![TOKEN.to_string()],
        ..Config::default()
    };
    router(AppState {
        store: ts.store.clone(),
        config: Arc::new(config),
    })
}

async fn call(app: &axum::Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn ingest(table: &str, token: Option<&str>, content_type: &str, body: &str) -> Request<Body> {
    let mut builder =
        Request::post(format!("/api/v1/ingest/{table}")).header("content-type", content_type);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

const FINDINGS_OK: &str = concat!(
    "{\"id\":\"F-9001\",\"department_id\":\"D1\",\"category\":\"approval_overdue\",\"found_at\":\"2025-06-03T10:00:00+08:00\",\"inspector\":\"李明\",\"evidence\":\"申请 R1 逾期\"}\n",
    "{\"id\":\"F-9002\",\"department_id\":\"D2\",\"category\":\"other\",\"found_at\":\"2025-06-04T10:00:00\",\"inspector\":\"李明\",\"evidence\":\"#panic(\\\"x\\\") *粗* $x$ ]\"}\n",
);

async fn ingest_over_http(ts: &TestStore) {
    let app = app(ts);
    // Seed jurisdictions and departments over HTTP as CSV.
    let (status, body) = call(
        &app,
        ingest(
            "jurisdictions",
            Some(TOKEN),
            "text/csv",
            "id,name,level,parent_id,profile\nJ1,云州市,city,,jincheng\n",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], 1);
    let (status, _) = call(
        &app,
        ingest(
            "departments",
            Some(TOKEN),
            "text/csv; charset=utf-8",
            "id,name,jurisdiction_id,credit_code,is_authority\nD1,云州市大数据局,J1,,true\nD2,云州市公安局,J1,,false\n",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Wrong or missing token: 401, nothing stored.
    let before = fingerprint(&ts.store).await;
    let (status, body) = call(
        &app,
        ingest(
            "findings",
            Some("wrong"),
            "application/x-ndjson",
            FINDINGS_OK,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "missing or invalid platform token");
    let (status, _) = call(
        &app,
        ingest("findings", None, "application/x-ndjson", FINDINGS_OK),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(fingerprint(&ts.store).await, before);

    // A bad row: 422 with the list of errors, nothing stored.
    let bad = format!(
        "{FINDINGS_OK}{}\n",
        "{\"id\":\"F-9003\",\"department_id\":\"D7\",\"category\":\"laziness\",\"found_at\":\"2025-06-04T10:00:00+08:00\",\"inspector\":\"李明\",\"evidence\":\"x\"}"
    );
    let (status, body) = call(
        &app,
        ingest("findings", Some(TOKEN), "application/x-ndjson", &bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["total"], 2);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors[0]["file"], "findings body");
    assert_eq!(errors[0]["location"]["line"], 3);
    assert_eq!(errors[0]["column"], "department_id");
    assert_eq!(errors[0]["value"], "D7");
    assert_eq!(errors[1]["column"], "category");
    assert_eq!(fingerprint(&ts.store).await, before);

    // A good batch lands.
    let (status, body) = call(
        &app,
        ingest("findings", Some(TOKEN), "application/x-ndjson", FINDINGS_OK),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], 2);
    assert_eq!(
        ts.store
            .count(dukao::model::TableName::Findings)
            .await
            .unwrap(),
        2
    );

    // Unknown table, unsupported type.
    let (status, _) = call(&app, ingest("requests", Some(TOKEN), "text/csv", "id\n1\n")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        ingest("findings", Some(TOKEN), "application/xml", "<x/>"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Every run is recorded.
    let (status, body) = call(
        &app,
        Request::get("/api/v1/imports").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let runs = body.as_array().unwrap();
    assert_eq!(runs.len(), 4, "{body}");
    assert_eq!(runs[0]["landed"], true);
    assert_eq!(runs[1]["landed"], false);
    assert_eq!(runs[1]["errors"], 2);
}
both_backends!(ingest_over_http_, ingest_over_http);

async fn read_endpoints(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let app = app(ts);
    let (status, body) = call(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (_, body) = call(
        &app,
        Request::get("/api/v1/jurisdictions")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let jurisdictions = body.as_array().unwrap();
    assert!(jurisdictions.len() >= 4, "{body}");
    let city = jurisdictions.iter().find(|j| j["level"] == "city").unwrap();
    assert_eq!(city["profile"], "jincheng");
    let id = city["id"].as_str().unwrap();
    let (_, body) = call(
        &app,
        Request::get(format!("/api/v1/departments?jurisdiction_id={id}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let departments = body.as_array().unwrap();
    assert!(!departments.is_empty());
    assert!(departments.iter().all(|d| d["jurisdiction_id"] == id));
    assert_eq!(
        departments
            .iter()
            .filter(|d| d["is_authority"] == true)
            .count(),
        1
    );
    let (_, body) = call(
        &app,
        Request::get("/api/v1/tables").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(body.as_array().unwrap().len(), 12);
}
both_backends!(read_endpoints_, read_endpoints);

pub(crate) async fn get(app: &axum::Router, uri: &str) -> (StatusCode, serde_json::Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn metrics_and_evaluation_endpoints(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let app = app(ts);

    let (status, body) = get(&app, "/api/v1/check/approvals?year=2025&as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body.as_array().unwrap();
    assert!(!items.is_empty());
    for key in [
        "id",
        "responsible_id",
        "citation",
        "due",
        "done_at",
        "status",
        "stage",
    ] {
        assert!(items[0].get(key).is_some(), "{key} missing: {}", items[0]);
    }
    let (status, _) = get(&app, "/api/v1/check/nonsense?year=2025").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, "/api/v1/check/grants?year=2025&quarter=5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get(&app, "/api/v1/metrics?year=2025&as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body["checks"].as_array().unwrap().is_empty());

    let (status, body) = get(&app, "/api/v1/evaluation/2025?as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "live");
    assert_eq!(body["year"], 2025);
    let dept = body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["evaluable"] == true)
        .unwrap();
    let county = body["counties"][0]["id"].as_str().unwrap().to_string();
    let id = dept["id"].as_str().unwrap();
    let (status, one) = get(
        &app,
        &format!("/api/v1/evaluation/2025/{id}?as_of=2025-12-31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["kind"], "department");
    assert_eq!(one["score"], dept["score"]);
    assert!(one["indicators"].as_array().unwrap().len() == 6);
    let (status, one) = get(
        &app,
        &format!("/api/v1/evaluation/2025/{county}?as_of=2025-12-31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["kind"], "county");
    assert!(!one["departments"].as_array().unwrap().is_empty());
    let (status, _) = get(&app, "/api/v1/evaluation/2025/NOPE?as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, "/api/v1/evaluation/twenty").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
both_backends!(
    metrics_and_evaluation_endpoints_,
    metrics_and_evaluation_endpoints
);
