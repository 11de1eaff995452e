use axum::{
    Json,
    extract::State,
    http::header,
    response::{Html, IntoResponse},
};
use dashtam_domain::platform::rate_limit::Policy;

use crate::routes::route;
use crate::{
    Access, AppState, Route,
    schemas::platform::system::{HealthResponse, RootResponse},
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(root, Access::Public, Policy::ApiRead),
        route!(health, Access::Public, Policy::ApiRead),
        route!(openapi, Access::Public, Policy::ApiRead),
        route!(docs, Access::Public, Policy::ApiRead),
    ]
}

#[utoipa::path(get, path = "/", tag = "system", responses((status = 200, body = RootResponse)))]
pub async fn root(State(state): State<AppState>) -> Json<RootResponse> {
    Json(RootResponse {
        message: "Dashtam API",
        status: "operational",
        version: state.http.version,
    })
}

#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = HealthResponse)))]
pub async fn health() -> Json<HealthResponse> {
    Json(HealthResponse { status: "healthy" })
}

/// The OpenAPI document, generated from the handlers and schemas.
#[utoipa::path(get, path = "/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
}

/// Interactive docs: Swagger UI, loaded by the browser from a CDN and pointed at
/// `/openapi.json`. Embedding the UI's assets would add 11 MB to every function.
#[utoipa::path(get, path = "/docs", tag = "system", responses((status = 200, description = "Swagger UI page", content_type = "text/html")))]
pub async fn docs() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Html(DOCS_PAGE),
    )
}

/// Relative `openapi.json`, so the page also works under an API Gateway stage prefix.
const DOCS_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashtam API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14/swagger-ui.css">
</head><body><div id="docs"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14/swagger-ui-bundle.js" crossorigin></script>
<script>SwaggerUIBundle({ url: "openapi.json", dom_id: "#docs" });</script>
</body></html>
"##;
