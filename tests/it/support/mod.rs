//! Helpers the integration tests share that need the `marquee` crate itself (query sets, the
//! bundled catalog, routers and bots built in-process); what needs only Discord's side of the
//! wire (the fake Discord, payloads, signed HTTP, PostgreSQL databases, WebDriver) is in
//! `marquee_testkit`, which the benches use too.

use marquee::catalog::Catalog;
use marquee::search::{Engine, SearchOptions};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Cases {
    pub case: Vec<Case>,
}

#[derive(Deserialize)]
pub struct Case {
    pub query: String,
    pub expect: Vec<String>,
    /// The Discord locale the member writes in, for sets in other languages.
    #[serde(default)]
    pub locale: Option<String>,
}

pub fn dev_cases() -> Vec<Case> {
    let text = include_str!("../../queries-dev.toml");
    toml::from_str::<Cases>(text).expect("tests/queries-dev.toml parses").case
}

pub fn extra_cases() -> Vec<Case> {
    let text = include_str!("../../queries-extra.toml");
    toml::from_str::<Cases>(text).expect("tests/queries-extra.toml parses").case
}

pub fn chat_cases() -> Vec<Case> {
    let text = include_str!("../../queries-chat.toml");
    toml::from_str::<Cases>(text).expect("tests/queries-chat.toml parses").case
}

/// Held out: written before the at-scale tuning and never tuned on.
pub fn holdout_cases() -> Vec<Case> {
    let text = include_str!("../../queries-holdout.toml");
    toml::from_str::<Cases>(text).expect("tests/queries-holdout.toml parses").case
}

/// A set written by helpers who never saw the engine, from the catalog text alone
/// (tests/queries-unseen/NAME.toml), read at run time so a missing set names its path.
pub fn unseen_cases(name: &str) -> Vec<Case> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/queries-unseen/{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str::<Cases>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())).case
}

/// The unseen sets that may be tuned on, and the one that never is (reported last).
pub const UNSEEN_SETS: [&str; 22] = [
    "paraphrase",
    "paraphrase-2",
    "facts-roles",
    "facts-roles-2",
    "nicknames-nonnative",
    "chat",
    "languages",
    "near-topic-negatives",
    "mixed",
    "paraphrase-3",
    "chat-nonnative-2",
    "paraphrase-4",
    "chatter-negatives",
    "paraphrase-5",
    "paraphrase-6",
    "paraphrase-7",
    "facts-roles-3",
    "paraphrase-8",
    "facts-roles-4",
    "troubles",
    "borrowed-words",
    "mixed-2",
];
/// Sets never tuned on and never read by the fit, reported last: holdout-final (2026-12-05),
/// holdout-fresh (paraphrases, fact and role questions, negatives; written 2026-12-06) and
/// holdout-exam (the same styles and chat questions, by another writer, 2026-12-06) and
/// holdout-after (paraphrase, fact, role and chat questions and negatives, by a fourth writer,
/// after related words, reporting verbs and browsing by kind landed; 2026-12-06) and
/// holdout-fifth (the same styles with long chat messages, by a fifth writer, before the fit
/// read facts-roles-2; 2026-12-06) and holdout-sixth (the same styles, by a sixth writer, before
/// the fit read paraphrase-3 and chat-nonnative-2; 2026-12-07) and holdout-seventh (paraphrase,
/// fact, role and long chat questions, by a seventh writer, before the fit read paraphrase-4;
/// 2026-12-07) and holdout-eighth (the same styles, by an eighth writer, before the fit read
/// paraphrase-5; 2026-12-07) and holdout-ninth (the same styles, by a ninth writer, before the
/// fit read paraphrase-6; 2026-12-07) and holdout-tenth (paraphrase, fact or role and long chat
/// questions with negatives, by a tenth writer, 2026-12-07; reported last) and holdout-eleventh
/// (a paraphrase, a fact or role question and a chatty message per story with negatives, by an
/// eleventh writer, before the first run of the sentence model's fallback; 2026-12-07) and
/// holdout-twelfth (the same styles, by a twelfth writer, before the fit read paraphrase-7 and
/// facts-roles-3; 2026-12-07) and holdout-thirteenth (a mix of those styles with questions in
/// other languages, by a thirteenth writer, before the fit read paraphrase-8 and facts-roles-4;
/// 2026-12-08) and holdout-fourteenth (the same mix, by a fourteenth writer, before its first run
/// on the second opinion that reads labelled messages; 2026-12-08).
pub const UNSEEN_HOLDOUTS: [&str; 14] = [
    "holdout-final",
    "holdout-fresh",
    "holdout-exam",
    "holdout-after",
    "holdout-fifth",
    "holdout-sixth",
    "holdout-seventh",
    "holdout-eighth",
    "holdout-ninth",
    "holdout-eleventh",
    "holdout-twelfth",
    "holdout-thirteenth",
    "holdout-fourteenth",
    "holdout-tenth",
];

