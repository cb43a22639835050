//! `dukao profiles`: the regulation profiles a deployment loads — the five
//! shipped and the bureau's own folder (`profiles` in the configuration) —
//! each validated, every quote checked against its regulation's text. A
//! bureau adding a regulation runs this before anything else.

use std::io::Write;
use std::process::ExitCode;

use crate::config::Config;

/// `dukao profiles`.
#[derive(clap::Args, Debug, Clone)]
pub struct ProfilesArgs {
    /// Print the profiles as JSON (every deadline, category and citation).
    #[arg(long)]
    pub json: bool,
}

/// Runs `dukao profiles`: loading fails (exit code 1) naming the file and
/// key of the first problem.
pub fn run_profiles(
    config: &Config,
    args: &ProfilesArgs,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let profiles = config.profiles()?;
    if args.json {
        let all: Vec<_> = profiles.iter().collect();
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let today = crate::time::local_date(crate::time::now_millis());
    for p in profiles.iter() {
        let force = match (p.validity.until, p.lapsed_on(today)) {
            (_, Some(until)) => format!("已于{}失效", crate::time::chinese_date(until)),
            (Some(until), None) => format!("有效期至{}", crate::time::chinese_date(until)),
            (None, None) => "现行有效".to_string(),
        };
        writeln!(
            out,
            "{:<14} {:<4} {}  {}  {} 条引文  {}",
            p.id,
            p.code,
            p.title_marked(),
            force,
            p.citations().len(),
            p.source
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
