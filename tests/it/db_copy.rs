//! `marquee db copy`, run as an operator runs it: between a SQLite file and a real PostgreSQL
//! server (MARQUEE_TEST_POSTGRES; `.ci/run` starts one), both ways. Afterwards both databases
//! give the same coming picks and the copied claims behave as the originals; a target that
//! holds data is refused, and a copy that fails halfway leaves the target as it was.

use crate::support::{TempDir, TestDb};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use marquee::store::{Claim, Database, Store};
use std::path::Path;
use std::process::{Command, Output};

const GUILDS: [u64; 3] = [11, 22, 33];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

/// `marquee ARGS` in `dir` (no .env there), with DATABASE_URL set to `database` if given.
fn marquee(dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marquee"));
    command.current_dir(dir).args(args).env_remove("DATABASE_URL");
    if let Some(url) = database {
        command.env("DATABASE_URL", url);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn copy(dir: &Path, from: &str, to: &str, replace: bool) -> Output {
    let mut args = vec!["db", "copy", "--from", from, "--to", to];
    if replace {
        args.push("--replace");
    }
    marquee(dir, None, &args)
}

/// What a database of a running bot holds: subscriptions in three servers (one paused, with
/// and without a language), their rotations, and slots in every state.
async fn fill(store: &dyn Store) {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let created = at("2026-02-20T08:00:00Z");
    store.subscribe_with_locale(11, 1100, nine, "Europe/Berlin", Some("de"), created).await.unwrap();
    store.subscribe_with_locale(11, 1101, nine, "Europe/Berlin", None, created).await.unwrap();
    let tokyo = store.subscribe_with_locale(22, 2200, nine, "Asia/Tokyo", Some("ja"), created).await.unwrap();
    store
        .subscribe(33, 3300, NaiveTime::from_hms_opt(18, 30, 0).unwrap(), "America/New_York", created)
        .await
        .unwrap();
    let gone = store.subscribe(33, 3301, nine, "UTC", created).await.unwrap();
    store.pause(gone.id, "the channel was deleted").await.unwrap();
    for (g, epoch) in GUILDS.iter().zip([1, 5, 9]) {
        store.rotation(*g, date(epoch)).await.unwrap();
    }
    let lease = Duration::minutes(10);
    let t = at("2026-03-10T09:00:00Z");
    for d in 1..=3 {
        assert_eq!(
            store.claim(tokyo.id, date(d), "bot-a", t, lease).await.unwrap(),
            Claim::Mine { attempt: 1 }
        );
        store.record_post(tokyo.id, date(d), 9_000_000_000_000_000_000 + u64::from(d)).await.unwrap();
    }
    assert!(store.record_skip(gone.id, date(3), "the channel was deleted").await.unwrap());
    // Held by another process that may still be posting, and one waiting for its retry time.
    store.claim(tokyo.id, date(4), "bot-a", t, lease).await.unwrap();
    store.claim(tokyo.id, date(5), "bot-a", t, lease).await.unwrap();
    store.retry_later(tokyo.id, date(5), t + Duration::minutes(1)).await.unwrap();
}

async fn assert_same(a: &Database, b: &Database) {
    let (a_store, b_store) = (a.open().await.unwrap(), b.open().await.unwrap());
    assert_eq!(a_store.subscriptions(None).await.unwrap(), b_store.subscriptions(None).await.unwrap());
    assert_eq!(a.slots().await.unwrap(), b.slots().await.unwrap());
    for g in GUILDS {
        // An existing rotation is returned as it is, whatever day is asked.
        assert_eq!(
            a_store.rotation(g, date(28)).await.unwrap(),
            b_store.rotation(g, date(28)).await.unwrap(),
            "server {g}"
        );
    }
}

/// `marquee highlights preview` of every server, as JSON, on `database`.
fn previews(dir: &Path, database: &str) -> Vec<String> {
    GUILDS
        .iter()
        .map(|g| {
            let out =
                marquee(dir, Some(database), &["highlights", "preview", "--guild", &g.to_string(), "--json"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            let picks = text(&out.stdout);
            assert!(picks.contains("\"id\""), "{picks}");
            picks
        })
        .collect()
}

#[tokio::test]
async fn sqlite_to_postgres_and_back_keeps_everything() {
    let Some(pg) = marquee_testkit::pg::database("copy-both") else { return };
    let dir = TempDir::new("db-copy-both");
    let file = dir.0.join("marquee.db");
    let sqlite = file.display().to_string();
    let source = Database::Sqlite(file.clone()).open().await.unwrap();
    fill(source.as_ref()).await;

    let out = copy(&dir.0, &sqlite, &pg.url, false);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("copied 5 subscriptions, 3 server rotations and 6 slots"), "{said}");
    assert!(
        said.contains("marquee_ci:***@") && !said.contains(&pg.url),
        "the password is never shown: {said}"
    );
    let target = Database::Postgres(pg.url.clone()).open().await.unwrap();
    assert_same(&Database::Sqlite(file.clone()), &Database::Postgres(pg.url.clone())).await;
    assert_eq!(previews(&dir.0, &sqlite), previews(&dir.0, &pg.url), "the same coming picks");

    // And back, into a new SQLite file.
    let back_file = dir.0.join("back.db");
    let back = back_file.display().to_string();
    let out = copy(&dir.0, &pg.url, &back, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_same(&Database::Sqlite(file.clone()), &Database::Sqlite(back_file)).await;
    assert_eq!(previews(&dir.0, &back), previews(&dir.0, &pg.url));

    // The copied claims behave as the originals: a live claim stays held, a due retry is taken
    // as the second attempt, and new subscriptions are numbered after the copied ones.
    let tokyo = target.subscriptions(Some(22)).await.unwrap()[0].id;
    let later = at("2026-03-10T09:02:00Z");
    assert_eq!(
        target.claim(tokyo, date(4), "bot-b", later, Duration::minutes(10)).await.unwrap(),
        Claim::Held
    );
    assert_eq!(
        target.claim(tokyo, date(5), "bot-b", later, Duration::minutes(10)).await.unwrap(),
        Claim::Mine { attempt: 2 }
    );
    assert_eq!(
        target.claim(tokyo, date(1), "bot-b", later, Duration::minutes(10)).await.unwrap(),
        Claim::Done
    );
    let highest = source.subscriptions(None).await.unwrap().iter().map(|s| s.id).max().unwrap();
    let new = target.subscribe(44, 4400, NaiveTime::MIN, "UTC", later).await.unwrap();
    assert!(new.id > highest, "{} after {highest}", new.id);
}

#[tokio::test]
async fn a_target_that_holds_data_is_refused_unless_replaced() {
    let Some(pg) = marquee_testkit::pg::database("copy-refuse") else { return };
    let dir = TempDir::new("db-copy-refuse");
    let file = dir.0.join("marquee.db");
    let source = Database::Sqlite(file.clone()).open().await.unwrap();
    fill(source.as_ref()).await;
    let target = Database::Postgres(pg.url.clone()).open().await.unwrap();
    let theirs = target.subscribe(77, 7700, NaiveTime::MIN, "UTC", at("2026-01-01T00:00:00Z")).await.unwrap();

    let out = copy(&dir.0, &file.display().to_string(), &pg.url, false);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.contains("the target postgres://marquee_ci:***@") && e.contains("already holds 1 subscription,"),
        "{e}"
    );
    assert!(e.contains("--replace") && !e.contains(&pg.url), "{e}");
    assert_eq!(target.subscriptions(None).await.unwrap(), [theirs], "untouched");

    let out = copy(&dir.0, &file.display().to_string(), &pg.url, true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_same(&Database::Sqlite(file.clone()), &Database::Postgres(pg.url.clone())).await;
}

/// The source turns out unreadable on its 25 001st slot, after two pages were written: the
/// target — SQLite, and PostgreSQL when configured — keeps exactly what it held.
#[tokio::test]
async fn a_failure_mid_copy_leaves_the_target_unchanged() {
    let dir = TempDir::new("db-copy-fail");
    let file = dir.0.join("source.db");
    let source = Database::Sqlite(file.clone()).open().await.unwrap();
    fill(source.as_ref()).await;
    let tokyo = source.subscriptions(Some(22)).await.unwrap()[0].id;
    drop(source);
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    let first = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    for d in 0..25_000 {
        let day = (first + Duration::days(d)).format("%Y-%m-%d").to_string();
        conn.execute(
            "INSERT INTO slots (subscription_id, local_date, state, message_id) VALUES (?1, ?2, 'posted', ?3)",
            rusqlite::params![tokyo + 1_000, day, d],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO slots (subscription_id, local_date, state) VALUES (999999, 'someday', 'posted')",
        [],
    )
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);

    for db in TestDb::all("copy-fail") {
        let target = db.open().await;
        let theirs =
            target.subscribe(77, 7700, NaiveTime::MIN, "UTC", at("2026-01-01T00:00:00Z")).await.unwrap();
        target
            .claim(theirs.id, date(1), "bot-a", at("2026-03-01T00:00:00Z"), Duration::minutes(1))
            .await
            .unwrap();
        let before = (
            target.subscriptions(None).await.unwrap(),
            db.slots().await,
            target.rotation(77, date(2)).await.unwrap(),
        );

        let out = copy(&dir.0, &file.display().to_string(), &db.url(), true);
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {e}", db.name());
        assert!(e.contains("reading the source") && e.contains("\"someday\""), "{}: {e}", db.name());
        let after = (
            target.subscriptions(None).await.unwrap(),
            db.slots().await,
            target.rotation(77, date(2)).await.unwrap(),
        );
        assert_eq!(after, before, "{}: the target is as it was", db.name());
    }
}

#[tokio::test]
async fn mistakes_are_refused_before_anything_is_written() {
    let dir = TempDir::new("db-copy-mistakes");
    let file = dir.0.join("marquee.db");
    fill(Database::Sqlite(file.clone()).open().await.unwrap().as_ref()).await;
    let path = file.display().to_string();

    let out = copy(&dir.0, &path, &format!("sqlite:{path}"), true);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--from and --to name the same database"), "{}", text(&out.stderr));

    let missing = dir.0.join("typo.db");
    let out = copy(&dir.0, &missing.display().to_string(), &dir.0.join("new.db").display().to_string(), true);
    assert!(text(&out.stderr).contains("typo.db does not exist"), "{}", text(&out.stderr));
    assert!(!missing.exists() && !dir.0.join("new.db").exists(), "neither side was created");

    let empty = dir.0.join("empty.db");
    Database::Sqlite(empty.clone()).open().await.unwrap();
    let out = copy(&dir.0, &empty.display().to_string(), &dir.0.join("new.db").display().to_string(), false);
    assert!(text(&out.stderr).contains("holds nothing to copy"), "{}", text(&out.stderr));

    let out = copy(&dir.0, &path, "mysql://u:s3cret@h/db", false);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("--to: mysql:// databases are not supported") && !e.contains("s3cret"), "{e}");

    // SQLite to SQLite works too (a backup of the file, or a move).
    let copy_file = dir.0.join("copy.db");
    let out = copy(&dir.0, &path, &copy_file.display().to_string(), false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_same(&Database::Sqlite(file), &Database::Sqlite(copy_file)).await;
}
