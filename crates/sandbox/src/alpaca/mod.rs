pub(crate) fn router(state: std::sync::Arc<crate::state::State>) -> axum::Router {
    axum::Router::new().with_state(state)
}