pub fn bundled() -> Catalog {
    Catalog::bundled().expect("the bundled catalog is valid")
}

/// Top-1, top-3 and off-topic scores of `engine` on `cases`, and the failures for messages.
pub struct Quality {
    pub top1: f64,
    pub top3: f64,
    pub on_topic: usize,
    pub off_topic_silent: usize,
    pub off_topic: usize,
    /// On-topic queries answered (not silent, not offered) with a wrong story first.
    pub wrong_first: usize,
    /// On-topic queries with no answer whose "did you mean" offers the right story first.
    pub offered_right: usize,
    pub failures: Vec<String>,
}

pub fn measure(engine: &Engine, cases: &[Case]) -> Quality {
    measure_refs(engine, &cases.iter().collect::<Vec<_>>())
}

pub fn measure_refs(engine: &Engine, cases: &[&Case]) -> Quality {
    let (mut top1, mut top3, mut on, mut silent, mut off) = (0, 0, 0, 0, 0);
    let (mut wrong_first, mut offered_right) = (0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let outcome = engine.search(&case.query, &SearchOptions::limit(3));
        let ids: Vec<&str> = outcome.hits.iter().map(|h| h.item.id.as_str()).collect();
        if case.expect.is_empty() {
            off += 1;
            if ids.is_empty() {
                silent += 1;
            } else {
                failures.push(format!("{:?}: expected nothing, got {ids:?}", case.query));
            }
            continue;
        }
        on += 1;
        let first = ids.first().is_some_and(|id| case.expect.iter().any(|e| e == id));
        let in3 = ids.iter().any(|id| case.expect.iter().any(|e| e == id));
        top1 += usize::from(first);
        top3 += usize::from(in3);
        wrong_first += usize::from(!ids.is_empty() && !first);
        offered_right += usize::from(
            ids.is_empty() && outcome.suggestions.first().is_some_and(|s| case.expect.contains(&s.id)),
        );
        if !first {
            failures.push(format!("{:?}: expected one of {:?}, got {ids:?}", case.query, case.expect));
        }
    }
    Quality {
        top1: top1 as f64 / on.max(1) as f64,
        top3: top3 as f64 / on.max(1) as f64,
        on_topic: on,
        off_topic_silent: silent,
        off_topic: off,
        wrong_first,
        offered_right,
        failures,
    }
}

/// A fresh, empty folder under the system temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "marquee-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The variable naming the sentence model's folder (`--sentence-model`).
pub const SENTENCE_MODEL_VAR: &str = "MARQUEE_SENTENCE_MODEL";

/// Runs the `marquee` binary, without the sentence model; returns (exit code, stdout, stderr).
pub fn marquee(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    // The sentence model's reading waits for its story vectors (seconds): tests of it set it
    // themselves (tests/it/fallback.rs).
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(args)
        .env_remove(SENTENCE_MODEL_VAR)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("marquee runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

pub mod doors;
pub use marquee_testkit::{distractors, fake_discord, http_client, payloads, pg};

/// The bot, running in this process against `fake`, until the returned sender is dropped or
/// sent to. `content` overrides the bundled catalog.
pub async fn start_bot(
    fake: &fake_discord::FakeDiscord,
) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let dir = TempDir::new("bot-db");
    let database = marquee::store::Database::Sqlite(dir.0.join("marquee.db"));
    start_bot_on(fake, database, dir).await
}

/// The bot on `database`; `keep` lives until the bot stops (e.g. the database's folder).
pub async fn start_bot_on<K: Send + 'static>(
    fake: &fake_discord::FakeDiscord,
    database: marquee::store::Database,
    keep: K,
) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let (stop, bot, _health) = start_bot_watched(fake, database, keep).await;
    (stop, bot)
}

