//! Posting highlight messages through serenity's HTTP client.

use crate::highlights::runner::{PostError, Poster};
use serde_json::Value;
use serenity::all::{ChannelId, Http};
use std::sync::Arc;

pub struct HttpPoster(pub Arc<Http>);

#[serenity::async_trait]
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
}
