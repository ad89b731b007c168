//! `db copy`'s side of the PostgreSQL store: whole tables read in order, and written many rows
//! per statement inside one transaction.

use super::pool::{execute, query, query_one, PostgresStore};
use crate::store::bulk::{Bulk, Counts, SlotRecord, Writer};
use crate::store::{Result, Rotation, SlotState, Store, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use deadpool_postgres::Object;
use tokio_postgres::Row;

fn slot_record(r: &Row) -> Result<SlotRecord> {
    let (subscription_id, date): (i64, NaiveDate) = (r.get(0), r.get(1));
    Ok(SlotRecord {
        subscription_id,
        date,
        state: SlotState::parse(r.get(2), || format!("subscription {subscription_id}, {date}"))?,
        owner: r.get(3),
        claimed_at: r.get(4),
        retry_at: r.get(5),
        attempts: r.get(6),
        message_id: r.get(7),
        reason: r.get(8),
    })
}

#[async_trait::async_trait]
impl Bulk for PostgresStore {
    async fn all_subscriptions(&self) -> Result<Vec<Subscription>> {
        self.subscriptions(None).await
    }

    async fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>> {
        let c = self.client().await?;
        let rows = query(&c, "SELECT guild_id, seed, epoch FROM rotations ORDER BY guild_id", &[]).await;
        let rows = self.settle(c, rows)?;
        Ok(rows
            .iter()
            .map(|r| {
                (r.get::<_, i64>(0) as u64, Rotation { seed: r.get::<_, i64>(1) as u64, epoch: r.get(2) })
            })
            .collect())
    }

    async fn slots_after(&self, after: Option<(i64, NaiveDate)>, limit: usize) -> Result<Vec<SlotRecord>> {
        // Before every row: no subscription id is i64::MIN, whatever the date.
        let (id, date) = after.unwrap_or((i64::MIN, NaiveDate::default()));
        let c = self.client().await?;
        let rows = query(
            &c,
            "SELECT subscription_id, local_date, state, owner, claimed_at, retry_at, attempts, message_id, reason
             FROM slots WHERE (subscription_id, local_date) > ($1, $2)
             ORDER BY subscription_id, local_date LIMIT $3",
            &[&id, &date, &(limit as i64)],
        )
        .await;
        self.settle(c, rows)?.iter().map(slot_record).collect()
    }

    async fn begin(&self) -> Result<Box<dyn Writer + '_>> {
        let client = self.client().await?;
        if let Err(e) = client.batch_execute("BEGIN").await {
            return self.settle(client, Err(e));
        }
        Ok(Box::new(PgWriter { store: self, client: Some(client) }))
    }
}

/// Inserts many rows per statement: one array per column, unnested by the server.
struct PgWriter<'a> {
    store: &'a PostgresStore,
    /// In a transaction until `commit` or `rollback` takes it.
    client: Option<Object>,
}

impl PgWriter<'_> {
    fn client(&self) -> &Object {
        self.client.as_ref().expect("only commit and rollback take the connection, and they end the writer")
    }
}

impl Drop for PgWriter<'_> {
    /// Abandoned mid-transaction (the copy's task was dropped): the connection is closed rather
    /// than put back in the pool, and the server rolls the transaction back.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(Object::take(client));
        }
    }
}

