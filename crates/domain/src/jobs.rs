//! The scheduled jobs this server knows: the one list of them, with their default periods.

/// A scheduled job. Adding one here makes the configuration accept it and the scheduler
/// refuse to build until it says what the job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    PurgeExpiredTokens,
    PruneAttempts,
    PruneTimings,
    RetryOutbox,
    FlushTimings,
    PruneHistory,
}

impl JobKind {
    pub const ALL: [JobKind; 6] = [
        JobKind::PurgeExpiredTokens,
        JobKind::PruneAttempts,
        JobKind::PruneTimings,
        JobKind::RetryOutbox,
        JobKind::FlushTimings,
        JobKind::PruneHistory,
    ];

    /// The name in `JOBS`, `ninepanels-ops jobs run` and the job tables.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::PurgeExpiredTokens => "purge_expired_tokens",
            JobKind::PruneAttempts => "prune_attempts",
            JobKind::PruneTimings => "prune_timings",
            JobKind::RetryOutbox => "retry_outbox",
            JobKind::FlushTimings => "flush_timings",
            JobKind::PruneHistory => "prune_history",
        }
    }

    /// How often it runs unless `JOBS` says otherwise (ISO-8601).
    pub fn default_period(self) -> &'static str {
        match self {
            JobKind::PurgeExpiredTokens | JobKind::PruneAttempts => "PT1H",
            JobKind::PruneTimings | JobKind::PruneHistory => "P1D",
            JobKind::RetryOutbox => "PT1M",
            JobKind::FlushTimings => "PT10S",
        }
    }

    pub fn named(name: &str) -> Option<JobKind> {
        Self::ALL.into_iter().find(|job| job.name() == name)
    }

    /// Every name, for messages: "purge_expired_tokens, prune_attempts, ...".
    pub fn names() -> String {
        Self::ALL.map(JobKind::name).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_periods_parse() {
        for job in JobKind::ALL {
            assert_eq!(JobKind::named(job.name()), Some(job));
            assert!(crate::period::Period::parse(job.default_period()).is_ok());
        }
        assert_eq!(JobKind::named("make_coffee"), None);
    }
}
