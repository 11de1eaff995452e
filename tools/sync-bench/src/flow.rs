//! The product's own path to a synced account: a registered user, a Schwab connection
//! through `ConnectProvider` → the sandbox's consent (bulk profile) → `CompleteOAuth`,
//! then `SyncAccounts` and `SyncTransactions`.

use chrono::{Duration, NaiveDate};
use dashtam_application::{
    Ports, Principal,
    identity::commands::RegisterUser,
    portfolio::commands::{SyncAccounts, SyncReport, SyncTransactions},
    providers::commands::{CompleteOAuth, ConnectProvider, Connecting},
};
use dashtam_domain::{
    identity::value_objects::Email, platform::events::EventContext, portfolio::Account,
    providers::ProviderSlug,
};
use uuid::Uuid;

use crate::{BoxError, sandbox_proc::SandboxProcess};

const PASSWORD: &str = "Str0ng!Passw0rd";

/// Days of history asked for: the bulk profile's year, with a day to spare.
const HISTORY_DAYS: i64 = 366;

fn context() -> EventContext {
    EventContext {
        ip_address: Some("203.0.113.9".into()),
        user_agent: Some("dashtam-sync-bench".into()),
        trace_id: None,
    }
}

/// A new user (RegisterUser over the table) as the HTTP layer would present it: a
/// `Principal` built from the stored user.
pub async fn user(ports: &Ports, tag: &str) -> Result<Principal, BoxError> {
    let email =
        Email::parse(&format!("bench-{tag}@example.com")).map_err(|e| format!("email: {e:?}"))?;
    let registered = RegisterUser {
        email,
        password: PASSWORD.into(),
        context: context(),
    }
    .execute(ports)
    .await?;
    let user = ports
        .identity
        .users
        .find_by_id(registered.id)
        .await?
        .ok_or("the registered user is not stored")?;
    Ok(Principal {
        user_id: user.id,
        email: user.email.to_string(),
        session_id: Uuid::now_v7(),
        roles: user.roles.clone(),
        user,
    })
}

/// Connects Schwab (the sandbox's bulk investor) and syncs its accounts; answers the
/// connection id.
pub async fn connect(
    ports: &Ports,
    sandbox: &mut SandboxProcess,
    principal: &Principal,
) -> Result<Uuid, BoxError> {
    let started = ConnectProvider {
        principal: principal.clone(),
        provider_slug: ProviderSlug::Schwab,
        alias: Some("Bulk".into()),
        redirect_uri: None,
        api_key: None,
        api_secret: None,
        connection_id: None,
        context: context(),
    }
    .execute(ports)
    .await?;
    let Connecting::Authorize { state, .. } = started else {
        return Err("Schwab answered no consent URL".into());
    };
    let code = sandbox
        .authorize(crate::stack::REDIRECT_URI, &state)
        .await?;
    let connection = CompleteOAuth {
        code: Some(code),
        state: Some(state),
        provider_slug: Some(ProviderSlug::Schwab),
        provider_error: None,
        context: context(),
    }
    .execute(ports)
    .await
    .map_err(|e| format!("callback: {e}"))?;
    SyncAccounts {
        principal: principal.clone(),
        connection_id: connection.id,
        force: false,
        context: context(),
    }
    .execute(ports)
    .await?;
    Ok(connection.id)
}

/// Every account's transactions of the last year.
pub async fn sync_transactions(
    ports: &Ports,
    principal: &Principal,
    connection_id: Uuid,
) -> Result<SyncReport, BoxError> {
    let today: NaiveDate = ports.clock.now().date_naive();
    Ok(SyncTransactions {
        principal: principal.clone(),
        connection_id,
        account_id: None,
        start_date: Some(today - Duration::days(HISTORY_DAYS)),
        end_date: Some(today),
        force: false,
        context: context(),
    }
    .execute(ports)
    .await?)
}

/// The connection's accounts as stored.
pub async fn accounts(
    ports: &Ports,
    principal: &Principal,
    connection_id: Uuid,
) -> Result<Vec<Account>, BoxError> {
    Ok(ports
        .portfolio
        .accounts
        .list_for_user(principal.user_id)
        .await?
        .into_iter()
        .filter(|a| a.connection_id == connection_id)
        .collect())
}
