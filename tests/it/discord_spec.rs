//! What the bot sends is valid for Discord: the bodies (command registration, interaction
//! callbacks, channel messages) against Discord's official OpenAPI spec (the shared folder's
//! discord/openapi.json, never copied here; see `marquee_testkit::shared`) and the rules the spec
//! misses, including for content far over every limit.

use marquee::catalog::{Item, Kind, Link, LinkRole, Person};
use marquee::commands::{definitions, respond, respond_shown, CatalogRequest, Command, CommandIds, Shown};
use marquee::locale::Lang;
use marquee::reply::{callback_body, channel_reply_body, Response};
use marquee::search::Engine;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn spec() -> Option<&'static Value> {
    static SPEC: OnceLock<Option<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = marquee_testkit::shared::read("discord/openapi.json", "the OpenAPI check")?;
        Some(serde_json::from_str(&text).expect("the spec parses"))
    })
    .as_ref()
}

/// A validator for the JSON request body of `method path`, with the spec's components beside
/// it so `$ref`s resolve; formats are not checked (the spec uses custom ones).
fn validator(path: &str, method: &str) -> Option<jsonschema::Validator> {
    let spec = spec()?;
    let mut schema =
        spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "no body schema for {method} {path}");
    schema["components"] = spec["components"].clone();
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    Some(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(&schema)
            .expect("the schema compiles"),
    )
}

fn assert_valid(validator: &jsonschema::Validator, body: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {} ({:?})", e.instance_path(), e.kind()))
        .collect();
    assert!(errors.is_empty(), "{what} is not valid for Discord:\n{}\nbody: {body:#}", errors.join("\n"));
}

fn name_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name.chars().all(|c| c == '-' || c == '_' || c == '\'' || c.is_alphanumeric())
        && name.to_lowercase() == name
}

/// The rules Discord enforces that the spec does not express (shared/discord/README.md).
fn check_message_rules(body: &Value) {
    if let Some(content) = body["content"].as_str() {
        assert!(content.chars().count() <= 2000, "content over 2000");
    }
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10);
    let count = |v: &Value| v.as_str().map_or(0, |s| s.trim().chars().count());
    let total: usize = embeds
        .iter()
        .map(|e| {
            count(&e["title"])
                + count(&e["description"])
                + count(&e["footer"]["text"])
                + count(&e["author"]["name"])
                + e["fields"]
                    .as_array()
                    .map_or(0, |f| f.iter().map(|f| count(&f["name"]) + count(&f["value"])).sum())
        })
        .sum();
    assert!(total <= 6000, "embeds total {total} > 6000");
    for e in &embeds {
        for part in ["image", "thumbnail"] {
            if let Some(url) = e[part].get("url") {
                let url = url.as_str().expect("an image url is a string");
                assert!(url.chars().count() <= 2048, "{part} url over 2048");
                assert!(url.starts_with("https://"), "{part} url {url}");
            }
        }
    }
    for row in body["components"].as_array().cloned().unwrap_or_default() {
        for c in row["components"].as_array().unwrap() {
            if c["type"] == 2 && c["style"] == 5 {
                assert!(c.get("custom_id").is_none(), "link button with custom_id");
                let url = c["url"].as_str().expect("link button has url");
                assert!(url.chars().count() <= 512);
                assert!(["http://", "https://", "discord://"].iter().any(|p| url.starts_with(p)), "{url}");
            }
            if let Some(id) = c["custom_id"].as_str() {
                assert!((1..=100).contains(&id.chars().count()));
            }
        }
    }
    assert_eq!(body["allowed_mentions"]["parse"], json!([]), "every message suppresses pings");
    let mut texts: Vec<&str> = vec![body["content"].as_str().unwrap_or_default()];
    for e in &embeds {
        texts.push(e["description"].as_str().unwrap_or_default());
        for f in e["fields"].as_array().into_iter().flatten() {
            texts.push(f["value"].as_str().unwrap_or_default());
        }
    }
    for text in texts {
        check_command_mentions(text);
    }
}

/// Every `</…>` is a command mention as Discord writes them: `</NAME:ID>`, `</NAME SUB:ID>` or
/// `</NAME GROUP SUB:ID>`, each name a valid command name, the id a snowflake.
fn check_command_mentions(text: &str) {
    for part in text.split("</").skip(1) {
        let inner = part.split('>').next().expect("a command mention is closed");
        let (path, id) = inner.rsplit_once(':').unwrap_or_else(|| panic!("no id in </{inner}>"));
        assert!(
            !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()),
            "id in </{inner}>"
        );
        let names: Vec<&str> = path.split(' ').collect();
        assert!((1..=3).contains(&names.len()), "</{inner}>");
        assert!(names.iter().all(|n| name_ok(n)), "</{inner}>");
    }
}

