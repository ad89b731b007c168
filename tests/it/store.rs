//! The `Store` contract, run on both backends: a SQLite file, and a real PostgreSQL server when
//! one is configured (MARQUEE_TEST_POSTGRES; `.ci/run` starts one). What the scheduler relies on
//! — above all that a slot is claimed by exactly one process — must hold on either.

use crate::support::TestDb;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use marquee::store::{Claim, Database, StoreError};
use std::sync::Arc;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).unwrap()
}

#[tokio::test]
async fn subscriptions_are_kept_replaced_paused_and_removed() {
    for db in TestDb::all("store-subs") {
        let store = db.open().await;
        let now = at("2026-03-01T10:00:00Z");
        let a = store.subscribe(1, 100, nine(), "Europe/Paris", now).await.unwrap();
        let b = store.subscribe(1, 101, nine(), "UTC", now).await.unwrap();
        store.subscribe(2, 200, nine(), "Asia/Tokyo", now).await.unwrap();
        assert_eq!((a.guild_id, a.channel_id, a.time, a.timezone.as_str()), (1, 100, nine(), "Europe/Paris"));
        assert_eq!(a.created_at, now, "{}", db.name());
        assert_eq!(store.subscriptions(Some(1)).await.unwrap().len(), 2, "{}", db.name());
        assert_eq!(store.subscriptions(None).await.unwrap().len(), 3);

        store.pause(a.id, "the channel was deleted").await.unwrap();
        let paused = store.subscriptions(Some(1)).await.unwrap();
        assert_eq!(paused[0].paused.as_deref(), Some("the channel was deleted"), "{}", db.name());

        // Subscribing the same channel again replaces its time and un-pauses it; same id.
        let later = NaiveTime::from_hms_opt(18, 30, 0).unwrap();
        let again =
            store.subscribe(1, 100, later, "America/New_York", now + Duration::days(1)).await.unwrap();
        assert_eq!((again.id, again.time, again.paused.clone()), (a.id, later, None), "{}", db.name());
        assert_eq!(store.subscriptions(None).await.unwrap().len(), 3);

        // A fresh connection sees the same rows.
        let other = db.open().await;
        assert_eq!(other.subscriptions(Some(1)).await.unwrap(), store.subscriptions(Some(1)).await.unwrap());

        assert_eq!(store.unsubscribe(1, Some(b.channel_id)).await.unwrap(), 1);
        assert_eq!(store.unsubscribe(1, Some(999)).await.unwrap(), 0, "another server's channel or none");
        assert_eq!(store.unsubscribe(2, Some(100)).await.unwrap(), 0, "a channel of another server");
        assert_eq!(store.unsubscribe(1, None).await.unwrap(), 1);
        assert_eq!(store.subscriptions(None).await.unwrap().len(), 1, "{}", db.name());
    }
}

#[tokio::test]
async fn a_rotation_is_created_once_and_kept() {
    for db in TestDb::all("store-rotation") {
        let store = db.open().await;
        let first = store.rotation(7, date(1)).await.unwrap();
        assert_eq!(first.epoch, date(1));
        assert_eq!(
            store.rotation(7, date(20)).await.unwrap(),
            first,
            "{}: the same seed and epoch",
            db.name()
        );
        assert_eq!(db.open().await.rotation(7, date(25)).await.unwrap(), first);
        assert!(first.seed < 1 << 63);
        assert_ne!(store.rotation(8, date(1)).await.unwrap().seed, first.seed, "each server its own order");
    }
}

