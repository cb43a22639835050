//! The official documents on the small demo municipality, on both backends:
//! each document renders from the store, and the PDF itself is checked
//! (its text: addressee, 发文字号, citations, deadline; every font
//! embedded; A4 pages; the 版记 on an even last page); numbering is sequential per issuer,
//! kind and year, safe under concurrent issuing; the archive is immutable; a
//! correction replaces; a hostile department name prints literally.

use std::sync::Arc;

use chrono::NaiveDate;
use dukao::access::Reach;
use dukao::config::Config;
use dukao::documents::annual::{self, AnnualRequest};
use dukao::documents::archive::{self, IssueOptions};
use dukao::documents::circular::{self, CircularRequest};
use dukao::documents::notice::{self, NoticeRequest};
use dukao::documents::{DocumentError, Engine, Prepared, chinese_date};
use dukao::metrics::cli::{self, MetricsArgs, MetricsFormat, PeriodArgs};
use dukao::store::Store;
use sqlx::Row;

use crate::both_backends;
use crate::common::{TestStore, demo_csv, import_dir};
use crate::pdf_inspect;

const HOSTILE: &str = "#panic(\"x\") *粗* $x$ ]";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn engine() -> Arc<Engine> {
    Engine::shared().expect("the engine builds from assets/fonts")
}

/// The PDF's text without the spaces and line breaks of the layout.
fn text_of(pdf: &[u8]) -> String {
    pdf_inspect::squeeze(&pdf_inspect::text(pdf))
}

/// Every page A4, every font embedded, and the 版记 on the last page,
/// which is even (the back cover, GB/T 9704 §7.4).
fn assert_a4_and_embedded(pdf: &[u8]) {
    assert!(
        pdf_inspect::all_a4(pdf),
        "{:?}",
        pdf_inspect::page_sizes(pdf)
    );
    let fonts = pdf_inspect::fonts(pdf);
    assert!(fonts.iter().all(|f| f.1), "not embedded: {fonts:?}");
    pdf_inspect::banji_placement(pdf, "版记");
}

/// Records the detected findings of 2025 as `dukao metrics` does.
pub(crate) async fn record_findings(store: &Store) {
    let args = MetricsArgs {
        period: PeriodArgs {
            year: 2025,
            quarter: None,
            month: None,
            as_of: Some("2025-12-31".into()),
        },
        format: MetricsFormat::Json,
        timings: false,
    };
    cli::run_metrics(&Config::default(), store, &args, &mut Vec::new())
        .await
        .unwrap();
}

/// City departments (governed by JC) with findings in 2025, most first.
pub(crate) async fn city_departments_with_findings(store: &Store) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT d.id, d.name, COUNT(*) AS n FROM detected_findings f \
         JOIN departments d ON d.id = f.department_id \
         JOIN jurisdictions j ON j.id = d.jurisdiction_id \
         WHERE j.parent_id IS NULL AND NOT d.is_authority \
         GROUP BY d.id, d.name ORDER BY n DESC, d.id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
    .collect()
}

fn notice_request(department: &str, on: &str) -> NoticeRequest {
    NoticeRequest {
        findings: None,
        department_id: department.into(),
        year: 2025,
        date: date(on),
        working_days: None,
        cc: vec![],
        replaces: None,
    }
}

/// Issues `prepared` (no correction) into the archive `dir`.
async fn issue(
    store: &Store,
    prepared: &Prepared,
    dir: &std::path::Path,
) -> (archive::IssuedDocument, Vec<u8>) {
    archive::issue(store, engine(), prepared, &options(dir, None))
        .await
        .unwrap()
}

fn options(dir: &std::path::Path, replaces: Option<i64>) -> IssueOptions {
    IssueOptions {
        archive_dir: dir.to_path_buf(),
        issued_by: "test".into(),
        replaces,
        now_ms: dukao::time::parse_timestamp("2026-02-10T10:00:00+08:00").unwrap(),
    }
}