/// A context-menu command's name: 1 to 32 characters, capitals and spaces allowed.
fn context_menu_name_ok(name: &str) -> bool {
    (1..=32).contains(&name.chars().count()) && name.trim() == name && !name.contains("  ")
}

fn check_callback_rules(body: &Value) {
    match body["type"].as_u64() {
        Some(8) => {
            let choices = body["data"]["choices"].as_array().unwrap();
            assert!(choices.len() <= 25);
            for c in choices {
                assert!((1..=100).contains(&c["name"].as_str().unwrap().chars().count()));
                assert!(c["value"].as_str().unwrap().chars().count() <= 100);
            }
        }
        Some(4) | Some(7) => check_message_rules(&body["data"]),
        other => panic!("unexpected callback type {other:?}"),
    }
}

/// An item over every limit: to prove rendering stays valid whatever the catalog holds.
fn monster() -> Item {
    let long = "lorem ipsum dolor ".repeat(400);
    Item {
        id: "monster".into(),
        title: long.clone(),
        kind: Kind::Talk,
        year: Some(2020),
        summary: long.clone(),
        people: (0..40).map(|i| Person { name: format!("{i} {long}"), role: Some(long.clone()) }).collect(),
        services: (0..60).map(|i| format!("service {i} {}", "x".repeat(90))).collect(),
        tags: vec!["monster".into()],
        aliases: vec![],
        links: (0..9)
            .map(|i| Link {
                label: format!("{i} {}", "label ".repeat(30)),
                url: format!("https://e.com/{i}/{}", "p".repeat(490)),
                role: Some(LinkRole::Story),
            })
            .collect(),
        locales: Default::default(),
    }
}

fn engines() -> Vec<Engine> {
    let mut big = crate::support::bundled();
    big.items.push(monster());
    vec![Engine::new(crate::support::bundled()), Engine::new(big)]
}

fn requests() -> Vec<CatalogRequest> {
    let mut out = Vec::new();
    for q in [
        "the crown",
        "brendan gregg",
        "route 53 region evacuation",
        "nice dcv",
        "chocolate cake",
        "kowalski birthday party",
        "monster",
        "@everyone <@&1> 🎬",
        &"x".repeat(10_000),
    ] {
        for command in [Command::Search, Command::Video, Command::CaseStudy] {
            out.push(CatalogRequest::Find { command, query: q.to_string(), kind: None, year: None });
            out.push(CatalogRequest::Autocomplete { command, text: q.to_string(), kind: None });
        }
        out.push(CatalogRequest::Mention { text: q.to_string() });
    }
    out.push(CatalogRequest::Autocomplete { command: Command::Search, text: String::new(), kind: None });
    out.push(CatalogRequest::Random { kind: None, seed: 7 });
    out.push(CatalogRequest::Random { kind: Some(Kind::Podcast), seed: 1 });
    out.push(CatalogRequest::About);
    out.push(CatalogRequest::Help);
    out.push(CatalogRequest::Mention { text: "help".into() });
    for text in ["<@1> the crown? https://x.example/crown", "<@&2> <#3>", &"spinnaker ".repeat(600)] {
        out.push(CatalogRequest::FindInMessage { text: text.to_string() });
    }
    for id in ["the-crown-in-the-cloud", "monster", "no-such-story"] {
        out.push(CatalogRequest::Share { id: id.into(), by: 1034315047838687264 });
    }
    out.push(CatalogRequest::Pick {
        id: "monster".into(),
        listed: vec!["monster".into(), "the-crown-in-the-cloud".into()],
    });
    out.push(CatalogRequest::Pick {
        id: "reinvent-2020-consoleme".into(),
        listed: vec!["monster".into(), "reinvent-2020-consoleme".into()],
    });
    out.push(CatalogRequest::Pick {
        id: "the-crown-in-the-cloud".into(),
        listed: vec!["monster".into(), "the-crown-in-the-cloud".into()],
    });
    out
}

