//! Prometheus metrics: the process's recorder (installed once), what the router records for
//! each request, and the gauges read when `GET /metrics` is scraped.

use crate::state::AppState;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Request durations by method, route template and status.
pub const REQUEST_SECONDS: &str = "http_request_duration_seconds";
const IN_FLIGHT: &str = "http_requests_in_flight";

/// How often recorded durations are folded into their buckets when nobody scrapes: until then
/// the recorder holds each request's sample on its own, so memory grew with every request.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
const UPKEEP_THREAD: &str = "metrics-upkeep";

/// From a cached read to a request that hit the 30-second timeout.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

struct Recorder {
    handle: PrometheusHandle,
    process: metrics_process::Collector,
}

static RECORDER: OnceLock<Recorder> = OnceLock::new();

/// The process's recorder, installed as the global one on first use. Should another be
/// installed already, this one still renders the gauges read at scrape time.
fn recorder() -> &'static Recorder {
    RECORDER.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), &BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already; /metrics shows only its own");
        }
        describe();
        keep_up(handle.clone());
        let process = metrics_process::Collector::default();
        process.describe();
        Recorder { handle, process }
    })
}

/// Folds the recorded samples into the histograms every `UPKEEP_EVERY`, on a thread of its own
/// for the life of the process (the recorder is the process's too).
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name(UPKEEP_THREAD.to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the metrics upkeep thread: samples pile up until a scrape");
    }
}

/// Installs the recorder, so that metrics recorded before the first scrape are kept.
pub fn install() {
    recorder();
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(
        REQUEST_SECONDS,
        metrics::Unit::Seconds,
        "Requests by method, route and status"
    );
    describe_gauge!(IN_FLIGHT, "Requests being served");
    describe_gauge!(
        "db_pool_connections",
        "Database connections open, by state (busy, idle)"
    );
    describe_gauge!(
        "db_pool_max_connections",
        "The most database connections the pool opens"
    );
    describe_gauge!(
        "outbox_messages",
        "Outbox messages not delivered, by state (waiting, parked)"
    );
    describe_gauge!("events_queued", "Events waiting for their handlers");
    describe_counter!(
        "events_dropped_total",
        "Telemetry events dropped on a full queue"
    );
    describe_counter!("job_runs_total", "Background job runs by job and outcome");
    describe_counter!(
        "sign_in_failures_total",
        "Sign-ins refused for a wrong email or password"
    );
    describe_counter!(
        "rate_limit_refusals_total",
        "Attempts refused by a limit, by action"
    );
}

/// Counts a request in flight until dropped.
#[derive(Debug)]
pub struct InFlight;

impl InFlight {
    pub fn start() -> Self {
        gauge!(IN_FLIGHT).increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        gauge!(IN_FLIGHT).decrement(1.0);
    }
}

/// Records one served request.
pub fn record_request(method: &str, route: &str, status: u16, took: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    histogram!(REQUEST_SECONDS, &labels).record(took.as_secs_f64());
}

/// Reads the gauges that live elsewhere (the pool, the outbox, the event queue, the process)
/// and renders every metric in the Prometheus text format.
pub async fn render(state: &AppState) -> String {
    let recorder = recorder();
    let pool = state.health.pool();
    gauge!("db_pool_connections", "state" => "busy")
        .set(f64::from(pool.size - pool.idle.min(pool.size)));
    gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    gauge!("db_pool_max_connections").set(f64::from(pool.max));
    match state.health.outbox_depth().await {
        Ok(depth) => {
            gauge!("outbox_messages", "state" => "waiting").set(depth.waiting as f64);
            gauge!("outbox_messages", "state" => "parked").set(depth.parked as f64);
        }
        Err(e) => tracing::debug!(error = %e, "outbox depth not read for /metrics"),
    }
    gauge!("events_queued").set(state.events.queued() as f64);
    counter!("events_dropped_total").absolute(state.events.dropped());
    recorder.process.collect();
    recorder.handle.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread_names() -> Vec<String> {
        std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
            .map(|name| name.trim().to_owned())
            .collect()
    }

    #[test]
    fn installing_starts_the_upkeep_that_bounds_unscraped_samples() {
        install();
        install();
        let upkeeps = || {
            thread_names()
                .iter()
                .filter(|name| *name == UPKEEP_THREAD)
                .count()
        };
        // The new thread names itself once it runs.
        let named_by = std::time::Instant::now() + Duration::from_secs(10);
        while upkeeps() == 0 && std::time::Instant::now() < named_by {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(upkeeps(), 1, "threads: {:?}", thread_names());
    }
}
