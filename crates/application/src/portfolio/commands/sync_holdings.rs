use std::collections::HashMap;

use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::{EventContext, EventPayload},
    portfolio::{Account, BalanceSnapshot, Change, Holding, HoldingsSyncWrite, SnapshotSource},
    providers::{ProviderConnection, ProviderHolding},
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    SyncReport, SyncTrigger,
    provider_call::{SyncClaim, client_of, with_fresh_token},
};
use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    portfolio::owned_account,
    providers::usable_credentials,
    retry::{Attempt, retry_on_conflict},
};

/// Syncs one account's holdings: upsert by the provider's holding id, deactivate what
/// the provider no longer reports, one snapshot. Its own 5-minute guard.
pub struct SyncHoldings {
    pub principal: Principal,
    pub account_id: Uuid,
    pub force: bool,
    pub context: EventContext,
}

impl SyncHoldings {
    pub async fn execute(self, ports: &Ports) -> Result<SyncReport, AppError> {
        let user_id = self.principal.user_id;
        let account = owned_account(ports, user_id, self.account_id).await?;
        let mut connection = ports
            .providers
            .connections
            .find(user_id, account.connection_id)
            .await?
            .ok_or_else(|| AppError::NotFound("The account's connection is gone".into()))?;
        run(
            ports,
            &mut connection,
            &account,
            self.force,
            &self.context,
            SyncTrigger::User,
        )
        .await
    }
}

/// The holdings sync of `account` through `connection` (its own), on whoever's behalf.
pub(crate) async fn run(
    ports: &Ports,
    connection: &mut ProviderConnection,
    account: &Account,
    force: bool,
    context: &EventContext,
    trigger: SyncTrigger,
) -> Result<SyncReport, AppError> {
    let now = ports.clock.now();
    let user_id = account.user_id;
    let claim = SyncClaim::take(
        ports,
        user_id,
        format!("holdings#{}", account.id),
        force,
        "Holdings",
    )
    .await?;
    let mut events = EventBatch::new(context, now);
    events.push(
        Some(user_id),
        EventPayload::HoldingsSyncAttempted {
            account_id: account.id,
        },
    );
    let result = sync(ports, connection, account, &mut events, trigger).await;
    if let Err(e) = &result {
        claim.release().await;
        events.push(
            Some(user_id),
            EventPayload::HoldingsSyncFailed {
                account_id: account.id,
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
    account: &Account,
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
        client
            .holdings(&credentials, &account.provider_account_id)
            .await
    )?;
    let user_id = account.user_id;
    let mut account = account.clone();
    retry_on_conflict!(
        |attempt| {
            if attempt > 0 {
                account = ports
                    .portfolio
                    .accounts
                    .find(user_id, account.id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("Account not found".into()))?;
            }
            commit(ports, &account, &reported, events, trigger).await
        },
        AppError::Conflict("Another holdings sync of this account is running; try again.".into())
    )
}

async fn commit(
    ports: &Ports,
    account: &Account,
    reported: &[ProviderHolding],
    events: &mut EventBatch,
    trigger: SyncTrigger,
) -> Result<SyncReport, Attempt<AppError>> {
    let now = ports.clock.now();
    let user_id = account.user_id;
    let existing = ports
        .portfolio
        .holdings
        .list_for_account(user_id, account.id)
        .await
        .map_err(AppError::from)?;
    let mut by_id: HashMap<&str, &Holding> = existing
        .iter()
        .map(|h| (h.provider_holding_id.as_str(), h))
        .collect();
    let (mut created, mut changed, mut current) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = SyncReport::default();
    for data in reported {
        match by_id.remove(data.provider_holding_id.as_str()) {
            Some(old) => {
                let mut h = old.clone();
                match h.apply(data, now) {
                    Change::Updated => {
                        report.updated += 1;
                        changed.push(h.clone());
                    }
                    _ => report.unchanged += 1,
                }
                current.push(h);
            }
            None => {
                let h = Holding::open(Uuid::now_v7(), user_id, account.id, data, now);
                report.created += 1;
                created.push(h.clone());
                current.push(h);
            }
        }
    }
    for gone in by_id.into_values().filter(|h| h.is_active) {
        let mut h = gone.clone();
        h.deactivate(now);
        report.deactivated += 1;
        changed.push(h);
    }
    let holdings_value: Decimal = current
        .iter()
        .filter(|h| h.is_active && h.currency == account.currency)
        .map(|h| h.market_value)
        .sum();
    let previous = ports
        .portfolio
        .snapshots
        .latest(account.id)
        .await
        .map_err(AppError::from)?;
    let snapshot = BalanceSnapshot::capture(
        Uuid::now_v7(),
        account,
        Some(holdings_value),
        trigger.source(SnapshotSource::HoldingsSync),
        previous.as_ref(),
        now,
    );
    let mut synced = account.clone();
    synced.holdings_synced_at = Some(now);
    synced.updated_at = now;
    let mut extra = Vec::new();
    if report.created + report.updated + report.deactivated > 0 {
        extra.push(events.event(
            Some(user_id),
            EventPayload::AccountHoldingsUpdated {
                account_id: account.id,
                created: report.created as u32,
                updated: report.updated as u32,
                deactivated: report.deactivated as u32,
            },
        ));
    }
    extra.push(events.event(
        Some(user_id),
        EventPayload::HoldingsSyncSucceeded {
            account_id: account.id,
            holding_count: reported.len() as u32,
            created: report.created as u32,
            updated: report.updated as u32,
            deactivated: report.deactivated as u32,
        },
    ));
    let outbox = events.outbox_with(extra);
    ports
        .portfolio
        .holdings
        .commit_sync(HoldingsSyncWrite {
            account: &synced,
            created: &created,
            updated: &changed,
            snapshot: &snapshot,
            events: &outbox,
        })
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists(Existing::Holding)
            | StoreError::Conflict(Conflict::StaleHolding | Conflict::StaleAccount) => {
                Attempt::Conflicted
            }
            e => Attempt::Failed(e.into()),
        })?;
    events.mark_outboxed();
    report.message = format!(
        "Synced {} holding(s): {} created, {} updated, {} unchanged, {} closed.",
        reported.len(),
        report.created,
        report.updated,
        report.unchanged,
        report.deactivated
    );
    Ok(report)
}