#[async_trait::async_trait]
impl Writer for PgWriter<'_> {
    async fn counts(&mut self) -> Result<Counts> {
        let row = query_one(
            self.client(),
            "SELECT (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM rotations),
                    (SELECT count(*) FROM slots)",
            &[],
        )
        .await?;
        Ok(Counts {
            subscriptions: row.get::<_, i64>(0) as u64,
            rotations: row.get::<_, i64>(1) as u64,
            slots: row.get::<_, i64>(2) as u64,
        })
    }

    async fn clear(&mut self) -> Result<()> {
        Ok(self
            .client()
            .batch_execute("DELETE FROM slots; DELETE FROM rotations; DELETE FROM subscriptions;")
            .await?)
    }

    async fn subscriptions(&mut self, rows: &[Subscription]) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let guilds: Vec<i64> = rows.iter().map(|s| s.guild_id as i64).collect();
        let channels: Vec<i64> = rows.iter().map(|s| s.channel_id as i64).collect();
        let times: Vec<NaiveTime> = rows.iter().map(|s| s.time).collect();
        let zones: Vec<&str> = rows.iter().map(|s| s.timezone.as_str()).collect();
        let paused: Vec<Option<&str>> = rows.iter().map(|s| s.paused.as_deref()).collect();
        let created: Vec<DateTime<Utc>> = rows.iter().map(|s| s.created_at).collect();
        let locales: Vec<Option<&str>> = rows.iter().map(|s| s.locale.as_deref()).collect();
        let c = self.client();
        execute(
            c,
            "INSERT INTO subscriptions (id, guild_id, channel_id, time, timezone, paused, created_at, locale)
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TIME[], $5::TEXT[],
                                  $6::TEXT[], $7::TIMESTAMPTZ[], $8::TEXT[])",
            &[&ids, &guilds, &channels, &times, &zones, &paused, &created, &locales],
        )
        .await?;
        // The ids came with the rows: new subscriptions continue after the highest.
        execute(
            c,
            "SELECT setval(pg_get_serial_sequence('subscriptions', 'id'), COALESCE(max(id), 0) + 1, false)
             FROM subscriptions",
            &[],
        )
        .await?;
        Ok(())
    }

    async fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<()> {
        let guilds: Vec<i64> = rows.iter().map(|(g, _)| *g as i64).collect();
        let seeds: Vec<i64> = rows.iter().map(|(_, r)| r.seed as i64).collect();
        let epochs: Vec<NaiveDate> = rows.iter().map(|(_, r)| r.epoch).collect();
        execute(
            self.client(),
            "INSERT INTO rotations (guild_id, seed, epoch)
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::DATE[])",
            &[&guilds, &seeds, &epochs],
        )
        .await?;
        Ok(())
    }

    async fn slots(&mut self, rows: &[SlotRecord]) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|s| s.subscription_id).collect();
        let dates: Vec<NaiveDate> = rows.iter().map(|s| s.date).collect();
        let states: Vec<&str> = rows.iter().map(|s| s.state.as_str()).collect();
        let owners: Vec<Option<&str>> = rows.iter().map(|s| s.owner.as_deref()).collect();
        let claimed: Vec<Option<DateTime<Utc>>> = rows.iter().map(|s| s.claimed_at).collect();
        let retry: Vec<Option<DateTime<Utc>>> = rows.iter().map(|s| s.retry_at).collect();
        let attempts: Vec<i32> = rows.iter().map(|s| s.attempts).collect();
        let messages: Vec<Option<i64>> = rows.iter().map(|s| s.message_id).collect();
        let reasons: Vec<Option<&str>> = rows.iter().map(|s| s.reason.as_deref()).collect();
        execute(
            self.client(),
            "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, retry_at, attempts,
                                message_id, reason)
             SELECT * FROM UNNEST($1::BIGINT[], $2::DATE[], $3::TEXT[], $4::TEXT[], $5::TIMESTAMPTZ[],
                                  $6::TIMESTAMPTZ[], $7::INTEGER[], $8::BIGINT[], $9::TEXT[])",
            &[&ids, &dates, &states, &owners, &claimed, &retry, &attempts, &messages, &reasons],
        )
        .await?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        let client = self.client.take().expect("a writer is committed once");
        let committed = client.batch_execute("COMMIT").await;
        self.store.settle(client, committed)
    }

    async fn rollback(mut self: Box<Self>) -> Result<()> {
        let client = self.client.take().expect("a writer is rolled back once");
        // A connection that cannot even roll back is not put back in the pool mid-transaction.
        let rolled_back = client.batch_execute("ROLLBACK").await;
        if rolled_back.is_err() {
            drop(Object::take(client));
            return Ok(rolled_back?);
        }
        self.store.settle(client, rolled_back)
    }
}
