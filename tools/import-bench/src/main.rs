//! Import benchmark: a generated OFX of N transactions (1.x SGML and 2.x XML) and a
//! Chase checking CSV of the same rows.
//!
//! - The parse (default): `FileStatementParser` and, in the same run, Python's `ofxtools`
//!   (the OFX files) and `csv` module (the CSV), each parse in a child process of its own
//!   so that its peak RSS is its own ([`parse`]).
//! - `--import`: the whole import through the emulated DynamoDB ([`import`]), each
//!   import in a child of its own, against a bare BatchWriteItem loop.
//!
//! `scripts/import-bench.sh [--import] [--transactions N --rounds R --formats qfx,csv
//! --python PATH --keep DIR]`, which builds the tool with the `bench-tools` profile and,
//! for the parse, first installs the pinned ofxtools
//! (`tools/import-bench/requirements.txt`) into the repo's `.venv`.

// The baseline is sync-bench's own (one BatchWriteItem loop for both benches).
#[path = "../../sync-bench/src/baseline.rs"]
mod baseline;
mod calls;
mod child;
mod generate;
mod import;
mod import_child;
mod parse;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use dashtam_domain::imports::FileFormat;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    /// The whole import through the emulator instead of the parse.
    import: bool,
    /// What `--import` imports: `qfx` (the SGML file), `ofx` (the XML one), `csv`.
    formats: Vec<FileFormat>,
    transactions: usize,
    rounds: usize,
    seed: u64,
    python: PathBuf,
    dir: PathBuf,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn args(raw: &[String]) -> Result<Args, String> {
    let mut args = Args {
        import: false,
        formats: vec![FileFormat::Qfx, FileFormat::Csv],
        transactions: 50_000,
        rounds: 3,
        seed: 20_241_231,
        python: root().join(".venv/bin/python"),
        dir: root().join("target/bench/import"),
    };
    let mut it = raw.iter();
    while let Some(flag) = it.next() {
        if flag == "--import" {
            args.import = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} wants a value"))?;
        let number = || value.parse::<usize>().ok().filter(|n| *n > 0);
        match flag.as_str() {
            "--transactions" => args.transactions = number().ok_or("--transactions N > 0")?,
            "--rounds" => args.rounds = number().ok_or("--rounds N > 0")?,
            "--seed" => args.seed = value.parse().map_err(|_| "--seed N")?,
            "--python" => args.python = PathBuf::from(value),
            "--keep" => args.dir = PathBuf::from(value),
            "--formats" => {
                args.formats = value
                    .split(',')
                    .map(|f| FileFormat::parse(f.trim()))
                    .collect::<Option<Vec<_>>>()
                    .filter(|f| !f.is_empty())
                    .ok_or("--formats wants a list of qfx, ofx and csv")?;
            }
            _ => {
                return Err(format!(
                    "usage: dashtam-import-bench [--import] [--transactions N] [--rounds N] \
                     [--seed N] [--formats qfx,ofx,csv] [--python PATH] [--keep DIR]; got {flag}"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let result = match raw.as_slice() {
        [flag, format, path] if flag == child::FLAG => child::parse_here(format, path),
        [flag, format, path, endpoint, table] if flag == import_child::FLAG => runtime()
            .and_then(|rt| rt.block_on(import_child::import_here(format, path, endpoint, table))),
        _ => args(&raw).map_err(BoxError::from).and_then(|a| run(&a)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("import-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn run(args: &Args) -> Result<(), BoxError> {
    if !args.import && !args.python.exists() {
        return Err(format!(
            "no Python at {} (scripts/import-bench.sh installs ofxtools into .venv; or pass \
             --python)",
            args.python.display()
        )
        .into());
    }
    std::fs::create_dir_all(&args.dir)?;
    let txns = generate::transactions(args.transactions, args.seed);
    let files = parse::Files {
        sgml: args.dir.join("bench.qfx"),
        xml: args.dir.join("bench-v2.ofx"),
        csv: args.dir.join("Chase1234_Activity_20241231.CSV"),
        transactions: args.transactions,
    };
    std::fs::write(&files.sgml, generate::ofx(&txns, false))?;
    std::fs::write(&files.xml, generate::ofx(&txns, true))?;
    std::fs::write(&files.csv, generate::chase_csv(&txns))?;
    drop(txns);
    if args.import {
        let cases: Vec<import::ImportCase<'_>> = args
            .formats
            .iter()
            .map(|&format| match format {
                FileFormat::Qfx => import::ImportCase {
                    what: "OFX 1.x SGML",
                    format,
                    path: &files.sgml,
                },
                FileFormat::Ofx => import::ImportCase {
                    what: "OFX 2.x XML",
                    format,
                    path: &files.xml,
                },
                FileFormat::Csv => import::ImportCase {
                    what: "Chase CSV",
                    format,
                    path: &files.csv,
                },
            })
            .collect();
        return if runtime()?.block_on(import::run(&cases, args.transactions))? {
            Ok(())
        } else {
            Err("a goal was not met".into())
        };
    }
    println!(
        "import parse benchmark: {} transactions (seed {}), {} interleaved rounds",
        args.transactions, args.seed, args.rounds
    );
    let script = root().join("tools/import-bench/baseline.py");
    let baseline = parse::Baseline {
        python: &args.python,
        script: &script,
    };
    let cases = parse::run(&files, args.rounds, &baseline)?;
    if parse::report(&cases, &files) {
        Ok(())
    } else {
        Err("the goal was not met".into())
    }
}
