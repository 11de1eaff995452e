//! The Schwab sandbox: OAuth (`/v1/oauth/...`) and the Trader API (`/trader/v1/...`).

mod accounts;
mod consent_page;
mod dates;
mod errors;
mod mix;
mod oauth;
mod securities;
mod trader;
mod transaction_json;
mod transactions;

use std::sync::Arc;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::State;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(
            "/v1/oauth/authorize",
            get(oauth::consent_page).post(oauth::consent_submit),
        )
        .route("/v1/oauth/token", post(oauth::token))
        .route(
            "/trader/v1/accounts/accountNumbers",
            get(trader::account_numbers),
        )
        .route("/trader/v1/accounts", get(trader::accounts))
        .route("/trader/v1/accounts/{hash}", get(trader::account))
        .route(
            "/trader/v1/accounts/{hash}/transactions",
            get(trader::transactions),
        )
        .route("/trader/v1/userPreference", get(trader::user_preference))
        .with_state(state)
}
