//! `marquee search` as a user and a script see it.

use crate::support::marquee;

#[test]
fn readable_results_name_title_kind_year_and_link() {
    let (code, out, err) = marquee(&["search", "the crown"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("1. Producing \"The Crown\" in The Cloud\n   Case study · 2021 · https://"),
        "{out}"
    );
}

#[test]
fn json_results_carry_id_title_kind_score_url() {
    let (code, out, _) = marquee(&["search", "spinaker", "--json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v[0];
    assert_eq!(first["id"], "reinvent-2020-spinnaker");
    assert_eq!(first["kind"], "talk");
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert!(first["url"].as_str().unwrap().starts_with("https://"));
    assert!(first["title"].as_str().unwrap().contains("Spinnaker"));
}

#[test]
fn no_match_is_an_empty_array_and_exit_0() {
    let (code, out, _) = marquee(&["search", "chocolate cake", "--json"], None);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "[]");
    let (code, out, _) = marquee(&["search", "zzzzzz"], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("Nothing in the catalog matches \"zzzzzz\"."), "{out}");
}

#[test]
fn stdin_mode_answers_one_line_per_query_in_order() {
    let input = "the crown\n\nzzzzzz\nbrendan gregg\n";
    let (code, out, _) = marquee(&["search", "--stdin", "--json", "--limit", "1"], Some(input));
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0][0]["id"], "the-crown-in-the-cloud");
    assert_eq!(lines[1], serde_json::json!([]));
    assert_eq!(lines[2], serde_json::json!([]));
    assert_eq!(lines[3][0]["id"], "reinvent-2017-ec2-tuning");
}

/// `marquee search` reads a question as the bot does: a mention, `@everyone` and a link are not
/// words of it, on the command line and on standard input alike.
#[test]
fn search_reads_mentions_and_links_as_the_bot_does() {
    let (_, plain, _) = marquee(&["search", "--json", "the crown"], None);
    let (code, marked, _) =
        marquee(&["search", "--json", "<@123456789012345678> the crown @everyone https://x.example/a"], None);
    assert_eq!(code, 0);
    assert_eq!(marked, plain);
    let (_, lines, _) =
        marquee(&["search", "--stdin", "--json"], Some("<#42> spinnaker <:party:99>\nspinnaker\n"));
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1]);
    assert!(lines[0].contains("reinvent-2020-spinnaker"), "{}", lines[0]);
}

#[test]
fn kind_filter_on_the_command_line() {
    let (code, out, _) = marquee(&["search", "ses", "--kind", "quote", "--json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().iter().all(|h| h["kind"] == "quote"));
    assert_eq!(v[0]["id"], "quote-chawla-ses");
}

#[test]
fn bad_arguments_get_clap_messages_and_exit_2() {
    for args in [
        &["search"][..],
        &["search", "x", "--kind", "movie"],
        &["search", "x", "--limit", "0"],
        &["search", "x", "--stdin"],
        &["frobnicate"],
    ] {
        let (code, out, err) = marquee(args, None);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("error:") || err.contains("Usage:"), "{args:?}: {err}");
    }
}

/// `/search query:crown year:2019`: the words find the crown, the year does not. The reply
/// A question with a role mention, a channel reference and a custom emoji in it is answered by
/// its words: what `/search` and a mention of the bot do with the text a member typed.
#[test]
fn references_in_a_question_are_not_searched() {
    let (code, out, _) =
        marquee(&["preview", "<@&123456789012345678> <#42> **spinnaker** <:party:99>"], None);
    assert_eq!(code, 0);
    assert!(out.contains("Spinnaker"), "{out}");
    assert!(!out.contains("Nothing in the catalog"), "{out}");
}

/// names the filter and offers what the words find without it — in Discord (`preview` prints
/// the bot's body) and on the command line.
#[test]
fn a_filtered_no_match_names_its_filters_and_offers_the_unfiltered_best() {
    let (code, out, _) = marquee(&["preview", "crown", "--year", "2019"], None);
    assert_eq!(code, 0);
    let body: serde_json::Value = serde_json::from_str(&out).unwrap();
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.contains("`crown`") && content.contains("`year: 2019`"), "{content}");
    assert!(content.contains("**Producing \"The Crown\" in The Cloud**"), "{content}");
    let menu = &body["data"]["components"][0]["components"][0];
    assert_eq!(menu["options"][0]["value"], "the-crown-in-the-cloud", "{menu}");
    assert_eq!(body["data"]["flags"], 64, "private, as every no-match reply");

    // With a kind, in German: the kind as the member's choices name it.
    let (_, out, _) = marquee(&["preview", "crown", "--kind", "talk", "--locale", "de"], None);
    let body: serde_json::Value = serde_json::from_str(&out).unwrap();
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.contains("`kind: Vortrag`"), "{content}");

    // Without filters, the plain no-match is unchanged.
    let (_, out, _) = marquee(&["preview", "zzzzzz"], None);
    let body: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!body["data"]["content"].as_str().unwrap().contains("year"));

    let (code, out, _) = marquee(&["search", "crown", "--year", "2019"], None);
    assert_eq!(code, 0);
    assert!(out.contains("--year 2019"), "{out}");
    assert!(
        out.contains("Without the filters, the best match is: Producing \"The Crown\" in The Cloud"),
        "{out}"
    );
}

/// Japanese sentences end with "。" and are not followed by an ASCII space.
#[test]
fn japanese_replies_set_no_space_after_a_full_stop() {
    for args in [
        &["preview", "zzzzzz", "--locale", "ja"][..],
        &["preview", "crown", "--year", "2019", "--locale", "ja"],
    ] {
        let (_, out, _) = marquee(args, None);
        let body: serde_json::Value = serde_json::from_str(&out).unwrap();
        let content = body["data"]["content"].as_str().unwrap();
        assert!(content.contains('。') && !content.contains("。 "), "{content}");
    }
}
