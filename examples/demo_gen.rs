// Temporary measurement helper for the demo generator (to be deleted).
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scale: dukao::demo::Scale = args[1].parse().unwrap();
    let out = std::path::PathBuf::from(&args[2]);
    let format = if args.get(3).map(|s| s.as_str()) == Some("ndjson") {
        dukao::demo::OutputFormat::Ndjson
    } else {
        dukao::demo::OutputFormat::Csv
    };
    let seed = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(7);
    let opts = dukao::demo::DemoOptions {
        scale,
        format,
        seed,
        ..Default::default()
    };
    let t0 = Instant::now();
    let mut last = t0;
    let mut cur = String::new();
    let s = dukao::demo::generate(&out, &opts, &mut |t, n| {
        if t != cur {
            cur = t.to_string();
        }
        let _ = n;
        let now = Instant::now();
        if std::env::var("ALL").is_ok() || now.duration_since(last).as_secs_f64() > 5.0 {
            eprintln!("  {t} {n} at {:?}", t0.elapsed());
            last = now;
        }
    })
    .unwrap();
    eprintln!("total {:?}", t0.elapsed());
    for (t, n) in s.tables {
        println!("{t} {n}");
    }
}