/// `start_bot_on`, with the health its gateway reports its shards to (as `marquee run` hands
/// it to the admin listener).
pub async fn start_bot_watched<K: Send + 'static>(
    fake: &fake_discord::FakeDiscord,
    database: marquee::store::Database,
    keep: K,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
    std::sync::Arc<marquee::health::Health>,
) {
    let settings = marquee::config::Settings {
        token: fake_discord::TOKEN.to_string(),
        guild_id: None,
        api_base: Some(fake.api_base()),
        catchup: chrono::Duration::hours(6),
        shards: marquee::config::Shards::Auto,
        presence: Some(marquee::config::DEFAULT_PRESENCE.to_string()),
        export_queries: true,
    };
    let engine =
        std::sync::Arc::new(marquee::search::SharedEngine::new(std::sync::Arc::new(Engine::new(bundled()))));
    let store: std::sync::Arc<dyn marquee::store::Store> = database.open().await.unwrap();
    let health = std::sync::Arc::new(marquee::health::Health::new(store.clone()));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(marquee::discord::run(settings, engine, store, health.clone(), async move {
        let _ = rx.await;
        drop(keep);
    }));
    (tx, handle, health)
}

/// A router as the doors build it: the bundled catalog, a SQLite store in a temp dir (returned,
/// so it lives as long as the router), and REST calls (channel access, deferred edits) sent to
/// `fake`, or nowhere when there is none.
pub async fn router(
    fake: Option<&fake_discord::FakeDiscord>,
    tag: &str,
) -> (std::sync::Arc<marquee::router::Router>, std::sync::Arc<marquee::discord::rest::Rest>, TestDb) {
    use std::sync::Arc;
    let db = TestDb::sqlite(tag);
    let engine =
        Arc::new(marquee::search::SharedEngine::new(Arc::new(marquee::search::Engine::new(bundled()))));
    let api = fake.map(|f| f.api_base());
    let http = Arc::new(marquee::discord::http_client(fake_discord::TOKEN, api.as_deref()));
    let rest = marquee::discord::rest::Rest::new(fake_discord::TOKEN, api.as_deref(), Default::default());
    let me = fake.map_or(0, |_| fake_discord::BOT_ID);
    let access = Arc::new(marquee::discord::access::HttpAccess::with_http(me, http));
    (Arc::new(marquee::router::Router::new(engine, db.open().await, access)), Arc::new(rest), db)
}

/// A database to run a store test on: a SQLite file, or a PostgreSQL database when a server is
/// configured (see `pg`).
pub enum TestDb {
    Sqlite(TempDir),
    Postgres(pg::PgDatabase),
}

impl TestDb {
    pub fn sqlite(tag: &str) -> TestDb {
        TestDb::Sqlite(TempDir::new(tag))
    }

    /// SQLite always, and PostgreSQL too when a server is configured.
    pub fn all(tag: &str) -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite(tag)];
        dbs.extend(pg::database(tag).map(TestDb::Postgres));
        dbs
    }

    pub fn name(&self) -> &'static str {
        match self {
            TestDb::Sqlite(_) => "sqlite",
            TestDb::Postgres(_) => "postgres",
        }
    }

    pub fn database(&self) -> marquee::store::Database {
        match self {
            TestDb::Sqlite(dir) => marquee::store::Database::Sqlite(dir.0.join("marquee.db")),
            TestDb::Postgres(db) => marquee::store::Database::Postgres(db.url.clone()),
        }
    }

    /// What to put in DATABASE_URL for a bot process.
    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => dir.0.join("marquee.db").display().to_string(),
            TestDb::Postgres(db) => db.url.clone(),
        }
    }

    /// A new connection (another "process" on the same database).
    pub async fn open(&self) -> std::sync::Arc<dyn marquee::store::Store> {
        self.database().open().await.unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }

    /// Every slot of the database.
    pub async fn slots(&self) -> Vec<marquee::store::SlotRow> {
        self.database().slots().await.unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }
}

pub mod bm25;

/// The bundled catalog with `n` distractors from ../shared/tools/gen-catalog.py (see
/// `distractors`). `None` (after printing `skipped: …`) without ../shared; under CI a missing
/// ../shared is a failure.
pub fn with_seed_word_distractors(n: usize) -> Option<Catalog> {
    let Some(dir) = distractors::folder(n, std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap() else {
        let script = distractors::script();
        marquee_testkit::skip_or_fail(
            "distractors from the seed page",
            &format!("{} is absent", script.display()),
        );
        return None;
    };
    let mut catalog = bundled();
    catalog.items.extend(Catalog::load_dir(&dir).expect("the generated distractors load").items);
    Some(catalog)
}
