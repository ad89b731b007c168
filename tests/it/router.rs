//! `route` is pure: an interaction body in, the request it is out. One table, each row a body
//! as Discord shapes it (only the fields `route` reads) and what it must become.

use marquee::catalog::Kind;
use marquee::commands::{CatalogRequest as Catalog, Command};
use marquee::highlights::commands::HighlightRequest as H;
use marquee::router::incoming::Interaction;
use marquee::router::{route, Request};
use serde_json::{json, Value};

fn command(name: &str, options: Value) -> Value {
    json!({"id": "42", "type": 2, "guild_id": "7", "data": {"name": name, "options": options},
           "member": {"permissions": "16"}})
}

fn option(name: &str, value: Value) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

#[test]
fn route_table() {
    let pick_message = json!({"components": [{"type": 1, "components": [{"type": 3, "custom_id": "marquee:pick",
        "options": [{"label": "a", "value": "the-crown-in-the-cloud"}, {"label": "b", "value": "ses-100-million"}]}]}]});
    #[allow(clippy::type_complexity)]
    let table: Vec<(&str, Value, fn(&Request) -> bool)> = vec![
        ("ping", json!({"type": 1}), |r| matches!(r, Request::Ping)),
        (
            "/search with kind and year",
            command(
                "search",
                json!([option("query", json!("the crown")),
            option("kind", json!("case-study")), {"name": "year", "type": 4, "value": 2021}]),
            ),
            |r| matches!(r, Request::Catalog { request: Catalog::Find { command: Command::Search, query, kind: Some(Kind::CaseStudy), year: Some(2021), .. }, .. } if query == "the crown"),
        ),
        (
            "/video without query",
            command("video", json!([])),
            |r| matches!(r, Request::Catalog { request: Catalog::Find { command: Command::Video, query, kind: None, year: None, .. }, .. } if query.is_empty()),
        ),
        ("/casestudy", command("casestudy", json!([option("query", json!("ses"))])), |r| {
            matches!(r, Request::Catalog { request: Catalog::Find { command: Command::CaseStudy, .. }, .. })
        }),
        (
            "a year that is not a year",
            command("search", json!([option("query", json!("x")), {"name": "year", "type": 4, "value": -3}])),
            |r| matches!(r, Request::Catalog { request: Catalog::Find { year: None, .. }, .. }),
        ),
        (
            "/random seeds with the interaction id",
            command("random", json!([option("kind", json!("podcast"))])),
            |r| {
                matches!(
                    r,
                    Request::Catalog { request: Catalog::Random { kind: Some(Kind::Podcast), seed: 42 }, .. }
                )
            },
        ),
        ("/about", command("about", json!([])), |r| {
            matches!(r, Request::Catalog { request: Catalog::About, .. })
        }),
        ("/help", command("help", json!([])), |r| {
            matches!(r, Request::Catalog { request: Catalog::Help, .. })
        }),
        ("a command this version does not know", command("weather", json!([])), |r| {
            matches!(r, Request::Unknown { autocomplete: false })
        }),
        (
            "autocomplete reads the focused option",
            json!({"type": 4, "data": {"name": "search", "options": [
            option("kind", json!("talk")), {"name": "query", "type": 3, "value": "spinn", "focused": true}]}}),
            |r| matches!(r, Request::Catalog { request: Catalog::Autocomplete { command: Command::Search, text, kind: Some(Kind::Talk) }, .. } if text == "spinn"),
        ),
        (
            "autocomplete of an unknown command",
            json!({"type": 4, "data": {"name": "weather", "options": []}}),
            |r| matches!(r, Request::Unknown { autocomplete: true }),
        ),
        (
            "timezone autocomplete",
            json!({"type": 4, "guild_id": "7", "data": {"name": "highlights", "options": [
            {"name": "subscribe", "type": 1, "options": [{"name": "timezone", "type": 3, "value": "Europe/Be", "focused": true}]}]}}),
            |r| matches!(r, Request::Highlights { request: H::TimezoneAutocomplete { text, .. }, .. } if text == "Europe/Be"),
        ),
        (
            "a menu pick keeps the listed ids",
            json!({"type": 3, "data": {"custom_id": "marquee:pick", "values": ["ses-100-million"]},
            "message": pick_message}),
            |r| matches!(r, Request::Catalog { request: Catalog::Pick { id, listed }, .. } if id == "ses-100-million" && listed.len() == 2),
        ),
        (
            "a menu pick with no value",
            json!({"type": 3, "data": {"custom_id": "marquee:pick", "values": []}}),
            |r| matches!(r, Request::Unknown { autocomplete: false }),
        ),
        (
            "a component of another app version",
            json!({"type": 3, "data": {"custom_id": "old-button"}}),
            |r| matches!(r, Request::Unknown { autocomplete: false }),
        ),
        (
            "/highlights subscribe by a manager",
            command(
                "highlights",
                json!([{"name": "subscribe", "type": 1, "options": [
            {"name": "channel", "type": 7, "value": "99"}, option("time", json!("09:00")), option("timezone", json!("Asia/Tokyo"))]}]),
            ),
            |r| matches!(r, Request::Highlights { request: H::Subscribe { guild_id: 7, channel_id: 99, time, timezone: Some(tz), can_manage: true, .. }, .. } if time == "09:00" && tz == "Asia/Tokyo"),
        ),
        (
            "/highlights subscribe without a channel",
            command(
                "highlights",
                json!([{"name": "subscribe", "type": 1, "options": [option("time", json!("09:00"))]}]),
            ),
            |r| matches!(r, Request::Unknown { autocomplete: false }),
        ),
        (
            "/highlights unsubscribe by a member without Manage Channels",
            json!({"type": 2, "guild_id": "7",
            "data": {"name": "highlights", "options": [{"name": "unsubscribe", "type": 1, "options": []}]}, "member": {"permissions": "0"}}),
            |r| {
                matches!(
                    r,
                    Request::Highlights {
                        request: H::Unsubscribe { guild_id: 7, channel_id: None, can_manage: false },
                        ..
                    }
                )
            },
        ),
        ("/highlights list", command("highlights", json!([{"name": "list", "type": 1}])), |r| {
            matches!(r, Request::Highlights { request: H::List { guild_id: 7 }, .. })
        }),
        ("/highlight", command("highlight", json!([])), |r| {
            matches!(r, Request::Highlights { request: H::Today { guild_id: 7 }, .. })
        }),
        ("/highlight outside a server", json!({"type": 2, "data": {"name": "highlight"}}), |r| {
            matches!(r, Request::HighlightsOutsideServer)
        }),
        ("an interaction type Discord added later", json!({"type": 99, "data": {"name": "search"}}), |r| {
            matches!(r, Request::Unknown { autocomplete: false })
        }),
    ];
    let mut wrong = Vec::new();
    for (what, body, expected) in &table {
        let interaction = Interaction::from_json(body.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let request = route(&interaction);
        if !expected(&request) {
            wrong.push(format!("{what}: routed to {request:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
