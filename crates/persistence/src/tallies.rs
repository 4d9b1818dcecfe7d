//! The tally repository: panels with their saved tallies in a zone, and saving new ones.

use crate::error::DbResultExt;
use crate::rows::TalliedPanelRow;
use crate::sql::{Hot, fetch, statements};
use crate::time::to_db;
use async_trait::async_trait;
use ninepanels_domain::Result;
use ninepanels_domain::ports::TallyRepository;
use ninepanels_domain::tally::{PanelTally, SavedTally};
use ninepanels_domain::user::{TimeZone, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

#[derive(Debug, Clone)]
pub struct SqlTallies {
    db: DatabaseConnection,
    hot: Hot,
}

impl SqlTallies {
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_hot(Hot::for_pool(&db), db)
    }

    /// On `db`, sharing the connections `hot` keeps with other repositories.
    pub fn with_hot(hot: Hot, db: DatabaseConnection) -> Self {
        Self { db, hot }
    }
}

/// A count as the `INTEGER` columns hold it.
fn column(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl TallyRepository for SqlTallies {
    async fn panels_with_tallies(
        &self,
        user_id: UserId,
        zone: TimeZone,
    ) -> Result<Vec<PanelTally>> {
        let inline = self.hot.read_inline(
            &statements::PANELS_WITH_TALLIES,
            || (user_id, zone.name()),
            TalliedPanelRow::read_inline,
        );
        if let Some(rows) = inline {
            return Ok(rows.into_iter().map(Into::into).collect());
        }
        let rows: Vec<TalliedPanelRow> = fetch!(
            fetch_all,
            &self.hot,
            statements::PANELS_WITH_TALLIES,
            user_id,
            zone.name()
        )
        .or_db("listing panels with their tallies")?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn save(&self, zone: TimeZone, tallies: &[SavedTally]) -> Result<()> {
        let backend = self.db.get_database_backend();
        let txn = self.db.begin().await.or_db("starting transaction")?;
        for saved in tallies {
            let t = &saved.tally;
            let values: Vec<sea_orm::Value> = vec![
                saved.panel_id.into(),
                zone.name().into(),
                to_db(saved.created_at).into(),
                saved.revision.into(),
                t.first_day.into(),
                t.through.into(),
                column(t.days_complete).into(),
                column(t.run).into(),
                column(t.longest).into(),
                t.longest_end.into(),
                column(t.days_skipped).into(),
                t.run_start.into(),
                t.longest_start.into(),
            ];
            let sql = statements::SAVE_TALLY.sql(backend);
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .or_db("saving a tally")?;
        }
        txn.commit().await.or_db("committing tallies")
    }
}
