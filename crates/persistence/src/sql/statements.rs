//! Every statement the repositories write by hand, for both engines (`{n}` placeholders);
//! sea-orm builds the rest.

use super::HotQuery;

/// Panels with the state of their latest entry in a time range, answered from the covering
/// entries index.
pub static PANELS_WITH_LATEST: HotQuery = HotQuery::new(
    "SELECT p.id, p.created_at, p.title, p.description, p.position, p.user_id, \
     (SELECT e.is_complete FROM entries e \
       WHERE e.panel_id = p.id AND e.timestamp >= {2} AND e.timestamp < {3} \
       ORDER BY e.timestamp DESC, e.id DESC LIMIT 1) AS latest \
     FROM panels p WHERE p.user_id = {1} ORDER BY p.position, p.id",
);

/// A tap in one statement: the row goes in only if the panel is the user's.
pub static RECORD_ENTRY: HotQuery = HotQuery::new(
    "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) \
     SELECT {1}, {2}, {3}, p.id FROM panels p WHERE p.id = {4} AND p.user_id = {5} \
     RETURNING id",
);

/// Several taps in one statement, each going in only if its panel is its user's, inserted in the
/// order given (so a panel's new ids rise in that order): the new entries' ids with their panels.
/// PostgreSQL takes the taps as five arrays.
pub static RECORD_ENTRIES_POSTGRES: HotQuery = HotQuery::new(
    "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) \
     SELECT t.is_complete, t.is_skip, t.at, p.id \
     FROM unnest({1}::bool[], {2}::bool[], {3}::timestamp[], {4}::int4[], {5}::int4[]) \
       WITH ORDINALITY AS t(is_complete, is_skip, at, panel_id, user_id, n) \
     JOIN panels p ON p.id = t.panel_id AND p.user_id = t.user_id \
     ORDER BY t.n \
     RETURNING id, panel_id",
);

/// [`RECORD_ENTRIES_POSTGRES`] on SQLite, which takes the taps as one JSON array of
/// `[is_complete, is_skip, time, panel, user]` with the time as SQLite stores it.
pub static RECORD_ENTRIES_SQLITE: HotQuery = HotQuery::new(
    "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) \
     SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, p.id \
     FROM json_each({1}) j JOIN panels p ON p.id = j.value ->> 3 AND p.user_id = j.value ->> 4 \
     ORDER BY j.key \
     RETURNING id, panel_id",
);

/// The latest entry of each span `(panel, start, end)`, by the span's place in the list (from 0):
/// one index seek per span. PostgreSQL takes the spans as three arrays.
pub static LATEST_IN_SPANS_POSTGRES: HotQuery = HotQuery::new(
    "SELECT d.n - 1, l.id, l.is_complete, l.is_skip \
     FROM unnest({1}::int4[], {2}::timestamp[], {3}::timestamp[]) WITH ORDINALITY \
       AS d(panel_id, lo, hi, n) \
     CROSS JOIN LATERAL (SELECT e.id, COALESCE(e.is_complete, false) AS is_complete, e.is_skip \
       FROM entries e WHERE e.panel_id = d.panel_id AND e.timestamp >= d.lo AND e.timestamp < d.hi \
       ORDER BY e.timestamp DESC, e.id DESC LIMIT 1) l",
);

