//! `ninepanels-ops`: the operator's command line.

use clap::Parser;
use ninepanels_ops::{Cli, run};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ninepanels-ops: error: {e}");
            ExitCode::FAILURE
        }
    }
}
