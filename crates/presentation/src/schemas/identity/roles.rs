use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRolesResponse {
    pub user_id: Uuid,
    /// The user's effective roles after the change (stored roles plus configured admin).
    #[schema(example = json!(["readonly", "user"]))]
    pub roles: Vec<String>,
    pub message: String,
}
