//! What a write that reached the table answered.

use super::item::Item;

/// What a [`Table::update_returning`](super::Table::update_returning) answered.
#[derive(Debug)]
pub(crate) enum Updated {
    /// Written; the attributes asked for (`None` when nothing was asked).
    Written(Option<Item>),
    /// The condition failed; the stored item (`None`: there is none).
    Refused(Option<Item>),
}

/// Outcome of a transaction that reached the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tx {
    Committed,
    /// Nothing was written; `true` at index i when item i's condition failed.
    Failed(Vec<bool>),
}

impl Tx {
    /// Indices of the items whose condition failed (empty when committed).
    pub(crate) fn failed(&self) -> Vec<usize> {
        match self {
            Self::Committed => Vec::new(),
            Self::Failed(v) => v
                .iter()
                .enumerate()
                .filter(|(_, f)| **f)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    pub(crate) fn is_committed(&self) -> bool {
        matches!(self, Self::Committed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_lists_indices() {
        assert_eq!(Tx::Failed(vec![false, true, true]).failed(), [1, 2]);
        assert!(Tx::Committed.failed().is_empty());
    }
}
