//! Start-up in order (connect, migrate, build the app) and serving until a shutdown future
//! completes, finishing the requests in flight.

use ninepanels_domain::clock::{Clock, SystemClock};
use ninepanels_domain::config::Config;
use ninepanels_events::{EventBus, HandlerContext};
use ninepanels_http::AppState;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

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
    #[error("cannot set up mail: {0}; check MAILER, SMTP_URL and MAIL_FROM")]
    Mailer(String),
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// Events waiting for the worker before telemetry starts being dropped.
const EVENT_CHANNEL_CAPACITY: usize = 1024;

/// A connected, migrated server with its background tasks running, ready to serve.
#[derive(Debug)]
pub struct Server {
    pub state: AppState,
    worker: JoinHandle<()>,
    revocation_sync: JoinHandle<()>,
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
        let mailer = ninepanels_events::mailers::from_config(&config)
            .map_err(|e| StartError::Mailer(e.context_msg))?;
        let (events, receiver) = EventBus::new(EVENT_CHANNEL_CAPACITY, clock.clone());
        let revocation_sync_every = Duration::from_secs(config.revocation_sync_secs);
        let state = AppState::new(config, db, clock, events);
        let handlers = Arc::new(HandlerContext::new(state.users.clone(), mailer));
        let worker = tokio::spawn(ninepanels_events::worker::run(receiver, handlers));
        state
            .auth
            .revocations
            .sync()
            .await
            .map_err(|e| StartError::Database(e.context_msg))?;
        let revocation_sync = state
            .auth
            .revocations
            .clone()
            .spawn_sync(revocation_sync_every);
        Ok(Self {
            state,
            worker,
            revocation_sync,
        })
    }

    /// Binds the configured address.
    pub async fn bind(&self) -> Result<TcpListener, StartError> {
        let addr = self.state.config.bind_addr;
        TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })
    }

    /// Serves on `listener` until `shutdown` completes; then finishes requests in flight,
    /// lets the event worker drain, and closes the database pool.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let Self {
            state,
            worker,
            revocation_sync,
        } = self;
        let db = state.db.clone();
        let events = state.events.clone();
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "listening");
        }
        let app = ninepanels_http::router(state);
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        revocation_sync.abort();
        events.close();
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the event worker ended abnormally");
        }
        db.close().await.ok();
        served.map_err(StartError::Serve)?;
        tracing::info!("stopped");
        Ok(())
    }
}