/// A description and each of its localizations: 1 to 100 characters, one per Discord locale
/// of every language Marquee speaks. Returns the longest localized one's length.
fn check_description(v: &Value) -> usize {
    assert!((1..=100).contains(&v["description"].as_str().unwrap().chars().count()));
    let localized = v["description_localizations"].as_object().expect("description_localizations");
    let wanted: Vec<&str> = Lang::ALL.iter().flat_map(|l| l.discord_locales().iter().copied()).collect();
    assert_eq!(localized.keys().map(String::as_str).collect::<Vec<_>>().len(), wanted.len());
    let mut longest = 0;
    for locale in wanted {
        let n = localized[locale].as_str().unwrap_or_default().chars().count();
        assert!((1..=100).contains(&n), "{locale}: {n} characters in {v}");
        longest = longest.max(n);
    }
    longest
}

#[test]
fn registered_commands_are_valid() {
    let commands = definitions::commands();
    let mut longest = 0;
    for c in commands.as_array().unwrap() {
        // Where each may be used and installed: what Discord defines (contexts 0-2, install
        // types 0-1), present on every global command.
        for (field, max) in [("contexts", 2), ("integration_types", 1)] {
            let values = c[field].as_array().unwrap_or_else(|| panic!("{} has no {field}", c["name"]));
            assert!(!values.is_empty() && values.iter().all(|v| v.as_u64().is_some_and(|v| v <= max)));
        }
        if c["type"] == 3 {
            // A message command: no description, no options; its name may have capitals and spaces.
            assert!(context_menu_name_ok(c["name"].as_str().unwrap()), "{}", c["name"]);
            assert!(c.get("description").is_none() && c.get("options").is_none(), "{c}");
            continue;
        }
        assert!(name_ok(c["name"].as_str().unwrap()), "{}", c["name"]);
        longest = longest.max(check_description(c));
        let options = c["options"].as_array().cloned().unwrap_or_default();
        // A command's options, or each subcommand's.
        let mut lists = vec![options.clone()];
        lists.extend(options.iter().filter_map(|o| o["options"].as_array().cloned()));
        for options in lists {
            assert!(options.len() <= 25);
            let mut seen_optional = false;
            for o in &options {
                assert!(name_ok(o["name"].as_str().unwrap()));
                longest = longest.max(check_description(o));
                for choice in o["choices"].as_array().into_iter().flatten() {
                    for (locale, name) in choice["name_localizations"].as_object().unwrap() {
                        let n = name.as_str().unwrap().chars().count();
                        assert!((1..=100).contains(&n), "choice {locale}: {name}");
                    }
                }
                let required = o["required"].as_bool().unwrap_or(false);
                assert!(!(required && seen_optional), "required options come first");
                seen_optional |= !required;
                assert!(
                    !(o["autocomplete"] == true && o.get("choices").is_some()),
                    "autocomplete and choices are exclusive"
                );
                assert!(o["choices"].as_array().map_or(0, |c| c.len()) <= 25);
            }
        }
        // Discord's 8000 counts names, descriptions and values with their localizations; the
        // whole JSON is a stricter bound.
        assert!(
            c.to_string().chars().count() <= 8000,
            "{} is {} characters",
            c["name"],
            c.to_string().chars().count()
        );
    }
    eprintln!("longest localized description: {longest} of 100 characters");
    let Some(v) = validator("/applications/{application_id}/commands", "put") else {
        eprintln!("skipped: the OpenAPI check (no spec)");
        return;
    };
    assert_valid(&v, &commands, "the command registration");
    // A development registration to one server: the same, without the global-only fields.
    let guild = definitions::guild_commands();
    for c in guild.as_array().unwrap() {
        assert!(c.get("contexts").is_none() && c.get("integration_types").is_none(), "{c}");
    }
    let v = validator("/applications/{application_id}/guilds/{guild_id}/commands", "put").unwrap();
    assert_valid(&v, &guild, "the server registration");
}

/// Who may install what: the catalog commands and the message command for server and user
/// installs, anywhere; highlights for server installs, in servers.
#[test]
fn catalog_commands_go_anywhere_and_highlights_stay_in_servers() {
    for c in definitions::commands().as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (contexts, installs) = if name.starts_with("highlight") {
            (json!([0]), json!([0]))
        } else {
            (json!([0, 1, 2]), json!([0, 1]))
        };
        assert_eq!((&c["contexts"], &c["integration_types"]), (&contexts, &installs), "{name}");
        let private = c["options"].as_array().into_iter().flatten().find(|o| o["name"] == "private");
        let wants_private = !name.starts_with("highlight") && c["type"] == 1 && name != "help";
        assert_eq!(private.is_some(), wants_private, "{name}: the private option");
        if let Some(p) = private {
            assert_eq!((p["type"].as_u64(), p["required"].as_bool()), (Some(5), Some(false)));
        }
    }
}

