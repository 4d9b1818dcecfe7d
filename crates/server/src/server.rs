//! Start-up in order (connect, migrate, build the app) and serving until a shutdown future
//! completes, finishing the requests in flight.

use ninepanels_app::App;
use ninepanels_domain::clock::{Clock, SystemClock};
use ninepanels_domain::config::{Config, Environment};
use ninepanels_domain::seal::Sealer;
use ninepanels_events::{EventBus, HandlerContext, outbox, scheduler};
use ninepanels_http::AppState;
use ninepanels_persistence::DatabaseConnection;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Why the server could not start, as one line an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot reach the database ({0}); check DATABASE_URL and that the database is running")]
    Database(String),
    #[error("cannot migrate the database: {0}")]
    Migration(String),
    #[error(
        "the {env} database is {pending} migrations behind and holds data, and the server does not \
         migrate {env} by itself: back it up and migrate with `ninepanels-ops migrate up --backup-first`, \
         then start again (nothing was changed)"
    )]
    Unmigrated { env: Environment, pending: usize },
    #[error("cannot listen on {addr}: {source}; check BIND_ADDR")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot set up mail: {0}; check MAILER, SMTP_URL and MAIL_FROM")]
    Mailer(String),
    #[error("cannot set up alerts: {0}; check ALERT_WEBHOOK_URL")]
    Alerts(String),
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// On MAIN and STAGING a database that holds data is migrated by the operator, with a backup
/// first (`ninepanels-ops migrate up --backup-first`), never by a server starting; an empty one
/// (a first install) is migrated as anywhere else.
async fn refuse_to_migrate_data_in_production(
    config: &Config,
    db: &DatabaseConnection,
) -> Result<(), StartError> {
    if !config.env.is_deployed() {
        return Ok(());
    }
    let (applied, holds_data) = ninepanels_persistence::applied_migrations(db).await;
    let pending = ninepanels_persistence::known_migrations().saturating_sub(applied);
    if pending > 0 && holds_data {
        return Err(StartError::Unmigrated {
            env: config.env,
            pending,
        });
    }
    Ok(())
}

/// How often the outbox is read when nothing nudges it (another process may have written).
const OUTBOX_POLL: Duration = Duration::from_secs(1);

/// A connected, migrated server with its background tasks running, ready to serve.
#[derive(Debug)]
pub struct Server {
    pub state: AppState,
    /// The pool, closed once serving ends.
    db: DatabaseConnection,
    handlers: Arc<HandlerContext>,
    worker: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
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
        let db = ninepanels_persistence::connect(&config.database)
            .await
            .map_err(|e| StartError::Database(e.context_msg))?;
        Self::start_on(config, db, clock).await
    }

    /// Starts on a pool already opened (by [`ninepanels_persistence::connect_with`], say):
    /// applies pending migrations and builds the app.
    pub async fn start_on(
        config: Config,
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        refuse_to_migrate_data_in_production(&config, &db).await?;
        ninepanels_persistence::migrate(&db)
            .await
            .map_err(|e| StartError::Migration(e.context_msg))?;
        tracing::info!(
            env = %config.env,
            database = %config.database.url.redacted(),
            "database connected and migrated"
        );
        let mailer = ninepanels_events::mailers::from_config(&config.mail)
            .map_err(|e| StartError::Mailer(e.context_msg))?;
        let revocation_sync_every = Duration::from_secs(config.auth.revocation_sync_secs);
        let settings = config.background.clone();
        let sealer = Sealer::new(&config.auth.jwt_secret);
        let repositories = ninepanels_persistence::repositories(&db);
        let schedule = scheduler::schedule_from(&settings);
        let handlers = Arc::new(
            HandlerContext::new(&repositories, mailer, clock.clone(), settings, sealer)
                .map_err(|e| StartError::Alerts(e.reason().to_owned()))?,
        );
        let (events, receiver) = EventBus::new(
            config.background.event_channel_capacity,
            clock.clone(),
            handlers.timing_buffer.clone(),
        );
        let app = App::new(
            &config,
            &repositories,
            Arc::new(events.clone()),
            clock.clone(),
        );
        let state = AppState::new(config, &repositories, clock.clone(), events, app);
        let worker = tokio::spawn(ninepanels_events::worker::run(receiver, handlers.clone()));
        state
            .app
            .auth
            .revocations
            .sync()
            .await
            .map_err(|e| StartError::Database(e.context_msg))?;
        let background = vec![
            state
                .app
                .auth
                .revocations
                .clone()
                .spawn_sync(revocation_sync_every),
            outbox::spawn_relay(handlers.clone(), state.events.outbox_nudge(), OUTBOX_POLL),
            scheduler::spawn(handlers.clone(), schedule),
            ninepanels_events::watch::spawn(handlers.clone()),
        ];
        Ok(Self {
            state,
            db,
            handlers,
            worker,
            background,
        })
    }

    /// Binds the configured address.
    pub async fn bind(&self) -> Result<TcpListener, StartError> {
        let addr = self.state.config.http.bind_addr;
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
            db,
            handlers,
            worker,
            background,
        } = self;
        let events = state.events.clone();
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "listening");
        }
        let limits = state.config.http.connections;
        let app = ninepanels_http::router(state);
        crate::listener::serve(listener, app, limits, shutdown).await;
        for task in &background {
            task.abort();
        }
        events.close();
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the event worker ended abnormally");
        }
        if let Err(e) = outbox::deliver_due(&handlers).await {
            tracing::warn!(context = %e.context_msg, "outbox messages left for the next start");
        }
        db.close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }

    /// Binds and serves in a task until [`Running::stop`]; what tests and benches run.
    pub async fn spawn(self) -> Result<Running, StartError> {
        let listener = self.bind().await?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.state.config.http.bind_addr,
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let events = self.state.events.clone();
        let handlers = self.handlers.clone();
        let task = tokio::spawn(self.serve(listener, async {
            stopped.await.ok();
        }));
        Ok(Running {
            addr,
            stop,
            task,
            events,
            handlers,
        })
    }
}

/// A server serving in a task of its own.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), StartError>>,
    events: EventBus,
    handlers: Arc<HandlerContext>,
}

impl Running {
    /// Runs the background work that requests so far have caused, then returns: waits until
    /// every event emitted is handled, then delivers the outbox messages that are due (after
    /// any pass of the relay in progress). Answers how many messages this pass delivered.
    pub async fn drain(&self) -> ninepanels_domain::Result<u64> {
        self.events.settled().await;
        outbox::deliver_due(&self.handlers).await
    }

    /// Shuts down as on SIGTERM and waits until the server has stopped.
    pub async fn stop(self) -> Result<(), StartError> {
        self.stop.send(()).ok();
        self.task
            .await
            .unwrap_or_else(|e| Err(StartError::Serve(std::io::Error::other(e))))
    }
}
