//! A minimal HTTP/1.1 keep-alive client for tests and benchmarks of the interactions endpoint
//! (no TLS, no chunked bodies: enough for our own server on loopback).

#![allow(dead_code)]

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Client { stream, buf: Vec::new() }
    }

    /// POSTs `body` with `headers`; returns (status, body).
    pub async fn post(&mut self, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Vec<u8>) {
        let mut request =
            format!("POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\n", body.len());
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes).await.unwrap();
        self.read_response().await
    }

    /// GETs `path`; returns (status, body).
    pub async fn get(&mut self, path: &str) -> (u16, Vec<u8>) {
        let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n");
        self.stream.write_all(request.as_bytes()).await.unwrap();
        self.read_response().await
    }

    /// GETs `path`; returns (status, the response's header lines in lower case, body).
    pub async fn get_with_headers(&mut self, path: &str) -> (u16, String, Vec<u8>) {
        let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n");
        self.stream.write_all(request.as_bytes()).await.unwrap();
        self.read_full().await
    }

    async fn read_response(&mut self) -> (u16, Vec<u8>) {
        let (status, _, body) = self.read_full().await;
        (status, body)
    }

    async fn read_full(&mut self) -> (u16, String, Vec<u8>) {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_string();
                let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while self.buf.len() < end + 4 + length {
                    self.fill().await;
                }
                let body = self.buf[end + 4..end + 4 + length].to_vec();
                self.buf.drain(..end + 4 + length);
                return (status, head.to_ascii_lowercase(), body);
            }
            self.fill().await;
        }
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

/// RFC 8032 test 1 secret key; its public key is in shared/discord/README.md.
pub const SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
pub const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

pub fn key(secret_hex: &str) -> ed25519_dalek::SigningKey {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&secret_hex[2 * i..2 * i + 2], 16).unwrap();
    }
    ed25519_dalek::SigningKey::from_bytes(&bytes)
}

/// The X-Signature-* headers for `body` sent at `timestamp`.
pub fn signed(key: &ed25519_dalek::SigningKey, timestamp: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    use ed25519_dalek::Signer;
    let ts = timestamp.to_string();
    let signature = key.sign(&[ts.as_bytes(), body].concat());
    let hex: String = signature.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    vec![
        ("x-signature-ed25519", hex),
        ("x-signature-timestamp", ts),
        ("content-type", "application/json".into()),
    ]
}
