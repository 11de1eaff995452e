//! The classifications of accounts, assets, transactions and snapshots.

crate::named_enum! {
    pub enum AccountType {
        Brokerage = "brokerage", Ira = "ira", RothIra = "roth_ira", K401 = "401k",
        B403 = "403b", Hsa = "hsa", Checking = "checking", Savings = "savings",
        MoneyMarket = "money_market", Cd = "cd", CreditCard = "credit_card",
        LineOfCredit = "line_of_credit", Loan = "loan", Mortgage = "mortgage", Other = "other",
    }
}

impl AccountType {
    pub fn is_investment(self) -> bool {
        matches!(self, Self::Brokerage) || self.is_retirement()
    }

    pub fn is_retirement(self) -> bool {
        matches!(
            self,
            Self::Ira | Self::RothIra | Self::K401 | Self::B403 | Self::Hsa
        )
    }

    pub fn is_bank(self) -> bool {
        matches!(
            self,
            Self::Checking | Self::Savings | Self::MoneyMarket | Self::Cd
        )
    }

    /// Money owed: its balance counts against net worth.
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            Self::CreditCard | Self::LineOfCredit | Self::Loan | Self::Mortgage
        )
    }
}

crate::named_enum! {
    pub enum AssetType {
        Equity = "equity", Etf = "etf", Option = "option", MutualFund = "mutual_fund",
        FixedIncome = "fixed_income", Futures = "futures", Cryptocurrency = "cryptocurrency",
        CashEquivalent = "cash_equivalent", Other = "other",
    }
}

crate::named_enum! {
    pub enum TransactionType {
        Trade = "trade", Transfer = "transfer", Income = "income", Fee = "fee", Other = "other",
    }
}

crate::named_enum! {
    pub enum TransactionSubtype {
        Buy = "buy", Sell = "sell", ShortSell = "short_sell", BuyToCover = "buy_to_cover",
        Exercise = "exercise", Assignment = "assignment", Expiration = "expiration",
        Deposit = "deposit", Withdrawal = "withdrawal", WireIn = "wire_in", WireOut = "wire_out",
        TransferIn = "transfer_in", TransferOut = "transfer_out", Internal = "internal",
        Dividend = "dividend", Interest = "interest", CapitalGain = "capital_gain",
        Distribution = "distribution", Commission = "commission", AccountFee = "account_fee",
        MarginInterest = "margin_interest", OtherFee = "other_fee", Adjustment = "adjustment",
        Journal = "journal", Unknown = "unknown",
    }
}

crate::named_enum! {
    pub enum TransactionStatus {
        Pending = "pending", Settled = "settled", Failed = "failed", Cancelled = "cancelled",
    }
}

crate::named_enum! {
    /// What captured a balance snapshot.
    pub enum SnapshotSource {
        AccountSync = "account_sync", HoldingsSync = "holdings_sync", ManualSync = "manual_sync",
        ScheduledSync = "scheduled_sync", InitialConnection = "initial_connection",
        FileImport = "file_import",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_groups_follow_the_original() {
        let investment: Vec<_> = AccountType::ALL
            .iter()
            .filter(|t| t.is_investment())
            .collect();
        assert_eq!(investment.len(), 6);
        assert!(AccountType::RothIra.is_retirement() && !AccountType::Brokerage.is_retirement());
        assert!(AccountType::Cd.is_bank() && !AccountType::CreditCard.is_bank());
        assert!(AccountType::Mortgage.is_credit() && !AccountType::Checking.is_credit());
        assert!(!AccountType::Other.is_investment() && !AccountType::Other.is_credit());
    }

    #[test]
    fn wire_names_round_trip() {
        assert_eq!(AccountType::parse("401k"), Some(AccountType::K401));
        assert_eq!(AccountType::K401.as_str(), "401k");
        for s in TransactionSubtype::ALL {
            assert_eq!(TransactionSubtype::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            serde_json::from_str::<AssetType>("\"etf\"").unwrap(),
            AssetType::Etf
        );
        assert!(serde_json::from_str::<AssetType>("\"stock\"").is_err());
    }
}
