use dashtam_domain::identity::entities::SecurityConfig;

use crate::{AppError, Ports};

pub struct GetSecurityConfig;

impl GetSecurityConfig {
    pub async fn execute(self, ports: &Ports) -> Result<SecurityConfig, AppError> {
        Ok(ports.identity.security_config.get().await?)
    }
}
