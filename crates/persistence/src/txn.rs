//! Ending a transaction as its work went: committed when it succeeded, rolled back (never left
//! to the pool half done) when it failed.

use crate::error::DbResultExt;
use ninepanels_domain::Result;
use sea_orm::DatabaseTransaction;

/// Commits `txn` when `outcome` is `Ok`, else rolls it back; answers `outcome`. `doing` names
/// the work for the error of a commit or rollback that fails.
pub(crate) async fn settle<T>(
    txn: DatabaseTransaction,
    outcome: Result<T>,
    doing: &str,
) -> Result<T> {
    match outcome {
        Ok(value) => {
            txn.commit().await.or_db(&format!("committing {doing}"))?;
            Ok(value)
        }
        Err(e) => {
            txn.rollback().await.or_db(&format!("undoing {doing}"))?;
            Err(e)
        }
    }
}
