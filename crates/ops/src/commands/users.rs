//! `user create-admin|promote|demote`.

use crate::context::{Ops, OpsError};
use ninepanels_domain::ports::UserRepository;
use ninepanels_domain::user::{Email, NewUser, Password, PasswordHash, UserChanges, UserName};
use ninepanels_persistence::SqlUsers;

pub async fn create_admin(
    ops: &Ops,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(), OpsError> {
    ops.require_current_schema().await?;
    let password = Password::parse(password)?;
    let user = SqlUsers::new(ops.db.clone())
        .create(
            NewUser {
                email: Email::parse(email)?,
                name: UserName::parse(name)?,
                password_hash: PasswordHash::new(ninepanels_domain::password::hash(
                    password.expose(),
                )?),
                time_zone: ops.config.auth.default_time_zone,
                is_admin: true,
            },
            Box::new(|_| Vec::new()),
        )
        .await?;
    ops.log("user create-admin", user.email.as_str()).await?;
    println!("admin created: {} (id {})", user.email, user.id);
    Ok(())
}

pub async fn set_admin(ops: &Ops, email: &str, is_admin: bool) -> Result<(), OpsError> {
    ops.require_current_schema().await?;
    let users = SqlUsers::new(ops.db.clone());
    let email = Email::parse(email)?;
    let user = users
        .find_by_email(&email)
        .await?
        .ok_or_else(|| OpsError::Usage(format!("no user has the email {email}")))?;
    users
        .update(
            user.id,
            UserChanges {
                is_admin: Some(is_admin),
                ..Default::default()
            },
        )
        .await?;
    let command = if is_admin {
        "user promote"
    } else {
        "user demote"
    };
    ops.log(command, email.as_str()).await?;
    println!(
        "{email} is {}an admin",
        if is_admin { "now " } else { "no longer " }
    );
    Ok(())
}
