use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use dashtam_application::portfolio::queries::HoldingList;
use dashtam_domain::{
    FieldError,
    portfolio::{AssetType, Holding},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::amounts::{money, money_opt, per_currency, percent, quantity};
use crate::schemas::{
    Validate,
    names::{AssetTypeName, CurrencyName},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingResponse {
    pub id: Uuid,
    pub account_id: Uuid,
    pub provider_holding_id: String,
    pub symbol: String,
    pub security_name: String,
    #[schema(value_type = AssetTypeName)]
    pub asset_type: String,
    /// Negative for a short position.
    #[schema(example = "10.00000000")]
    pub quantity: String,
    #[schema(example = "1500.0000")]
    pub cost_basis: String,
    #[schema(example = "1750.0000")]
    pub market_value: String,
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    pub average_price: Option<String>,
    pub current_price: Option<String>,
    #[schema(example = "250.0000")]
    pub unrealized_gain_loss: String,
    /// Percent of the cost, to 0.01; "0.00" when the cost is 0.
    #[schema(example = "16.67")]
    pub unrealized_gain_loss_percent: String,
    pub is_active: bool,
    pub is_profitable: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Holding> for HoldingResponse {
    fn from(h: Holding) -> Self {
        Self {
            unrealized_gain_loss: money(h.unrealized_gain_loss()),
            unrealized_gain_loss_percent: percent(h.unrealized_gain_loss_percent()),
            is_profitable: h.is_profitable(),
            id: h.id,
            account_id: h.account_id,
            provider_holding_id: h.provider_holding_id,
            symbol: h.symbol,
            security_name: h.security_name,
            asset_type: h.asset_type.to_string(),
            quantity: quantity(h.quantity),
            cost_basis: money(h.cost_basis),
            market_value: money(h.market_value),
            currency: h.currency.to_string(),
            average_price: money_opt(h.average_price),
            current_price: money_opt(h.current_price),
            is_active: h.is_active,
            last_synced_at: h.last_synced_at,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingListResponse {
    pub holdings: Vec<HoldingResponse>,
    pub total_count: usize,
    pub active_count: usize,
    /// Of the active holdings listed.
    pub total_market_value_by_currency: BTreeMap<String, String>,
    pub total_cost_basis_by_currency: BTreeMap<String, String>,
    pub total_unrealized_gain_loss_by_currency: BTreeMap<String, String>,
}

impl From<HoldingList> for HoldingListResponse {
    fn from(l: HoldingList) -> Self {
        Self {
            total_market_value_by_currency: per_currency(&l.total_market_value_by_currency),
            total_cost_basis_by_currency: per_currency(&l.total_cost_basis_by_currency),
            total_unrealized_gain_loss_by_currency: per_currency(
                &l.total_unrealized_gain_loss_by_currency,
            ),
            holdings: l.holdings.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
            active_count: l.active_count,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListHoldingsQuery {
    /// Only open positions (default true).
    pub active_only: Option<bool>,
    #[param(value_type = Option<AssetTypeName>)]
    pub asset_type: Option<AssetType>,
    /// One symbol, case-insensitive.
    #[param(min_length = 1, max_length = 64)]
    pub symbol: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountHoldingsQuery {
    /// Only open positions (default true).
    pub active_only: Option<bool>,
    #[param(value_type = Option<AssetTypeName>)]
    pub asset_type: Option<AssetType>,
}

impl Validate for ListHoldingsQuery {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if let Some(s) = &self.symbol {
            crate::schemas::validate::length(&mut e, "symbol", s, 1, 64);
        }
        e
    }
}
