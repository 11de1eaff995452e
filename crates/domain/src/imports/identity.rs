//! Stable ids for imported rows, so a repeated or overlapping import creates nothing
//! twice and drops nothing real.
//!
//! - A row with a `FITID` is that FITID — unless the account already holds that FITID
//!   for a different row (Chase reuses a purchase's FITID for its foreign-transaction
//!   fee and for reward credits): then it is `FITID~<fingerprint>`. The stored rows'
//!   fingerprints decide, so the answer does not depend on which file came first.
//! - A row without one gets `row:<digest of date, amount, description>:<n>`, `n` its
//!   occurrence among identical rows of that day in the file: two identical coffees are
//!   two transactions, and the same two in an overlapping file are the same two.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::portfolio::{Transaction, TransactionSubtype, TransactionType};

use super::StatementLine;

/// What tells two rows with one FITID apart: amount and classification.
pub fn fingerprint_of(
    amount: Decimal,
    transaction_type: TransactionType,
    subtype: TransactionSubtype,
) -> String {
    format!("{}|{transaction_type}|{subtype}", amount.normalize())
}

impl Transaction {
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.amount, self.transaction_type, self.subtype)
    }
}

impl StatementLine {
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.amount, self.transaction_type, self.subtype)
    }
}

/// The decision for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// A row the account does not hold yet, with its id.
    New(String),
    /// The account already holds it (an earlier import), or the file repeats a row it
    /// already had: skipped.
    Skip,
}

/// Assigns ids to a file's rows for one account.
pub struct ImportIds {
    /// What the account holds: provider id → fingerprint.
    known: HashMap<String, String>,
    /// Ids given out for this file so far, with their rows' fingerprints.
    taken: HashMap<String, String>,
    /// Occurrences so far of each (date, amount, description) without a FITID.
    occurrences: HashMap<String, u32>,
}

impl ImportIds {
    pub fn new(known: HashMap<String, String>) -> Self {
        Self {
            known,
            taken: HashMap::new(),
            occurrences: HashMap::new(),
        }
    }

    pub fn assign(&mut self, line: &StatementLine) -> Assigned {
        let fingerprint = line.fingerprint();
        let id = match line.fitid.as_deref() {
            Some(fitid) => self.fitid_id(fitid, &fingerprint),
            None => {
                let base = digest(&format!(
                    "{}|{}|{}",
                    line.transaction_date,
                    line.amount.normalize(),
                    line.description.trim()
                ));
                let n = self.occurrences.entry(base.clone()).or_insert(0);
                *n += 1;
                format!("row:{base}:{n}")
            }
        };
        if self.known.contains_key(&id) || self.taken.contains_key(&id) {
            return Assigned::Skip;
        }
        self.taken.insert(id.clone(), fingerprint);
        Assigned::New(id)
    }

    fn fitid_id(&self, fitid: &str, fingerprint: &str) -> String {
        let sibling = format!("{fitid}~{}", &digest(fingerprint)[..12]);
        // Whoever holds the FITID — a stored row, else an earlier row of this file —
        // keeps it; a row that differs from the holder is its sibling.
        match self.known.get(fitid).or_else(|| self.taken.get(fitid)) {
            Some(holder) if holder != fingerprint => sibling,
            _ => fitid.to_owned(),
        }
    }
}

fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..10])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::RowMetadata;
    use chrono::NaiveDate;

    fn line(fitid: Option<&str>, amount: Decimal, description: &str) -> StatementLine {
        StatementLine {
            line: 1,
            fitid: fitid.map(str::to_owned),
            transaction_date: NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
            posted_date: None,
            amount,
            transaction_type: TransactionType::Other,
            subtype: TransactionSubtype::Unknown,
            description: description.to_owned(),
            metadata: RowMetadata::default(),
        }
    }

    fn ids(known: &[(&str, &StatementLine)], lines: &[StatementLine]) -> Vec<Assigned> {
        let known = known
            .iter()
            .map(|(id, l)| ((*id).to_owned(), l.fingerprint()))
            .collect();
        let mut ids = ImportIds::new(known);
        lines.iter().map(|l| ids.assign(l)).collect()
    }

    fn d(amount: &str) -> Decimal {
        amount.parse().unwrap()
    }

    fn new(id: &str) -> Assigned {
        Assigned::New(id.to_owned())
    }

    #[test]
    fn a_reused_fitid_with_another_amount_is_a_second_transaction() {
        let purchase = line(Some("X"), d("-100.00"), "SHOP");
        let fee = line(Some("X"), d("-3.00"), "FOREIGN FEE");
        let got = ids(&[], &[purchase.clone(), fee.clone(), purchase.clone()]);
        assert_eq!(got[0], new("X"));
        assert!(matches!(&got[1], Assigned::New(id) if id.starts_with("X~")));
        assert_eq!(
            got[2],
            Assigned::Skip,
            "the same row twice in a file is one"
        );
    }

    #[test]
    fn the_stored_rows_decide_whichever_file_came_first() {
        let purchase = line(Some("X"), d("-100"), "SHOP");
        let reward = line(Some("X"), d("5"), "REWARD");
        // The reward's file arrives after the purchase was stored under "X".
        let first = ids(&[], std::slice::from_ref(&purchase));
        let later = ids(&[("X", &purchase)], &[reward.clone(), purchase.clone()]);
        assert_eq!(first, vec![new("X")]);
        let Assigned::New(sibling) = &later[0] else {
            panic!("{later:?}")
        };
        assert_eq!(later[1], Assigned::Skip);
        // And the two files once more: nothing new.
        let again = ids(
            &[("X", &purchase), (sibling, &reward)],
            &[reward.clone(), purchase.clone()],
        );
        assert_eq!(again, vec![Assigned::Skip, Assigned::Skip]);
        // The amount's scale does not make a row new.
        let same = ids(
            &[("X", &line(Some("X"), d("-100.00"), "SHOP"))],
            &[line(Some("X"), d("-100"), "SHOP")],
        );
        assert_eq!(same, vec![Assigned::Skip]);
    }

    #[test]
    fn identical_rows_without_fitid_are_counted_and_stable_across_files() {
        let coffee = line(None, d("-4.50"), "COFFEE");
        let got = ids(&[], &[coffee.clone(), coffee.clone()]);
        let (Assigned::New(a), Assigned::New(b)) = (&got[0], &got[1]) else {
            panic!("{got:?}")
        };
        assert_ne!(a, b);
        assert!(a.starts_with("row:") && a.ends_with(":1") && b.ends_with(":2"));
        // An overlapping file with the same day: both known, nothing new; a third cup is.
        let again = ids(
            &[(a, &coffee), (b, &coffee)],
            &[coffee.clone(), coffee.clone(), coffee.clone()],
        );
        assert_eq!(again[..2], [Assigned::Skip, Assigned::Skip]);
        assert!(matches!(&again[2], Assigned::New(id) if id.ends_with(":3")));
    }
}
