//! Certificates made at test time, for the https side of the test servers.
//!
//! [`Pki`] is a throwaway certificate authority: a test hands its certificate to the client
//! under test as an extra trusted root (never installed on the machine), then serves certificates
//! it signed ([`Pki::leaf`]), or ones a person's computer would refuse: signed by nobody it trusts
//! ([`self_signed`]), expired ([`Pki::expired`]), or issued for another name (a leaf for the
//! wrong names).

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A certificate authority that exists only for one test run.
pub struct Pki {
    issuer: Issuer<'static, KeyPair>,
    ca: CertificateDer<'static>,
    ca_pem: String,
}

/// What a server presents: its certificate chain and key.
#[derive(Clone)]
pub struct ServerCert {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivatePkcs8KeyDer<'static>>,
}

fn key() -> KeyPair {
    KeyPair::generate().expect("generate a key")
}

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut p = CertificateParams::new(names.clone()).expect("names are valid");
    p.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - days(1);
    p.not_after = now + days(30);
    p
}

impl Pki {
    pub fn new() -> Pki {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("no names");
        p.distinguished_name
            .push(DnType::CommonName, "WP Connect test authority (this test run only)");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now - days(2);
        p.not_after = now + days(60);
        let k = key();
        let cert = p.self_signed(&k).expect("self-sign the authority");
        Pki { ca: cert.der().clone(), ca_pem: cert.pem(), issuer: Issuer::new(p, k) }
    }

    /// The authority's certificate (PEM), to give a client as a trusted root.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A good certificate for `names` (host names or IP addresses), valid now.
    pub fn leaf(&self, names: &[&str]) -> ServerCert {
        self.sign(leaf_params(names))
    }

    /// A certificate for `names` that expired yesterday.
    pub fn expired(&self, names: &[&str]) -> ServerCert {
        let mut p = leaf_params(names);
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now - days(90);
        p.not_after = now - days(1);
        self.sign(p)
    }

    fn sign(&self, p: CertificateParams) -> ServerCert {
        let k = key();
        let cert = p.signed_by(&k, &self.issuer).expect("sign a leaf");
        ServerCert {
            chain: vec![cert.der().clone(), self.ca.clone()],
            key: Arc::new(PrivatePkcs8KeyDer::from(k.serialize_der())),
        }
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

/// A certificate for `names` signed by its own key: trusted by nobody.
pub fn self_signed(names: &[&str]) -> ServerCert {
    let k = key();
    let cert = leaf_params(names).self_signed(&k).expect("self-sign");
    ServerCert {
        chain: vec![cert.der().clone()],
        key: Arc::new(PrivatePkcs8KeyDer::from(k.serialize_der())),
    }
}

impl ServerCert {
    /// The server side of a TLS connection presenting this certificate.
    pub fn acceptor(&self) -> TlsAcceptor {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), PrivateKeyDer::Pkcs8(self.key.clone_key()))
            .expect("the certificate and key match");
        TlsAcceptor::from(Arc::new(config))
    }
}
