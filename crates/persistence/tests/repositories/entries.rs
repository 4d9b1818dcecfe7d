//! The entry repository on both engines: taps, the latest entry of each day, keyset pages,
//! clearing.

use crate::support::{at, panel, user};
use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::entry::{DaySpan, HistoryCursor};
use ninepanels_domain::ports::{EntryRepository, PanelRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlEntries, SqlPanels};

fn span(panel_id: i32, start: DateTime<Utc>, end: DateTime<Utc>) -> DaySpan {
    DaySpan {
        panel_id,
        start,
        end,
    }
}

async fn reads_the_latest_entry_of_each_span_in_the_order_asked(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let other = panel(db, &ada, "run").await;
    let t0 = at(2026, 3, 1, 22, 30);
    let e1 = entries.record(ada.id, p.id, Mark::Done, t0).await.unwrap();
    assert_eq!(
        (e1.is_complete, e1.panel_id, e1.timestamp),
        (true, p.id, t0)
    );
    let later = entries
        .record(ada.id, p.id, Mark::Rest, t0 + Duration::hours(1))
        .await
        .unwrap();
    // Two entries at one instant: the later id is the latest.
    let noon = at(2026, 3, 3, 12, 0);
    entries
        .record(ada.id, p.id, Mark::NotDone, noon)
        .await
        .unwrap();
    let tie = entries
        .record(ada.id, p.id, Mark::Done, noon)
        .await
        .unwrap();
    let run = entries
        .record(ada.id, other.id, Mark::Done, t0)
        .await
        .unwrap();
    let day = |d: u32| span(p.id, at(2026, 3, d, 0, 0), at(2026, 3, d + 1, 0, 0));
    let latest = entries
        .latest_in_spans(&[
            day(3),
            span(p.id, t0, t0 + Duration::hours(1)),
            day(2),
            span(other.id, t0, t0 + Duration::hours(1)),
            day(1),
        ])
        .await
        .unwrap();
    assert_eq!(
        latest,
        [
            Some((tie.id, Mark::Done)),
            Some((e1.id, Mark::Done)),
            None,
            Some((run.id, Mark::Done)),
            Some((later.id, Mark::Rest)),
        ],
        "the end of a span is not in it; spans of other panels read their own"
    );
    assert!(entries.latest_in_spans(&[]).await.unwrap().is_empty());
}

async fn a_span_reads_one_entry_among_hundreds(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let t = at(2026, 3, 1, 6, 0);
    let mut last = None;
    for second in 0..500 {
        last = Some(
            entries
                .record(
                    ada.id,
                    p.id,
                    Mark::of(second % 2 == 1, false),
                    t + Duration::seconds(second),
                )
                .await
                .unwrap(),
        );
    }
    let last = last.unwrap();
    let latest = entries
        .latest_in_spans(&[span(p.id, at(2026, 3, 1, 0, 0), at(2026, 3, 2, 0, 0))])
        .await
        .unwrap();
    assert_eq!(latest, [Some((last.id, Mark::Done))]);
}

async fn a_long_list_of_spans_is_read_in_pieces_in_order(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let t = at(2026, 1, 1, 0, 0);
    let hour = |h: i64| span(p.id, t + Duration::hours(h), t + Duration::hours(h + 1));
    let mut taps = Vec::new();
    for h in [0, 511, 512, 1023, 1100] {
        let tap = entries
            .record(
                ada.id,
                p.id,
                [Mark::Done, Mark::NotDone, Mark::Rest][h as usize % 3],
                t + Duration::hours(h),
            )
            .await
            .unwrap();
        taps.push((h as usize, (tap.id, tap.mark())));
    }
    let spans: Vec<DaySpan> = (0..1200).map(hour).collect();
    let latest = entries.latest_in_spans(&spans).await.unwrap();
    assert_eq!(latest.len(), 1200);
    let found: Vec<(usize, (i32, Mark))> = latest
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|l| (i, l)))
        .collect();
    assert_eq!(found, taps);
}

async fn another_users_panel_is_not_found(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let eve = user(db, "eve@example.org").await;
    let p = panel(db, &ada, "mine").await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, p.id, Mark::Done, t).await.unwrap();
    for err in [
        entries
            .record(eve.id, p.id, Mark::Done, t)
            .await
            .unwrap_err(),
        entries
            .record(ada.id, p.id + 1000, Mark::Done, t)
            .await
            .unwrap_err(),
        SqlPanels::new(db.db.clone())
            .get(eve.id, p.id)
            .await
            .unwrap_err(),
        entries.page(eve.id, p.id, None, 10).await.unwrap_err(),
        entries.clear(eve.id, p.id, t).await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound);
    }
    let kept = entries.page(ada.id, p.id, None, 10).await.unwrap();
    assert_eq!(kept.len(), 1, "refused taps wrote nothing");
    assert_eq!((kept[0].timestamp, kept[0].is_complete), (t, true));
}

async fn pages_are_stable_while_new_entries_arrive(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let t = at(2026, 3, 1, 12, 0);
    // Two entries share a timestamp: the id breaks the tie.
    for minutes in [0, 10, 10, 20, 30] {
        entries
            .record(ada.id, p.id, Mark::Done, t + Duration::minutes(minutes))
            .await
            .unwrap();
    }
    let first = entries.page(ada.id, p.id, None, 2).await.unwrap();
    assert_eq!(first[0].timestamp, t + Duration::minutes(30));
    entries
        .record(ada.id, p.id, Mark::Done, t + Duration::minutes(40))
        .await
        .unwrap();
    let cursor = HistoryCursor::after(first.last().unwrap());
    let second = entries.page(ada.id, p.id, Some(cursor), 2).await.unwrap();
    let third = entries
        .page(
            ada.id,
            p.id,
            Some(HistoryCursor::after(second.last().unwrap())),
            2,
        )
        .await
        .unwrap();
    let seen: Vec<i32> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|e| e.id)
        .collect();
    assert_eq!(seen.len(), 5);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 5, "no entry twice, none skipped: {seen:?}");
    assert_eq!(third.len(), 1);
}

async fn clearing_empties_history_and_resets_created_at(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let other = panel(db, &ada, "run").await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, p.id, Mark::Done, t).await.unwrap();
    entries
        .record(ada.id, other.id, Mark::Done, t)
        .await
        .unwrap();
    let now = at(2026, 4, 1, 8, 0);
    entries.clear(ada.id, p.id, now).await.unwrap();
    assert!(
        entries
            .page(ada.id, p.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        entries
            .page(ada.id, other.id, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(panels.get(ada.id, p.id).await.unwrap().created_at, now);
}

ninepanels_persistence::test_on_both_engines!(
    reads_the_latest_entry_of_each_span_in_the_order_asked,
    a_span_reads_one_entry_among_hundreds,
    a_long_list_of_spans_is_read_in_pieces_in_order,
    another_users_panel_is_not_found,
    pages_are_stable_while_new_entries_arrive,
    clearing_empties_history_and_resets_created_at,
);
