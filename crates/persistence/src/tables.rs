//! The one list of the tables this server keeps, with what each holds; every other list of
//! tables (export and import, dropping everything, restores) is read from it.

/// What a table holds, which decides who copies, empties or keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// People's data: what an export carries and an import writes.
    Accounts,
    /// Work and measurements of the server itself.
    Background,
    /// Figures counted from people's data to make reads cheap: never copied (a restore or an
    /// import counts them again as it is read), emptied with the data they were counted from.
    Derived,
    /// The record of destructive operator commands; it outlives a drop.
    OpsLog,
    /// Which migrations are applied (ours, and the old server's).
    Migrations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub holds: Holds,
}

const fn table(name: &'static str, holds: Holds) -> Table {
    Table { name, holds }
}

/// Every table, parents before children.
pub const TABLES: [Table; 17] = [
    table("users", Holds::Accounts),
    table("panels", Holds::Accounts),
    table("entries", Holds::Accounts),
    table("password_reset_tokens", Holds::Accounts),
    table("blacklisted_access_tokens", Holds::Accounts),
    table("panel_revisions", Holds::Derived),
    table("panel_tallies", Holds::Derived),
    table("timings", Holds::Background),
    table("timing_stats", Holds::Background),
    table("event_outbox", Holds::Background),
    table("scheduled_jobs", Holds::Background),
    table("job_runs", Holds::Background),
    table("sign_in_attempts", Holds::Background),
    table("alerts", Holds::Background),
    table("ops_log", Holds::OpsLog),
    table("seaql_migrations", Holds::Migrations),
    table("alembic_version", Holds::Migrations),
];

/// Every table, children first (the order drops and deletes go in).
pub fn children_first() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().rev()
}

/// The account tables, parents first, as an array (export keys its records by position).
pub const ACCOUNT_TABLES: [&str; 5] = [
    TABLES[0].name,
    TABLES[1].name,
    TABLES[2].name,
    TABLES[3].name,
    TABLES[4].name,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_tables_are_the_first_five_and_names_are_unique() {
        let accounts = TABLES.iter().filter(|t| t.holds == Holds::Accounts);
        assert!(ACCOUNT_TABLES.iter().copied().eq(accounts.map(|t| t.name)));
        let mut names: Vec<_> = TABLES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
    }
}