#[tokio::test]
async fn claims_leases_retries_posts_and_skips() {
    for db in TestDb::all("store-claim") {
        let store = db.open().await;
        let name = db.name();
        let t0 = at("2026-03-02T09:00:00Z");
        let lease = Duration::seconds(60);
        let sub = store.subscribe(1, 100, nine(), "UTC", t0 - Duration::days(1)).await.unwrap();
        let d = date(2);

        assert_eq!(
            store.claim(sub.id, d, "a", t0, lease).await.unwrap(),
            Claim::Mine { attempt: 1 },
            "{name}"
        );
        assert_eq!(
            store.claim(sub.id, d, "b", t0 + Duration::seconds(59), lease).await.unwrap(),
            Claim::Held
        );
        // The holder died: after the lease, the slot is taken over.
        assert_eq!(
            store.claim(sub.id, d, "b", t0 + lease, lease).await.unwrap(),
            Claim::Mine { attempt: 2 },
            "{name}"
        );
        assert_eq!(store.claim(sub.id, d, "a", t0 + lease, lease).await.unwrap(), Claim::Held, "{name}");

        // After a 429/5xx the holder sets a retry time: held until then, anyone's after.
        let retry_at = t0 + Duration::seconds(75);
        store.retry_later(sub.id, d, retry_at).await.unwrap();
        assert_eq!(
            store.claim(sub.id, d, "c", t0 + Duration::seconds(70), lease).await.unwrap(),
            Claim::Held
        );
        assert_eq!(
            store.claim(sub.id, d, "c", retry_at, lease).await.unwrap(),
            Claim::Mine { attempt: 3 },
            "{name}"
        );

        store.record_post(sub.id, d, 555).await.unwrap();
        assert_eq!(store.claim(sub.id, d, "d", t0 + Duration::days(1), lease).await.unwrap(), Claim::Done);
        assert!(!store.record_skip(sub.id, d, "late").await.unwrap(), "{name}: a posted slot stays posted");
        store.retry_later(sub.id, d, t0).await.unwrap();
        assert_eq!(store.claim(sub.id, d, "d", t0 + Duration::days(1), lease).await.unwrap(), Claim::Done);

        // Skips: a new slot is marked once; a claimed one can be given up.
        assert!(store.record_skip(sub.id, date(3), "missed").await.unwrap(), "{name}");
        assert!(!store.record_skip(sub.id, date(3), "missed").await.unwrap(), "{name}: logged once");
        assert_eq!(store.claim(sub.id, date(3), "a", t0, lease).await.unwrap(), Claim::Done);
        assert_eq!(store.claim(sub.id, date(4), "a", t0, lease).await.unwrap(), Claim::Mine { attempt: 1 });
        assert!(store.record_skip(sub.id, date(4), "channel gone").await.unwrap(), "{name}");

        let slots = db.slots().await;
        let summary: Vec<(NaiveDate, &str, Option<u64>)> =
            slots.iter().map(|s| (s.date, s.state.as_str(), s.message_id)).collect();
        assert_eq!(
            summary,
            [(date(2), "posted", Some(555)), (date(3), "skipped", None), (date(4), "skipped", None)],
            "{name}"
        );
    }
}

/// Separate connections (as separate processes have) race for the same slots from several
/// tasks at once: every slot has exactly one winner, also when stale claims are taken over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_claims_have_exactly_one_winner() {
    for db in TestDb::all("store-race") {
        let setup = db.open().await;
        let t0 = at("2026-03-05T09:00:00Z");
        let mut subs: Vec<i64> = Vec::new();
        for i in 0..20 {
            subs.push(setup.subscribe(1, 1000 + i, nine(), "UTC", t0 - Duration::days(1)).await.unwrap().id);
        }
        let days: Vec<NaiveDate> = (1..=10).map(date).collect();
        let lease = Duration::seconds(60);
        let racers = 4;
        for (round, now) in [(0, t0), (1, t0 + Duration::minutes(5))] {
            // Round 0 claims fresh slots; round 1 races to take over the (now stale) claims.
            let barrier = Arc::new(tokio::sync::Barrier::new(racers));
            let mut handles = Vec::new();
            for r in 0..racers {
                let store = db.open().await;
                let (barrier, subs, days) = (barrier.clone(), subs.clone(), days.clone());
                handles.push(tokio::spawn(async move {
                    barrier.wait().await;
                    let mut won = Vec::new();
                    for &s in &subs {
                        for &d in &days {
                            for busy in 0.. {
                                assert!(busy < 100, "{s} {d}: busy 100 times in a row");
                                match store.claim(s, d, &format!("racer{r}"), now, lease).await {
                                    Ok(Claim::Mine { attempt }) => {
                                        won.push((s, d, attempt));
                                        break;
                                    }
                                    Ok(_) => break,
                                    // SQLite may report a lock under contention: try again.
                                    Err(StoreError::Busy(_)) => continue,
                                    Err(e) => panic!("{e}"),
                                }
                            }
                        }
                    }
                    won
                }));
            }
            let mut won: Vec<(i64, NaiveDate, u32)> = Vec::new();
            for h in handles {
                won.extend(h.await.unwrap());
            }
            won.sort();
            let total = won.len();
            won.dedup_by_key(|w| (w.0, w.1));
            assert_eq!(total, subs.len() * days.len(), "{}, round {round}: one winner per slot", db.name());
            assert_eq!(won.len(), total, "{}, round {round}: no slot won twice", db.name());
            assert!(won.iter().all(|w| w.2 == round + 1), "{}: attempt counts", db.name());
        }
    }
}

