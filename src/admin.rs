//! The admin listener on `--metrics ADDR`: Prometheus `/metrics`, readiness `/healthz` (see
//! `health`) and liveness `/livez`, with the same limits and timeouts as the interactions
//! endpoint (`http_server`).

use crate::health::Health;
use crate::http_server;
use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use std::future::Future;
use std::sync::Arc;

/// Serves until `shutdown` completes; `/healthz` asks `health`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    health: Arc<Health>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http_server::serve_with("metrics", "metrics", listener, health, handle, shutdown).await
}

async fn handle(
    health: Arc<Health>,
    request: hyper::Request<http_server::Body>,
) -> hyper::Response<Full<Bytes>> {
    let (status, body, kind) = match request.uri().path() {
        "/metrics" => (StatusCode::OK, crate::metrics::get().render(), "text/plain; version=0.0.4"),
        "/healthz" => {
            let (status, body) = health.readiness().await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!("{body}\n"), "application/json")
        }
        "/livez" => (StatusCode::OK, "ok\n".to_string(), "text/plain"),
        _ => (StatusCode::NOT_FOUND, "not found\n".to_string(), "text/plain"),
    };
    http_server::response(status, kind, body)
}
