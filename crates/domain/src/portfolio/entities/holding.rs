use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::portfolio::{AssetType, Change, Currency, percent_change};
use crate::providers::ProviderHolding;

/// A position in one account. Unique per `(account_id, provider_holding_id)`. A short
/// position has a negative quantity (and, from the provider, a negative market value).
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub provider_holding_id: String,
    pub symbol: String,
    pub security_name: String,
    pub asset_type: AssetType,
    pub quantity: Decimal,
    pub cost_basis: Decimal,
    pub market_value: Decimal,
    pub currency: Currency,
    pub average_price: Option<Decimal>,
    pub current_price: Option<Decimal>,
    pub is_active: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub provider_metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Holding {
    pub fn open(
        id: Uuid,
        user_id: Uuid,
        account_id: Uuid,
        data: &ProviderHolding,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            account_id,
            provider_holding_id: data.provider_holding_id.clone(),
            symbol: data.symbol.clone(),
            security_name: data.security_name.clone(),
            asset_type: data.asset_type,
            quantity: data.quantity,
            cost_basis: data.cost_basis,
            market_value: data.market_value,
            currency: data.currency,
            average_price: data.average_price,
            current_price: data.current_price,
            is_active: !data.quantity.is_zero(),
            last_synced_at: Some(now),
            provider_metadata: data.metadata.clone(),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Applies the provider's view: `Updated` when a figure changed or a closed position
    /// came back, else `Unchanged`.
    pub fn apply(&mut self, data: &ProviderHolding, now: DateTime<Utc>) -> Change {
        let changed = self.quantity != data.quantity
            || self.cost_basis != data.cost_basis
            || self.market_value != data.market_value
            || self.average_price != data.average_price
            || self.current_price != data.current_price
            || self.security_name != data.security_name
            || self.asset_type != data.asset_type
            || self.currency != data.currency
            || self.is_active == data.quantity.is_zero();
        self.quantity = data.quantity;
        self.cost_basis = data.cost_basis;
        self.market_value = data.market_value;
        self.average_price = data.average_price;
        self.current_price = data.current_price;
        self.security_name = data.security_name.clone();
        self.asset_type = data.asset_type;
        self.currency = data.currency;
        self.is_active = !data.quantity.is_zero();
        self.provider_metadata = data.metadata.clone();
        self.last_synced_at = Some(now);
        if changed {
            self.updated_at = now;
            Change::Updated
        } else {
            Change::Unchanged
        }
    }

    /// The provider no longer reports it: closed.
    pub fn deactivate(&mut self, now: DateTime<Utc>) {
        self.is_active = false;
        self.last_synced_at = Some(now);
        self.updated_at = now;
    }

    pub fn unrealized_gain_loss(&self) -> Decimal {
        self.market_value - self.cost_basis
    }

    /// Gain over cost, in percent to 0.01; 0 when the cost is 0.
    pub fn unrealized_gain_loss_percent(&self) -> Decimal {
        percent_change(self.cost_basis, self.market_value).unwrap_or(Decimal::ZERO)
    }

    pub fn is_profitable(&self) -> bool {
        self.unrealized_gain_loss() > Decimal::ZERO
    }
}
