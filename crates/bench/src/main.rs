//! `orgstore-bench`: see the crate documentation in `lib.rs` and the README's "Benchmark".

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = orgstore_bench::Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(orgstore_bench::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", format!("{err:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
