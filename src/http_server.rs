//! The HTTP/1.1 server under every listener Marquee opens (the interactions endpoint, metrics,
//! the playground): what makes a listener safe to leave open to the internet, for any hyper
//! service.
//!
//! hyper's own connection does the protocol, the header timeout (once it has a timer) and the
//! header size limit; hyper-util's `GracefulShutdown` drains connections. What hyper leaves to
//! its caller is here: a cap on open connections, accept errors that back off instead of
//! spinning (logged at a bounded rate), a deadline on reading each request body, a limit on
//! how long an answer may wait for the client to take it, and a bounded drain on shutdown.
//! See ARCHITECTURE.md for why this rather than axum.
//!
//! A listener is `serve_with(name, what, listener, state, handler, shutdown)` (or `serve` with
//! any hyper service and its own `Limits`);
//! its handler gets a `Request<Body>`, reads a body with `read_body(body, max)` (a failure
//! answered with `BodyError::status`) and answers with `response(status, content_type, body)`.

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::service::Service;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tracing::{debug, info, warn};

/// Time for a client to send a request's headers (and, on a kept-alive connection, to start
/// the next request). Discord must have its answer within 3 s of sending, so a request that
/// takes longer than this to arrive is worthless anyway; anything slower is a stalled or
/// hostile client holding a connection.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a client to send a request's whole body, counted from the end of its headers.
/// The same reasoning: an interaction body is a few kilobytes sent at once.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once. Each costs a file descriptor and a few kilobytes; beyond this,
/// new connections wait in the kernel's accept queue (costing us nothing) until one closes.
pub const MAX_CONNECTIONS: usize = 512;
/// Time a response may wait for the client to take it. A client that sends requests but never
/// reads the answers would otherwise hold its connection forever: hyper reads no new request
/// (so its header timeout never starts) while the last answer cannot be written.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// On shutdown, how long requests in flight may take to finish before the server returns
/// anyway. A request that arrived just before the signal needs at most its body timeout
/// plus an answer. (The replies a door still sends after its HTTP answer, such as deferred
/// edits, have their own bound: `inflight::REPLY_DRAIN`.)
pub const CONNECTION_DRAIN: Duration = Duration::from_secs(8);
/// Request headers larger than this are answered 431 (Discord sends well under 2 KiB).
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// hyper's read buffer per connection (its default is ~400 KiB): bounds what a connection can
/// make us hold before the service looks at it.
const MAX_BUFFER_BYTES: usize = 64 * 1024;
/// Accept errors (out of file descriptors, mostly) are retried after this, doubling up to
/// `BACKOFF_MAX`: retrying at once spins a core and floods the log while nothing can change.
const BACKOFF_MIN: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// At most one log line per this long about accept errors, with a count.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// The limits of one listener: the constants above, except in tests that need them shorter.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub write_timeout: Duration,
    pub max_connections: usize,
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            drain: CONNECTION_DRAIN,
        }
    }
}

/// The request body a service receives: hyper's, failing with `BodyError::TimedOut` once the
/// body timeout has passed.
pub type Body = Deadline<Incoming>;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("request body larger than allowed")]
    TooLarge,
    #[error("request body not received in time")]
    TimedOut,
    #[error("request body: {0}")]
    Failed(#[from] hyper::Error),
}

impl BodyError {
    /// The status that answers a request whose body could not be read: 413, 408 or 400.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Failed(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// A whole answer, as every listener sends one: `status`, a `Content-Type` and the body.
pub fn response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A body that ends in `BodyError::TimedOut` at a fixed instant.
pub struct Deadline<B> {
    inner: B,
    deadline: Instant,
    // Made only when the body has to wait for the client: most bodies are already buffered.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<B> Deadline<B> {
    pub fn new(inner: B, timeout: Duration) -> Deadline<B> {
        Deadline { inner, deadline: Instant::now() + timeout, sleep: None }
    }
}

impl<B> HttpBody for Deadline<B>
where
    B: HttpBody<Data = Bytes, Error = hyper::Error> + Unpin,
{
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        // Checked first, so a client trickling bytes cannot outlast it either.
        if Instant::now() >= self.deadline {
            return Poll::Ready(Some(Err(BodyError::TimedOut)));
        }
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(BodyError::Failed)));
        }
        let deadline = self.deadline;
        let sleep = self.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::TimedOut))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Reads a whole body of at most `max` bytes.
pub async fn read_body<B>(body: B, max: usize) -> Result<Bytes, BodyError>
where
    B: HttpBody<Data = Bytes, Error = BodyError> + Unpin,
{
    if body.size_hint().lower() > max as u64 {
        return Err(BodyError::TooLarge);
    }
    let mut body = body;
    let mut out = BytesMut::with_capacity(body.size_hint().lower() as usize);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if out.len() + data.len() > max {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
}

/// Serves `service` on `listener` until `shutdown` completes; then stops accepting, lets the
/// requests in flight finish (for at most `limits.drain`) and returns. `name` labels the log
/// lines.
pub async fn serve<S, B>(
    name: &'static str,
    listener: TcpListener,
    service: S,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_BUFFER_BYTES);
    let mut errors = AcceptErrors::default();
    tokio::pin!(shutdown);
    loop {
        // A slot first: while all are taken, new connections stay in the kernel's queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                errors.backoff = BACKOFF_MIN;
                stream
            }
            // The one connection is gone; the listener is fine.
            Err(e) if is_connection_error(&e) => {
                debug!(error = %e, "{name}: connection failed before it was accepted");
                continue;
            }
            Err(e) => {
                let pause = errors.failed(name, &e, Instant::now());
                drop(slot);
                tokio::select! {
                    () = tokio::time::sleep(pause) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let body_timeout = limits.body_timeout;
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            service.call(request.map(|body| Deadline::new(body, body_timeout)))
        });
        let stream = WriteStall::new(stream, limits.write_timeout);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                debug!(error = %e, "{name}: connection closed");
            }
            drop(slot);
        });
    }
    // Closing the listening socket refuses new connections at once.
    drop(listener);
    let open = graceful.count();
    if tokio::time::timeout(limits.drain, graceful.shutdown()).await.is_err() {
        warn!(open, "{name}: requests still in flight after {:?}; closing them", limits.drain);
    }
    Ok(())
}

