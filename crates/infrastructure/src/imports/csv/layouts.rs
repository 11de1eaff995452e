//! The CSV layouts, told apart by their header row (case-insensitive, trimmed, a UTF-8
//! BOM tolerated, columns in any order): Chase checking/savings, Chase card (with or
//! without the newer leading `Card` column), and the generic `date,description,amount`
//! or `date,description,debit,credit`.

use dashtam_domain::imports::{CSV_LAYOUTS, CsvLayout};

/// Where a layout's columns are in this file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Columns {
    ChaseChecking {
        details: usize,
        date: usize,
        description: usize,
        amount: usize,
        kind: usize,
        balance: usize,
    },
    ChaseCard {
        transaction_date: usize,
        post_date: usize,
        description: usize,
        kind: usize,
        amount: usize,
    },
    Generic {
        date: usize,
        description: usize,
        amount: Amounts,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amounts {
    Signed(usize),
    DebitCredit { debit: usize, credit: usize },
}

impl Columns {
    pub fn layout(&self) -> CsvLayout {
        match self {
            Self::ChaseChecking { .. } => CsvLayout::ChaseChecking,
            Self::ChaseCard { .. } => CsvLayout::ChaseCard,
            Self::Generic { .. } => CsvLayout::Generic,
        }
    }

    /// The highest column a row must have.
    pub fn last(&self) -> usize {
        match *self {
            Self::ChaseChecking {
                details,
                date,
                description,
                amount,
                kind,
                balance,
            } => details
                .max(date)
                .max(description)
                .max(amount)
                .max(kind)
                .max(balance),
            Self::ChaseCard {
                transaction_date,
                post_date,
                description,
                kind,
                amount,
            } => transaction_date
                .max(post_date)
                .max(description)
                .max(kind)
                .max(amount),
            Self::Generic {
                date,
                description,
                amount,
            } => {
                let amount = match amount {
                    Amounts::Signed(a) => a,
                    Amounts::DebitCredit { debit, credit } => debit.max(credit),
                };
                date.max(description).max(amount)
            }
        }
    }
}

/// The header's names as compared: trimmed, lower-case, the BOM dropped.
pub fn normalise(header: &[&str]) -> Vec<String> {
    header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect()
}

/// The layout of a normalised header, or `None`.
pub fn recognise(names: &[String]) -> Option<Columns> {
    let at = |name: &str| names.iter().position(|n| n == name);
    let chase_checking = (|| {
        Some(Columns::ChaseChecking {
            details: at("details")?,
            date: at("posting date")?,
            description: at("description")?,
            amount: at("amount")?,
            kind: at("type")?,
            balance: at("balance")?,
        })
    })();
    let chase_card = || {
        Some(Columns::ChaseCard {
            transaction_date: at("transaction date")?,
            post_date: at("post date")?,
            description: at("description")?,
            kind: at("type")?,
            amount: at("amount")?,
        })
    };
    let generic = || {
        let amount = match at("amount") {
            Some(a) => Amounts::Signed(a),
            None => Amounts::DebitCredit {
                debit: at("debit")?,
                credit: at("credit")?,
            },
        };
        Some(Columns::Generic {
            date: at("date")?,
            description: at("description")?,
            amount,
        })
    };
    chase_checking.or_else(chase_card).or_else(generic)
}

/// For a `missing_columns` message: every header understood.
pub fn expected() -> String {
    CSV_LAYOUTS
        .iter()
        .flat_map(|l| l.headers.iter())
        .map(|h| format!("'{h}'"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(header: &str) -> Option<CsvLayout> {
        let names: Vec<&str> = header.split(',').collect();
        recognise(&normalise(&names)).map(|c| c.layout())
    }

    #[test]
    fn headers_are_recognised_in_any_case() {
        let checking = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #";
        assert_eq!(of(checking), Some(CsvLayout::ChaseChecking));
        assert_eq!(
            of(&format!("\u{feff}{checking},")),
            Some(CsvLayout::ChaseChecking)
        );
        let card = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo";
        assert_eq!(of(card), Some(CsvLayout::ChaseCard));
        assert_eq!(of(&format!("Card,{card}")), Some(CsvLayout::ChaseCard));
        assert_eq!(of("DATE, Description ,AMOUNT"), Some(CsvLayout::Generic));
        assert_eq!(
            of("\u{feff}date,description,debit,credit"),
            Some(CsvLayout::Generic)
        );
        assert_eq!(of("date,description,debit"), None);
        assert_eq!(of("when,what,how much"), None);
    }
}
