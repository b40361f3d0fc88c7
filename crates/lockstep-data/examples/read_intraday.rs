//! Read intraday CSV files and print what was read, with the time each read took (a quick
//! measurement without criterion; build with `--release`).
//!
//! ```sh
//! cargo run --release -p lockstep-data --example read_intraday -- [--tz ZONE] [--interval I] [--dedupe-last] [--skip-bad-rows] [--repeat N] FILE...
//! ```

use std::path::PathBuf;
use std::time::Instant;

use lockstep_data::{read_intraday_csv, Dedupe, IntradayCsvOptions};

fn main() {
    let mut opts = IntradayCsvOptions::default();
    let (mut files, mut repeat) = (Vec::new(), 1usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tz" => opts.tz = Some(args.next().expect("zone").parse().expect("a time zone")),
            "--interval" => {
                opts.interval = Some(args.next().expect("interval").parse().expect("an interval"))
            }
            "--dedupe-last" => opts.dedupe = Dedupe::Last,
            "--skip-bad-rows" => opts.skip_undated = true,
            "--repeat" => repeat = args.next().expect("N").parse().expect("a number"),
            _ => files.push(PathBuf::from(a)),
        }
    }
    for f in files {
        let mut times = Vec::with_capacity(repeat);
        let mut last = None;
        for _ in 0..repeat {
            let t0 = Instant::now();
            let r = read_intraday_csv(&f, &opts);
            times.push(t0.elapsed());
            last = Some(r);
        }
        times.sort();
        match last.expect("at least one read") {
            Ok(r) => {
                let s = &r.series;
                println!(
                    "{}: {} {} {} bars {} .. {} newest_first={} (median {:.2?}, min {:.2?} over {repeat})",
                    f.display(),
                    r.format,
                    r.interval,
                    s.len(),
                    s.start[0],
                    s.start[s.len() - 1],
                    r.newest_first,
                    times[times.len() / 2],
                    times[0],
                );
                for w in &r.warnings {
                    println!("  warning: {w}");
                }
            }
            Err(e) => println!("{}: error: {e}", f.display()),
        }
    }
}
