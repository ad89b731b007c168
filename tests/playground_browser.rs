//! `marquee playground` in a real browser: the built binary serves the page, headless Chromium
//! (Debian's `chromium` and `chromium-driver`) is driven over WebDriver through the steps a
//! member and a content editor take. Without Chromium the test prints `skipped: …`, and fails
//! under CI (`CI` set), where `.ci/run` installs it.
//!
//! It writes a screenshot of the channel to `target/playground-browser/channel.png` (the one
//! the README shows, copied to docs/playground.png) and prints each step's time and the
//! keystroke → autocomplete-list times measured in the page.

mod support;
#[path = "support/webdriver.rs"]
mod webdriver;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::TempDir;
use webdriver::{keys, Session};

const CROWN: &str = "Producing \"The Crown\" in The Cloud";
const CROWN_EDITED: &str = "Producing \"The Crown\" in The Cloud, edited";
/// Long enough for a loaded 2-core CI machine; each wait ends as soon as the page is ready.
const WAIT: Duration = Duration::from_secs(10);

/// The playground process, stopped on drop.
struct Playground {
    child: Child,
    url: String,
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_playground(content: &Path, database: &Path) -> Playground {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["playground", "--listen", "127.0.0.1:0", "--watch"])
        .arg("--content")
        .arg(content)
        .arg("--database")
        .arg(database)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("marquee playground starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Playground { child, url }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Step timings, printed at the end.
struct Steps {
    started: Instant,
    last: Instant,
    done: Vec<(String, Duration)>,
}

impl Steps {
    fn new() -> Steps {
        Steps { started: Instant::now(), last: Instant::now(), done: Vec::new() }
    }

    fn done(&mut self, name: &str) {
        self.done.push((name.to_string(), self.last.elapsed()));
        self.last = Instant::now();
    }
}

/// Picks a command from the `/` list: types `/name` in the message box and presses Tab.
fn command(page: &Session, name: &str) {
    let input = page.find_all("#input").remove(0);
    page.type_into(&input, &format!("/{name}"));
    page.wait_text("#popup .item.on", WAIT, |t| t.starts_with(&format!("/{name}")));
    page.type_into(&input, keys::TAB);
    page.wait("the command's options", WAIT, |p| p.find_all("#fields input[data-name=query]").pop());
}

/// The last bot message's `css` part once its text satisfies `accept`.
fn last_bot(page: &Session, css: &str, accept: impl Fn(&str) -> bool) -> String {
    page.wait(&format!("the last message's {css}"), WAIT, |p| {
        let last = p.find_all(&format!(".msg:last-of-type {css}")).pop()?;
        // Empty while the message is being redrawn (the element read may already be gone).
        let text = p.text(&last);
        (!text.is_empty() && accept(&text)).then_some(text)
    })
}

/// Whether the last message is shown to the member alone.
fn last_is_private(page: &Session) -> bool {
    page.script(
        "return document.querySelector('.msg:last-of-type').classList.contains('ephemeral')",
        json!([]),
    ) == true
}

/// `/search the crown private:True` answers privately with Share; Share posts the card for
/// everyone, naming who shared it. Then "Find in Marquee" from a message's "…" menu.
fn private_share_and_the_message_command(page: &Session) {
    command(page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    page.type_into(&query, "the crown");
    let private = page.find_all("#fields input[data-name=private]").remove(0);
    page.click(&private);
    page.wait_text("#popup .item b", WAIT, |t| t == "True");
    page.type_into(&private, &format!("true{}", keys::ENTER));
    last_bot(page, ".e-title", |t| t == CROWN);
    assert!(last_is_private(page), "private:True answers the member alone");
    let share = page.wait("the Share button", WAIT, |p| p.find_all(".msg:last-of-type button.action").pop());
    assert_eq!(page.text(&share), "Share");
    page.click(&share);
    last_bot(page, ".content", |t| t == "Shared by @you");
    last_bot(page, ".e-title", |t| t == CROWN);
    assert!(!last_is_private(page), "a shared card is for everyone");
    assert!(page.find_all(".msg:last-of-type button.action").is_empty(), "and has no Share of its own");

    // A message of the member's, then its "…" menu → Apps → Find in Marquee.
    let input = page.find_all("#input").remove(0);
    page.type_into(&input, &format!("has anyone got that crown talk? https://example.com/x{}", keys::ENTER));
    let more = page.wait("the message's … button", WAIT, |p| p.find_all(".msg:last-of-type .more").pop());
    page.click(&more);
    let find = page.wait("Find in Marquee in the menu", WAIT, |p| {
        p.find_all(".msg:last-of-type .msg-menu button").into_iter().find(|b| p.text(b) == "Find in Marquee")
    });
    page.click(&find);
    last_bot(page, ".e-title", |t| t == CROWN);
    assert!(last_is_private(page), "the message command answers the member alone");
    assert!(!page.find_all(".msg:last-of-type button.action").is_empty(), "with Share");
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[test]
fn a_member_and_a_content_editor_use_the_playground_in_chromium() {
    let (chromium, chromedriver) = match webdriver::browser() {
        Ok(found) => found,
        Err(why) => {
            assert!(std::env::var_os("CI").is_none(), "{why}: the browser test must run under CI");
            eprintln!("skipped: the playground browser test: {why}");
            return;
        }
    };
    let dir = TempDir::new("playground-browser");
    let content = dir.0.join("content");
    copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content")), &content);
    let playground = start_playground(&content, &dir.0.join("playground.db"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("playground-browser");
    std::fs::create_dir_all(&out).unwrap();

    let mut steps = Steps::new();
    let page = Session::start(&chromium, &chromedriver, 1280, 1000);
    steps.done("start chromedriver and Chromium");
    page.goto(&playground.url);
    page.wait("the page to start", WAIT, |p| {
        (p.script("return document.body.dataset.ready || null", json!([])) == "1").then_some(())
    });
    page.wait_text("#calendar li", WAIT, |t| t.starts_with("Today"));
    steps.done("load the page (commands, calendar)");

    // `/search`, then `the cr` in query, one key at a time: each keystroke's list is timed.
    command(&page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    for key in "the cr".chars() {
        let before = page.script("return window.marqueeTimings.length", json!([])).as_u64().unwrap();
        page.type_into(&query, &key.to_string());
        page.wait("the autocomplete list", WAIT, |p| {
            let n = p.script("return window.marqueeTimings.length", json!([])).as_u64().unwrap();
            (n > before).then_some(())
        });
    }
    page.wait_text("#popup .item b", WAIT, |t| t == CROWN);
    let names: Vec<String> = page.find_all("#popup .item b").iter().map(|e| page.text(e)).collect();
    // The list is the router's type-8 answer: its names, cut as sent, in its order.
    let content_arg = content.to_str().unwrap();
    let (code, typed, _) =
        support::marquee(&["preview", "--autocomplete", "the cr", "--content", content_arg], None);
    assert_eq!(code, 0);
    let typed: serde_json::Value = serde_json::from_str(&typed).unwrap();
    let sent: Vec<&str> =
        typed["data"]["choices"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, sent);
    assert_eq!(names.first().map(String::as_str), Some(CROWN));
    // By keyboard: down and back up the list, Tab picks.
    page.type_into(&query, &format!("{}{}", keys::ARROW_DOWN, keys::ARROW_UP));
    page.wait_text("#popup .item.on b", WAIT, |t| t == CROWN);
    page.type_into(&query, keys::TAB);
    assert_eq!(
        page.script("return arguments[0].value", json!([{ "element-6066-11e4-a52e-4f735466cecf": query }])),
        CROWN
    );
    page.type_into(&query, keys::ENTER);
    last_bot(&page, ".e-title", |t| t == CROWN);
    let buttons = page.find_all(".msg:last-of-type a.link");
    assert!(!buttons.is_empty(), "link buttons under the embed");
    let target = page.script(
        "return arguments[0].target + ' ' + arguments[0].rel",
        json!([{ "element-6066-11e4-a52e-4f735466cecf": buttons[0] }]),
    );
    assert_eq!(target, "_blank noopener");
    // "Show JSON": the exact body, as `marquee preview` prints it for the chosen id.
    let toggle = page.find_all(".msg:last-of-type .tools button").remove(0);
    page.click(&toggle);
    let shown = page.wait_text(".msg:last-of-type pre.json", WAIT, |t| t.contains("\"embeds\""));
    let shown = page.text(&shown);
    let (comment, body) = shown.split_once('\n').unwrap();
    assert_eq!(comment, "// POST /interactions/{id}/{token}/callback");
    let (code, preview, _) =
        support::marquee(&["preview", "the-crown-in-the-cloud", "--content", content_arg], None);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(body).unwrap(),
        serde_json::from_str::<serde_json::Value>(&preview).unwrap()
    );
    page.click(&toggle);
    steps.done("/search, `the cr`, ↓↑ Tab picks the crown, Enter sends, Show JSON");
    private_share_and_the_message_command(&page);
    steps.done("private /search, Share; Find in Marquee on a message");
    let timings: Vec<f64> = page
        .script("return window.marqueeTimings", json!([]))
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();

    // "More matches" swaps the story in place (`nice dcv` matches several stories; the crown,
    // chosen by id, is one).
    command(&page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    page.type_into(&query, &format!("nice dcv{}", keys::ENTER));
    let first = last_bot(&page, ".e-title", |t| t.contains("NICE DCV"));
    let messages = page.find_all(".msg").len();
    let menu = page.find_all(".msg:last-of-type .sel-now").pop().expect("a More matches menu");
    page.click(&menu);
    let other = page.wait("another story in the menu", WAIT, |p| {
        p.find_all(".msg:last-of-type .sel-opt:not(.on)").into_iter().next()
    });
    let label = page.script(
        "return arguments[0].firstChild.textContent",
        json!([{ "element-6066-11e4-a52e-4f735466cecf": other }]),
    );
    let label = label.as_str().unwrap().trim_end_matches('…').to_string();
    page.click(&other);
    let shown = last_bot(&page, ".e-title", |t| t != first);
    assert!(shown.starts_with(&label), "picked {label:?}, shown {shown:?}");
    assert_eq!(page.find_all(".msg").len(), messages, "the story was swapped in place, not posted anew");
    steps.done("More matches: pick another story (UPDATE_MESSAGE in place)");

    // A query that matches nothing: a private "did you mean".
    command(&page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    page.type_into(&query, &format!("kowalski birthday party{}", keys::ENTER));
    last_bot(&page, ".content", |t| {
        t.contains("Nothing in the catalog matches") && t.contains("Did you mean")
    });
    last_bot(&page, ".eph", |t| t.contains("Only you can see this"));
    // Picking a suggestion swaps it in; the message stays private.
    let menu = page.find_all(".msg:last-of-type .sel-now").pop().expect("a did-you-mean menu");
    page.click(&menu);
    let suggestion = page.find_all(".msg:last-of-type .sel-opt").remove(0);
    page.click(&suggestion);
    last_bot(&page, ".e-title", |t| !t.is_empty());
    last_bot(&page, ".eph", |t| t.contains("Only you can see this"));
    steps.done("no match: private \"did you mean\", pick a suggestion (stays private)");

    // A mention.
    let input = page.find_all("#input").remove(0);
    page.type_into(&input, &format!("@Marquee the crown{}", keys::ENTER));
    last_bot(&page, ".ctx", |t| t.contains("@you") && t.contains("@Marquee the crown"));
    last_bot(&page, ".e-title", |t| t == CROWN);
    steps.done("@Marquee the crown");

    // The theme, both ways.
    let background =
        |p: &Session| p.script("return getComputedStyle(document.body).backgroundColor", json!([]));
    assert_eq!(background(&page), "rgb(49, 51, 56)", "dark by default");
    let toggle = page.find_all("#theme").remove(0);
    page.click(&toggle);
    assert_eq!(background(&page), "rgb(255, 255, 255)", "light after one flip");
    std::fs::write(out.join("light.png"), page.screenshot()).unwrap();
    page.click(&toggle);
    assert_eq!(background(&page), "rgb(49, 51, 56)");
    steps.done("flip the theme to light (screenshot) and back");

    // The content editor's loop: a broken edit names its problem; a fix shows in the next reply.
    let file = content.join("items/case-studies.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    let title_line = format!("title = {}", serde_json::to_string(CROWN).unwrap());
    let line = original.lines().position(|l| l == title_line).expect("the crown's title line") + 1;
    std::fs::write(&file, original.replace(&title_line, "title = 42")).unwrap();
    let problem = page.wait_text("#problems pre", WAIT, |t| t.contains("case-studies.toml:"));
    let problem = page.text(&problem);
    assert!(problem.contains(&format!("case-studies.toml:{line}:9:")), "{problem}");
    std::fs::write(out.join("problems.png"), page.screenshot()).unwrap();
    steps.done("break a content file: its problem on the page (screenshot)");
    let edited = format!("title = {}", serde_json::to_string(CROWN_EDITED).unwrap());
    std::fs::write(&file, original.replace(&title_line, &edited)).unwrap();
    page.wait("the problems to clear", WAIT, |p| {
        (p.script("return document.querySelector('#problems').hidden", json!([])) == true).then_some(())
    });
    command(&page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    page.type_into(&query, &format!("the crown{}", keys::ENTER));
    last_bot(&page, ".e-title", |t| t == CROWN_EDITED);
    steps.done("fix it: the new title in the next reply");

    // The picture for the README: the channel, with the next query's choices open.
    command(&page, "search");
    let query = page.find_all("#fields input[data-name=query]").remove(0);
    page.type_into(&query, "spinn");
    page.wait_text("#popup .item b", WAIT, |t| t.contains("Spinnaker"));
    let png = page.screenshot();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot");
    let shot = out.join("channel.png");
    std::fs::write(&shot, &png).unwrap();
    steps.done("screenshot with the autocomplete list open");

    let total = steps.started.elapsed();
    println!("browser steps:");
    for (name, took) in &steps.done {
        println!("  {:>6.0} ms  {name}", took.as_secs_f64() * 1e3);
    }
    println!("  {:>6.0} ms  total", total.as_secs_f64() * 1e3);
    println!(
        "keystroke → autocomplete list (ms, {} keystrokes): median {:.1}, all {:?}",
        timings.len(),
        median(timings.clone()),
        timings.iter().map(|t| (t * 10.0).round() / 10.0).collect::<Vec<_>>()
    );
    println!("screenshot: {} ({} bytes)", shot.display(), png.len());
}
