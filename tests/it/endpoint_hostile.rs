//! `marquee serve` against hostile clients, as a process on loopback: stalled connections are
//! closed, running out of file descriptors neither spins nor floods the log, unsigned uploads
//! are refused before their body is read, and SIGTERM lets a request in flight finish.

use crate::support::TempDir;
use marquee_testkit::fake_discord::TOKEN;
use marquee_testkit::http_client::{key, signed, PUBLIC, SECRET};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's header and body timeouts are 5 s (`marquee::http_server`); a stalled
/// connection must be gone a little after that.
const CLOSED_WITHIN: Duration = Duration::from_secs(8);

struct Server {
    child: Child,
    addr: SocketAddr,
    metrics: SocketAddr,
    log: PathBuf,
    _dir: TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `marquee serve` with the endpoint and metrics on loopback, its stderr in a file, and at
/// most `nofile` file descriptors when given (through util-linux `prlimit`, which execs it:
/// the pid is the server's).
async fn start(tag: &str, nofile: Option<u32>) -> Server {
    let dir = TempDir::new(tag);
    let (port, metrics_port) = (free_port(), free_port());
    let log = dir.0.join("stderr.log");
    let mut cmd = match nofile {
        Some(n) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--nofile={n}:{n}")).arg(env!("CARGO_BIN_EXE_marquee"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_marquee")),
    };
    let child = cmd
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--metrics", &format!("127.0.0.1:{metrics_port}")])
        .current_dir(&dir.0)
        .env_clear()
        .env("DISCORD_PUBLIC_KEY", PUBLIC)
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", "http://127.0.0.1:9")
        .env("DATABASE_URL", dir.0.join("marquee.db"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
        metrics: format!("127.0.0.1:{metrics_port}").parse().unwrap(),
        log,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(server.addr).await.is_err() || TcpStream::connect(server.metrics).await.is_err()
    {
        assert!(Instant::now() < deadline, "the server did not start: {}", server.stderr());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User plus system CPU time, in clock ticks (fields 14 and 15 of /proc/PID/stat).
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // The command name (field 2) is in parentheses and may hold spaces: count after it.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }

    /// A field of /proc/PID/status in KiB (`VmRSS`, `VmHWM`).
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn log_bytes(&self) -> u64 {
        std::fs::metadata(&self.log).unwrap().len()
    }

    fn stderr(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.chars().take(4000).collect()
    }

    fn terminate(&self) {
        let status = Command::new("kill").args(["-s", "TERM", &self.pid().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// The exit code, waiting at most `limit`.
    fn exit_code(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The head of a POST of `length` bytes with `headers`.
fn head(length: usize, headers: &[(&str, String)]) -> Vec<u8> {
    let mut text = format!("POST /interactions HTTP/1.1\r\nhost: localhost\r\ncontent-length: {length}\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// Reads until the server closes the connection or `limit` passes; returns when it closed
/// (None: still open) and everything it sent.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (Option<Duration>, Vec<u8>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (None, received),
            Ok(Ok(0)) | Ok(Err(_)) => return (Some(started.elapsed()), received),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// The status of the first response in `bytes`.
fn status(bytes: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(bytes.get(..12)?).ok()?;
    text.strip_prefix("HTTP/1.1 ")?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_headers_and_bodies_are_closed() {
    let server = start("stalled", None).await;
    // Half a request line and headers, then nothing.
    let mut half_headers = TcpStream::connect(server.addr).await.unwrap();
    half_headers.write_all(b"POST /interactions HTTP/1.1\r\nhost: localhost\r\ncontent-le").await.unwrap();
    // Signed headers and half the body they announce, then nothing.
    let body = br#"{"type":1,"id":"1","application_id":"2","token":"t","version":1}"#;
    let mut half_body = TcpStream::connect(server.addr).await.unwrap();
    half_body.write_all(&head(body.len(), &signed(&key(SECRET), now(), body))).await.unwrap();
    half_body.write_all(&body[..body.len() / 2]).await.unwrap();
    // Connected, silent.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();

    let (headers, body_wait, idle) = tokio::join!(
        until_closed(&mut half_headers, CLOSED_WITHIN + Duration::from_secs(2)),
        until_closed(&mut half_body, CLOSED_WITHIN + Duration::from_secs(2)),
        until_closed(&mut silent, CLOSED_WITHIN + Duration::from_secs(2)),
    );
    for (what, (closed, _)) in
        [("half the headers", &headers), ("half the body", &body_wait), ("nothing", &idle)]
    {
        let after = closed.unwrap_or_else(|| panic!("a connection that sent {what} was still open"));
        eprintln!("a connection that sent {what} was closed after {:.1} s", after.as_secs_f64());
        assert!(after <= CLOSED_WITHIN, "{what}: closed only after {after:?}");
    }
    // A body that never finishes is answered 408 before the connection is closed.
    assert_eq!(status(&body_wait.1), Some(408), "{}", String::from_utf8_lossy(&body_wait.1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_listener_closes_stalled_connections_too() {
    let server = start("metrics-stalled", None).await;
    let mut stalled = TcpStream::connect(server.metrics).await.unwrap();
    stalled.write_all(b"GET /metrics HTTP/1.1\r\nhost: loc").await.unwrap();
    let (closed, _) = until_closed(&mut stalled, CLOSED_WITHIN + Duration::from_secs(2)).await;
    let after = closed.expect("a stalled metrics connection was still open");
    eprintln!("a stalled metrics connection was closed after {:.1} s", after.as_secs_f64());
    assert!(after <= CLOSED_WITHIN);
    // Its routes still answer.
    let mut ok = TcpStream::connect(server.metrics).await.unwrap();
    ok.write_all(b"GET /livez HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").await.unwrap();
    let (_, response) = until_closed(&mut ok, Duration::from_secs(5)).await;
    assert_eq!(status(&response), Some(200));
    assert!(response.ends_with(b"\r\n\r\nok\n"), "{}", String::from_utf8_lossy(&response));
}

/// A client that sends request after request but never reads the answers: once the answers
/// stop fitting in the socket buffers, the server gives up on it within its write timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_its_answers_is_closed() {
    let server = start("no-reader", None).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(server.addr).await.unwrap();
    // Each is answered 405 on a kept-alive connection.
    let requests = b"GET /interactions HTTP/1.1\r\nhost: localhost\r\n\r\n".repeat(1000);
    let started = Instant::now();
    let mut progress = Instant::now();
    let closed = loop {
        assert!(started.elapsed() < Duration::from_secs(20), "still open after {:?}", started.elapsed());
        match tokio::time::timeout(Duration::from_millis(200), stream.write(&requests)).await {
            Ok(Ok(_)) => progress = Instant::now(),
            Ok(Err(_)) => break progress.elapsed(),
            Err(_) => {}
        }
    };
    eprintln!("a client that never reads was closed {:.1} s after its last write", closed.as_secs_f64());
    assert!(closed <= CLOSED_WITHIN, "closed only {closed:?} after the last progress");
}

/// With 64 file descriptors and 80 clients holding connections, the accept loop backs off:
/// little CPU, a few log lines; the stalled clients are closed on time and a signed PING that
/// waited behind them is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        marquee_testkit::skip_or_fail(
            "running out of file descriptors",
            "prlimit (util-linux) is not installed",
        );
        return;
    }
    const NOFILE: u32 = 64;
    const CLIENTS: usize = 80;
    let server = start("nofile", Some(NOFILE)).await;
    let mut holders = Vec::new();
    for _ in 0..CLIENTS {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"POST /interactions HTTP/1.1\r\n").await.unwrap();
        holders.push(s);
    }
    // Let the server run into the limit, then watch it for a while.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let window = Duration::from_secs(3);
    let (ticks, logged) = (server.cpu_ticks(), server.log_bytes());
    tokio::time::sleep(window).await;
    let ticks = server.cpu_ticks() - ticks;
    let logged = server.log_bytes() - logged;
    let cpu = ticks as f64 / 100.0 / window.as_secs_f64();
    eprintln!(
        "out of file descriptors: {:.1} % of a core, {:.0} log bytes/s",
        cpu * 100.0,
        logged as f64 / window.as_secs_f64()
    );
    assert!(server.stderr().contains("Too many open files"), "never out of files: {}", server.stderr());
    assert!(cpu < 0.10, "{:.0} % of a core while out of file descriptors", cpu * 100.0);
    assert!(logged < 1000, "{logged} bytes of log in {window:?}: {}", server.stderr());

    // A signed PING behind them: answered once the server has closed enough stalled clients.
    let started = Instant::now();
    let ping = br#"{"type":1}"#;
    let mut client = TcpStream::connect(server.addr).await.unwrap();
    client
        .write_all(&[head(ping.len(), &signed(&key(SECRET), now(), ping)), ping.to_vec()].concat())
        .await
        .unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    while !response.ends_with(br#"{"type":1}"#) {
        let n = tokio::time::timeout(Duration::from_secs(15), client.read(&mut buf))
            .await
            .expect("the PING was not answered")
            .unwrap();
        assert!(n > 0, "closed without an answer: {}", String::from_utf8_lossy(&response));
        response.extend_from_slice(&buf[..n]);
    }
    assert_eq!(status(&response), Some(200));
    eprintln!("the PING was answered after {:.1} s", started.elapsed().as_secs_f64());
    drop(holders);
}

/// 200 unsigned half-uploads of a body the server allows (1 MiB): refused 401 from their
/// headers, so their bodies never take memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_uploads_are_refused_before_their_body_is_read() {
    const UPLOADS: usize = 200;
    const DECLARED: usize = 1 << 20;
    const SENT: usize = DECLARED / 2;
    let server = start("uploads", None).await;
    let before = server.memory_kib("VmRSS:");
    let addr = server.addr;
    let uploads: Vec<_> = (0..UPLOADS)
        .map(|_| {
            tokio::spawn(async move {
                let mut s = TcpStream::connect(addr).await.unwrap();
                let request =
                    [head(DECLARED, &[("content-type", "application/json".into())]), vec![b' '; SENT]];
                // The server may close before taking it all: that is the point.
                let _ = tokio::time::timeout(Duration::from_secs(5), s.write_all(&request.concat())).await;
                let (_, response) = until_closed(&mut s, Duration::from_secs(5)).await;
                (status(&response), s)
            })
        })
        .collect();
    let mut refused = 0;
    let mut open = Vec::new();
    for upload in uploads {
        let (status, stream) = upload.await.unwrap();
        refused += usize::from(status == Some(401));
        open.push(stream);
    }
    let (rss, peak) = (server.memory_kib("VmRSS:"), server.memory_kib("VmHWM:"));
    eprintln!(
        "{UPLOADS} unsigned half-uploads: RSS {} → {} MiB (peak {} MiB); {refused} answered 401",
        before / 1024,
        rss / 1024,
        peak / 1024
    );
    assert!(peak < before + 32 * 1024, "RSS rose from {before} KiB to a peak of {peak} KiB");
    assert!(refused >= UPLOADS * 9 / 10, "only {refused} of {UPLOADS} were answered 401");
}

/// SIGTERM while a signed request's body is still arriving: no new connections, the request
/// is answered, then the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish() {
    let mut server = start("sigterm", None).await;
    let ping = br#"{"type":1,"id":"1","application_id":"2","token":"t","version":1}"#;
    let mut client = TcpStream::connect(server.addr).await.unwrap();
    client.write_all(&head(ping.len(), &signed(&key(SECRET), now(), ping))).await.unwrap();
    client.write_all(&ping[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();
    // The listener closes at once.
    let deadline = Instant::now() + Duration::from_secs(3);
    while TcpStream::connect(server.addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting connections after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.write_all(&ping[10..]).await.unwrap();
    let (_, response) = until_closed(&mut client, Duration::from_secs(5)).await;
    assert_eq!(status(&response), Some(200), "{}", String::from_utf8_lossy(&response));
    assert!(response.ends_with(br#"{"type":1}"#), "{}", String::from_utf8_lossy(&response));
    assert_eq!(server.exit_code(Duration::from_secs(5)), Some(0), "{}", server.stderr());
}

#[test]
fn signature_headers_are_checked_on_their_own() {
    use marquee::endpoint::{check_headers, MAX_AGE_SECONDS};
    let t = 1_700_000_000;
    let good = "ab".repeat(64);
    assert_eq!(check_headers(Some(&good), Some(&t.to_string()), t), Ok(t));
    assert_eq!(check_headers(Some(&good.to_uppercase()), Some(" 1700000000 "), t + MAX_AGE_SECONDS), Ok(t));
    let refused = [
        (None, Some(t.to_string())),
        (Some(good.clone()), None),
        (Some("ab".repeat(63)), Some(t.to_string())),
        (Some(format!("{}zz", "ab".repeat(63))), Some(t.to_string())),
        (Some(good.clone()), Some("soon".into())),
        (Some(good.clone()), Some((t - MAX_AGE_SECONDS - 1).to_string())),
        (Some(good.clone()), Some((t + MAX_AGE_SECONDS + 1).to_string())),
    ];
    for (signature, timestamp) in refused {
        let answer = check_headers(signature.as_deref(), timestamp.as_deref(), t);
        assert_eq!(answer.map_err(|(status, _)| status.as_u16()), Err(401), "{signature:?} {timestamp:?}");
    }
}
