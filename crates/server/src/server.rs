//! Start-up in order (connect, migrate, build the app) and serving until a shutdown future
//! completes, finishing the requests in flight.

use ninepanels_domain::clock::{Clock, SystemClock};
use ninepanels_domain::config::Config;
use ninepanels_http::AppState;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start, as one line an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot reach the database ({0}); check DATABASE_URL and that the database is running")]
    Database(String),
    #[error("cannot migrate the database: {0}")]
    Migration(String),
    #[error("cannot listen on {addr}: {source}; check BIND_ADDR")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// A connected, migrated server, ready to serve.
#[derive(Debug)]
pub struct Server {
    pub state: AppState,
}

impl Server {
    /// Connects to the configured database and applies pending migrations.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        Self::start_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let db = ninepanels_persistence::connect(&config)
            .await
            .map_err(|e| StartError::Database(e.context_msg))?;
        ninepanels_persistence::migrate(&db)
            .await
            .map_err(|e| StartError::Migration(e.context_msg))?;
        tracing::info!(
            env = %config.env,
            database = %config.database_url.redacted(),
            "database connected and migrated"
        );
        Ok(Self {
            state: AppState::new(config, db, clock),
        })
    }

    /// Binds the configured address.
    pub async fn bind(&self) -> Result<TcpListener, StartError> {
        let addr = self.state.config.bind_addr;
        TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })
    }

    /// Serves on `listener` until `shutdown` completes, then finishes requests in flight and
    /// closes the database pool.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let db = self.state.db.clone();
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "listening");
        }
        let app = ninepanels_http::router(self.state);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(StartError::Serve)?;
        db.close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}
