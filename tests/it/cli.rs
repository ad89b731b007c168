//! The command line as a new user meets it: words that need no quotes, help that says what
//! each flag does, errors that name what the user typed, and pipes into `head` that end quietly.

use crate::support::TempDir;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn marquee_in(cwd: &TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .current_dir(&cwd.0)
        .env_clear()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs marquee with its standard output already closed by the reader (`| head` after the
/// first lines), `input` on its standard input: (exit code, stderr).
fn into_closed_pipe(args: &[&str], input: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(args)
        .env_remove(crate::support::SENTENCE_MODEL_VAR)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    // The writer may be gone already (it exited on the closed pipe): that is fine here.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stderr))
}

#[test]
fn piping_into_head_ends_quietly() {
    let queries = "the crown\nbrendan gregg\n".repeat(2000);
    for (args, input) in [
        (&["preview", "the crown"][..], ""),
        (&["commands"][..], ""),
        (&["search", "--stdin"][..], queries.as_str()),
        (&["search", "netflix", "--limit", "100"][..], ""),
    ] {
        let (code, err) = into_closed_pipe(args, input);
        assert_eq!(code, Some(0), "marquee {args:?} | head: exit {code:?}, stderr {err}");
        assert_eq!(err, "", "marquee {args:?} | head: nothing on stderr");
    }
}

#[test]
fn search_takes_the_remaining_words_as_the_query() {
    let dir = TempDir::new("cli-words");
    let unquoted = marquee_in(&dir, &["search", "kowalski", "birthday", "party"]);
    assert_eq!(unquoted.status.code(), Some(0), "{}", text(&unquoted.stderr));
    let quoted = marquee_in(&dir, &["search", "kowalski birthday party"]);
    assert_eq!(text(&unquoted.stdout), text(&quoted.stdout));
    let json = marquee_in(&dir, &["search", "the", "crown", "--json", "--limit", "1"]);
    assert!(text(&json.stdout).contains("\"the-crown-in-the-cloud\""), "{}", text(&json.stdout));
}

#[test]
fn help_describes_what_it_promises() {
    let dir = TempDir::new("cli-help");
    let top = text(&marquee_in(&dir, &["--help"]).stdout);
    assert!(!top.contains("listed below"), "top-level help lists no settings: {top}");
    assert!(top.contains("marquee run --help"), "{top}");
    let run = text(&marquee_in(&dir, &["run", "--help"]).stdout);
    assert!(run.contains("DISCORD_TOKEN"), "{run}");
    // Every flag of `preview` says what it does (a described flag has text after its name).
    let preview = text(&marquee_in(&dir, &["preview", "--help"]).stdout);
    // (Long help puts the description on the next line; short help after the name.)
    let lines: Vec<&str> = preview.lines().collect();
    for flag in ["--command", "--kind", "--year", "--autocomplete", "--seed", "--locale"] {
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} in {preview}"));
        let (_, after) = lines[at].trim().split_once("  ").unwrap_or(("", ""));
        let next = lines.get(at + 1).map_or("", |l| l.trim());
        let described = !after.trim().is_empty() || !(next.is_empty() || next.starts_with('-'));
        assert!(described, "{flag} is not described:\n{preview}");
    }
}

#[test]
fn errors_name_what_the_user_gave() {
    let dir = TempDir::new("cli-errors");
    let out = marquee_in(&dir, &["invite-url", "--client-id", "abc"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Application ID") && !err.contains("invalid digit"), "{err}");

    let out = marquee_in(&dir, &["run", "--token", "garbage"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--token does not look like a bot token"), "{err}");
    assert!(!err.contains("DISCORD_TOKEN does not"), "the flag gave it: {err}");
    assert!(!err.contains("garbage"), "a token is never echoed: {err}");
}

#[test]
fn a_taken_port_suggests_another() {
    let dir = TempDir::new("cli-port");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = marquee_in(&dir, &["playground", "--listen", &addr]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let suggested = err.split("--listen ").nth(1).map(|s| s.split_whitespace().next().unwrap_or_default());
    let suggested = suggested.unwrap_or_else(|| panic!("no --listen suggestion: {err}"));
    assert!(suggested.starts_with("127.0.0.1:") && suggested != addr, "{err}");
    assert!(std::net::TcpListener::bind(suggested).is_ok(), "the suggested {suggested} is free");
}

#[test]
fn about_counts_stories_not_the_overview_page() {
    let dir = TempDir::new("cli-about");
    let out = marquee_in(&dir, &["preview", "--command", "about"]);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let catalog = body["data"]["embeds"][0]["fields"][0]["value"].as_str().unwrap();
    assert!(!catalog.contains("Overview"), "{catalog}");
    assert!(catalog.contains("Case study"), "{catalog}");
}
