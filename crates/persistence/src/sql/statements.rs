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
    "INSERT INTO entries (is_complete, timestamp, panel_id) \
     SELECT {1}, {2}, p.id FROM panels p WHERE p.id = {3} AND p.user_id = {4} \
     RETURNING id",
);

/// A panel's entries from an instant on, oldest first.
pub static PANEL_ENTRIES_SINCE: HotQuery = HotQuery::new(
    "SELECT id, is_complete, timestamp, panel_id FROM entries \
     WHERE panel_id = {1} AND timestamp >= {2} ORDER BY timestamp, id",
);

/// A user's entries from an instant on, by panel and then oldest first.
pub static USER_ENTRIES_SINCE: HotQuery = HotQuery::new(
    "SELECT e.id, e.is_complete, e.timestamp, e.panel_id FROM entries e \
     JOIN panels p ON p.id = e.panel_id \
     WHERE p.user_id = {1} AND e.timestamp >= {2} \
     ORDER BY e.panel_id, e.timestamp, e.id",
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

/// An ops log line with its own id (a restore keeping the log).
pub static OPS_LOG_WITH_ID: HotQuery = HotQuery::new(
    "INSERT INTO ops_log (at, actor, env, command, detail, id) \
     VALUES ({1}, {2}, {3}, {4}, {5}, {6})",
);

/// An ops log line with the next id.
pub static OPS_LOG_LINE: HotQuery = HotQuery::new(
    "INSERT INTO ops_log (at, actor, env, command, detail) VALUES ({1}, {2}, {3}, {4}, {5})",
);
