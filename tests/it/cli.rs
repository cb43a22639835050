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
