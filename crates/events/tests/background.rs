//! Outbox delivery, route statistics and the job schedule against real databases.

mod support;

use chrono::{Duration, TimeZone, Utc};
use ninepanels_domain::clock::{Clock, TestClock};
use ninepanels_domain::config::Background;
use ninepanels_domain::events::RouteTimed;
use ninepanels_domain::period::Period;
use ninepanels_domain::ports::{JobRepository, OutboxRepository, UserRepository};
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone as Zone, UserName};
use ninepanels_events::dispatcher::dispatch_event;
use ninepanels_events::scheduler::{self, Job, JobFuture};
use ninepanels_events::{EventBus, HandlerContext, outbox};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlJobs, SqlOutbox, SqlUsers};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use support::{CountingMailer, context};

fn clock() -> TestClock {
    TestClock::at(Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap())
}

/// Signs up `count` users, each with a welcome mail in the outbox (same transaction).
async fn users_with_welcome_mails(db: &TestDb, count: usize, now: chrono::DateTime<Utc>) {
    let users = SqlUsers::new(db.db.clone());
    for i in 0..count {
        users
            .create(
                NewUser {
                    email: Email::parse(&format!("user{i}@example.org")).unwrap(),
                    name: UserName::parse("U").unwrap(),
                    password_hash: PasswordHash::new("x"),
                    time_zone: Zone::parse("UTC").unwrap(),
                    is_admin: false,
                },
                Box::new(move |u| vec![support::welcome_draft(u, now)]),
            )
            .await
            .unwrap();
    }
}

/// Two workers (two processes' worth) deliver 40 mails between them, each exactly once.
async fn two_workers_deliver_each_message_once(db: &TestDb) {
    let clock = clock();
    users_with_welcome_mails(db, 40, clock.now()).await;
    let mailer = Arc::new(CountingMailer::default());
    let a = context(
        db,
        mailer.clone(),
        Arc::new(clock.clone()),
        Background::default(),
    );
    let b = context(
        db,
        mailer.clone(),
        Arc::new(clock.clone()),
        Background::default(),
    );
    assert_ne!(a.runner, b.runner);
    let (ra, rb) = tokio::join!(outbox::deliver_due(&a), outbox::deliver_due(&b));
    assert_eq!(ra.unwrap() + rb.unwrap(), 40);
    let mut sent: Vec<String> = mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.to.to_string())
        .collect();
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 40, "every mail once");
    assert_eq!(mailer.sent.lock().unwrap().len(), 40, "no mail twice");
    let listed = SqlOutbox::new(db.db.clone()).list(100).await.unwrap();
    assert!(
        listed
            .iter()
            .all(|m| m.delivered_at.is_some() && m.payload.is_none())
    );
}

/// A failing mail is retried with backoff, parked after the limit, and retried by the operator.
async fn failures_back_off_then_park(db: &TestDb) {
    let clock = clock();
    users_with_welcome_mails(db, 1, clock.now()).await;
    let mailer = Arc::new(CountingMailer::default());
    mailer.down.store(true, Ordering::SeqCst);
    let settings = Background {
        outbox_max_attempts: 3,
        ..Background::default()
    };
    let ctx = context(db, mailer.clone(), Arc::new(clock.clone()), settings);
    let repo = SqlOutbox::new(db.db.clone());
    assert_eq!(outbox::deliver_due(&ctx).await.unwrap(), 0);
    let first = repo.list(10).await.unwrap().remove(0);
    assert_eq!(first.attempts, 1);
    assert_eq!(first.available_at, clock.now() + Duration::seconds(2));
    assert_eq!(
        first.last_error.as_deref(),
        Some("handle_user_created: the mail server is down")
    );
    assert_eq!(
        outbox::deliver_due(&ctx).await.unwrap(),
        0,
        "not due before its backoff"
    );
    for _ in 0..2 {
        clock.advance(Duration::minutes(1));
        outbox::deliver_due(&ctx).await.unwrap();
    }
    let parked = repo.list(10).await.unwrap().remove(0);
    assert!(parked.parked_at.is_some(), "{parked:?}");
    clock.advance(Duration::hours(1));
    assert_eq!(
        outbox::deliver_due(&ctx).await.unwrap(),
        0,
        "parked stays parked"
    );
    mailer.down.store(false, Ordering::SeqCst);
    assert_eq!(repo.retry_parked(clock.now()).await.unwrap(), 1);
    assert_eq!(outbox::deliver_due(&ctx).await.unwrap(), 1);
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
}

