//! The HTTP service, driven through the real router with real identities.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use dukao::model::TableName;
use dukao::people::Scope;
use dukao::vocab::Role;

use crate::both_backends;
use crate::client::{As, Client};
use crate::common::{TestStore, demo_csv, fingerprint, import_dir};

async fn ingest(
    client: &Client,
    table: &str,
    who: &As,
    content_type: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let uri = format!("/api/v1/ingest/{table}");
    let answer = client
        .raw(
            Method::POST,
            &uri,
            who,
            content_type,
            Body::from(body.to_string()),
        )
        .await;
    (answer.status, answer.json())
}

const FINDINGS_OK: &str = concat!(
    "{\"id\":\"F-9001\",\"department_id\":\"D1\",\"category\":\"approval_overdue\",\"found_at\":\"2025-06-03T10:00:00+08:00\",\"inspector\":\"李明\",\"evidence\":\"申请 R1 逾期\"}\n",
    "{\"id\":\"F-9002\",\"department_id\":\"D2\",\"category\":\"other\",\"found_at\":\"2025-06-04T10:00:00\",\"inspector\":\"李明\",\"evidence\":\"#panic(\\\"x\\\") *粗* $x$ ]\"}\n",
);

async fn ingest_over_http(ts: &TestStore) {
    let client = Client::new(ts);
    let tables = [
        TableName::Jurisdictions,
        TableName::Departments,
        TableName::Findings,
    ];
    let token = client.token(Role::Platform, Scope::City, &tables).await;
    // Seed jurisdictions and departments over HTTP as CSV.
    let (status, body) = ingest(
        &client,
        "jurisdictions",
        &token,
        "text/csv",
        "id,name,level,parent_id,profile\nJ1,云州市,city,,jincheng\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], 1);
    let (status, _) = ingest(
        &client,
        "departments",
        &token,
        "text/csv; charset=utf-8",
        "id,name,jurisdiction_id,credit_code,is_authority\nD1,云州市大数据局,J1,,true\nD2,云州市公安局,J1,,false\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Wrong or missing token: 401; a token without the table, or not a
    // platform's: 403. Nothing stored.
    let before = fingerprint(&ts.store).await;
    let ndjson = "application/x-ndjson";
    let wrong = As::Token("dk_wrong".into());
    let (status, body) = ingest(&client, "findings", &wrong, ndjson, FINDINGS_OK).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"].as_str().unwrap().contains("sign in"),
        "{body}"
    );
    let (status, _) = ingest(&client, "findings", &As::Nobody, ndjson, FINDINGS_OK).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let grants_only = client
        .token(Role::Platform, Scope::City, &[TableName::Grants])
        .await;
    let (status, body) = ingest(&client, "findings", &grants_only, ndjson, FINDINGS_OK).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("findings"),
        "{body}"
    );
    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let (status, _) = ingest(&client, "findings", &leader, ndjson, FINDINGS_OK).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(fingerprint(&ts.store).await, before);

    // A bad row: 422 with the list of errors, nothing stored.
    let bad = format!(
        "{FINDINGS_OK}{}\n",
        "{\"id\":\"F-9003\",\"department_id\":\"D7\",\"category\":\"laziness\",\"found_at\":\"2025-06-04T10:00:00+08:00\",\"inspector\":\"李明\",\"evidence\":\"x\"}"
    );
    let (status, body) = ingest(&client, "findings", &token, ndjson, &bad).await;
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
    let (status, body) = ingest(&client, "findings", &token, ndjson, FINDINGS_OK).await;
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
    let (status, _) = ingest(&client, "requests", &token, "text/csv", "id\n1\n").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ingest(&client, "findings", &token, "application/xml", "<x/>").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Every run is recorded, with the token that pushed it.
    let (status, body) = client.get(&token, "/api/v1/imports").await;
    assert_eq!(status, StatusCode::OK);
    let runs = body.as_array().unwrap();
    assert_eq!(runs.len(), 4, "{body}");
    assert_eq!(runs[0]["landed"], true);
    assert_eq!(runs[1]["landed"], false);
    assert_eq!(runs[1]["errors"], 2);
    assert_eq!(runs[0]["source"], "http:findings:platform-0", "{body}");
    // Each landed push is audited in the name of its token.
    let trail = dukao::audit::list(&ts.store, &dukao::audit::Filter::newest(100))
        .await
        .unwrap();
    let imports: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "data.import")
        .map(|e| (e.actor.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        imports,
        [
            ("platform-0", "import:http:findings:platform-0"),
            ("platform-0", "import:http:departments:platform-0"),
            ("platform-0", "import:http:jurisdictions:platform-0"),
        ]
    );
}
both_backends!(ingest_over_http_, ingest_over_http);

async fn read_endpoints(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let client = Client::new(ts);
    let (status, body) = client.get(&As::Nobody, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let (_, body) = client.get(&leader, "/api/v1/jurisdictions").await;
    let jurisdictions = body.as_array().unwrap();
    assert!(jurisdictions.len() >= 4, "{body}");
    let city = jurisdictions.iter().find(|j| j["level"] == "city").unwrap();
    assert_eq!(city["profile"], "jincheng");
    let id = city["id"].as_str().unwrap();
    let (_, body) = client
        .get(
            &leader,
            &format!("/api/v1/departments?jurisdiction_id={id}"),
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
    let (_, body) = client.get(&leader, "/api/v1/tables").await;
    assert_eq!(body.as_array().unwrap().len(), 12, "{body}");
}
both_backends!(read_endpoints_, read_endpoints);

async fn metrics_and_evaluation_endpoints(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let client = Client::new(ts);
    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let get = |uri: &'static str| client.get(&leader, uri);

    let (status, body) = get("/api/v1/check/approvals?year=2025&as_of=2025-12-31").await;
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
    let (status, _) = get("/api/v1/check/nonsense?year=2025").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get("/api/v1/check/grants?year=2025&quarter=5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get("/api/v1/metrics?year=2025&as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body["checks"].as_array().unwrap().is_empty());

    let (status, body) = get("/api/v1/evaluation/2025?as_of=2025-12-31").await;
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
    let uri = format!("/api/v1/evaluation/2025/{id}?as_of=2025-12-31");
    let (status, one) = client.get(&leader, &uri).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["kind"], "department");
    assert_eq!(one["score"], dept["score"]);
    assert!(one["indicators"].as_array().unwrap().len() == 6);
    let uri = format!("/api/v1/evaluation/2025/{county}?as_of=2025-12-31");
    let (status, one) = client.get(&leader, &uri).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["kind"], "county");
    assert!(!one["departments"].as_array().unwrap().is_empty());
    let (status, _) = get("/api/v1/evaluation/2025/NOPE?as_of=2025-12-31").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get("/api/v1/evaluation/twenty").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
both_backends!(
    metrics_and_evaluation_endpoints_,
    metrics_and_evaluation_endpoints
);
