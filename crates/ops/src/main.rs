//! `ninepanels-ops`: the operator's command line.

use clap::Parser;
use ninepanels_ops::{Cli, run};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Output piped into `head` ends the process quietly, as it ends any Unix tool, instead of a
    // panic on the first write after the pipe closed.
    sigpipe::reset();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ninepanels-ops: {e}");
            ExitCode::FAILURE
        }
    }
}
