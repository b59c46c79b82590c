//! A TLS endpoint in front of the machine's servers, which speak plain TCP
//! (on a developer's machine and in CI alike): a proxy on a loopback port
//! that answers TLS with a certificate for `localhost` (and no other name,
//! so the same proxy at `127.0.0.1` is a host the certificate does not
//! name), signed by a CA made when the test starts, and forwards the
//! decrypted bytes to the real server. It speaks only TLS: a client that does not ask
//! for it is disconnected, so a test that gets through has used TLS.
//!
//! How TLS starts is each protocol's own:
//! - PostgreSQL: the client's 8-byte SSLRequest, answered `S`;
//! - Redis: TLS from the first byte (`rediss://`);
//! - MySQL/MariaDB: the server's greeting says it can (CLIENT_SSL), the
//!   client asks with an SSL request packet, then TLS. The real server was
//!   never asked, so the proxy adds the flag to the greeting, swallows the
//!   request, clears the flag in the client's handshake response and shifts
//!   the sequence numbers of the connection phase by the packet it swallowed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::TempDir;

/// Which protocol the proxy speaks to the client before TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Postgres,
    MySql,
    Redis,
}

/// The proxy; it stops when dropped.
pub struct TlsProxy {
    /// `127.0.0.1:PORT`.
    pub address: SocketAddr,
    /// The PEM file of the CA that signed the proxy's certificate.
    pub ca_file: PathBuf,
    /// The PEM file of another CA, which signed nothing here.
    pub stranger_ca_file: PathBuf,
    handshakes: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
    _dir: TempDir,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsProxy {
    /// A proxy speaking `protocol` in front of the server of `upstream_url`
    /// (as the tests' URLs: `scheme://[user@]host:port/...`).
    pub async fn start(protocol: Protocol, upstream_url: &str) -> Self {
        let upstream = authority(upstream_url).to_owned();
        let dir = TempDir::new("tls");
        let (ca, ca_key) = certificate_authority("Steward test CA");
        let (stranger, _) = certificate_authority("A stranger's CA");
        let ca_file = dir.join("ca.pem");
        let stranger_ca_file = dir.join("stranger-ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("write the CA");
        std::fs::write(&stranger_ca_file, stranger.pem()).expect("write the other CA");

        let key = KeyPair::generate().expect("a key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned()]).expect("certificate params");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let certificate = params
            .signed_by(&key, &ca, &ca_key)
            .expect("sign the server certificate");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(certificate.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("a server TLS configuration");
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("its address");
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&handshakes);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (acceptor, upstream, counted) =
                    (acceptor.clone(), upstream.clone(), Arc::clone(&counted));
                tokio::spawn(async move {
                    // A connection that fails ends here; the client sees it closed.
                    let _ = serve(protocol, client, &acceptor, &upstream, &counted).await;
                });
            }
        });
        Self {
            address,
            ca_file,
            stranger_ca_file,
            handshakes,
            task,
            _dir: dir,
        }
    }

    /// How many TLS handshakes the proxy has completed.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }

    /// `url` pointed at the proxy as `localhost`, its path and query kept.
    pub fn url(&self, url: &str) -> String {
        self.url_at("localhost", url)
    }

    /// As [`Self::url`], at `127.0.0.1`: not a name of the certificate.
    pub fn url_by_address(&self, url: &str) -> String {
        self.url_at("127.0.0.1", url)
    }

    fn url_at(&self, host: &str, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
        let (authority, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let user = authority
            .rsplit_once('@')
            .map(|(user, _)| format!("{user}@"))
            .unwrap_or_default();
        format!("{scheme}://{user}{host}:{}{path}", self.address.port())
    }
}

/// `host:port` of a URL.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    authority.rsplit_once('@').map_or(authority, |(_, at)| at)
}