/// [`LATEST_IN_SPANS_POSTGRES`] on SQLite, which takes the spans as one JSON array of
/// `[panel, start, end]` with the times as SQLite stores them. The latest entries come back in
/// one text, `place:packed,...` with `packed = id * 4 + is_skip * 2 + is_complete` (spans
/// without one left out: their pair is null, and `group_concat` skips nulls), read from the
/// covering index alone: sqlx hands SQLite rows over one at a time between threads, and one
/// row instead of hundreds is most of the saving. (A `WHERE packed IS NOT NULL` made SQLite
/// run each span's search twice once the subquery was flattened.)
pub static LATEST_IN_SPANS_SQLITE: HotQuery = HotQuery::new(
    "SELECT group_concat(place || ':' || packed, ',') FROM ( \
       SELECT j.key AS place, (SELECT x.id * 4 + x.is_skip * 2 + COALESCE(x.is_complete, 0) FROM entries x \
         WHERE x.panel_id = j.value ->> 0 AND x.timestamp >= j.value ->> 1 \
           AND x.timestamp < j.value ->> 2 \
         ORDER BY x.timestamp DESC, x.id DESC LIMIT 1) AS packed \
       FROM json_each({1}) j)",
);

/// A user's panels in position order, each with its history revision and its tally in a zone.
pub static PANELS_WITH_TALLIES: HotQuery = HotQuery::new(
    "SELECT p.id, p.created_at, p.title, p.description, p.position, p.user_id, \
     COALESCE(r.revision, 0), t.created_at, t.revision, t.first_day, t.through_day, \
     t.days_complete, t.run, t.longest, t.longest_end, t.days_skipped, t.run_start, \
     t.longest_start \
     FROM panels p \
     LEFT JOIN panel_revisions r ON r.panel_id = p.id \
     LEFT JOIN panel_tallies t ON t.panel_id = p.id AND t.zone = {2} \
     WHERE p.user_id = {1} ORDER BY p.position, p.id",
);

/// A panel's tally in a zone, replacing the one it had there.
pub static SAVE_TALLY: HotQuery = HotQuery::new(
    "INSERT INTO panel_tallies (panel_id, zone, created_at, revision, first_day, through_day, \
       days_complete, run, longest, longest_end, days_skipped, run_start, longest_start) \
     VALUES ({1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}) \
     ON CONFLICT (panel_id, zone) DO UPDATE SET created_at = excluded.created_at, \
       revision = excluded.revision, first_day = excluded.first_day, \
       through_day = excluded.through_day, days_complete = excluded.days_complete, \
       run = excluded.run, longest = excluded.longest, longest_end = excluded.longest_end, \
       days_skipped = excluded.days_skipped, run_start = excluded.run_start, \
       longest_start = excluded.longest_start",
);

/// One more attempt for a key: a new row, or the stored window counted on, or started again at
/// `{2}` when it began before `{3}`. One statement, so two processes never lose a count.
pub static ADD_ATTEMPT: HotQuery = HotQuery::new(
    "INSERT INTO sign_in_attempts (attempt_key, window_start, attempts) VALUES ({1}, {2}, 1) \
     ON CONFLICT (attempt_key) DO UPDATE SET \
     attempts = CASE WHEN sign_in_attempts.window_start < {3} THEN 1 \
                ELSE sign_in_attempts.attempts + 1 END, \
     window_start = CASE WHEN sign_in_attempts.window_start < {3} THEN {2} \
                    ELSE sign_in_attempts.window_start END",
);

/// Outbox messages not delivered: those still tried, and those parked.
pub static OUTBOX_DEPTH: HotQuery = HotQuery::new(
    "SELECT COALESCE(SUM(CASE WHEN parked_at IS NULL THEN 1 ELSE 0 END), 0), \
            COALESCE(SUM(CASE WHEN parked_at IS NULL THEN 0 ELSE 1 END), 0) \
     FROM event_outbox WHERE delivered_at IS NULL",
);

/// An ops log line with its own id (a restore keeping the log).
pub static OPS_LOG_WITH_ID: HotQuery = HotQuery::new(
    "INSERT INTO ops_log (at, actor, env, command, detail, id) \
     VALUES ({1}, {2}, {3}, {4}, {5}, {6})",
);

/// An ops log line with the next id.
pub static OPS_LOG_LINE: HotQuery = HotQuery::new(
    "INSERT INTO ops_log (at, actor, env, command, detail) VALUES ({1}, {2}, {3}, {4}, {5})",
);