#[tokio::test]
async fn a_bad_database_url_is_one_clear_line_without_the_password() {
    let e = Database::from_url(Some("postgres://bot:hunter2@localhost:99999/marquee")).unwrap_err();
    assert!(e.contains("not a usable PostgreSQL URL") && !e.contains("hunter2"), "{e}");
    // Nothing listens on port 1: opening fails at once with the redacted URL.
    let db = Database::from_url(Some("postgres://bot:hunter2@127.0.0.1:1/marquee")).unwrap();
    let Err(e) = db.open().await else { panic!("opened a database nobody serves") };
    let e = e.to_string();
    assert!(e.contains("postgres://bot:***@127.0.0.1:1/marquee") && !e.contains("hunter2"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_schema_is_migrated_once_by_processes_starting_together() {
    let Some(pg) = marquee_testkit::pg::database("store-migrate") else { return };
    let url = pg.url.clone();
    let barrier = Arc::new(tokio::sync::Barrier::new(4));
    let mut opened = Vec::new();
    for _ in 0..4 {
        let (url, barrier) = (url.clone(), barrier.clone());
        opened.push(tokio::spawn(async move {
            barrier.wait().await;
            marquee::store::postgres::PostgresStore::open(&url).await.map(|_| ())
        }));
    }
    for h in opened {
        h.await.unwrap().unwrap();
    }
    let store = Database::Postgres(url.clone()).open().await.unwrap();
    store.subscribe(1, 1, nine(), "UTC", Utc::now()).await.unwrap();

    // A schema from a newer Marquee is refused, not touched.
    pg.admin_execute("UPDATE marquee_schema SET version = 99");
    let Err(e) = Database::Postgres(url).open().await else { panic!("opened a newer schema") };
    assert!(e.to_string().contains("schema version 99 is newer"), "{e}");
}

#[tokio::test]
async fn postgres_connection_lost_is_reported_then_reestablished() {
    let Some(pg) = marquee_testkit::pg::database("store-reconnect") else { return };
    let store = Database::Postgres(pg.url.clone()).open().await.unwrap();
    store.subscribe(1, 1, nine(), "UTC", Utc::now()).await.unwrap();
    // The server ends the bot's session (as a restart or failover would).
    pg.admin_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let mut errors = 0;
    let subs = loop {
        match store.subscriptions(None).await {
            Ok(s) => break s,
            Err(StoreError::Busy(_)) if errors < 2 => errors += 1,
            Err(e) => panic!("after {errors} transient errors: {e}"),
        }
    };
    assert_eq!(subs.len(), 1, "nothing lost");
    assert!(errors <= 1, "the lost connection costs at most one failed call");
}

/// TLS as managed databases need it: `sslmode=verify-full&sslrootcert=CA` (libpq's spelling)
/// connects over TLS and verifies the server; without the CA (Mozilla roots only) the same
/// server is refused, with a message that says why.
#[tokio::test]
async fn postgres_over_tls_verifies_the_server_certificate() {
    let Some(pg) = marquee_testkit::pg::database("store-tls") else { return };
    let Some(ca) = marquee_testkit::pg::server_ca() else { return };
    let url = pg.url_with(&format!("sslmode=verify-full&sslrootcert={ca}"));
    let store = Database::from_url(Some(&url)).unwrap().open().await.unwrap();
    store.subscribe(1, 1, nine(), "UTC", Utc::now()).await.unwrap();
    let encrypted = pg.admin_count(
        "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
         WHERE ssl AND datname = current_database() AND application_name = 'marquee'",
    );
    assert_eq!(encrypted, 1, "the store's session is encrypted");

    let Err(e) = Database::from_url(Some(&pg.url_with("sslmode=require"))).unwrap().open().await else {
        panic!("a certificate from an unknown CA was accepted")
    };
    let e = marquee::store::Chain(&e).to_string();
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    let missing = pg.url_with("sslrootcert=/nonexistent/ca.pem");
    let Err(e) = Database::from_url(Some(&missing)).unwrap().open().await else {
        panic!("opened without its CA")
    };
    assert!(e.to_string().contains("sslrootcert /nonexistent/ca.pem:"), "{e}");
}

/// PostgreSQL on a current-thread runtime, as `highlights preview` and `db copy` run it.
#[tokio::test(flavor = "current_thread")]
async fn postgres_store_works_on_a_current_thread_runtime() {
    let Some(pg) = marquee_testkit::pg::database("store-async") else { return };
    let store = Database::Postgres(pg.url.clone()).open().await.unwrap();
    store.subscribe(3, 3, nine(), "UTC", Utc::now()).await.unwrap();
    assert_eq!(store.subscriptions(Some(3)).await.unwrap().len(), 1);
    drop(store);
}

/// The server's language is kept with its subscription (the daily posts are written in it),
/// replaced when the channel is subscribed again, and absent (English) when none was given.
#[tokio::test]
async fn a_subscription_keeps_its_servers_language() {
    for db in TestDb::all("store-locale") {
        let store = db.open().await;
        let now = at("2026-03-01T10:00:00Z");
        let sub =
            store.subscribe_with_locale(1, 100, nine(), "Europe/Berlin", Some("de"), now).await.unwrap();
        assert_eq!(sub.locale.as_deref(), Some("de"), "{}", db.name());
        store.subscribe_with_locale(1, 101, nine(), "UTC", Some("es-419"), now).await.unwrap();
        store.subscribe(1, 102, nine(), "UTC", now).await.unwrap();
        let locales: Vec<Option<String>> =
            db.open().await.subscriptions(Some(1)).await.unwrap().into_iter().map(|s| s.locale).collect();
        assert_eq!(locales, [Some("de".into()), Some("es-419".into()), None], "{}", db.name());
        let again =
            store.subscribe_with_locale(1, 100, nine(), "Europe/Berlin", Some("fr"), now).await.unwrap();
        assert_eq!((again.id, again.locale.as_deref()), (sub.id, Some("fr")), "{}", db.name());
    }
}

/// A database written by the version before languages (schema 1) is upgraded in place by
/// migration 2: its subscriptions are kept, in English until subscribed again.
#[tokio::test]
async fn the_language_migration_keeps_earlier_subscriptions() {
    for db in TestDb::all("store-migrate-locale") {
        let store = db.open().await;
        let created = at("2026-03-01T10:00:00Z");
        store.subscribe_with_locale(7, 700, nine(), "Asia/Tokyo", Some("ja"), created).await.unwrap();
        drop(store);
        // Back to schema 1, as a database of the previous release looks.
        let downgrade = "ALTER TABLE subscriptions DROP COLUMN locale;";
        match &db {
            TestDb::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.0.join("marquee.db")).unwrap();
                conn.execute_batch(&format!("{downgrade} PRAGMA user_version = 1;")).unwrap();
            }
            TestDb::Postgres(pg) => {
                pg.admin_execute(&format!("{downgrade} UPDATE marquee_schema SET version = 1;"))
            }
        }
        let store = db.open().await;
        let subs = store.subscriptions(Some(7)).await.unwrap();
        assert_eq!(subs.len(), 1, "{}", db.name());
        assert_eq!((subs[0].channel_id, subs[0].created_at, subs[0].locale.clone()), (700, created, None));
        let again =
            store.subscribe_with_locale(7, 700, nine(), "Asia/Tokyo", Some("ja"), created).await.unwrap();
        assert_eq!(again.locale.as_deref(), Some("ja"), "{}", db.name());
    }
}

/// The readiness probe's question (`Store::ping`) is answered by both backends, on a fresh
/// database with no subscription; `health::healthz_follows_the_gateway_and_the_database` shows
/// it failing while PostgreSQL is stopped.
#[tokio::test]
async fn ping_is_answered_by_both_backends() {
    for db in TestDb::all("store-ping") {
        db.open().await.ping().await.unwrap_or_else(|e| panic!("{}: {e}", db.name()));
    }
}

/// A row this Marquee cannot read is never read as a default (SQLite used to read a bad date as
/// 1970 while `db copy` refused it): every reader refuses it with an error naming the table, the
/// row and the column, except the listing of subscriptions, which leaves it out (and logs it)
/// so that the other servers keep their highlights. SQLite keeps dates and times as text;
/// PostgreSQL's columns are typed, so there the state is what can go wrong (its CHECK dropped
/// by hand).
#[tokio::test]
async fn a_corrupt_row_is_refused_by_every_reader_naming_it() {
    for db in TestDb::all("store-corrupt") {
        let store = db.open().await;
        let now = at("2026-03-01T10:00:00Z");
        let sub = store.subscribe(1, 100, nine(), "UTC", now).await.unwrap();
        let other = store.subscribe(2, 200, nine(), "UTC", now).await.unwrap();
        store.claim(sub.id, date(2), "a", now, Duration::seconds(60)).await.unwrap();
        let name = db.name();
        fn corrupt<T>(
            name: &str,
            result: Result<T, StoreError>,
        ) -> (&'static str, String, &'static str, String) {
            match result {
                Err(StoreError::Corrupt(c)) => (c.table, c.row, c.column, c.value),
                Err(other) => panic!("{name}: not a corrupt row: {other}"),
                Ok(_) => panic!("{name}: a corrupt row was read"),
            }
        }
        match &db {
            TestDb::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.0.join("marquee.db")).unwrap();
                conn.execute_batch(
                    "UPDATE slots SET local_date = 'someday';
                     UPDATE subscriptions SET time = '9 o''clock' WHERE channel_id = 100;
                     INSERT INTO rotations (guild_id, seed, epoch) VALUES (7, 1, '2026-13-01');",
                )
                .unwrap();
                let row = format!("subscription {}", sub.id);
                assert_eq!(store.subscriptions(None).await.unwrap(), [other]);
                assert_eq!(store.subscriptions(Some(1)).await.unwrap(), []);
                let target = marquee::store::Database::Sqlite(dir.0.join("copy.db"));
                let refused = marquee::store::copy::copy(&db.database(), &target, false).await;
                match refused {
                    Err(marquee::store::copy::CopyError::Source(_, StoreError::Corrupt(c))) => {
                        assert_eq!((c.table, c.row, c.column), ("subscriptions", row.clone(), "time"))
                    }
                    other => panic!("{name}: db copy read a corrupt subscription: {other:?}"),
                }
                assert_eq!(
                    corrupt(name, store.rotation(7, date(1)).await),
                    ("rotations", "server 7".into(), "epoch", "2026-13-01".into())
                );
                assert_eq!(
                    corrupt(name, db.database().slots().await),
                    ("slots", format!("{row}, someday"), "local_date", "someday".into())
                );
            }
            TestDb::Postgres(pg) => {
                pg.admin_execute(
                    "ALTER TABLE slots DROP CONSTRAINT slots_state_check; UPDATE slots SET state = 'lost'",
                );
                let row = format!("subscription {}, {}", sub.id, date(2));
                let lease = Duration::seconds(60);
                assert_eq!(
                    corrupt(name, store.claim(sub.id, date(2), "b", now, lease).await),
                    ("slots", row.clone(), "state", "lost".into())
                );
                assert_eq!(
                    corrupt(name, db.database().slots().await),
                    ("slots", row, "state", "lost".into())
                );
            }
        }
        let Err(e) = db.database().slots().await else { unreachable!() };
        let message = e.to_string();
        assert!(message.starts_with("corrupt row in slots (subscription "), "{name}: {message}");
    }
}
