use axum::{Json, Router, extract::State, routing::get};
use utoipa::OpenApi;

use crate::{
    ApiDoc, AppState,
    schemas::system::{HealthResponse, RootResponse},
};

pub fn router() -> Router<AppState> {
    let router = Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/openapi.json", get(openapi));
    #[cfg(feature = "docs-ui")]
    // The UI loads the document from the route above rather than serving a second copy.
    let router = router.merge(
        utoipa_swagger_ui::SwaggerUi::new("/docs")
            .config(utoipa_swagger_ui::Config::from("/openapi.json")),
    );
    router
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
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