#[test]
fn every_reply_is_valid_even_over_every_limit() {
    let callback = validator("/interactions/{interaction_id}/{interaction_token}/callback", "post");
    let message = validator("/channels/{channel_id}/messages", "post");
    if callback.is_none() {
        eprintln!("skipped: the OpenAPI check (no spec)");
    }
    let mut pictures = 0;
    // Commands as mentions of the ids the fake Discord gives (the registration's order).
    let ids = CommandIds::from_registered(&json!(definitions::commands()
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut c = c.clone();
            c["id"] = json!((900_000_000_000_000_000u64 + i as u64).to_string());
            c
        })
        .collect::<Vec<_>>()));
    let mut shares = 0;
    for (engine, lang) in engines().iter().flat_map(|e| Lang::ALL.map(|l| (e, l))) {
        for (request, private) in requests().into_iter().flat_map(|r| [(r.clone(), false), (r, true)]) {
            let ids = if private { &ids } else { Shown::plain().ids };
            let response = respond_shown(engine, &request, lang, Shown { private, ids });
            let body = callback_body(&response);
            check_callback_rules(&body);
            shares += body.to_string().matches("marquee:share:").count();
            pictures += body["data"]["embeds"]
                .as_array()
                .map_or(0, |e| e.iter().filter(|e| e["image"]["url"].is_string()).count());
            if let Some(v) = &callback {
                assert_valid(v, &body, &format!("the callback for {request:?} in {lang:?}"));
            }
            if let (CatalogRequest::Mention { .. }, Response::Message(reply)) = (&request, &response) {
                let body = channel_reply_body(reply, 42);
                check_message_rules(&body);
                assert_eq!(body["allowed_mentions"]["replied_user"], false);
                if let Some(v) = &message {
                    assert_valid(v, &body, &format!("the mention reply for {request:?}"));
                }
            }
        }
    }
    assert!(shares > 100, "private cards with Share are among the bodies checked ({shares})");
    // Embeds with a video's picture are among the bodies checked, in every language.
    assert!(pictures >= 8 * Lang::ALL.len(), "only {pictures} embeds with a picture were checked");
}

#[test]
fn preview_prints_exactly_what_the_bot_sends() {
    let engine = Engine::new(crate::support::bundled());
    let request =
        CatalogRequest::Find { command: Command::Search, query: "the crown".into(), kind: None, year: None };
    let expected = callback_body(&respond(&engine, &request, Lang::En));
    let (code, out, err) = crate::support::marquee(&["preview", "the crown"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), expected);
    // The member's language, as the bot would answer a `de` interaction.
    let german = callback_body(&respond(&engine, &request, Lang::De));
    assert_ne!(german, expected);
    let (code, out, err) = crate::support::marquee(&["preview", "the crown", "--locale", "de"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), german);
    assert_eq!(german["data"]["embeds"][0]["fields"][0]["name"], "Art");

    let (code, out, _) = crate::support::marquee(&["preview", "--autocomplete", "spinn"], None);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["type"], 8);
    assert_eq!(v["data"]["choices"][0]["value"], "reinvent-2020-spinnaker");

    let (code, out, _) = crate::support::marquee(&["commands", "--json"], None);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), definitions::commands());
}

