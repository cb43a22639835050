//! `dukao evaluate`: a year's scores, grades and rankings, as JSON, CSV or
//! Chinese tables; `--freeze` stores the official snapshot.

use std::io::Write;
use std::time::Instant;

use super::run::{self, Evaluated, Mode};
use super::snapshot;
use super::year::{CITY_RANKING, YearEvaluation};
use crate::config::Config;
use crate::metrics::cli::csv_field;
use crate::metrics::parse_as_of;
use crate::metrics::table::render;
use crate::store::Store;

/// Output of `dukao evaluate`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvaluateFormat {
    /// Rankings as tables with Chinese headers.
    #[default]
    Table,
    /// The whole result with every breakdown, as one JSON object.
    Json,
    /// One line per department and county with its indicator points.
    Csv,
}

/// `dukao evaluate`.
#[derive(clap::Args, Debug, Clone)]
pub struct EvaluateArgs {
    /// The year to evaluate.
    #[arg(long)]
    pub year: i32,
    /// Judge as of this instant (RFC 3339, or a date meaning its end).
    /// Default: now. Ignored for a frozen year unless --live.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: EvaluateFormat,
    /// Store the result as the year's official snapshot (what the annual
    /// report and later comparisons use). A frozen year cannot be frozen
    /// again.
    #[arg(long, conflicts_with = "live")]
    pub freeze: bool,
    /// Compute live even if the year is frozen (the snapshot is kept).
    #[arg(long)]
    pub live: bool,
    /// Who freezes (recorded with the snapshot). Default: $USER.
    #[arg(long)]
    pub by: Option<String>,
    /// Print the wall time to standard error.
    #[arg(long)]
    pub timings: bool,
}

/// Runs `dukao evaluate`.
pub async fn run_evaluate(
    config: &Config,
    store: &Store,
    args: &EvaluateArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let as_of = parse_as_of(args.as_of.as_deref())?;
    let evaluated = if args.freeze {
        let by = args
            .by
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "unknown".into());
        let e = snapshot::freeze(store, config, args.year, as_of, &by).await?;
        tracing::info!(
            year = args.year,
            by,
            sha256 = e.sha256.as_deref().unwrap_or(""),
            "evaluation frozen"
        );
        e
    } else {
        let mode = if args.live {
            Mode::Live
        } else {
            Mode::Official
        };
        run::evaluate(store, config, args.year, as_of, mode).await?
    };
    let elapsed = started.elapsed();
    match args.format {
        EvaluateFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &evaluated)?;
            writeln!(out)?;
        }
        EvaluateFormat::Csv => write_csv(out, &evaluated.result)?,
        EvaluateFormat::Table => write_tables(out, &evaluated)?,
    }
    out.flush()?;
    if args.timings {
        eprintln!(
            "evaluate {}: {:.3} s ({} departments, {} counties, {})",
            args.year,
            elapsed.as_secs_f64(),
            evaluated.result.departments.len(),
            evaluated.result.counties.len(),
            evaluated.status
        );
    }
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn signed(v: Option<f64>) -> String {
    v.map(|v| format!("{v:+.2}")).unwrap_or_else(|| "—".into())
}

