//! Background work: `JOBS`, `EVENT_CHANNEL_CAPACITY`, `OUTBOX_MAX_ATTEMPTS`, route alert
//! thresholds, the timing window and batch, and how alerts reach a person.

use super::ConfigError;
use super::alerts::Alerting;
use super::vars::{Vars, parse_number};
use crate::jobs::JobKind;
use crate::period::Period;

/// Background work: events, jobs, route timings.
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    /// `JOBS`: the period of each job; the variable lists only the ones to change.
    pub jobs: Vec<(JobKind, Period)>,
    /// `EVENT_CHANNEL_CAPACITY` (1024): telemetry past it is dropped and counted.
    pub event_channel_capacity: usize,
    /// `OUTBOX_MAX_ATTEMPTS` (8): then a must-deliver event is parked for the operator.
    pub outbox_max_attempts: u32,
    /// `ROUTE_ALERT_THRESHOLD_MS` (500): the default alert threshold of a route's average.
    pub alert_threshold_ms: u32,
    /// `ROUTE_ALERT_THRESHOLDS` (unset): per route, e.g. `GET_/v5/panels=200,POST_/token=1500`.
    pub alert_thresholds: Vec<(String, u32)>,
    /// `TIMING_WINDOW_SIZE` (100): the timings a route's statistics cover.
    pub timing_window_size: u32,
    /// `TIMING_BATCH_SIZE` (200): timings buffered per route before a write.
    pub timing_batch_size: u32,
    pub alerting: Alerting,
}

impl Background {
    /// The alert threshold of a route.
    pub fn threshold_for(&self, method_path: &str) -> u32 {
        self.alert_thresholds
            .iter()
            .find(|(route, _)| route == method_path)
            .map_or(self.alert_threshold_ms, |(_, ms)| *ms)
    }

    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let mut background = Self::default();
        if let Some(v) = vars.get("JOBS") {
            background.jobs = parse_jobs(&v)?;
        }
        let capacity = &mut background.event_channel_capacity;
        vars.set_number(capacity, "EVENT_CHANNEL_CAPACITY", 1, 1_000_000)?;
        let attempts = &mut background.outbox_max_attempts;
        vars.set_number(attempts, "OUTBOX_MAX_ATTEMPTS", 1, 100)?;
        let threshold = &mut background.alert_threshold_ms;
        vars.set_number(threshold, "ROUTE_ALERT_THRESHOLD_MS", 1, 600_000)?;
        if let Some(v) = vars.get("ROUTE_ALERT_THRESHOLDS") {
            background.alert_thresholds = parse_thresholds(&v)?;
        }
        let window = &mut background.timing_window_size;
        vars.set_number(window, "TIMING_WINDOW_SIZE", 1, 100_000)?;
        let batch = &mut background.timing_batch_size;
        vars.set_number(batch, "TIMING_BATCH_SIZE", 1, 10_000)?;
        background.alerting = Alerting::read(vars)?;
        Ok(background)
    }
}

impl Default for Background {
    fn default() -> Self {
        Self {
            jobs: parse_jobs("").expect("default jobs parse"),
            event_channel_capacity: 1024,
            outbox_max_attempts: 8,
            alert_threshold_ms: 500,
            alert_thresholds: Vec::new(),
            timing_window_size: 100,
            timing_batch_size: 200,
            alerting: Alerting::default(),
        }
    }
}

fn parse_jobs(raw: &str) -> Result<Vec<(JobKind, Period)>, ConfigError> {
    let mut jobs: Vec<(JobKind, Period)> = JobKind::ALL
        .into_iter()
        .map(|job| {
            let period = Period::parse(job.default_period()).expect("default periods parse");
            (job, period)
        })
        .collect();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, period) = item.split_once('=').ok_or_else(|| {
            ConfigError::new(
                "JOBS",
                format!("'{item}' is not name=PERIOD (e.g. prune_timings=P1D)"),
            )
        })?;
        let name = name.trim();
        let slot = jobs
            .iter_mut()
            .find(|(known, _)| known.name() == name)
            .ok_or_else(|| {
                ConfigError::new(
                    "JOBS",
                    format!("'{name}' is not a job; the jobs are {}", JobKind::names()),
                )
            })?;
        slot.1 =
            Period::parse(period).map_err(|e| ConfigError::new("JOBS", format!("{name}: {e}")))?;
    }
    Ok(jobs)
}

fn parse_thresholds(raw: &str) -> Result<Vec<(String, u32)>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let (route, ms) = item.rsplit_once('=').ok_or_else(|| {
                ConfigError::new(
                    "ROUTE_ALERT_THRESHOLDS",
                    format!("'{item}' is not METHOD_/path=MS"),
                )
            })?;
            let ms = parse_number("ROUTE_ALERT_THRESHOLDS", ms, 1, 600_000)?;
            Ok((route.trim().to_owned(), ms))
        })
        .collect()
}
