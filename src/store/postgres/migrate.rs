//! The schema brought up to date when a store opens, once however many processes start together.

use deadpool_postgres::Object;

/// `migrations/postgres/NNNN_*.sql`: file N takes the schema from version N-1 to N
/// (`marquee_schema.version`). Never edit a released file: add the next one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_tables.sql"),
    include_str!("../migrations/postgres/0002_locale.sql"),
];

/// Serialises migrations of processes that start together (any constant shared by all).
const MIGRATION_LOCK: i64 = 0x006d_6172_7175_6565; // "marquee" in ASCII

/// What failed: the step, and the server's error when there is one.
type Failure = (String, Option<tokio_postgres::Error>);

/// Applies the missing migrations in one transaction under an advisory lock, so that each is
/// applied exactly once; a schema newer than this Marquee is refused and left as it is.
pub(super) async fn migrate(client: &mut Object) -> Result<(), Failure> {
    let step = |what: &str| {
        let what = what.to_string();
        move |e| (what, Some(e))
    };
    let tx = client.transaction().await.map_err(step("beginning the migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(step("locking the schema"))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS marquee_schema (version INTEGER NOT NULL)")
        .await
        .map_err(step("creating marquee_schema"))?;
    let version: i32 = match tx
        .query_opt("SELECT version FROM marquee_schema", &[])
        .await
        .map_err(step("reading the schema version"))?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO marquee_schema (version) VALUES (0)", &[])
                .await
                .map_err(step("setting the schema version"))?;
            0
        }
    };
    if version as usize > MIGRATIONS.len() {
        let newer = format!(
            "schema version {version} is newer than this Marquee knows ({}); upgrade Marquee",
            MIGRATIONS.len()
        );
        return Err((newer, None));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let migration = format!("migration {}", i + 1);
        tx.batch_execute(sql).await.map_err(step(&migration))?;
        tx.execute("UPDATE marquee_schema SET version = $1", &[&((i + 1) as i32)])
            .await
            .map_err(step(&migration))?;
    }
    tx.commit().await.map_err(step("committing the migration"))
}
