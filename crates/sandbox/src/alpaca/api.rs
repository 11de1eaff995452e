//! The Alpaca handlers; the middleware has already checked the keys and put the profile in
//! the request's extensions.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Extension, Json,
    extract::{Path, Query, State as Extract},
    response::{IntoResponse, Response},
};
use serde_json::Value;

use super::{activities, activity_query, data};
use crate::{Profile, state::State};

type Params = Query<HashMap<String, String>>;

pub(crate) async fn account(Extension(profile): Extension<Profile>) -> Response {
    Json(data::account_json(profile)).into_response()
}

pub(crate) async fn positions(Extension(profile): Extension<Profile>) -> Response {
    Json(data::positions_json(profile)).into_response()
}

fn list(
    state: &State,
    profile: Profile,
    path_type: Option<&str>,
    q: &HashMap<String, String>,
) -> Response {
    let all = activities::generate(profile, state.now().date_naive());
    match activity_query::select(all, path_type, q) {
        Ok(rows) => Json(rows.into_iter().map(|a| a.json).collect::<Vec<Value>>()).into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn activities(
    Extract(state): Extract<Arc<State>>,
    Extension(profile): Extension<Profile>,
    Query(q): Params,
) -> Response {
    list(&state, profile, None, &q)
}

pub(crate) async fn activities_of_type(
    Extract(state): Extract<Arc<State>>,
    Extension(profile): Extension<Profile>,
    Path(activity_type): Path<String>,
    Query(q): Params,
) -> Response {
    list(&state, profile, Some(&activity_type), &q)
}
