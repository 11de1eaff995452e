mod get_connection;
mod list_connections;

pub use get_connection::GetConnection;
pub use list_connections::{ConnectionList, ListConnections};