/// Statistics are recomputed after each batch; an alert is raised once and cleared.
async fn route_statistics_raise_and_clear_alerts(db: &TestDb) {
    let clock = clock();
    let settings = Background {
        timing_batch_size: 2,
        timing_window_size: 4,
        alert_thresholds: vec![("GET_/v5/panels".into(), 100)],
        ..Background::default()
    };
    let ctx = context(
        db,
        Arc::new(CountingMailer::default()),
        Arc::new(clock.clone()),
        settings,
    );
    let (bus, inbox) = EventBus::new(8, Arc::new(clock.clone()), ctx.timing_buffer.clone());
    let timings = ctx.timings.clone();
    // Each request's timing joins its route's batch; each full batch is one event to handle.
    let time = async |readings: &[f64]| {
        for &ms in readings {
            bus.route_timed(RouteTimed {
                method: "GET".into(),
                path: "/v5/panels".into(),
                method_path: "GET_/v5/panels".into(),
                started_at: clock.now(),
                diff_ms: ms,
            });
        }
        while bus.queued() > 0 {
            let batch = inbox.recv().await.unwrap();
            assert_eq!(dispatch_event(&ctx, batch).await, Ok(()));
            inbox.handled();
        }
    };
    time(&[20.0]).await;
    assert!(
        timings.stats("GET_/v5/panels").await.unwrap().is_none(),
        "half a batch waits"
    );
    time(&[40.0]).await;
    let calm = timings.stats("GET_/v5/panels").await.unwrap().unwrap();
    assert_eq!(
        (calm.avg, calm.min, calm.max, calm.last, calm.in_alert),
        (30.0, 20.0, 40.0, 40.0, false)
    );
    time(&[400.0, 500.0]).await;
    let raised = timings.stats("GET_/v5/panels").await.unwrap().unwrap();
    assert!(raised.in_alert && raised.alert_id.is_some(), "{raised:?}");
    assert_eq!(raised.alert_threshold_ms, 100);
    time(&[10.0, 10.0, 10.0, 10.0]).await;
    let cleared = timings.stats("GET_/v5/panels").await.unwrap().unwrap();
    assert!(
        !cleared.in_alert && cleared.alert_id.is_none(),
        "{cleared:?}"
    );
    let readings = timings.recent("GET_/v5/panels", 100).await.unwrap();
    assert_eq!(readings.len(), 8);
    assert_eq!(ctx.timings.prune(3).await.unwrap(), 5);
}

fn sleepy(_ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        Ok(0)
    })
}

fn quick(_ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move { Ok(1) })
}

fn counted(_ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move { Ok(1) })
}

/// A job that sleeps never delays another; every run is recorded.
async fn a_slow_job_does_not_delay_another(db: &TestDb) {
    let clock = clock();
    let ctx = context(
        db,
        Arc::new(CountingMailer::default()),
        Arc::new(clock.clone()),
        Background::default(),
    );
    let every_second = Period::parse("PT1S").unwrap();
    let schedule = vec![
        (
            Job {
                name: "sleepy",
                run: sleepy,
            },
            every_second,
        ),
        (
            Job {
                name: "quick",
                run: quick,
            },
            every_second,
        ),
    ];
    let task = scheduler::spawn(ctx.clone(), schedule);
    let jobs = SqlJobs::new(db.db.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let quick_runs = loop {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        clock.advance(Duration::seconds(2));
        let runs = jobs.recent_runs(Some("quick"), 10).await.unwrap();
        if runs.iter().filter(|r| r.outcome == "ok").count() >= 2 {
            break runs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "quick never ran twice while sleepy slept: {runs:?}"
        );
    };
    task.abort();
    assert!(
        quick_runs
            .iter()
            .any(|r| r.outcome == "ok" && r.finished_at.is_some() && r.rows_affected.is_some())
    );
    let sleepy_runs = jobs.recent_runs(Some("sleepy"), 10).await.unwrap();
    assert_eq!(sleepy_runs.len(), 1, "never started twice while running");
    assert_eq!(sleepy_runs[0].outcome, "running");
}

/// A test clock that counts its reads: a scheduler reads it once per job on every tick,
/// before it tries to claim the job.
#[derive(Debug)]
struct CountedClock {
    inner: TestClock,
    reads: std::sync::atomic::AtomicUsize,
}

impl Clock for CountedClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.now()
    }
}

/// Two processes' schedulers on one database: a due run happens on one of them only.
async fn a_due_run_happens_once_across_processes(db: &TestDb) {
    let time = clock();
    let clocks = [0, 1].map(|_| {
        Arc::new(CountedClock {
            inner: time.clone(),
            reads: Default::default(),
        })
    });
    let [a, b] = clocks.clone().map(|clock| {
        context(
            db,
            Arc::new(CountingMailer::default()),
            clock,
            Background::default(),
        )
    });
    let hourly = Period::parse("PT1H").unwrap();
    let job = Job {
        name: "counted",
        run: counted,
    };
    let ta = scheduler::spawn(a, vec![(job, hourly)]);
    let tb = scheduler::spawn(b, vec![(job, hourly)]);
    let jobs = SqlJobs::new(db.db.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let reads = || clocks.each_ref().map(|c| c.reads.load(Ordering::SeqCst));
    while jobs
        .recent_runs(Some("counted"), 10)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(std::time::Instant::now() < deadline, "the job never ran");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Both schedulers tick at least twice more (a run reads the clock too, so five reads):
    // neither may take the run again.
    let after_run = reads();
    while reads()
        .iter()
        .zip(after_run)
        .any(|(now, then)| *now < then + 5)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the schedulers stopped ticking"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ta.abort();
    tb.abort();
    let runs = jobs.recent_runs(Some("counted"), 10).await.unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
}

ninepanels_persistence::test_on_both_engines!(
    two_workers_deliver_each_message_once,
    failures_back_off_then_park,
    route_statistics_raise_and_clear_alerts,
    a_slow_job_does_not_delay_another,
    a_due_run_happens_once_across_processes,
);
