//! The client IP: the platform's source IP (API Gateway's `sourceIp`, the socket peer
//! locally), or — only when configured — an address from `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{Request, State},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};

use crate::{AppState, extract::ClientIp};

/// With `trusted_proxy_hops = N > 0`, replaces the [`ClientIp`] the runtime inserted by
/// the address `N` proxies back, read from `X-Forwarded-For` (see [`forwarded_client`]).
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let hops = state.http.trusted_proxy_hops;
    if hops > 0 {
        let source = req.extensions().get::<ClientIp>().map(|ip| ip.0.clone());
        if let Some(ip) = forwarded_client(req.headers(), source.as_deref(), hops) {
            req.extensions_mut().insert(ClientIp(ip));
        }
    }
    next.run(req).await
}

/// The client behind `hops` trusted proxies.
///
/// Each proxy appends the address it received the request from, so entries are
/// trustworthy only from the right: the `hops`-th entry from the right is the address the
/// outermost trusted proxy saw. API Gateway itself appends the source IP (the nearest
/// proxy) as the last entry; a last entry equal to `source` is therefore dropped first, so
/// `hops` counts the proxies in front of the platform on AWS and locally alike. Too few
/// entries or an unparsable one: `None` (the source IP stands).
pub fn forwarded_client(headers: &HeaderMap, source: Option<&str>, hops: usize) -> Option<String> {
    if hops == 0 {
        return None;
    }
    let mut entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    if let (Some(last), Some(source)) = (entries.last(), source)
        && parse_ip(last).is_some_and(|ip| Some(ip) == parse_ip(source))
    {
        entries.pop();
    }
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    parse_ip(entry).map(|ip| ip.to_string())
}

/// `203.0.113.7`, `2001:db8::1`, `203.0.113.7:4711` or `[2001:db8::1]:4711`.
fn parse_ip(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                "x-forwarded-for",
                HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn without_trusted_hops_the_header_is_ignored() {
        assert_eq!(
            forwarded_client(&xff(&["10.0.0.1"]), Some("192.0.2.1"), 0),
            None
        );
    }

    #[test]
    fn the_nth_entry_from_the_right_is_taken() {
        // Local: nginx (peer 10.0.0.2) appended the client.
        let h = xff(&["6.6.6.6, 198.51.100.7"]);
        assert_eq!(
            forwarded_client(&h, Some("10.0.0.2"), 1).as_deref(),
            Some("198.51.100.7")
        );
        // Two proxies: the client is second from the right; headers may be repeated.
        let h = xff(&["6.6.6.6, 198.51.100.7", "10.0.0.3"]);
        assert_eq!(
            forwarded_client(&h, Some("10.0.0.2"), 2).as_deref(),
            Some("198.51.100.7")
        );
    }

    #[test]
    fn api_gateways_own_entry_for_the_source_ip_is_not_a_hop() {
        // CloudFront (source 10.1.1.1) appended the viewer; API Gateway appended CloudFront.
        let h = xff(&["6.6.6.6, 198.51.100.7, 10.1.1.1"]);
        assert_eq!(
            forwarded_client(&h, Some("10.1.1.1"), 1).as_deref(),
            Some("198.51.100.7")
        );
    }

    #[test]
    fn too_few_or_garbage_entries_keep_the_source_ip() {
        assert_eq!(
            forwarded_client(&xff(&["198.51.100.7"]), Some("10.0.0.2"), 2),
            None
        );
        assert_eq!(forwarded_client(&xff(&[]), Some("10.0.0.2"), 1), None);
        assert_eq!(
            forwarded_client(&xff(&["not-an-ip"]), Some("10.0.0.2"), 1),
            None
        );
        assert_eq!(
            forwarded_client(&xff(&["[2001:db8::7]:4711"]), None, 1).as_deref(),
            Some("2001:db8::7")
        );
    }
}
