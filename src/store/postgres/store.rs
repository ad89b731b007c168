//! The `Store` contract's statements. Each call takes a pooled connection, runs its
//! statements, and gives the connection back through `settle`.

use super::pool::{execute, query, query_one, query_opt, PgResult, PostgresStore};
use crate::store::{Claim, Result, Rotation, SlotState, Store, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;

pub(super) fn subscription(r: &Row) -> Subscription {
    Subscription {
        id: r.get(0),
        guild_id: r.get::<_, i64>(1) as u64,
        channel_id: r.get::<_, i64>(2) as u64,
        time: r.get(3),
        timezone: r.get(4),
        paused: r.get(5),
        created_at: r.get(6),
        locale: r.get(7),
    }
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn subscribe_with_locale(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let c = self.client().await?;
        let row = query_one(
            &c,
            concat!(
                "INSERT INTO subscriptions (guild_id, channel_id, time, timezone, paused, created_at, locale)
                 VALUES ($1, $2, $3, $4, NULL, $5, $6)
                 ON CONFLICT (channel_id) DO UPDATE SET
                    guild_id = excluded.guild_id, time = excluded.time, timezone = excluded.timezone,
                    paused = NULL, created_at = excluded.created_at, locale = excluded.locale
                 RETURNING ",
                subscription_columns!()
            ),
            &[&(guild_id as i64), &(channel_id as i64), &time, &timezone, &now, &locale],
        )
        .await;
        self.settle(c, row).map(|r| subscription(&r))
    }

    async fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize> {
        let c = self.client().await?;
        let deleted = execute(
            &c,
            "DELETE FROM subscriptions WHERE guild_id = $1 AND ($2::BIGINT IS NULL OR channel_id = $2)",
            &[&(guild_id as i64), &channel_id.map(|c| c as i64)],
        )
        .await;
        self.settle(c, deleted).map(|n| n as usize)
    }

    async fn ping(&self) -> Result<()> {
        let c = self.client().await?;
        let answered = execute(&c, "SELECT 1", &[]).await;
        self.settle(c, answered).map(drop)
    }

    async fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>> {
        let c = self.client().await?;
        let rows = query(
            &c,
            concat!(
                "SELECT ",
                subscription_columns!(),
                " FROM subscriptions WHERE $1::BIGINT IS NULL OR guild_id = $1 ORDER BY id"
            ),
            &[&guild_id.map(|g| g as i64)],
        )
        .await;
        self.settle(c, rows).map(|rows| rows.iter().map(subscription).collect())
    }

    async fn pause(&self, subscription_id: i64, reason: &str) -> Result<()> {
        let c = self.client().await?;
        let updated =
            execute(&c, "UPDATE subscriptions SET paused = $2 WHERE id = $1", &[&subscription_id, &reason])
                .await;
        self.settle(c, updated).map(drop)
    }

    async fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation> {
        let seed = crate::store::fresh_seed(guild_id);
        let c = self.client().await?;
        let rotation = rotation(&c, guild_id as i64, seed as i64, today).await;
        self.settle(c, rotation)
    }

    async fn claim(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        owner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Claim> {
        let c = self.client().await?;
        let claimed = claim(&c, subscription_id, date, owner, now, now - lease).await;
        let state = self.settle(c, claimed)?;
        Ok(match state {
            Ok(claim) => claim,
            Err(state) => {
                match SlotState::parse(&state, || format!("subscription {subscription_id}, {date}"))? {
                    SlotState::Claimed => Claim::Held,
                    SlotState::Posted | SlotState::Skipped => Claim::Done,
                }
            }
        })
    }

    async fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()> {
        let c = self.client().await?;
        let updated = execute(
            &c,
            "UPDATE slots SET state = 'posted', message_id = $3, retry_at = NULL
             WHERE subscription_id = $1 AND local_date = $2",
            &[&subscription_id, &date, &(message_id as i64)],
        )
        .await;
        self.settle(c, updated).map(drop)
    }

    async fn retry_later(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        let c = self.client().await?;
        let updated = execute(
            &c,
            "UPDATE slots SET retry_at = $3 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
            &[&subscription_id, &date, &retry_at],
        )
        .await;
        self.settle(c, updated).map(drop)
    }

    async fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool> {
        let c = self.client().await?;
        let marked = skip(&c, subscription_id, date, reason).await;
        self.settle(c, marked)
    }
}

async fn rotation(c: &ClientWrapper, guild_id: i64, seed: i64, today: NaiveDate) -> PgResult<Rotation> {
    execute(
        c,
        "INSERT INTO rotations (guild_id, seed, epoch) VALUES ($1, $2, $3) ON CONFLICT (guild_id) DO NOTHING",
        &[&guild_id, &seed, &today],
    )
    .await?;
    let row = query_one(c, "SELECT seed, epoch FROM rotations WHERE guild_id = $1", &[&guild_id]).await?;
    Ok(Rotation { seed: row.get::<_, i64>(0) as u64, epoch: row.get(1) })
}

/// The claim, or — when the slot is not free — the state it was found in (read by the caller,
/// which refuses a state it does not know).
async fn claim(
    c: &ClientWrapper,
    subscription_id: i64,
    date: NaiveDate,
    owner: &str,
    now: DateTime<Utc>,
    stale: DateTime<Utc>,
) -> PgResult<std::result::Result<Claim, String>> {
    let fresh = query_opt(
        c,
        "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts)
         VALUES ($1, $2, 'claimed', $3, $4, 1)
         ON CONFLICT (subscription_id, local_date) DO NOTHING
         RETURNING attempts",
        &[&subscription_id, &date, &owner, &now],
    )
    .await?;
    if fresh.is_some() {
        return Ok(Ok(Claim::Mine { attempt: 1 }));
    }
    // Taken over when its retry time came (after a failure: the retry time replaces the lease,
    // so a backoff longer than the lease holds), or, with no retry time, when its holder's lease
    // ran out (it crashed). A racing process blocks on the row lock, then re-checks the
    // condition against the winner's update and finds nothing to take.
    let taken = query_opt(
        c,
        "UPDATE slots SET owner = $3, claimed_at = $4, retry_at = NULL, attempts = attempts + 1
         WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'
           AND CASE WHEN retry_at IS NOT NULL THEN retry_at <= $4
                    ELSE claimed_at IS NULL OR claimed_at <= $5 END
         RETURNING attempts",
        &[&subscription_id, &date, &owner, &now, &stale],
    )
    .await?;
    if let Some(row) = taken {
        return Ok(Ok(Claim::Mine { attempt: row.get::<_, i32>(0) as u32 }));
    }
    let state = query_opt(
        c,
        "SELECT state FROM slots WHERE subscription_id = $1 AND local_date = $2",
        &[&subscription_id, &date],
    )
    .await?;
    // No row: deleted since the insert found one; someone else's business, held.
    Ok(state.map_or(Ok(Claim::Held), |r| Err(r.get::<_, String>(0))))
}

async fn skip(c: &ClientWrapper, subscription_id: i64, date: NaiveDate, reason: &str) -> PgResult<bool> {
    let inserted = execute(
        c,
        "INSERT INTO slots (subscription_id, local_date, state, reason) VALUES ($1, $2, 'skipped', $3)
         ON CONFLICT (subscription_id, local_date) DO NOTHING",
        &[&subscription_id, &date, &reason],
    )
    .await?;
    if inserted > 0 {
        return Ok(true);
    }
    // A claimed slot can be given up too (the channel is gone).
    let updated = execute(
        c,
        "UPDATE slots SET state = 'skipped', reason = $3
         WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
        &[&subscription_id, &date, &reason],
    )
    .await?;
    Ok(updated > 0)
}
