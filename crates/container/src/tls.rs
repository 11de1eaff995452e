use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::{
    Builder,
    tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode},
};

/// The roots AWS service endpoints chain to: Amazon Trust Services' four roots and the
/// Starfield roots that cross-sign them. Six certificates instead of the platform's ~140,
/// which the SDK would otherwise read and parse at every cold start (~1 ms), and a
/// smaller set of authorities to trust.
const AWS_TRUST_ROOTS: &str = include_str!("aws_trust_roots.pem");

/// Which certificate authorities the AWS clients trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRoots {
    /// Amazon Trust Services only (the default).
    Aws,
    /// The platform's store (`SSL_CERT_FILE` / the system bundle), e.g. behind a TLS proxy.
    System,
}

/// The HTTPS client for the AWS SDK, or `None` for the SDK's default (system roots).
pub fn aws_http_client(roots: TrustRoots) -> Option<SharedHttpClient> {
    if roots == TrustRoots::System {
        return None;
    }
    let store = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_TRUST_ROOTS);
    let context = match TlsContext::builder().with_trust_store(store).build() {
        Ok(context) => context,
        Err(e) => {
            // Cannot happen with the embedded bundle; the system store is a safe fallback.
            tracing::warn!(error = %e, "embedded AWS trust roots rejected; using the system store");
            return None;
        }
    };
    Some(
        Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_bundle_holds_the_amazon_and_starfield_roots() {
        assert_eq!(
            AWS_TRUST_ROOTS
                .matches("-----BEGIN CERTIFICATE-----")
                .count(),
            6
        );
        for name in [
            "Amazon_Root_CA_1",
            "Amazon_Root_CA_4",
            "Starfield_Services_Root",
        ] {
            assert!(AWS_TRUST_ROOTS.contains(name), "{name}");
        }
        assert!(aws_http_client(TrustRoots::Aws).is_some());
        assert!(aws_http_client(TrustRoots::System).is_none());
    }
}
