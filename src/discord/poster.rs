//! Posting highlight messages, and finding one an earlier attempt made, over `rest`.

use super::rest::{Rest, RestError};
use crate::highlights::recognise::{is_the_post, PostMarks};
use crate::highlights::runner::{PostError, Poster};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

/// At most this many pages of 100 messages are read looking for an earlier post: a channel with
/// more than 2 000 messages since the slot's time is not read to the end. At the bound the
/// look-up is inconclusive: the slot is retried later rather than posted blind, and if it stays
/// so until the catch-up window closes, the day is skipped (a missing day, never a second post).
pub const LOOKUP_PAGES: usize = 20;

pub struct HttpPoster {
    pub rest: Arc<Rest>,
    /// The bot's own user id: only its messages can be its posts.
    pub me: u64,
}

/// The smallest snowflake of an instant: milliseconds since 2015, shifted left by 22 bits.
pub fn snowflake_at(t: DateTime<Utc>) -> u64 {
    ((t.timestamp_millis() - 1_420_070_400_000).max(0) as u64) << 22
}

fn failed(e: RestError) -> PostError {
    match e.status {
        Some(403) => PostError::Gone(format!("the bot lost access to the channel ({e})")),
        Some(404) => PostError::Gone(format!("the channel no longer exists ({e})")),
        _ => PostError::Retry { reason: e.to_string(), after: e.retry_after },
    }
}

fn id_of(message: &Value) -> Option<u64> {
    message["id"].as_str().and_then(|id| id.parse().ok())
}

#[async_trait::async_trait]
impl Poster for HttpPoster {
    async fn post(&self, channel_id: u64, body: &Value) -> Result<u64, PostError> {
        let message = self.rest.create_message(channel_id, body).await.map_err(failed)?;
        id_of(&message)
            .ok_or_else(|| PostError::Retry { reason: format!("no message id in {message}"), after: None })
    }

    async fn find_post(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        marks: &PostMarks,
    ) -> Result<Option<u64>, PostError> {
        // From the newest message back (`before`), until a page reaches past `since`: with
        // `after`, Discord returns the oldest messages of the span, which in a busy channel
        // never include a post made late in it.
        let floor = snowflake_at(since);
        let mut before = None;
        for _ in 0..LOOKUP_PAGES {
            let page = self.rest.messages(channel_id, before, 100).await.map_err(failed)?;
            if let Some(found) = page.iter().find(|m| is_the_post(m, self.me, marks)) {
                return Ok(id_of(found));
            }
            match page.iter().filter_map(id_of).min() {
                Some(oldest) if oldest > floor && page.len() == 100 => before = Some(oldest),
                _ => return Ok(None),
            }
        }
        Err(PostError::Retry {
            reason: format!(
                "more than {LOOKUP_PAGES} pages of messages since {since}: cannot tell whether it was posted"
            ),
            after: None,
        })
    }
}
