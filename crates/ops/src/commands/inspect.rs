//! `schema`, `data`, `log` and `clear`.

use crate::context::{Ops, OpsError};
use ninepanels_persistence::admin;

pub async fn schema(ops: &Ops) -> Result<(), OpsError> {
    let mut last_table = String::new();
    for (table, column, kind) in admin::schema(&ops.db).await? {
        if table != last_table {
            println!("{table}");
            last_table = table;
        }
        println!("  {column:<24} {kind}");
    }
    Ok(())
}

/// The users and their data (the same table as `user list`).
pub async fn data(ops: &Ops) -> Result<(), OpsError> {
    crate::commands::users::list(ops).await
}

pub async fn log(ops: &Ops, limit: u64) -> Result<(), OpsError> {
    for (at, actor, env, command, detail) in admin::operations(&ops.db, limit).await? {
        println!("{at}  {actor:<12} {env:<8} {command:<24} {detail}");
    }
    Ok(())
}

/// Drops every table but the ops log, which records that it happened.
pub async fn clear(ops: &Ops, yes: bool) -> Result<(), OpsError> {
    ops.refuse_on_main("clear")?;
    ops.confirm("clear drops every table and all data", yes)?;
    admin::drop_everything(&ops.db).await?;
    ops.log("clear", "every table dropped").await?;
    println!("cleared: every table dropped; run `ninepanels-ops migrate up` to start again");
    Ok(())
}
