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