async fn notices_and_circulars(ts: &TestStore) {
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let config = Config::default();
    let archive_dir = tempfile::tempdir().unwrap();
    let departments = city_departments_with_findings(store).await;
    assert!(
        departments.len() >= 3,
        "the demo has late city departments: {departments:?}"
    );
    let (dept, name) = departments[0].clone();

    // A draft: unnumbered, watermarked, nothing recorded.
    let prepared = notice::prepare(store, &config, &notice_request(&dept, "2026-01-06"))
        .await
        .unwrap();
    let draft = prepared.render_draft(engine()).await.unwrap();
    let text = text_of(&draft);
    // The watermark's characters are rotated: the text layer has them apart.
    assert!(
        text.contains('草') && text.contains('稿') && text.contains("〔2026〕号"),
        "{text}"
    );
    assert!(
        archive::list(store, None, None, &Reach::City)
            .await
            .unwrap()
            .is_empty()
    );

    // Back-dated into 2025, whose numbering has closed: refused, nothing
    // numbered or archived.
    let backdated = notice::prepare(store, &config, &notice_request(&dept, "2025-12-30"))
        .await
        .unwrap();
    match archive::issue(
        store,
        engine(),
        &backdated,
        &options(archive_dir.path(), None),
    )
    .await
    {
        Err(DocumentError::Invalid(m)) => assert!(m.contains("closed"), "{m}"),
        other => panic!("a back-dated issue was accepted: {other:?}"),
    }

    // Issued: numbered 1, archived, the PDF says what it must.
    let (doc, pdf) = issue(store, &prepared, archive_dir.path()).await;
    assert_eq!(doc.sequence, 1);
    assert_eq!(doc.number, prepared.number(Some(1)));
    assert!(doc.number.ends_with("〔2026〕1号"), "{}", doc.number);
    assert_eq!(std::fs::read(&doc.path).unwrap(), pdf);
    assert_eq!(archive::read_pdf(&doc).unwrap(), pdf);
    let text = text_of(&pdf);
    assert!(
        text.contains(&format!("{name}：")),
        "addressee {name}: {text}"
    );
    assert!(text.contains(&doc.number), "number");
    assert!(!text.contains("草稿"));
    let deadline = chinese_date(prepared.deadline.unwrap());
    assert_eq!(
        prepared.deadline,
        Some(date("2026-01-20")),
        "10 working days from 6 January 2026"
    );
    assert!(
        text.contains(&format!("于{deadline}前整改完毕")),
        "deadline {deadline}"
    );
    assert!(
        text.contains("《晋城市政务数据资源共享管理实施细则》第四十三条"),
        "citation"
    );
    assert!(
        text.contains("第四十三条第（八）项"),
        "what follows a missed deadline (JC Art.43(8))"
    );
    assert!(text.contains("抄送：") && text.contains("印发"), "版记");
    assert_a4_and_embedded(&pdf);

    // The same findings are not open any more.
    let again = notice::prepare(store, &config, &notice_request(&dept, "2026-01-07")).await;
    assert!(
        matches!(again, Err(DocumentError::Invalid(_))),
        "{:?}",
        again.map(|p| p.title)
    );

    // Two inspectors at once: two numbers.
    let a = notice::prepare(
        store,
        &config,
        &notice_request(&departments[1].0, "2026-01-06"),
    )
    .await
    .unwrap();
    let b = notice::prepare(
        store,
        &config,
        &notice_request(&departments[2].0, "2026-01-06"),
    )
    .await
    .unwrap();
    let concurrent = options(archive_dir.path(), None);
    let (ra, rb) = tokio::join!(
        archive::issue(store, engine(), &a, &concurrent),
        archive::issue(store, engine(), &b, &concurrent),
    );
    let (ra, rb) = (ra.unwrap().0, rb.unwrap().0);
    let mut numbers = vec![ra.sequence, rb.sequence];
    numbers.sort();
    assert_eq!(numbers, [2, 3]);
    // Both rendered before taking a number, expecting 2: the one that got 3
    // was rendered again, and each PDF carries its own number.
    for d in [&ra, &rb] {
        let pdf = archive::read_pdf(d).unwrap();
        assert!(
            text_of(&pdf).contains(&d.number),
            "{} not in its PDF",
            d.number
        );
    }

    // Each issue is in the audit trail, in the order of its number, with
    // who issued it and the PDF's digest; the chain holds.
    let trail: Vec<_> = dukao::audit::list(store, &dukao::audit::Filter::newest(10))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action != "data.import")
        .collect();
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[2].subject, format!("document:{}", doc.id));
    for entry in &trail {
        let issued = [&doc, &ra, &rb]
            .into_iter()
            .find(|d| entry.subject == format!("document:{}", d.id))
            .unwrap_or_else(|| panic!("{entry:?} names no issued document"));
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            ("document.issue", "test")
        );
        let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap();
        assert_eq!(details["number"], issued.number.as_str());
        assert_eq!(details["sha256"], issued.sha256.as_str());
    }
    assert!(dukao::audit::verify(store).await.unwrap().intact());

    // Immutable.
    for sql in [
        format!(
            "UPDATE issued_documents SET title = 'x' WHERE id = {}",
            doc.id
        ),
        format!("DELETE FROM issued_documents WHERE id = {}", doc.id),
        format!(
            "DELETE FROM issued_document_findings WHERE document_id = {}",
            doc.id
        ),
    ] {
        assert!(
            sqlx::query(&sql).execute(store.pool()).await.is_err(),
            "{sql}"
        );
    }

    // A correction replaces the first notice and names its findings again.
    let mut request = notice_request(&dept, "2026-01-08");
    request.replaces = Some(doc.id);
    request.working_days = Some(15);
    let fixed = notice::prepare(store, &config, &request).await.unwrap();
    assert_eq!(fixed.covers, prepared.covers);
    let (corr, _) = archive::issue(
        store,
        engine(),
        &fixed,
        &options(archive_dir.path(), Some(doc.id)),
    )
    .await
    .unwrap();
    assert_eq!(corr.sequence, 4);
    assert_eq!(corr.replaces_id, Some(doc.id));
    assert_eq!(
        archive::get(store, doc.id, &Reach::City)
            .await
            .unwrap()
            .replaced_by,
        Some(corr.id)
    );
    let twice = archive::issue(
        store,
        engine(),
        &fixed,
        &options(archive_dir.path(), Some(doc.id)),
    )
    .await;
    assert!(matches!(twice, Err(DocumentError::Invalid(_))));

    // The circular: the deadlines passed by 2 February; one department rectified.
    let request = CircularRequest {
        notices: None,
        followed: Default::default(),
        year: 2025,
        jurisdiction_id: None,
        date: date("2026-02-02"),
        except: vec![departments[2].0.clone()],
        cc: vec![],
    };
    let circular = circular::prepare(store, &config, &request).await.unwrap();
    assert_eq!(
        circular.covers.len(),
        2,
        "the correction and the second notice: {:?}",
        circular.covers
    );
    let (issued, pdf) = issue(store, &circular, archive_dir.path()).await;
    assert_eq!(issued.sequence, 1, "numbers run per kind");
    let text = text_of(&pdf);
    assert!(
        text.contains(&name) && text.contains(&departments[1].1),
        "{text}"
    );
    assert!(!text.contains(&departments[2].1), "the department left out");
    assert!(text.contains(&corr.number) && text.contains(&issued.number));
    assert!(
        text.contains("书面通报") && text.contains("第四十三条第（八）项"),
        "JC's escalation"
    );
    assert_a4_and_embedded(&pdf);
    // Named once: no second circular on the same notices.
    let again = circular::prepare(store, &config, &request).await;
    assert!(matches!(again, Err(DocumentError::Invalid(_))));
}
both_backends!(notices, notices_and_circulars);

