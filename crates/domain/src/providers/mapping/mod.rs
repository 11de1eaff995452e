//! The providers' classification tables, as pure functions from their wire values
//! (providers.md §3.2–3.3, with the original's defects corrected). An unknown value maps
//! to `other`/`unknown`; callers keep the raw value in `metadata`.
