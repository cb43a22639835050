//! `dukao audit`: list the trail or verify its chain.

use std::io::Write;

use super::{Filter, list, verify};
use crate::store::Store;

/// `dukao audit`: the newest entries of the audit trail, or `--verify`.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct AuditArgs {
    /// Recompute the hash chain from the first entry and report the first
    /// break (exit status 1 when broken).
    #[arg(long)]
    pub verify: bool,
    /// Only entries about this subject (`document:12`, `evaluation:2025`).
    #[arg(long)]
    pub subject: Option<String>,
    /// How many of the newest entries to list.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dukao audit`; `Ok(false)` when `--verify` found a break.
pub async fn run_audit(
    store: &Store,
    args: &AuditArgs,
    out: &mut dyn Write,
) -> anyhow::Result<bool> {
    if args.verify {
        let v = verify(store).await?;
        if args.json {
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        } else if let Some(b) = &v.broken {
            writeln!(
                out,
                "审计日志校验失败（前{}条完整）：{}",
                v.entries, b.reason
            )?;
        } else {
            writeln!(out, "审计日志完整：共{}条，链头 {}", v.entries, v.head)?;
        }
        return Ok(v.intact());
    }
    let entries = list(
        store,
        &Filter {
            subject: args.subject.clone(),
            before: None,
            limit: args.limit,
        },
    )
    .await?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &entries)?;
        writeln!(out)?;
    } else {
        for e in &entries {
            writeln!(
                out,
                "{:>6}  {}  {:<10}  {:<18}  {:<16}  {}  {}",
                e.seq,
                e.at_text,
                e.actor,
                e.action,
                e.subject,
                &e.hash[..12],
                e.details
            )?;
        }
    }
    Ok(true)
}