#[test]
fn invite_url_asks_for_the_least_permissions() {
    let (code, out, _) = crate::support::marquee(&["invite-url", "--client-id", "1234"], None);
    assert_eq!(code, 0);
    // View Channel, Send Messages, Embed Links, Read Message History.
    assert_eq!(
        out.trim(),
        "https://discord.com/oauth2/authorize?client_id=1234&permissions=84992&scope=bot%20applications.commands"
    );
    // The user-install link: the commands on a member's own account, no bot, no permissions.
    let (code, out, _) = crate::support::marquee(&["invite-url", "--client-id", "1234", "--user"], None);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        "https://discord.com/oauth2/authorize?client_id=1234&integration_type=1&scope=applications.commands"
    );
    let (code, _, err) = crate::support::marquee(&["invite-url", "--client-id", "abc"], None);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn invite_url_takes_the_application_id_from_the_token() {
    let dir = crate::support::TempDir::new("invite");
    let run = |token: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"));
        cmd.arg("invite-url").env_clear().current_dir(&dir.0);
        if let Some(t) = token {
            cmd.env("DISCORD_TOKEN", t);
        }
        cmd.output().unwrap()
    };
    let out = run(Some(marquee_testkit::fake_discord::TOKEN));
    assert!(out.status.success());
    let url = String::from_utf8(out.stdout).unwrap();
    let id = marquee_testkit::fake_discord::BOT_ID;
    assert!(url.contains(&format!("client_id={id}&")), "{url}");
    let out = run(None);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("--client-id") && err.contains("DISCORD_TOKEN") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn the_spec_check_can_fail() {
    let Some(v) = validator("/interactions/{interaction_id}/{interaction_token}/callback", "post") else {
        eprintln!("skipped: the OpenAPI check (no spec)");
        return;
    };
    assert!(v.is_valid(&json!({ "type": 4, "data": { "content": "hi" } })));
    assert!(!v.is_valid(&json!({ "type": 4, "data": { "embeds": "not a list" } })));
    assert!(!v.is_valid(&json!({ "type": 8, "data": { "choices": [{ "value": "x" }] } })));
}

#[tokio::test]
async fn highlight_replies_are_valid() {
    use marquee::highlights::commands::{respond as highlight, HighlightRequest as H};
    use marquee::store::sqlite::SqliteStore;
    let dir = crate::support::TempDir::new("spec-hl");
    let store = SqliteStore::open(&dir.0.join("m.db")).unwrap();
    let engine = Engine::new(crate::support::bundled());
    let now = chrono::Utc::now();
    let callback = validator("/interactions/{interaction_id}/{interaction_token}/callback", "post");
    let requests = [
        H::Subscribe {
            guild_id: 1,
            channel_id: 2,
            time: "09:00".into(),
            timezone: Some("Europe/Paris".into()),
            can_manage: true,
            bot_missing: vec![],
            guild_locale: Some("de".into()),
        },
        H::Subscribe {
            guild_id: 1,
            channel_id: 3,
            time: "x".repeat(500),
            timezone: None,
            can_manage: true,
            bot_missing: vec![],
            guild_locale: None,
        },
        H::Subscribe {
            guild_id: 1,
            channel_id: 3,
            time: "10:00".into(),
            timezone: None,
            can_manage: true,
            bot_missing: vec!["View Channel", "Embed Links"],
            guild_locale: None,
        },
        H::Subscribe {
            guild_id: 1,
            channel_id: 3,
            time: "10:00".into(),
            timezone: None,
            can_manage: false,
            bot_missing: vec![],
            guild_locale: None,
        },
        H::List { guild_id: 1 },
        H::Today { guild_id: 1 },
        H::TimezoneAutocomplete { text: "america".into(), locale: None },
        H::TimezoneAutocomplete { text: String::new(), locale: Some("de".into()) },
        H::Unsubscribe { guild_id: 1, channel_id: None, can_manage: true },
        H::List { guild_id: 1 },
    ];
    for lang in Lang::ALL {
        for request in &requests {
            let body = callback_body(&highlight(&store, &engine, request, now, lang).await);
            check_callback_rules(&body);
            if let Some(v) = &callback {
                assert_valid(v, &body, &format!("the reply to {request:?} in {lang:?}"));
            }
        }
    }
}

#[test]
fn a_kind_outside_the_command_finds_nothing_in_search_and_autocomplete() {
    let engine = Engine::new(crate::support::bundled());
    let find = CatalogRequest::Find {
        command: Command::Video,
        query: "consoleme".into(),
        kind: Some(Kind::Blog),
        year: None,
    };
    let body = callback_body(&respond(&engine, &find, Lang::En));
    assert_eq!(body["data"]["flags"], 64, "{body}");
    assert!(body["data"]["embeds"].as_array().unwrap().is_empty());
    let auto = CatalogRequest::Autocomplete {
        command: Command::Video,
        text: "consoleme".into(),
        kind: Some(Kind::Blog),
    };
    assert_eq!(callback_body(&respond(&engine, &auto, Lang::En))["data"]["choices"], json!([]));
    let auto =
        CatalogRequest::Autocomplete { command: Command::Video, text: String::new(), kind: Some(Kind::Blog) };
    assert_eq!(callback_body(&respond(&engine, &auto, Lang::En))["data"]["choices"], json!([]));
}
