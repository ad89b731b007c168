//! Both doors of one bot on one database: the gateway (the real serenity client against the
//! fake Discord) and the HTTP endpoint (in this process), so a test can send the same
//! interaction through each and compare what comes out, byte for byte.

use super::fake_discord::{FakeDiscord, BOT_ID, TOKEN};
use super::http_client::{key, signed, Client, PUBLIC, SECRET};
use marquee::endpoint::{verifier, Endpoint};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub struct Doors {
    pub fake: FakeDiscord,
    pub store: Arc<dyn marquee::store::Store>,
    endpoint: std::net::SocketAddr,
    key: ed25519_dalek::SigningKey,
    _bot: (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>),
}

/// What one door sent back: the interaction callback (the HTTP response on the endpoint), and
/// the edit that completed a deferred callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub callback: Value,
    pub edit: Option<Value>,
}

impl Doors {
    pub async fn start(tag: &str) -> Doors {
        let fake = FakeDiscord::start().await;
        let dir = super::TempDir::new(tag);
        let database = marquee::store::Database::Sqlite(dir.0.join("marquee.db"));
        let store = database.open().await.unwrap();
        let engine = Arc::new(marquee::search::SharedEngine::new(Arc::new(marquee::search::Engine::new(
            super::bundled(),
        ))));
        let http = Arc::new(marquee::discord::http_client(TOKEN, Some(&fake.api_base())));
        let access = Arc::new(marquee::discord::access::HttpAccess::with_http(BOT_ID, http.clone()));
        let router = Arc::new(marquee::router::Router::new(engine, database.open().await.unwrap(), access));
        let endpoint_router = router.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = listener.local_addr().unwrap();
        let rest = marquee::discord::rest::Rest::new(TOKEN, Some(&fake.api_base()), Default::default());
        let door = Arc::new(Endpoint::new(verifier(PUBLIC).unwrap(), router, Arc::new(rest)));
        tokio::spawn(marquee::endpoint::serve(listener, door, std::future::pending()));
        let bot = super::start_bot_on(&fake, database, dir).await;
        fake.wait_ready().await;
        // The gateway registers the commands; the endpoint reads their ids back, as `serve`
        // does, so both doors write commands as the same mentions.
        fake.wait_request("/commands", 0).await;
        let http = marquee::discord::http_client(TOKEN, Some(&fake.api_base()));
        // The fake records the PUT before it stores the commands: ask until they are listed.
        let mut ids = None;
        for _ in 0..500 {
            ids = marquee::discord::registration::registered_ids(&http, super::fake_discord::APP_ID, None)
                .await;
            if ids.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        endpoint_router.set_command_ids(ids.expect("the registered commands are listed"));
        // The gateway sets its ids as soon as registration answers; give it that moment.
        tokio::time::sleep(Duration::from_millis(100)).await;
        Doors { fake, store, endpoint, key: key(SECRET), _bot: bot }
    }

    /// Dispatches `interaction` on the gateway; `None` when the bot sent nothing back.
    pub async fn gateway(&self, interaction: &Value) -> Option<Sent> {
        let before = self.fake.request_count();
        let id = id_of(interaction);
        self.fake.dispatch_raw("INTERACTION_CREATE", interaction.clone());
        let callback = format!("/interactions/{id}/");
        let found =
            tokio::time::timeout(Duration::from_secs(5), self.fake.wait_request(&callback, before)).await;
        let callback = found.ok()?.body;
        let edit = self.edit_after(&callback, before).await;
        Some(Sent { callback, edit })
    }

    /// POSTs `interaction`, signed, to the endpoint: its status and what it sent.
    pub async fn endpoint(&self, interaction: &Value) -> (u16, Sent) {
        let before = self.fake.request_count();
        let body = serde_json::to_vec(interaction).unwrap();
        let now = chrono::Utc::now().timestamp();
        let mut client = Client::connect(self.endpoint).await;
        let (status, response) = client.post("/interactions", &signed(&self.key, now, &body), &body).await;
        let callback: Value = serde_json::from_slice(&response).unwrap_or(Value::Null);
        let edit = self.edit_after(&callback, before).await;
        (status, Sent { callback, edit })
    }

    /// The same interaction through both doors: asserts they answer alike and returns it.
    pub async fn both(&self, interaction: &Value) -> Sent {
        let gateway = self.gateway(interaction).await.expect("the gateway answers");
        let (status, endpoint) = self.endpoint(interaction).await;
        assert_eq!(status, 200);
        assert_eq!(gateway, endpoint, "gateway and endpoint answer {interaction} alike");
        gateway
    }

    async fn edit_after(&self, callback: &Value, before: usize) -> Option<Value> {
        if callback["type"] != 5 {
            return None;
        }
        Some(self.fake.wait_request("/messages/@original", before).await.body)
    }
}

fn id_of(interaction: &Value) -> String {
    match &interaction["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