async fn hostile_department_name(ts: &TestStore) {
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let (dept, _) = city_departments_with_findings(store).await[0].clone();
    sqlx::query("UPDATE departments SET name = $1 WHERE id = $2")
        .bind(HOSTILE)
        .bind(&dept)
        .execute(store.pool())
        .await
        .unwrap();
    let prepared = notice::prepare(
        store,
        &Config::default(),
        &notice_request(&dept, "2026-01-06"),
    )
    .await
    .unwrap();
    let text = text_of(&prepared.render_draft(engine()).await.unwrap());
    let literal: String = HOSTILE.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        text.contains(&format!("{literal}：")),
        "addressee printed literally: {text}"
    );
    assert!(
        text.contains(&format!("{literal}2025年度政务数据共享问题清单")),
        "attachment title"
    );
}
both_backends!(hostile_name, hostile_department_name);

async fn annual_report_on_the_demo(ts: &TestStore) {
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    let request = AnnualRequest {
        year: 2025,
        date: date("2026-01-15"),
        as_of: None,
        signer: Some("王明".into()),
        cc: vec![],
    };
    let prepared: Prepared = annual::prepare(store, &Config::default(), &request)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let pdf = prepared.render_draft(engine()).await.unwrap();
    eprintln!(
        "annual report rendered in {:.2} s (debug build)",
        started.elapsed().as_secs_f64()
    );
    let text = text_of(&pdf);
    for needle in [
        "云州市人民政府：",
        "2025年度政务数据共享情况的报告",
        "一、总体情况",
        "四、审批时效",
        "八、年度评估结果",
        "九、存在的问题",
        "十、下一年度工作建议",
        "图1",
        "图4",
        "签发人：王明",
        "附件1",
        "附件2",
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
    assert_a4_and_embedded(&pdf);
    let pages = pdf_inspect::page_texts(&pdf).len();
    assert!(pages >= 5, "{pages} pages");
}
both_backends!(annual_report, annual_report_on_the_demo);

/// Render times with a warm engine: a notice, and the annual report with
/// its charts. Run in release:
/// `cargo test --release --test it documents::benchmark -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn benchmark() {
    let ts = TestStore::new(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let config = Config::default();
    let t = std::time::Instant::now();
    let engine = Arc::new(Engine::new().unwrap());
    eprintln!(
        "engine build (fonts, templates)     {:>8.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let (dept, _) = city_departments_with_findings(store).await[0].clone();
    let t = std::time::Instant::now();
    let notice = notice::prepare(store, &config, &notice_request(&dept, "2026-01-06"))
        .await
        .unwrap();
    eprintln!(
        "notice data from the store          {:>8.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = std::time::Instant::now();
    let (_, first) = engine
        .render_timed(notice.kind, &notice.inputs(Some(1)))
        .unwrap();
    eprintln!(
        "notice render, first (cold caches)  {:>8.1} ms  ({} pages)",
        t.elapsed().as_secs_f64() * 1e3,
        first.pages
    );
    let times = render_many(&engine, &notice, 20);
    report_times("notice render, warm", &times);
    let request = AnnualRequest {
        year: 2025,
        date: date("2026-01-15"),
        as_of: None,
        signer: None,
        cc: vec![],
    };
    let t = std::time::Instant::now();
    let report = annual::prepare(store, &config, &request).await.unwrap();
    eprintln!(
        "annual data (metrics, evaluation, charts) {:>8.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = std::time::Instant::now();
    let (_, first) = engine
        .render_timed(report.kind, &report.inputs(Some(1)))
        .unwrap();
    eprintln!(
        "annual render, first (cold caches)  {:>8.1} ms  ({} pages)",
        t.elapsed().as_secs_f64() * 1e3,
        first.pages
    );
    let times = render_many(&engine, &report, 5);
    report_times("annual render, warm", &times);
    ts.cleanup().await;
}

/// Renders `prepared` `n` times, each with a new number (the inputs differ
/// as between two documents), giving (total, compile, export) in ms.
fn render_many(engine: &Engine, prepared: &Prepared, n: i64) -> Vec<(f64, f64, f64)> {
    (0..n)
        .map(|i| {
            let inputs = prepared.inputs(Some(i + 2));
            let t = std::time::Instant::now();
            let (pdf, timings) = engine.render_timed(prepared.kind, &inputs).unwrap();
            let total = t.elapsed().as_secs_f64() * 1e3;
            assert!(!pdf.is_empty());
            (
                total,
                timings.compile.as_secs_f64() * 1e3,
                timings.export.as_secs_f64() * 1e3,
            )
        })
        .collect()
}

/// Prints the median and maximum of each phase.
fn report_times(what: &str, times: &[(f64, f64, f64)]) {
    let median = |pick: fn(&(f64, f64, f64)) -> f64| {
        let mut v: Vec<f64> = times.iter().map(pick).collect();
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() - 1])
    };
    let (total, max) = median(|t| t.0);
    let (compile, _) = median(|t| t.1);
    let (export, _) = median(|t| t.2);
    eprintln!(
        "{what} (median of {}) {total:>8.1} ms  (max {max:.1}; compile {compile:.1}, pdf export {export:.1})",
        times.len()
    );
}

/// Writes the demo's documents to /tmp/dukao-samples for looking at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes sample PDFs"]
async fn write_demo_samples() {
    let ts = TestStore::new(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let config = Config::default();
    std::fs::create_dir_all("/tmp/dukao-samples").unwrap();
    let (dept, _) = city_departments_with_findings(store).await[0].clone();
    let n = notice::prepare(store, &config, &notice_request(&dept, "2026-01-06"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, pdf) = issue(store, &n, dir.path()).await;
    std::fs::write("/tmp/dukao-samples/demo-notice.pdf", pdf).unwrap();
    let c = circular::prepare(
        store,
        &config,
        &CircularRequest {
            notices: None,
            followed: Default::default(),
            year: 2025,
            jurisdiction_id: None,
            date: date("2026-02-02"),
            except: vec![],
            cc: vec![],
        },
    )
    .await
    .unwrap();
    std::fs::write(
        "/tmp/dukao-samples/demo-circular.pdf",
        c.render_draft(engine()).await.unwrap(),
    )
    .unwrap();
    let a = annual::prepare(
        store,
        &config,
        &AnnualRequest {
            year: 2025,
            date: date("2026-01-15"),
            as_of: None,
            signer: Some("王明".into()),
            cc: vec![],
        },
    )
    .await
    .unwrap();
    let (_, pdf) = issue(store, &a, dir.path()).await;
    std::fs::write("/tmp/dukao-samples/demo-annual.pdf", pdf).unwrap();
    ts.cleanup().await;
}

async fn documents_over_http(ts: &TestStore) {
    use crate::client::{As, Client};
    use axum::http::{Method, StatusCode};
    use dukao::people::Scope;
    use dukao::vocab::Role;

    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let (dept, name) = city_departments_with_findings(store).await[0].clone();
    // The API archives where the configuration says.
    let archive_dir = tempfile::tempdir().unwrap();
    let client = Client::with_config(
        ts,
        Config {
            archive_dir: archive_dir.path().to_path_buf(),
            ..Config::default()
        },
    );
    client
        .user("wangming", "王明", Role::Inspector, Scope::City)
        .await;
    client
        .user("zhou", "周局长", Role::Leader, Scope::City)
        .await;
    let inspector = client.sign_in("wangming", crate::client::PASSWORD).await;
    let leader = client.sign_in("zhou", crate::client::PASSWORD).await;
    let call = |who: &As, method: Method, uri: &str, body: Option<serde_json::Value>| {
        let (who, uri) = (who.clone(), uri.to_string());
        let client = &client;
        async move {
            let answer = client.send(method, &uri, &who, body).await;
            let content_type = answer
                .headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (answer.status, content_type, answer.bytes)
        }
    };
    // A leader drafts; only an inspector issues.
    let body = serde_json::json!({"department_id": dept, "year": 2025, "date": "2026-01-06"});
    let (status, kind, pdf) = call(
        &leader,
        Method::POST,
        "/api/v1/documents/draft/notice",
        Some(body.clone()),
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(text_of(&pdf).contains(&format!("{name}：")));
    let platform = client
        .token(
            Role::Platform,
            Scope::City,
            &[dukao::model::TableName::Findings],
        )
        .await;
    for (who, expected) in [
        (As::Nobody, StatusCode::UNAUTHORIZED),
        (As::Token("dk_wrong".into()), StatusCode::UNAUTHORIZED),
        (platform, StatusCode::FORBIDDEN),
        (leader.clone(), StatusCode::FORBIDDEN),
    ] {
        let (status, _, _) = call(
            &who,
            Method::POST,
            "/api/v1/documents/issue/notice",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, expected, "{who:?}");
    }
    // A new notice is issued through its case, not here (and none of the
    // refusals above archived anything either).
    let (status, _, json) = call(
        &inspector,
        Method::POST,
        "/api/v1/documents/issue/notice",
        Some(body.clone()),
    )
    .await;
    let refusal = String::from_utf8_lossy(&json).to_string();
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(refusal.contains("/api/v1/cases/{id}/notice"), "{refusal}");
    assert!(
        archive::list(store, None, None, &Reach::City)
            .await
            .unwrap()
            .is_empty()
    );
    let (status, _, json) = call(
        &inspector,
        Method::POST,
        "/api/v1/cases",
        Some(serde_json::json!({"department_id": dept, "year": 2025})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&json)
    );
    let case = serde_json::from_slice::<serde_json::Value>(&json).unwrap()["id"]
        .as_i64()
        .unwrap();
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/cases/{case}/notice"))
        .header("content-type", "application/json")
        .header("if-match", format!("\"case-{case}-v1\""));
    let request = crate::cases::authenticate(request, &inspector)
        .body(axum::body::Body::from(
            serde_json::json!({"date": "2026-01-06"}).to_string(),
        ))
        .unwrap();
    let answer = client.request(request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let id = answer.json()["notice_id"].as_i64().unwrap();
    let issued = archive::get(store, id, &Reach::City).await.unwrap();
    assert_eq!(issued.issued_by, "王明", "the signed-in inspector");
    assert!(issued.number.ends_with("〔2026〕1号"));
    let uri = format!("/api/v1/documents/{id}/pdf");
    let (status, _, pdf) = call(&leader, Method::GET, &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&pdf).contains(issued.number.as_str()));

    // A correction is issued here: it names exactly the findings of the
    // notice it replaces.
    let correction = serde_json::json!({
        "department_id": dept, "year": 2025, "date": "2026-01-07", "replaces": id
    });
    let (status, _, json) = call(
        &inspector,
        Method::POST,
        "/api/v1/documents/issue/notice",
        Some(correction),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&json)
    );
    let corrected: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let corrected_id = corrected["id"].as_i64().unwrap();
    assert_eq!(corrected["issued_by"], "王明");
    assert!(
        corrected["number"]
            .as_str()
            .unwrap()
            .ends_with("〔2026〕2号")
    );
    assert_eq!(
        archive::findings_of(store, corrected_id).await.unwrap(),
        archive::findings_of(store, id).await.unwrap()
    );
    assert!(!archive::findings_of(store, id).await.unwrap().is_empty());
    let trail = dukao::audit::list(store, &dukao::audit::Filter::newest(1))
        .await
        .unwrap();
    assert_eq!(
        (trail[0].actor.as_str(), trail[0].subject.clone()),
        ("王明", format!("document:{corrected_id}"))
    );
    let (status, _, list) = call(&leader, Method::GET, "/api/v1/documents?kind=notice", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&list)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A correction of nothing; unknown kinds and ids.
    let (status, _, _) = call(
        &inspector,
        Method::POST,
        "/api/v1/documents/issue/notice",
        Some(serde_json::json!({"department_id": dept, "year": 2025, "replaces": 999})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &inspector,
        Method::POST,
        "/api/v1/documents/draft/memo",
        Some(serde_json::json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(&inspector, Method::GET, "/api/v1/documents/999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both_backends!(http, documents_over_http);

/// An issue whose audit entry cannot be written is not an issue: no record,
/// no archived file, no number used.
async fn issue_and_audit_commit_together(ts: &TestStore) {
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    record_findings(store).await;
    let config = Config::default();
    let archive_dir = tempfile::tempdir().unwrap();
    let (dept, _) = city_departments_with_findings(store).await[0].clone();
    let prepared = notice::prepare(store, &config, &notice_request(&dept, "2026-01-06"))
        .await
        .unwrap();
    // The import was audited: keep the head to put it back.
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (seq, hash): (i64, String) = (head.try_get(0).unwrap(), head.try_get(1).unwrap());
    sqlx::query("DELETE FROM audit_head")
        .execute(store.pool())
        .await
        .unwrap();
    let failed = archive::issue(
        store,
        engine(),
        &prepared,
        &options(archive_dir.path(), None),
    )
    .await;
    assert!(matches!(failed, Err(DocumentError::Audit(_))), "{failed:?}");
    assert!(
        archive::list(store, None, None, &Reach::City)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(walk_files(archive_dir.path()), 0, "no PDF left behind");

    sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)")
        .bind(seq)
        .bind(hash)
        .execute(store.pool())
        .await
        .unwrap();
    let (doc, _) = issue(store, &prepared, archive_dir.path()).await;
    assert_eq!(doc.sequence, 1, "the failed issue used no number");
    assert!(dukao::audit::verify(store).await.unwrap().intact());
}
both_backends!(
    issue_and_audit_commit_together_,
    issue_and_audit_commit_together
);

/// Files anywhere under `dir`.
fn walk_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk_files(&p) } else { 1 }
        })
        .sum()
}

/// `dukao demo`'s year-end walkthrough: metrics, evaluation and the two
/// drafts, written as files.
async fn demo_walkthrough(ts: &TestStore) {
    let store = &ts.store;
    import_dir(store, demo_csv()).await;
    let dir = tempfile::tempdir().unwrap();
    let written = dukao::demo::walkthrough::run(&Config::default(), store, 2025, dir.path())
        .await
        .unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|w| w.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    let read = |i: usize| std::fs::read(&written[i].path).unwrap();
    let evaluation = String::from_utf8(read(1)).unwrap();
    assert!(evaluation.contains("市直部门排名"), "{evaluation}");
    assert!(!read(0).is_empty());
    // The notice goes to a department with findings, never to an authority.
    let department = names[2]
        .strip_prefix("notice-")
        .and_then(|n| n.strip_suffix("-2025-draft.pdf"))
        .unwrap()
        .to_string();
    let (name, authority): (String, bool) =
        sqlx::query("SELECT name, is_authority FROM departments WHERE id = $1")
            .bind(&department)
            .fetch_one(store.pool())
            .await
            .map(|r| {
                (
                    r.try_get(0).unwrap(),
                    dukao::store::get_bool(&r, "is_authority").unwrap().unwrap(),
                )
            })
            .unwrap();
    assert!(!authority);
    let notice = text_of(&read(2));
    assert!(
        notice.contains(&format!("{name}：")) && notice.contains("整改"),
        "{notice}"
    );
    assert!(text_of(&read(3)).contains("2025年度"));
    assert!(
        archive::list(store, None, None, &Reach::City)
            .await
            .unwrap()
            .is_empty(),
        "drafts only"
    );
}
both_backends!(demo_walkthrough_, demo_walkthrough);
