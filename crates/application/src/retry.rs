use dashtam_domain::StoreError;

/// How often a read-modify-write is retried when another writer got in first.
pub const MAX_ATTEMPTS: usize = 5;

/// True when `e` is an optimistic-lock conflict worth re-reading and retrying.
pub fn is_conflict(e: &StoreError, what: &str) -> bool {
    matches!(e, StoreError::Conflict(w) if *w == what)
}
