use dashtam_domain::portfolio::Account;
use uuid::Uuid;

use crate::{AppError, Ports};

/// The caller's account: 404 when no one has it, 403 when someone else does.
pub(crate) async fn owned_account(
    ports: &Ports,
    user_id: Uuid,
    account_id: Uuid,
) -> Result<Account, AppError> {
    let accounts = &ports.portfolio.accounts;
    if let Some(a) = accounts.find(user_id, account_id).await? {
        return Ok(a);
    }
    match accounts.owner_of(account_id).await? {
        Some(_) => Err(AppError::Forbidden(
            "This account belongs to another user".into(),
        )),
        None => Err(AppError::NotFound("Account not found".into())),
    }
}
