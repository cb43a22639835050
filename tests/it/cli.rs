//! The `dukao` binary as a user runs it.

use std::process::Command;

fn dukao() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dukao"));
    cmd.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    cmd
}

#[test]
fn help_explains_every_subcommand() {
    let out = dukao().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for sub in ["demo", "import", "generate", "serve", "migrate"] {
        assert!(text.contains(sub), "{sub} missing from --help:\n{text}");
    }
}

#[test]
fn generate_then_import_then_bad_import_exits_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    let out = dukao()
        .args(["generate", "--out"])
        .arg(&data)
        .args(["--seed", "3", "--scale", "small"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dukao()
        .arg("import")
        .arg(&data)
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("share_requests"), "{stdout}");

    let bad = dir.path().join("findings.csv");
    std::fs::write(
        &bad,
        "id,department_id,category,found_at,inspector,evidence\nF-x,NOPE,other,2025-01-01,王,x\nF-y,NOPE,other,2025-01-01,王,x\n",
    )
    .unwrap();
    let out = dukao()
        .arg("import")
        .arg(&bad)
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("line 2, column department_id, value \"NOPE\""),
        "{stderr}"
    );
    assert!(stderr.contains("line 3, column department_id"), "{stderr}");
    assert!(
        stderr.contains("2 error(s); nothing was imported"),
        "{stderr}"
    );
}

fn stdout_of(args: &[&str]) -> (bool, String, String) {
    let out = dukao().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn calendar_deadline_and_workday() {
    // National Day 2025: Oct 1–8 off, Sun Sep 28 and Sat Oct 11 worked.
    let (ok, out, _) = stdout_of(&[
        "calendar",
        "deadline",
        "--from",
        "2025-09-30",
        "--working-days",
        "1",
    ]);
    assert!(ok);
    assert_eq!(out, "2025-10-09\n");
    // 23:59 local on Friday Sep 26: day 1 is Sun Sep 28 (make-up), day 2 Mon Sep 29.
    let (_, out, _) = stdout_of(&[
        "calendar",
        "deadline",
        "--from",
        "2025-09-26T23:59:00+08:00",
        "--working-days",
        "2",
    ]);
    assert_eq!(out, "2025-09-29\n");
    // The same instant in UTC is still Sep 26 locally; 16:00 UTC is Sep 27 locally.
    let (_, out, _) = stdout_of(&[
        "calendar",
        "deadline",
        "--from",
        "2025-09-26T16:00:00Z",
        "--working-days",
        "2",
    ]);
    assert_eq!(out, "2025-09-29\n", "Sat Sep 27 local: day 1 is Sun Sep 28");
    let (_, out, _) = stdout_of(&["calendar", "workday", "2025-09-28"]);
    assert_eq!(out, "true\n");
    let (_, out, _) = stdout_of(&["calendar", "workday", "2025-10-08"]);
    assert_eq!(out, "false\n");
}

#[test]
fn calendar_missing_year_is_an_error_unless_provisional() {
    let (ok, out, err) = stdout_of(&[
        "calendar",
        "deadline",
        "--from",
        "2035-03-02",
        "--working-days",
        "5",
    ]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(
        err.contains("no official working-day calendar data for 2035"),
        "{err}"
    );
    let (ok, out, err) = stdout_of(&[
        "calendar",
        "deadline",
        "--from",
        "2035-03-02",
        "--working-days",
        "5",
        "--provisional",
    ]);
    assert!(ok);
    assert_eq!(out, "2035-03-09\n");
    assert!(err.contains("provisional"), "{err}");
}

/// `dukao check`, `dukao metrics` and `dukao evaluate` on an imported demo;
/// a scheme folder named in the environment changes the scores with no
/// rebuild.
#[test]
fn check_metrics_and_evaluate_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let mut cmd = dukao();
        cmd.args(args).env("DATABASE_URL", &db);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(
        &["import", crate::common::demo_csv().to_str().unwrap()],
        &[],
    );

    let json = run(
        &[
            "check",
            "approvals",
            "--year",
            "2025",
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
        ],
        &[],
    );
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        items.iter().any(|i| i["stage"] == "review") && items.iter().any(|i| i["stage"] == "reply")
    );
    assert!(
        items
            .iter()
            .all(|i| i["due"].as_str().is_some_and(|d| d.len() == 10) || i["due"].is_null())
    );
    let csv = run(
        &[
            "check",
            "grants",
            "--year",
            "2025",
            "--as-of",
            "2025-12-31",
            "--format",
            "csv",
        ],
        &[],
    );
    assert!(
        csv.lines().next().unwrap().starts_with("check,")
            || csv.lines().next().unwrap().contains("id")
    );
    let table = run(&["metrics", "--year", "2025", "--as-of", "2025-12-31"], &[]);
    assert!(table.contains("按时"), "{table}");

    let args = [
        "evaluate",
        "--year",
        "2025",
        "--as-of",
        "2025-12-31",
        "--format",
        "csv",
    ];
    let builtin = run(&args, &[]);
    assert!(
        builtin.starts_with("kind,id,name,ranking,rank,score,grade"),
        "{builtin}"
    );
    let schemes = dir.path().join("schemes");
    std::fs::create_dir(&schemes).unwrap();
    std::fs::write(
        schemes.join("bureau.toml"),
        dukao::evaluation::scheme::DEFAULT_SCHEME.replace(
            "metric = \"entries_fresh\"\nweight = 20.0",
            "metric = \"entries_fresh\"\nweight = 70.0",
        ),
    )
    .unwrap();
    let edited = run(
        &args,
        &[("DUKAO_EVALUATION_SCHEMES", schemes.to_str().unwrap())],
    );
    assert_ne!(builtin, edited, "the edited weight changed nothing");
    let tables = run(
        &["evaluate", "--year", "2025", "--as-of", "2025-12-31"],
        &[],
    );
    assert!(
        tables.contains("市直部门排名") && tables.contains("县（区）排名"),
        "{tables}"
    );
}

/// `dukao profiles` lists the regulations loaded, a bureau's folder adds
/// its own, and a folder with a misquote does not load, naming the file.
#[test]
fn profiles_lists_the_regulations_loaded() {
    let out = dukao().arg("profiles").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.contains("《晋城市政务数据资源共享管理实施细则》"),
        "{text}"
    );
    assert!(text.contains("有效期至2027年2月21日"), "{text}");

    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/yunxi");
    let out = dukao()
        .arg("profiles")
        .env("DUKAO_PROFILES", &fixtures)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(
        text.contains("yunxi") && text.contains("《云溪县政务数据共享管理办法》"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(fixtures.join("yunxi.toml"))
        .unwrap()
        .replace("3个工作日内予以答复", "2个工作日内予以答复")
        .replace("working_days = 3", "working_days = 2");
    std::fs::write(dir.path().join("yunxi.toml"), profile).unwrap();
    std::fs::copy(
        fixtures.join("yunxi-2025.txt"),
        dir.path().join("yunxi-2025.txt"),
    )
    .unwrap();
    let out = dukao()
        .arg("profiles")
        .env("DUKAO_PROFILES", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("yunxi.toml") && err.contains("YX Art.6"),
        "{err}"
    );
}
