//! A bureau adds a sixth regulation without touching code: a fictional
//! county's measures (tests/it/fixtures/yunxi/: the profile and the text it
//! quotes), loaded from the folder the configuration names, validated at
//! ingest, judged with its own deadlines and cited in a notice.

use std::path::{Path, PathBuf};

use dukao::config::Config;
use dukao::documents::Engine;
use dukao::documents::notice::{self, NoticeRequest};
use dukao::ingest::{self, ImportError, ImportOptions};
use dukao::metrics::{self, Context, Period, parse_as_of};
use dukao::rules::Profiles;
use dukao::vocab::{FindingSource, JurisdictionLevel, Rule};

use crate::both_backends;
use crate::common::{TestStore, demo_csv, import_dir};
use crate::pdf_inspect;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/yunxi")
}

/// The demo's jurisdictions with its district governed by `yunxi`.
fn jurisdictions_under_yunxi(dir: &Path) -> (PathBuf, String) {
    let csv = std::fs::read_to_string(demo_csv().join("jurisdictions.csv")).unwrap();
    let mut district = String::new();
    let lines: Vec<String> = csv
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            if cols.get(2) == Some(&JurisdictionLevel::District.as_str()) && district.is_empty() {
                district = cols[0].to_string();
                format!("{},{},{},{},yunxi", cols[0], cols[1], cols[2], cols[3])
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(!district.is_empty(), "the demo has a district");
    let path = dir.join("jurisdictions.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    (path, district)
}

async fn a_sixth_regulation_from_a_folder(ts: &TestStore) {
    let store = &ts.store;
    let config = Config {
        profiles: Some(fixtures()),
        ..Config::default()
    };
    let profiles = config.profiles().expect("the folder's profile loads");
    assert_eq!(profiles.len(), Profiles::SHIPPED.len() + 1);
    let yunxi = profiles.by_id("yunxi").unwrap();
    assert_eq!(yunxi.code, "YX");
    import_dir(store, demo_csv()).await;

    // Ingest refuses an id the deployment has not loaded, naming it …
    let dir = tempfile::tempdir().unwrap();
    let (file, district) = jurisdictions_under_yunxi(dir.path());
    let sources = ingest::discover(std::slice::from_ref(&file)).unwrap();
    match ingest::import(store, sources, &ImportOptions::default()).await {
        Err(ImportError::Invalid { errors, .. }) => {
            let e = errors[0].to_string();
            assert!(e.contains("profile") && e.contains("yunxi"), "{e}");
        }
        other => panic!("the unloaded profile was accepted: {other:?}"),
    }
    // … and takes it once the folder is loaded.
    let sources = ingest::discover(std::slice::from_ref(&file)).unwrap();
    ingest::import(store, sources, &ImportOptions::new("test", &profiles))
        .await
        .expect("a loaded profile is a valid id");

    // Judged under its own deadlines and articles.
    let period = Period::new(2025, None, None).unwrap();
    let ctx = Context::load(
        store,
        &config,
        period,
        parse_as_of(Some("2025-12-31")).unwrap(),
    )
    .await
    .unwrap();
    let governed: Vec<&str> = ctx
        .org
        .departments
        .values()
        .filter(|d| d.profile == "yunxi")
        .map(|d| d.id.as_str())
        .collect();
    assert!(!governed.is_empty());
    assert!(
        governed
            .iter()
            .all(|id| { ctx.org.departments[*id].jurisdiction_id == district })
    );
    let judged = metrics::judge(&ctx, store).await.unwrap();
    let replies: Vec<_> = judged
        .items
        .iter()
        .filter(|i| i.rule == Rule::Reply && i.profile == "yunxi")
        .collect();
    assert!(
        !replies.is_empty(),
        "the district's departments reply to requests"
    );
    assert!(replies.iter().all(|i| i.working_days == Some(3)
        && i.citation == "YX Art.6"
        && i.citation_text == "《云溪县政务数据共享管理办法》第六条"));
    judged
        .record(&ctx, store, dukao::time::now_millis())
        .await
        .unwrap();

    // A notice under it: issued by the district's own bureau (same level),
    // citing the fictional articles.
    let department = judged
        .findings
        .iter()
        .filter(|f| f.source == FindingSource::Detected)
        .filter(|f| governed.contains(&f.department_id.as_str()))
        .filter(|f| !ctx.org.departments[&f.department_id].is_authority)
        .map(|f| f.department_id.clone())
        .next()
        .expect("a department of the district has findings");
    let request = NoticeRequest {
        findings: None,
        department_id: department.clone(),
        year: 2025,
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 6).unwrap(),
        working_days: None,
        cc: vec![],
        replaces: None,
    };
    let prepared = notice::prepare(store, &config, &request).await.unwrap();
    let bureau = ctx
        .org
        .jurisdictions
        .get(&district)
        .and_then(|j| j.authority_id.clone())
        .unwrap();
    assert_eq!(prepared.issuer_id, bureau, "the district's bureau issues");
    let pdf = prepared
        .render_draft(Engine::shared().unwrap())
        .await
        .unwrap();
    let text = pdf_inspect::squeeze(&pdf_inspect::text(&pdf));
    assert!(text.contains("《云溪县政务数据共享管理办法》"), "{text}");
    assert!(
        text.contains("第三条“对发现的问题督促有关部门限期整改”"),
        "{text}"
    );
    assert!(
        text.contains("所列情形"),
        "an item of Art.10 names the conduct: {text}"
    );
    assert!(text.contains("第十条第（"), "{text}");
    // 8 working days from 6 January 2026 (the profile's bureau default).
    assert_eq!(
        prepared.deadline,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 16)
    );
}

both_backends!(sixth_regulation, a_sixth_regulation_from_a_folder);
