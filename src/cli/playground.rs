//! `marquee playground`: the local page, its database and its content watch.

use super::env::LogEnv;
use super::failure::Failure;
use marquee::playground::{self, Playground};
use marquee::search::SharedEngine;
use marquee::store::Database;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn run(
    log: &LogEnv,
    listen: &str,
    unsafe_anywhere: bool,
    content: Option<&Path>,
    sentence: Option<&Path>,
    watch: bool,
    database: Option<&Path>,
) -> Result<(), Failure> {
    // Refused before anything else: the page's requests are unsigned.
    let addr =
        playground::check_listen(listen, unsafe_anywhere).map_err(|e| Failure::usage(e.to_string()))?;
    super::bot::init_logging(log)?;
    // Bound before the catalog and database: a taken port is a usage problem with a way out.
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(listener) => listener,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(Failure::usage(format!(
                "cannot listen on {addr}: another program uses that port (another playground?). \
                 Choose a free one, e.g. --listen {}",
                free_port_like(addr)
            )))
        }
        Err(e) => return Err(anyhow::anyhow!("cannot listen on {addr}: {e}").into()),
    };
    listener.set_nonblocking(true)?;
    let engine = Arc::new(super::engine(content)?);
    let sentence_model = super::sentence_model(sentence)?;
    // Its own SQLite file, never DATABASE_URL: trying /highlights here must not touch the
    // bot's real subscriptions.
    let temporary = database
        .is_none()
        .then(|| std::env::temp_dir().join(format!("marquee-playground-{}", std::process::id())));
    let path: PathBuf = match (database, &temporary) {
        (Some(file), _) => file.to_path_buf(),
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir)?;
            dir.join("playground.db")
        }
        (None, None) => unreachable!("a temporary folder is made when no file is given"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let store = super::bot::open_store(&runtime, &Database::Sqlite(path.clone()))?;
    let shared = Arc::new(SharedEngine::with_sentence_model(engine, sentence_model));
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let mut page = Playground::new(shared, store, content.map(Path::to_path_buf));
        page.local_only = !unsafe_anywhere;
        let page = Arc::new(page);
        if let (true, Some(dir)) = (watch, content) {
            tokio::spawn(page.clone().watch(dir.to_path_buf(), marquee::catalog::WATCH_EVERY));
        }
        let bound = listener.local_addr()?;
        println!("Marquee playground: open http://{bound}/ (database {})", path.display());
        playground::serve(listener, page, super::bot::shutdown_signal()).await?;
        anyhow::Ok(())
    });
    if let Some(dir) = temporary {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(served?)
}

/// An address on `addr`'s interface whose port is free now (the system's pick).
fn free_port_like(addr: std::net::SocketAddr) -> String {
    let free = std::net::TcpListener::bind((addr.ip(), 0)).and_then(|l| l.local_addr());
    match free {
        Ok(free) => free.to_string(),
        Err(_) => std::net::SocketAddr::new(addr.ip(), addr.port().wrapping_add(1)).to_string(),
    }
}
