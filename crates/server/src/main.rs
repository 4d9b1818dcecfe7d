//! `ninepanels`: the server binary. With no configuration it runs on a local SQLite file.

use ninepanels::{Server, logging, shutdown};
use ninepanels_domain::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
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
