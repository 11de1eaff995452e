//! Optimistic read-modify-write loops: re-read and retry while another writer got in
//! first, a bounded number of times.

use dashtam_domain::{Conflict, StoreError};

/// How often a read-modify-write is retried when another writer got in first.
pub const MAX_ATTEMPTS: usize = 5;

/// Why one attempt of a [`retry_on_conflict`] loop stopped.
#[derive(Debug)]
pub enum Attempt<E> {
    /// Another writer got in first: read again and retry.
    Conflicted,
    /// The final answer.
    Failed(E),
}

impl<E> From<E> for Attempt<E> {
    fn from(e: E) -> Self {
        Self::Failed(e)
    }
}

/// An optimistic read-modify-write: runs the block (an async block that sees the
/// attempt's index, 0 first) until it answers `Ok` or [`Attempt::Failed`], at most
/// [`MAX_ATTEMPTS`] times; evaluates to `Result<T, E>`, with the last expression as the
/// error when every attempt conflicted. `return` and `?` inside the block end the attempt.
///
/// ```ignore
/// let user = retry_on_conflict!(|_| {
///     let user = ports.identity.users.find_by_id(id).await.map_err(AppError::from)?;
///     ports.identity.users.save(&user, &[]).await.map_err(retry::unless(Conflict::StaleUser, AppError::from))?;
///     Ok(user)
/// }, AppError::Conflict("try again".into()))?;
/// ```
///
/// A macro rather than a function taking an async closure: the future of an async closure
/// that borrows the use case's state cannot be proven `Send` (a compiler limitation),
/// and every HTTP handler needs that.
macro_rules! retry_on_conflict {
    (|$attempt:pat_param| $body:block, $exhausted:expr) => {{
        let mut outcome = None;
        for $attempt in 0..$crate::retry::MAX_ATTEMPTS {
            let step: Result<_, $crate::retry::Attempt<_>> = async { $body }.await;
            match step {
                Ok(value) => {
                    outcome = Some(Ok(value));
                    break;
                }
                Err($crate::retry::Attempt::Failed(e)) => {
                    outcome = Some(Err(e));
                    break;
                }
                Err($crate::retry::Attempt::Conflicted) => {}
            }
        }
        match outcome {
            Some(result) => result,
            None => Err($exhausted),
        }
    }};
}
pub(crate) use retry_on_conflict;

/// A write's error inside an attempt: `retry_on` means [`Attempt::Conflicted`], anything
/// else fails the loop with `other(e)`.
pub fn unless<E>(
    retry_on: Conflict,
    other: impl FnOnce(StoreError) -> E,
) -> impl FnOnce(StoreError) -> Attempt<E> {
    move |e| match e {
        StoreError::Conflict(c) if c == retry_on => Attempt::Conflicted,
        e => Attempt::Failed(other(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_the_conflict_and_nothing_else() {
        let stale = || StoreError::Conflict(Conflict::StaleUser);
        let mut calls = 0;
        let out: Result<u32, &str> = retry_on_conflict!(
            |n| {
                calls += 1;
                if n < 2 {
                    Err(unless(Conflict::StaleUser, |_| "other")(stale()))
                } else {
                    Ok(7)
                }
            },
            "exhausted"
        );
        assert_eq!((out, calls), (Ok(7), 3));

        let mut calls = 0;
        let out: Result<u32, &str> = retry_on_conflict!(
            |_| {
                calls += 1;
                Err(unless(Conflict::TokenUsed, |_| "other")(stale()))
            },
            "exhausted"
        );
        assert_eq!((out, calls), (Err("other"), 1));

        let mut calls = 0;
        let out: Result<u32, &str> = retry_on_conflict!(
            |_| {
                calls += 1;
                Err(unless(Conflict::StaleUser, |_| "other")(stale()))
            },
            "exhausted"
        );
        assert_eq!((out, calls), (Err("exhausted"), MAX_ATTEMPTS));
    }
}
