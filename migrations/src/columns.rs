//! Adding a column once: a migration that ran halfway (or on a database that has it) goes on.

use sea_orm_migration::prelude::*;

/// Adds `column` to `table` unless the table already has a column called `name`.
pub(crate) async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    name: &str,
    column: ColumnDef,
) -> Result<(), DbErr> {
    if manager.has_column(table, name).await? {
        return Ok(());
    }
    manager
        .alter_table(
            Table::alter()
                .table(table.to_owned())
                .add_column(column)
                .to_owned(),
        )
        .await
}
