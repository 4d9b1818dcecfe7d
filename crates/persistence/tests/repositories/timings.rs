//! The timing repository on both engines: batches written whole, every column kept.

use crate::support::at;
use chrono::Duration;
use ninepanels_domain::background::Timing;
use ninepanels_domain::ports::TimingRepository;
use ninepanels_persistence::SqlTimings;
use ninepanels_persistence::testing::TestDb;
use sea_orm::{ConnectionTrait, Statement};

fn timing(n: i64, request_id: Option<&str>) -> Timing {
    let started_at = at(2026, 5, 1, 12, 0) + Duration::microseconds(n * 1_001);
    Timing {
        method: "GET".into(),
        path: "/v5/panels".into(),
        method_path: "GET_/v5/panels".into(),
        request_id: request_id.map(str::to_owned),
        event_id: Some(format!("event-{n}")),
        started_at,
        stopped_at: started_at + Duration::microseconds(2_500),
        diff_ms: 2.5 + n as f64,
    }
}

async fn a_batch_keeps_every_column_and_its_order(db: &TestDb) {
    let timings = SqlTimings::new(db.db.clone());
    timings
        .insert_batch(&[timing(1, Some("req-1")), timing(2, None)])
        .await
        .unwrap();
    let sql = "SELECT request_id, event_id, method, path, method_path, start_ts, stop_ts, \
               created_at, diff_ms FROM timings ORDER BY id";
    let rows = db
        .db
        .query_all_raw(Statement::from_string(db.db.get_database_backend(), sql))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for (row, expected) in rows.iter().zip([timing(1, Some("req-1")), timing(2, None)]) {
        let text = |i| row.try_get_by_index::<Option<String>>(i).unwrap();
        let time = |i| {
            row.try_get_by_index::<chrono::NaiveDateTime>(i)
                .unwrap()
                .and_utc()
        };
        assert_eq!(text(0), expected.request_id);
        assert_eq!(text(1), expected.event_id);
        assert_eq!(
            (text(2), text(3), text(4)),
            (
                Some(expected.method.clone()),
                Some(expected.path.clone()),
                Some(expected.method_path.clone())
            )
        );
        assert_eq!(
            (time(5), time(6), time(7)),
            (
                expected.started_at,
                expected.stopped_at,
                expected.stopped_at
            )
        );
        assert_eq!(row.try_get_by_index::<f64>(8).unwrap(), expected.diff_ms);
    }
    let recent = timings.recent("GET_/v5/panels", 10).await.unwrap();
    assert_eq!(recent[0], (4.5, timing(2, None).stopped_at), "newest first");
}

async fn a_batch_larger_than_one_statement_holds_is_written_whole(db: &TestDb) {
    let timings = SqlTimings::new(db.db.clone());
    let batch: Vec<Timing> = (0..2_500).map(|n| timing(n, None)).collect();
    timings.insert_batch(&batch).await.unwrap();
    timings.insert_batch(&[]).await.unwrap();
    let recent = timings.recent("GET_/v5/panels", 5_000).await.unwrap();
    assert_eq!(recent.len(), 2_500);
    assert_eq!(recent[0].0, 2.5 + 2_499.0);
}

ninepanels_persistence::test_on_both_engines!(
    a_batch_keeps_every_column_and_its_order,
    a_batch_larger_than_one_statement_holds_is_written_whole
);