/// One line per unit: `kind,id,name,ranking,rank,score,grade,previous,change`
/// then the points of each indicator and each deduction (by id).
pub fn write_csv(out: &mut dyn Write, e: &YearEvaluation) -> anyhow::Result<()> {
    let (ind, ded): (Vec<String>, Vec<String>) = match e.departments.first() {
        Some(d) => (
            d.score.indicators.iter().map(|i| i.id.clone()).collect(),
            d.score.deductions.iter().map(|d| d.id.clone()).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut header = vec![
        "kind", "id", "name", "ranking", "rank", "score", "grade", "previous", "change",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(ind.iter().cloned());
    header.extend(ded.iter().map(|d| format!("-{d}")));
    writeln!(out, "{}", header.join(","))?;
    for d in &e.departments {
        let mut line = vec![
            "department".to_string(),
            csv_field(&d.score.id),
            csv_field(&d.score.name),
            csv_field(&d.ranking),
            d.rank.map(|r| r.to_string()).unwrap_or_default(),
            opt(d.published),
            csv_field(if d.score.evaluable {
                &d.score.grade
            } else {
                ""
            }),
            opt(d.previous),
            opt(d.change),
        ];
        line.extend(ind.iter().map(|id| {
            d.score
                .indicators
                .iter()
                .find(|i| &i.id == id && i.applicable)
                .map(|i| format!("{:.2}", i.points))
                .unwrap_or_default()
        }));
        line.extend(ded.iter().map(|id| {
            d.score
                .deductions
                .iter()
                .find(|x| &x.id == id)
                .map(|x| format!("{:.2}", x.points))
                .unwrap_or_default()
        }));
        writeln!(out, "{}", line.join(","))?;
    }
    for c in &e.counties {
        let mut line = vec![
            "county".to_string(),
            csv_field(&c.score.id),
            csv_field(&c.score.name),
            "counties".to_string(),
            c.rank.map(|r| r.to_string()).unwrap_or_default(),
            opt(c.published),
            csv_field(if c.score.evaluable {
                &c.score.grade
            } else {
                ""
            }),
            opt(c.previous),
            opt(c.change),
        ];
        line.extend(std::iter::repeat_n(String::new(), ind.len() + ded.len()));
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// Rankings as Chinese tables.
pub fn write_tables(out: &mut dyn Write, e: &Evaluated) -> std::io::Result<()> {
    let r = &e.result;
    let status = match e.frozen_at.as_deref() {
        Some(at) => format!("正式结果（{at}冻结）"),
        None => "实时计算（未冻结）".into(),
    };
    writeln!(
        out,
        "{}年度政务数据共享工作评估  方案：{} {}  截至：{}  {}{}",
        r.year,
        r.scheme.title,
        r.scheme.version,
        r.as_of,
        status,
        if r.provisional {
            "  （含临时日历推算）"
        } else {
            ""
        }
    )?;
    for note in r.comparison_notes() {
        writeln!(out, "注：{note}")?;
    }
    writeln!(out)?;
    let header: Vec<String> = ["排名", "部门", "得分", "等次", "上年", "变化", "主要失分"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut rankings: Vec<&str> = vec![CITY_RANKING];
    for d in &r.departments {
        if !rankings.contains(&d.ranking.as_str()) {
            rankings.push(&d.ranking);
        }
    }
    for ranking in rankings {
        let rows: Vec<Vec<String>> = r
            .departments
            .iter()
            .filter(|d| d.ranking == ranking)
            .map(|d| {
                let worst = d
                    .score
                    .indicators
                    .iter()
                    .filter(|i| i.lost > 0.005)
                    .max_by(|a, b| a.lost.total_cmp(&b.lost))
                    .map(|i| format!("{} −{:.2}", i.name, i.lost))
                    .unwrap_or_default();
                vec![
                    d.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                    d.score.name.clone(),
                    d.published
                        .map(|s| format!("{s:.2}"))
                        .unwrap_or_else(|| "不参评".into()),
                    if d.score.evaluable {
                        d.score.grade.clone()
                    } else {
                        "—".into()
                    },
                    d.previous
                        .map(|s| format!("{s:.2}"))
                        .unwrap_or_else(|| "—".into()),
                    signed(d.change),
                    worst,
                ]
            })
            .collect();
        let title = if ranking == CITY_RANKING {
            "市直部门排名".to_string()
        } else {
            let name = r
                .departments
                .iter()
                .find(|d| d.ranking == ranking)
                .map(|d| d.jurisdiction_name.clone())
                .unwrap_or_else(|| ranking.to_string());
            format!("{name}部门排名")
        };
        render(out, &title, &header, &rows, 2)?;
    }
    let header: Vec<String> = [
        "排名",
        "县（区）",
        "得分",
        "等次",
        "部门均分",
        "主管部门",
        "上年",
        "变化",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let rows: Vec<Vec<String>> = r
        .counties
        .iter()
        .map(|c| {
            vec![
                c.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                c.score.name.clone(),
                c.published
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "不参评".into()),
                c.score.grade.clone(),
                c.score
                    .departments_mean
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
                c.score
                    .authority_score
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
                c.previous
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
                signed(c.change),
            ]
        })
        .collect();
    render(out, "县（区）排名", &header, &rows, 2)?;
    let header: Vec<String> = ["等次", "部门", "县（区）"]
        .into_iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = r
        .grades
        .iter()
        .map(|g| {
            vec![
                g.grade.clone(),
                g.departments.to_string(),
                g.counties.to_string(),
            ]
        })
        .collect();
    render(out, "等次分布", &header, &rows, 1)
}
