/// Turns a User-Agent into a readable device label ("Chrome on macOS").
pub trait DeviceDetector: Send + Sync {
    fn describe(&self, user_agent: &str) -> Option<String>;
}
