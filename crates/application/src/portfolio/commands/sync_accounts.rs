use dashtam_domain::{
    platform::events::{EventContext, EventPayload},
    portfolio::SnapshotSource,
    providers::ProviderConnection,
};
use uuid::Uuid;

use super::{
    SyncReport, SyncTrigger,
    provider_call::{SyncClaim, client_of, with_fresh_token},
    upsert_accounts::{Upsert, upsert_accounts},
};
use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    providers::{owned_connection, usable_credentials},
    retry::retry_on_conflict,
};

/// Syncs a connection's accounts: upsert by the provider's account id, one snapshot per
/// account reported. At most once per 5 minutes unless forced.
pub struct SyncAccounts {
    pub principal: Principal,
    pub connection_id: Uuid,
    pub force: bool,
    pub context: EventContext,
}

impl SyncAccounts {
    pub async fn execute(self, ports: &Ports) -> Result<SyncReport, AppError> {
        let mut connection =
            owned_connection(ports, self.principal.user_id, self.connection_id).await?;
        run(
            ports,
            &mut connection,
            self.force,
            &self.context,
            SyncTrigger::User,
        )
        .await
    }
}

/// The account sync of `connection` (already found for its owner), on whoever's behalf.
pub(crate) async fn run(
    ports: &Ports,
    connection: &mut ProviderConnection,
    force: bool,
    context: &EventContext,
    trigger: SyncTrigger,
) -> Result<SyncReport, AppError> {
    let now = ports.clock.now();
    let user_id = connection.user_id;
    let claim = SyncClaim::take(
        ports,
        user_id,
        format!("accounts#{}", connection.id),
        force,
        "Accounts",
    )
    .await?;
    let mut events = EventBatch::new(context, now);
    events.push(
        Some(user_id),
        EventPayload::AccountSyncAttempted {
            connection_id: connection.id,
        },
    );
    let result = sync(ports, connection, &mut events, trigger).await;
    if let Err(e) = &result {
        claim.release().await;
        events.push(
            Some(user_id),
            EventPayload::AccountSyncFailed {
                connection_id: connection.id,
                error: e.to_string(),
            },
        );
    }
    events.append_to_outbox(ports).await;
    result
}

async fn sync(
    ports: &Ports,
    connection: &mut ProviderConnection,
    events: &mut EventBatch,
    trigger: SyncTrigger,
) -> Result<SyncReport, AppError> {
    let client = client_of(ports, connection)?;
    let mut credentials = usable_credentials(ports, connection, events, false).await?;
    let reported = with_fresh_token!(
        ports,
        connection,
        events,
        credentials,
        client.accounts(&credentials).await
    )?;
    let user_id = connection.user_id;
    retry_on_conflict!(
        |attempt| {
            if attempt > 0 {
                // Another sync wrote first: start again from what it stored.
                *connection = ports
                    .providers
                    .connections
                    .find(user_id, connection.id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
            }
            let succeeded = |report: &SyncReport| EventPayload::AccountSyncSucceeded {
                connection_id: connection.id,
                account_count: reported.len() as u32,
                created: report.created as u32,
                updated: report.updated as u32,
                unchanged: report.unchanged as u32,
            };
            let upsert = Upsert {
                connection,
                reported: &reported,
                without_balance: &[],
                sources: (
                    SnapshotSource::InitialConnection,
                    trigger.source(SnapshotSource::AccountSync),
                ),
                succeeded: Some(&succeeded),
            };
            let (mut report, _) = upsert_accounts(ports, &upsert, events).await?;
            report.message = format!(
                "Synced {} account(s): {} created, {} updated, {} unchanged.",
                reported.len(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(report)
        },
        AppError::Conflict("Another sync of this connection is running; try again.".into())
    )
}