fn certificate_authority(name: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("a key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let certificate = params.self_signed(&key).expect("a self-signed CA");
    (certificate, key)
}

const POSTGRES_SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
/// CLIENT_SSL, in the second byte of the capability flags.
const MYSQL_CLIENT_SSL: u8 = 0x08;

async fn serve(
    protocol: Protocol,
    mut client: TcpStream,
    acceptor: &TlsAcceptor,
    upstream: &str,
    handshakes: &AtomicUsize,
) -> std::io::Result<()> {
    match protocol {
        Protocol::Postgres => {
            let mut request = [0u8; 8];
            client.read_exact(&mut request).await?;
            if request != POSTGRES_SSL_REQUEST {
                return Err(refused("the client did not ask for TLS"));
            }
            client.write_all(b"S").await?;
            let mut tls = acceptor.accept(client).await?;
            handshakes.fetch_add(1, Ordering::SeqCst);
            let mut server = TcpStream::connect(upstream).await?;
            tokio::io::copy_bidirectional(&mut tls, &mut server).await?;
        }
        Protocol::Redis => {
            let mut tls = acceptor.accept(client).await?;
            handshakes.fetch_add(1, Ordering::SeqCst);
            let mut server = TcpStream::connect(upstream).await?;
            tokio::io::copy_bidirectional(&mut tls, &mut server).await?;
        }
        Protocol::MySql => {
            let mut server = TcpStream::connect(upstream).await?;
            let (sequence, mut greeting) = read_packet(&mut server).await?;
            let flags = capability_offset(&greeting)
                .ok_or_else(|| refused("a server greeting too short"))?;
            greeting[flags + 1] |= MYSQL_CLIENT_SSL;
            write_packet(&mut client, sequence, &greeting).await?;
            let (_, request) = read_packet(&mut client).await?;
            if request.len() != 32 || request[1] & MYSQL_CLIENT_SSL == 0 {
                return Err(refused("the client did not ask for TLS"));
            }
            let mut tls = acceptor.accept(client).await?;
            handshakes.fetch_add(1, Ordering::SeqCst);
            mysql_connection_phase(&mut tls, &mut server).await?;
            tokio::io::copy_bidirectional(&mut tls, &mut server).await?;
        }
    }
    Ok(())
}

/// The handshake response and any authentication exchange, until the
/// server's OK or error: the client counts the swallowed SSL request, the
/// server does not.
async fn mysql_connection_phase(
    client: &mut (impl AsyncRead + AsyncWrite + Unpin),
    server: &mut TcpStream,
) -> std::io::Result<()> {
    let (sequence, mut response) = read_packet(client).await?;
    if response.len() < 4 {
        return Err(refused("a handshake response too short"));
    }
    response[1] &= !MYSQL_CLIENT_SSL;
    write_packet(server, sequence.wrapping_sub(1), &response).await?;
    loop {
        let (sequence, answer) = read_packet(server).await?;
        write_packet(client, sequence.wrapping_add(1), &answer).await?;
        match answer.as_slice() {
            // OK or error: the connection phase is over.
            [0x00 | 0xff, ..] => return Ok(()),
            // caching_sha2_password's fast path: the OK follows at once.
            [0x01, 0x03] => continue,
            _ => {
                let (sequence, more) = read_packet(client).await?;
                write_packet(server, sequence.wrapping_sub(1), &more).await?;
            }
        }
    }
}

/// Where the capability flags start in a server greeting (protocol 10):
/// after the version byte, the NUL-terminated server version, the thread id
/// (4), the first scramble (8) and a filler (1).
fn capability_offset(greeting: &[u8]) -> Option<usize> {
    let nul = greeting.iter().skip(1).position(|&b| b == 0)? + 1;
    let offset = nul + 1 + 4 + 8 + 1;
    (greeting.len() >= offset + 2).then_some(offset)
}

async fn read_packet(stream: &mut (impl AsyncRead + Unpin)) -> std::io::Result<(u8, Vec<u8>)> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await?;
    let length = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).await?;
    Ok((header[3], payload))
}

async fn write_packet(
    stream: &mut (impl AsyncWrite + Unpin),
    sequence: u8,
    payload: &[u8],
) -> std::io::Result<()> {
    let length = (payload.len() as u32).to_le_bytes();
    stream
        .write_all(&[length[0], length[1], length[2], sequence])
        .await?;
    stream.write_all(payload).await?;
    stream.flush().await
}

fn refused(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}
