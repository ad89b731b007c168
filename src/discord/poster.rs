//! Posting highlight messages through serenity's HTTP client.

use crate::highlights::runner::{PostError, Poster};
use chrono::{DateTime, Utc};
use serde_json::Value;
use serenity::all::{ChannelId, Http, MessageId};
use serenity::http::MessagePagination;
use std::sync::Arc;

pub struct HttpPoster(pub Arc<Http>);

#[async_trait::async_trait]
impl Poster for HttpPoster {
    async fn post(&self, channel_id: u64, body: &Value) -> Result<u64, PostError> {
        match self.0.send_message(ChannelId::new(channel_id), vec![], body).await {
            Ok(message) => Ok(message.id.get()),
            Err(serenity::Error::Http(e)) => match e.status_code().map(|s| s.as_u16()) {
                Some(403) => Err(PostError::Gone("the bot lost access to the channel (403)".into())),
                Some(404) => Err(PostError::Gone("the channel no longer exists (404)".into())),
                _ => Err(PostError::Retry(e.to_string())),
            },
            Err(e) => Err(PostError::Retry(e.to_string())),
        }
    }

    async fn find_recent(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        marker: &str,
    ) -> Result<Option<u64>, PostError> {
        // A snowflake is milliseconds since 2015 shifted left by 22 bits.
        let ms = (since.timestamp_millis() - 1_420_070_400_000).max(0) as u64;
        let after = MessagePagination::After(MessageId::new((ms << 22).max(1)));
        let messages = self
            .0
            .get_messages(ChannelId::new(channel_id), Some(after), Some(100))
            .await
            .map_err(|e| PostError::Retry(e.to_string()))?;
        Ok(messages.iter().find(|m| m.author.bot && m.content.contains(marker)).map(|m| m.id.get()))
    }
}
