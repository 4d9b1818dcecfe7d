//! `ninepanels`: the server binary. With no configuration it runs on a local SQLite file.

use clap::Parser;
use ninepanels::cli::{Cli, Command};
use ninepanels::{Server, check, logging, shutdown};
use ninepanels_domain::config::Config;
use std::process::ExitCode;

/// mimalloc hands freed memory back; with the system allocator, the Argon2 blocks of a burst
/// of sign-ins left the process holding about 100 MB (measured with scripts/bench.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // `--help` and `--version` exit here, before any configuration is read or database opened.
    let Cli { command } = Cli::parse();
    match command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Check => check::run().await,
    }
}

async fn serve() -> ExitCode {
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("ninepanels: error: cannot read .env: {e}");
        return ExitCode::FAILURE;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("ninepanels: configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = logging::init(&config) {
        eprintln!("ninepanels: configuration error: {e}");
        return ExitCode::FAILURE;
    }
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let result = async {
        let server = Server::start(config).await?;
        let listener = server.bind().await?;
        server.serve(listener, shutdown::signal()).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ninepanels: error: {e}");
            ExitCode::FAILURE
        }
    }
}
