//! One router, two doors: every kind of interaction sent through the gateway and through the
//! HTTP endpoint gets byte-equal answers — highlight commands included, on one real store.

use crate::support::doors::Doors;
use marquee_testkit::fake_discord::{CHANNEL_ID, GUILD_ID, USER_ID};
use marquee_testkit::payloads;
use serde_json::{json, Value};

const MANAGE: u64 = 1 << 4;
const OTHER_CHANNEL: u64 = 623_456_789_012_345_678;

/// The same interaction as a direct message: no server, no member, the user at the top.
fn in_dm(mut p: Value) -> Value {
    let fields = p.as_object_mut().unwrap();
    fields.remove("guild_id");
    fields.remove("member");
    fields.remove("guild_locale");
    fields.insert("user".into(), payloads::user(USER_ID, "viewer", false));
    fields.insert("context".into(), json!(1));
    p
}

fn subscribe(id: u64, channel: u64, permissions: u64) -> Value {
    payloads::highlights(
        id,
        "subscribe",
        json!([
            { "name": "channel", "type": 7, "value": channel.to_string() },
            { "name": "time", "type": 3, "value": "09:00" },
            { "name": "timezone", "type": 3, "value": "Europe/Paris" },
        ]),
        permissions,
    )
}

fn text(sent: &crate::support::doors::Sent) -> String {
    let message = sent.edit.as_ref().unwrap_or(&sent.callback["data"]);
    message["content"]
        .as_str()
        .or(message["embeds"][0]["description"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_interactions_are_answered_alike_by_both_doors() {
    let doors = Doors::start("doors-catalog").await;
    let search = payloads::command(1, "search", &[("query", json!("the crown"))]);
    let sent = doors.both(&search).await;
    assert_eq!(sent.callback["type"], 4);
    assert_eq!(sent.callback["data"]["embeds"][0]["title"], "Producing \"The Crown\" in The Cloud");

    let cases = [
        payloads::command(2, "video", &[("query", json!("brendan gregg"))]),
        payloads::command(3, "casestudy", &[("query", json!("email"))]),
        payloads::command(4, "search", &[("query", json!("kowalski birthday party"))]),
        payloads::command(5, "random", &[("kind", json!("podcast"))]),
        payloads::command(6, "about", &[]),
        payloads::autocomplete(7, "search", "spinn"),
        payloads::autocomplete(8, "video", ""),
        in_dm(payloads::command(9, "search", &[("query", json!("spinnaker"))])),
        payloads::select(10, "marquee:pick", "techblog-consoleme", json!([])),
    ];
    for p in &cases {
        let sent = doors.both(p).await;
        assert!(sent.edit.is_none(), "catalog answers are never deferred");
    }
    assert_eq!(doors.both(&cases[5]).await.callback["type"], 8);
    assert_eq!(doors.both(&cases[8]).await.callback["type"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_commands_components_and_types_get_the_same_polite_answer() {
    let doors = Doors::start("doors-unknown").await;
    let unknown_command = payloads::command(1, "blep", &[]);
    let sent = doors.both(&unknown_command).await;
    assert_eq!(sent.callback["type"], 4);
    assert_eq!(sent.callback["data"]["flags"], 64, "only the member sees it");

    // Autocomplete always answers a list (type 8), even for a command it does not know.
    let sent = doors.both(&payloads::autocomplete(2, "blep", "x")).await;
    assert_eq!(sent.callback, json!({ "type": 8, "data": { "choices": [] } }));

    let sent = doors.both(&payloads::select(3, "someone-else:button", "x", json!([]))).await;
    assert_eq!(sent.callback["data"]["flags"], 64);

    // A modal submit (Marquee opens none) and a type Discord may add later.
    for kind in [5, 42] {
        let mut p = payloads::command(10 + kind, "search", &[]);
        p["type"] = json!(kind);
        let sent = doors.both(&p).await;
        assert_eq!(sent.callback["type"], 4, "type {kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn highlight_commands_are_answered_alike_on_one_store() {
    let doors = Doors::start("doors-highlights").await;
    let empty = doors.both(&payloads::highlights(1, "list", json!([]), MANAGE)).await;
    assert!(text(&empty).contains("No channel here gets daily highlights"), "{empty:?}");

    // Subscribing checks the bot's access over REST first: deferred, then edited.
    let sent = doors.both(&subscribe(2, CHANNEL_ID, MANAGE)).await;
    assert_eq!(sent.callback, json!({ "type": 5, "data": { "flags": 64 } }));
    assert!(text(&sent).starts_with(&format!("Subscribed <#{CHANNEL_ID}>")), "{sent:?}");

    let listed = doors.both(&payloads::highlights(3, "list", json!([]), MANAGE)).await;
    assert!(text(&listed).contains("Europe/Paris"), "{listed:?}");
    let today = doors.both(&payloads::command(4, "highlight", &[])).await;
    assert!(today.callback["data"]["content"].as_str().unwrap().contains("Today's highlight"), "{today:?}");

    // Where the bot may not post, both doors name what it lacks.
    doors.fake.deny_send_in(OTHER_CHANNEL);
    let denied = doors.both(&subscribe(5, OTHER_CHANNEL, MANAGE)).await;
    assert!(text(&denied).contains("Send Messages"), "{denied:?}");

    // Without Manage Channels: refused at once, not deferred.
    let refused = doors.both(&subscribe(6, CHANNEL_ID, 0)).await;
    assert_eq!(refused.callback["type"], 4);
    assert!(text(&refused).contains("Manage Channels"), "{refused:?}");

    let zones = doors.both(&payloads::timezone_autocomplete(7, "paris")).await;
    assert_eq!(zones.callback["type"], 8);
    assert_eq!(zones.callback["data"]["choices"][0]["value"], "Europe/Paris");

    let outside = doors.both(&in_dm(payloads::highlights(8, "list", json!([]), MANAGE))).await;
    assert!(text(&outside).contains("in a server"), "{outside:?}");

    // Unsubscribing changes the store: each door gets the same state to start from.
    let unsubscribe = payloads::highlights(
        9,
        "unsubscribe",
        json!([{ "name": "channel", "type": 7, "value": CHANNEL_ID.to_string() }]),
        MANAGE,
    );
    let gateway = doors.gateway(&unsubscribe).await.unwrap();
    let at = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    doors.store.subscribe(GUILD_ID, CHANNEL_ID, at, "Europe/Paris", chrono::Utc::now()).unwrap();
    let (status, endpoint) = doors.endpoint(&unsubscribe).await;
    assert_eq!(status, 200);
    assert_eq!(gateway, endpoint);
    assert!(text(&gateway).starts_with(&format!("Unsubscribed <#{CHANNEL_ID}>")), "{gateway:?}");
}

/// `p` as sent by a member whose Discord speaks `locale`.
fn in_locale(mut p: Value, locale: &str) -> Value {
    p["locale"] = json!(locale);
    p
}

/// The member's language (Discord's `locale`) chooses the UI text and the catalog's
/// translations the same way on both doors; a server's language (`guild_locale`) is kept for
/// its posts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_members_language_is_answered_alike_by_both_doors() {
    let doors = Doors::start("doors-locale").await;
    let crown = payloads::command(1, "search", &[("query", json!("the crown"))]);
    let english = doors.both(&crown).await;
    let german = doors.both(&in_locale(crown, "de")).await;
    let (en, de) = (&english.callback["data"]["embeds"][0], &german.callback["data"]["embeds"][0]);
    assert_eq!(en["title"], "Producing \"The Crown\" in The Cloud");
    assert_eq!(de["title"], "„The Crown“ in der Cloud produzieren", "the catalog's German title");
    assert!(de["description"].as_str().unwrap().starts_with("Die Produktion der vierten Staffel"), "{de}");
    assert_eq!(
        (en["fields"][0]["name"].as_str(), de["fields"][0]["name"].as_str()),
        (Some("Kind"), Some("Art"))
    );
    assert!(de["footer"]["text"].as_str().unwrap().starts_with("Quelle:"), "{de}");

    let typed = in_locale(payloads::autocomplete(2, "search", "spinn"), "ja");
    assert_eq!(
        doors.both(&typed).await.callback["data"]["choices"][0]["name"],
        "Netflix が Spinnaker と Kubernetes で Delivery as Code をシンプルにする方法"
    );

    let miss = |id, locale| {
        in_locale(payloads::command(id, "search", &[("query", json!("kowalski birthday party"))]), locale)
    };
    let expected = [
        ("de", "Nichts im Katalog passt zu"),
        ("fr", "Rien dans le catalogue"),
        ("es-ES", "Nada en el catálogo"),
        ("es-419", "Nada en el catálogo"),
        ("pt-BR", "Nada no catálogo"),
        ("ja", "カタログに"),
        ("en-GB", "Nothing in the catalog"),
        ("zh-CN", "Nothing in the catalog"),
    ];
    for (i, (locale, start)) in expected.into_iter().enumerate() {
        let sent = doors.both(&miss(10 + i as u64, locale)).await;
        assert!(text(&sent).starts_with(start), "{locale}: {sent:?}");
    }

    let help = doors.both(&in_locale(payloads::command(20, "help", &[]), "ja")).await;
    assert_eq!(help.callback["data"]["embeds"][0]["title"], "Marquee — コマンド");
    assert_eq!(help.callback["data"]["flags"], 64, "/help is private");

    // A German member subscribes a channel of a French server: the reply is German, the
    // server's language is kept for the daily posts.
    let mut sub = in_locale(subscribe(21, CHANNEL_ID, MANAGE), "de");
    sub["guild_locale"] = json!("fr");
    let sent = doors.both(&sub).await;
    assert!(text(&sent).starts_with(&format!("<#{CHANNEL_ID}> abonniert")), "{sent:?}");
    let stored = doors.store.subscriptions(Some(GUILD_ID)).unwrap();
    assert_eq!(stored[0].locale.as_deref(), Some("fr"));
    let today = doors.both(&in_locale(payloads::command(22, "highlight", &[]), "pt-BR")).await;
    assert!(
        today.callback["data"]["content"].as_str().unwrap().starts_with("**Destaque do dia** · "),
        "{today:?}"
    );
}
