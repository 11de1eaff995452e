use dashtam_domain::portfolio::{AssetType, Holding};
use uuid::Uuid;

use super::{ByCurrency, by_currency};
use crate::{AppError, Ports, dto::Principal, portfolio::owned_account};

/// The caller's holdings, of every account or one.
pub struct ListHoldings<'a> {
    pub principal: &'a Principal,
    pub account_id: Option<Uuid>,
    pub active_only: bool,
    pub asset_type: Option<AssetType>,
    /// Case-insensitive exact symbol.
    pub symbol: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HoldingList {
    pub holdings: Vec<Holding>,
    pub total_count: usize,
    pub active_count: usize,
    pub total_market_value_by_currency: ByCurrency,
    pub total_cost_basis_by_currency: ByCurrency,
    pub total_unrealized_gain_loss_by_currency: ByCurrency,
}

impl ListHoldings<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<HoldingList, AppError> {
        let user_id = self.principal.user_id;
        let holdings = &ports.portfolio.holdings;
        let all = match self.account_id {
            Some(id) => {
                owned_account(ports, user_id, id).await?;
                holdings.list_for_account(user_id, id).await?
            }
            None => holdings.list_for_user(user_id).await?,
        };
        let listed: Vec<Holding> = all
            .into_iter()
            .filter(|h| !self.active_only || h.is_active)
            .filter(|h| self.asset_type.is_none_or(|t| h.asset_type == t))
            .filter(|h| {
                self.symbol
                    .as_ref()
                    .is_none_or(|s| h.symbol.eq_ignore_ascii_case(s.trim()))
            })
            .collect();
        Ok(HoldingList {
            total_count: listed.len(),
            active_count: listed.iter().filter(|h| h.is_active).count(),
            total_market_value_by_currency: by_currency(&listed, |h| {
                h.is_active.then_some((h.currency, h.market_value))
            }),
            total_cost_basis_by_currency: by_currency(&listed, |h| {
                h.is_active.then_some((h.currency, h.cost_basis))
            }),
            total_unrealized_gain_loss_by_currency: by_currency(&listed, |h| {
                h.is_active
                    .then_some((h.currency, h.unrealized_gain_loss()))
            }),
            holdings: listed,
        })
    }
}
