use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use dashtam_domain::portfolio::{AccountType, AssetType, Currency, contribution, percent_change};
use rust_decimal::Decimal;

use crate::{AppError, Ports, dto::Principal};

/// Where the caller's money stands now, per currency: net worth (money owed counted
/// negative), how it splits by account type and by asset type, and how it moved since
/// the end of yesterday (UTC, from the snapshots).
pub struct PortfolioSummary<'a> {
    pub principal: &'a Principal,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub as_of: DateTime<Utc>,
    /// One per currency the caller's active accounts hold.
    pub currencies: Vec<CurrencySummary>,
}

#[derive(Debug, Clone)]
pub struct CurrencySummary {
    pub currency: Currency,
    pub totals: Totals,
    pub day_change_amount: Option<Decimal>,
    pub day_change_percent: Option<Decimal>,
}

/// One currency's sums.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub net_worth: Decimal,
    pub assets: Decimal,
    /// Money owed, as a positive amount.
    pub liabilities: Decimal,
    pub account_count: u32,
    /// Each account type's net contribution (money owed negative).
    pub by_account_type: BTreeMap<AccountType, Decimal>,
    /// Market value of the open positions by asset type.
    pub by_asset_type: BTreeMap<AssetType, Decimal>,
    /// Net worth at the end of yesterday from the accounts' snapshots; `None` when no
    /// account had one by then.
    pub previous_net_worth: Option<Decimal>,
}

impl PortfolioSummary<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Summary, AppError> {
        let now = ports.clock.now();
        let user_id = self.principal.user_id;
        let (accounts, holdings) = futures::future::try_join(
            ports.portfolio.accounts.list_for_user(user_id),
            ports.portfolio.holdings.list_for_user(user_id),
        )
        .await?;
        let accounts: Vec<_> = accounts.into_iter().filter(|a| a.is_active).collect();
        let day_start = now.date_naive().and_time(NaiveTime::MIN).and_utc();
        let yesterday_end = day_start - chrono::Duration::nanoseconds(1);
        let previous = futures::future::try_join_all(
            accounts
                .iter()
                .map(|a| ports.portfolio.snapshots.latest_at(a.id, yesterday_end)),
        )
        .await?;
        let mut by_currency: BTreeMap<Currency, Totals> = BTreeMap::new();
        for (account, before) in accounts.iter().zip(previous) {
            let s = by_currency.entry(account.currency).or_default();
            let value = account.net_worth_contribution();
            s.net_worth += value;
            if account.account_type.is_credit() {
                s.liabilities -= value;
            } else {
                s.assets += value;
            }
            s.account_count += 1;
            *s.by_account_type.entry(account.account_type).or_default() += value;
            if let Some(b) = before {
                *s.previous_net_worth.get_or_insert(Decimal::ZERO) +=
                    contribution(account, b.balance);
            }
        }
        let open = holdings
            .iter()
            .filter(|h| h.is_active && accounts.iter().any(|a| a.id == h.account_id));
        for h in open {
            let s = by_currency.entry(h.currency).or_default();
            *s.by_asset_type.entry(h.asset_type).or_default() += h.market_value;
        }
        let currencies = by_currency
            .into_iter()
            .map(|(currency, totals)| CurrencySummary {
                currency,
                day_change_amount: totals.previous_net_worth.map(|p| totals.net_worth - p),
                day_change_percent: totals
                    .previous_net_worth
                    .and_then(|p| percent_change(p, totals.net_worth)),
                totals,
            })
            .collect();
        Ok(Summary {
            as_of: now,
            currencies,
        })
    }
}
