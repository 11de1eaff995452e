//! Sync benchmark: the sandbox's bulk investor (10,000 Schwab transactions over a year)
//! synced through the real path — `ConnectProvider` → consent → `CompleteOAuth` →
//! `SyncAccounts` → `SyncTransactions` over the DynamoDB adapters on the emulator, the
//! real Schwab client and AES-GCM — against a bare BatchWriteItem loop over the same
//! items in the same run. Rounds are interleaved (odd rounds sync first, even rounds
//! write the baseline first), each with a fresh user and accounts; medians are reported.
//! The sandbox runs in a child process, so its memory is not in the measured RSS.
//!
//! `cargo run --release -p dashtam-sync-bench [-- --rounds N]`
//! (`DASHTAM_TEST_AWS_ENDPOINT` = an emulator to use instead of starting one.)

mod baseline;
mod flow;
mod report;
mod round;
mod rss;
mod sandbox_proc;
mod stack;
mod timed;

use std::{process::ExitCode, sync::Arc};

use dashtam_infrastructure::dynamodb::Table;

use crate::{
    report::Summary,
    round::Bench,
    sandbox_proc::SandboxProcess,
    stack::{Calls, counted_client},
    timed::Phases,
};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const DEFAULT_ROUNDS: usize = 3;

fn rounds_arg(args: &[String]) -> Result<usize, String> {
    match args {
        [] => Ok(DEFAULT_ROUNDS),
        [flag, n] if flag == "--rounds" => n
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--rounds wants a positive number, got {n:?}")),
        _ => Err(format!(
            "usage: dashtam-sync-bench [--rounds N]; got {args:?}"
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sync-bench: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if args.first().map(String::as_str) == Some(sandbox_proc::FLAG) {
        runtime.block_on(sandbox_proc::serve())
    } else {
        match rounds_arg(&args) {
            Ok(rounds) => runtime.block_on(run(rounds)),
            Err(e) => Err(e.into()),
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sync-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(rounds: usize) -> Result<(), BoxError> {
    let load_before = report::load_average();
    let stack = dashtam_testkit::provision_stack().await;
    let table_name = stack.var("DASHTAM_TABLE").to_owned();
    let mut sandbox = SandboxProcess::start().await?;
    let calls = Calls::default();
    let table = Table::new(counted_client(&stack.sdk, &calls), table_name.clone());
    let baseline_calls = Calls::default();
    let phases = Arc::new(Phases::default());
    let mut bench = Bench {
        ports: stack::ports(&table, &sandbox.schwab_base(), &phases),
        calls,
        phases,
        baseline_client: counted_client(&stack.sdk, &baseline_calls),
        baseline_calls,
        table: table_name,
        items: Vec::new(),
        peak_after_first_sync: None,
    };
    println!(
        "sync benchmark: sandbox bulk investor (10,000 Schwab transactions, 2 accounts) \
         over the emulated DynamoDB, {rounds} interleaved rounds"
    );
    let mut results = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let r = bench.round(round, &mut sandbox).await?;
        println!("{}", r.line(round));
        results.push(r);
    }
    let summary = Summary {
        rounds: results,
        peak_after_first_sync: bench.peak_after_first_sync,
        peak_whole_run: rss::own_peak_kib(),
        sandbox_peak: sandbox.peak_rss_kib(),
        load_before,
        load_after: report::load_average(),
    };
    summary.print();
    Ok(())
}
