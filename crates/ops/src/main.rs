//! `ninepanels-ops`: the operator's command line.

use clap::Parser;
use ninepanels_ops::{Cli, run};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ninepanels-ops: {e}");
            ExitCode::FAILURE
        }
    }
}
