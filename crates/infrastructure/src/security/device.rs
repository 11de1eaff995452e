//! User-Agent → "Chrome on macOS".

use dashtam_domain::identity::ports::DeviceDetector;

const UNKNOWN: &str = "UNKNOWN";

/// Device labels from woothee: "{browser} on {os}", "{browser}" when the OS is unknown,
/// "Unknown browser on {os}" when the browser is, `None` when neither is known.
#[derive(Debug, Default, Clone, Copy)]
pub struct WootheeDeviceDetector;

impl WootheeDeviceDetector {
    pub fn new() -> Self {
        Self
    }
}

/// woothee's OS names, made friendly where the mapping is obvious.
fn friendly_os(os: &str) -> &str {
    match os {
        "Mac OSX" => "macOS",
        "Mac OS Classic" => "Mac OS",
        "iPhone" | "iPad" | "iPod" => "iOS",
        "ChromeOS" => "ChromeOS",
        "Windows UNKNOWN Ver" => "Windows",
        other => other,
    }
}

fn known(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty() && value != UNKNOWN).then_some(value)
}

impl DeviceDetector for WootheeDeviceDetector {
    fn describe(&self, user_agent: &str) -> Option<String> {
        let user_agent = user_agent.trim();
        if user_agent.is_empty() {
            return None;
        }
        let parsed = woothee::parser::Parser::new().parse(user_agent)?;
        let browser = known(parsed.name);
        let os = known(parsed.os).map(friendly_os);
        match (browser, os) {
            (Some(b), Some(o)) => Some(format!("{b} on {o}")),
            (Some(b), None) => Some(b.to_owned()),
            (None, Some(o)) => Some(format!("Unknown browser on {o}")),
            (None, None) => None,
        }
    }
}
