//! What a route answers when it made something: 201 with the JSON body.

use axum::{Json, http::StatusCode};

pub type Created<T> = (StatusCode, Json<T>);

pub fn created<T>(body: T) -> Created<T> {
    (StatusCode::CREATED, Json(body))
}