/// Serves `handle(state, request)` for each request on `listener`, with the default limits,
/// until `shutdown` completes; logs "{what} listening" (with the address) and "{what} stopped".
/// The endpoint, the playground and the admin listener are each this with their own handler.
pub async fn serve_with<T, F, Fut>(
    name: &'static str,
    what: &'static str,
    listener: TcpListener,
    state: Arc<T>,
    handle: F,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    T: Send + Sync + 'static,
    F: Fn(Arc<T>, Request<Body>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    info!(addr = %listener.local_addr()?, "{what} listening");
    let service = hyper::service::service_fn(move |request| {
        let state = state.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(state, request).await) }
    });
    serve(name, listener, service, Limits::default(), shutdown).await?;
    info!("{what} stopped");
    Ok(())
}

/// A connection whose writes fail with `TimedOut` once one has made no progress for `timeout`.
struct WriteStall<T> {
    inner: T,
    timeout: Duration,
    // Armed while a write waits; kept between stalls so a busy connection allocates it once.
    sleep: Option<Pin<Box<Sleep>>>,
    waiting: bool,
}

impl<T> WriteStall<T> {
    fn new(inner: T, timeout: Duration) -> WriteStall<T> {
        WriteStall { inner, timeout, sleep: None, waiting: false }
    }

    /// Passes on what the inner write returned, failing it when it has waited too long.
    fn checked<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<std::io::Result<R>>,
    ) -> Poll<std::io::Result<R>> {
        if polled.is_ready() {
            self.waiting = false;
            return polled;
        }
        let deadline = Instant::now() + self.timeout;
        let sleep = self.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !self.waiting {
            self.waiting = true;
            sleep.as_mut().reset(deadline);
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteStall<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteStall<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.checked(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.checked(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.checked(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.checked(cx, polled)
    }
}

/// Errors of one incoming connection rather than of the listener (retrying at once is right).
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// The accept loop's backoff and its rate-limited log.
struct AcceptErrors {
    backoff: Duration,
    unreported: u64,
    reported: Option<Instant>,
}

impl Default for AcceptErrors {
    fn default() -> AcceptErrors {
        AcceptErrors { backoff: BACKOFF_MIN, unreported: 0, reported: None }
    }
}

impl AcceptErrors {
    /// Counts a failed accept; returns how long to wait before the next.
    fn failed(&mut self, name: &str, e: &std::io::Error, now: Instant) -> Duration {
        self.unreported += 1;
        if self.reported.is_none_or(|at| now - at >= LOG_EVERY) {
            warn!(
                error = %e,
                failures = self.unreported,
                retry_in_ms = self.backoff.as_millis() as u64,
                "{name}: cannot accept connections (out of file descriptors?); backing off"
            );
            self.unreported = 0;
            self.reported = Some(now);
        }
        let pause = self.backoff;
        self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        pause
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    #[tokio::test]
    async fn connections_beyond_the_cap_wait_for_a_slot() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = Limits { max_connections: 2, ..Limits::default() };
        let service = hyper::service::service_fn(|_: Request<Body>| async {
            Ok::<_, std::convert::Infallible>(Response::new(http_body_util::Full::new(Bytes::from_static(
                b"hi",
            ))))
        });
        tokio::spawn(serve("test", listener, service, limits, std::future::pending()));
        let first = TcpStream::connect(addr).await.unwrap();
        let _second = TcpStream::connect(addr).await.unwrap();
        let mut third = TcpStream::connect(addr).await.unwrap();
        third.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 256];
        let waited = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
        assert!(waited.is_err(), "answered while both slots were taken");
        drop(first);
        let n = tokio::time::timeout(Duration::from_secs(2), third.read(&mut buf))
            .await
            .expect("not answered once a slot was free")
            .unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    }

    #[test]
    fn accept_errors_back_off_doubling_to_a_second_and_are_logged_rarely() {
        let mut errors = AcceptErrors::default();
        let e = std::io::Error::from_raw_os_error(24);
        let start = Instant::now();
        let pauses: Vec<u128> = (0..10).map(|_| errors.failed("test", &e, start).as_millis()).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        // The first was reported; the nine since wait for the next report.
        assert_eq!(errors.unreported, 9);
        errors.failed("test", &e, start + LOG_EVERY - Duration::from_millis(1));
        assert_eq!(errors.unreported, 10);
        errors.failed("test", &e, start + LOG_EVERY);
        assert_eq!(errors.unreported, 0, "reported with the count after LOG_EVERY");
    }
}
