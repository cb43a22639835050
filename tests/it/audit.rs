//! The audit trail on both backends: entries chain by hash, concurrent
//! appenders queue, an entry commits or rolls back with its change, and
//! `verify` finds an altered entry and a cut-off tail (made here by a
//! database owner who bypasses the append-only triggers).

use dukao::audit::{self, Change, Filter};
use dukao::people::Scope;
use dukao::store::Store;
use dukao::vocab::{AuditAction, Role};
use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestStore};

async fn record(store: &Store, actor: &str, subject: &str) -> audit::Entry {
    let mut tx = store.pool().begin().await.unwrap();
    let entry = audit::append(
        &mut tx,
        &Change {
            actor,
            action: AuditAction::DocumentIssue,
            subject: subject.into(),
            details: json!({"number": subject, "note": "王明 签发"}),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    entry
}

/// Runs SQL as the database owner would, with the append-only triggers off.
async fn tamper(ts: &TestStore, sql: &str) {
    let pool = ts.store.pool();
    match ts.backend {
        Backend::Sqlite => {
            for t in ["audit_log_no_update", "audit_log_no_delete"] {
                sqlx::query(&format!("DROP TRIGGER IF EXISTS {t}"))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        Backend::Postgres => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut *tx).await.unwrap();
            sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    }
}

async fn chain(ts: &TestStore) {
    let store = &ts.store;
    // An empty trail is intact.
    let empty = audit::verify(store).await.unwrap();
    assert!(empty.intact() && empty.entries == 0, "{empty:?}");

    let first = record(store, "王明", "document:1").await;
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, audit::GENESIS));
    let second = record(store, "李华", "document:2").await;
    assert_eq!(second.seq, 2);
    assert_eq!(second.prev_hash, first.hash);

    // Eight at once: they queue on the head row, the chain stays linear.
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                record(&store, "inspector", &format!("document:{}", 10 + i)).await
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let v = audit::verify(store).await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(v.entries, 10);
    let listed = audit::list(store, &Filter::newest(100)).await.unwrap();
    assert_eq!(
        listed.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=10).rev().collect::<Vec<_>>()
    );
    assert_eq!(listed[0].hash, v.head);
    let about_two = audit::list(
        store,
        &Filter {
            subject: Some("document:2".into()),
            ..Filter::newest(10)
        },
    )
    .await
    .unwrap();
    assert_eq!(about_two, vec![second.clone()]);
    let details: serde_json::Value = serde_json::from_str(&about_two[0].details).unwrap();
    assert_eq!(
        details,
        json!({"number": "document:2", "note": "王明 签发"})
    );

    // Rolled back with its change: no entry, no number used.
    let mut tx = store.pool().begin().await.unwrap();
    audit::append(
        &mut tx,
        &Change {
            actor: "王明",
            action: AuditAction::EvaluationFreeze,
            subject: "evaluation:2025".into(),
            details: json!({}),
        },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let v = audit::verify(store).await.unwrap();
    assert!(v.intact() && v.entries == 10, "{v:?}");
    assert_eq!(record(store, "王明", "document:20").await.seq, 11);

    // The store refuses edits and deletions.
    for sql in [
        "UPDATE audit_log SET actor = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 11",
    ] {
        assert!(
            sqlx::query(sql).execute(store.pool()).await.is_err(),
            "{sql}"
        );
    }

    // Whoever gets past the triggers is found out: an altered entry...
    tamper(ts, "UPDATE audit_log SET actor = '张三' WHERE seq = 2").await;
    let v = audit::verify(store).await.unwrap();
    let b = v.broken.clone().expect("the altered entry is found");
    assert_eq!((b.seq, v.entries), (2, 1), "{v:?}");
    assert!(b.reason.contains("已被改动"), "{}", b.reason);
    tamper(ts, "UPDATE audit_log SET actor = '李华' WHERE seq = 2").await;
    assert!(audit::verify(store).await.unwrap().intact());

    // ... a removed entry in the middle, and a cut-off tail.
    tamper(ts, "DELETE FROM audit_log WHERE seq = 11").await;
    let b = audit::verify(store).await.unwrap().broken.unwrap();
    assert_eq!(b.seq, 11);
    assert!(b.reason.contains("末尾记录已被删除"), "{}", b.reason);
    tamper(ts, "DELETE FROM audit_log WHERE seq = 5").await;
    let b = audit::verify(store).await.unwrap().broken.unwrap();
    assert_eq!(b.seq, 6);
    assert!(b.reason.contains("第5条记录缺失"), "{}", b.reason);
}
both_backends!(hash_chain, chain);

async fn cli_and_http(ts: &TestStore) {
    let store = &ts.store;
    // The reader's token is the first entry.
    let client = crate::client::Client::new(ts);
    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let get = |uri: &'static str| client.get(&leader, uri);
    record(store, "王明", "document:1").await;
    record(store, "李华", "evaluation:2025").await;

    let (status, body) = get("/api/v1/audit?limit=1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body[0]["seq"], 3);
    assert_eq!(body[0]["actor"], "李华");
    let (_, body) = get("/api/v1/audit?subject=document:1").await;
    assert_eq!(body[0]["seq"], 2, "{body}");
    let (status, body) = get("/api/v1/audit/verify").await;
    assert_eq!(status, 200);
    assert_eq!(body["entries"], 3, "{body}");
    assert!(body["broken"].is_null(), "{body}");

    let args = |verify: bool| dukao::audit::AuditArgs {
        verify,
        subject: None,
        limit: 50,
        json: false,
    };
    let mut out = Vec::new();
    assert!(
        dukao::audit::run_audit(store, &args(false), &mut out)
            .await
            .unwrap()
    );
    let listing = String::from_utf8(out).unwrap();
    assert!(
        listing.lines().count() == 3
            && listing.contains("李华")
            && listing.contains("document.issue"),
        "{listing}"
    );
    let mut out = Vec::new();
    assert!(
        dukao::audit::run_audit(store, &args(true), &mut out)
            .await
            .unwrap()
    );
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("审计日志完整：共3条")
    );

    tamper(ts, "UPDATE audit_log SET details = '{}' WHERE seq = 2").await;
    let mut out = Vec::new();
    assert!(
        !dukao::audit::run_audit(store, &args(true), &mut out)
            .await
            .unwrap()
    );
    let report = String::from_utf8(out).unwrap();
    assert!(report.starts_with("审计日志校验失败"), "{report}");
    let (_, body) = get("/api/v1/audit/verify").await;
    assert_eq!(body["broken"]["seq"], 2, "{body}");
}
both_backends!(cli_and_http_, cli_and_http);
