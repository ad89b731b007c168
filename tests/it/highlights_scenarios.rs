//! The fault scenarios with real `marquee run` processes on a SQLite file against the fake
//! Discord, all through one driver (`Scenario`): channels subscribed and due, faults scripted per
//! request, then what happens to the process — `kill -9` at chosen moments, outages, the gateway
//! dropped — in order. A scenario ends when every slot is recorded, the last process has stopped
//! and the fake has finished every request it held; then each channel must hold exactly one post
//! (posts expected / seen / duplicates / missing, printed as a table row), no request may have
//! come inside a 429's `retry_after`, and the fake's global limit never had to answer.
//!
//! Time is scaled down about a hundredfold and keeps Discord's order: a REST call's deadline
//! 0.5 s (10 s in production), a late answer 1 s ("a 10 s answer"), a held create 2 s ("a 120 s
//! stall"), Discord's nonce window 3 s (a few minutes) and an outage past it 3.5 s. Where a
//! retry must not lean on the nonce at all, the window is 0.2 s: every retry comes after it.
//! The fake enforces Discord's global limit (50 requests/s) throughout.

use crate::highlights_process::{bot_command, kill, subscribe_due, wait_posted};
use crate::support::{payloads, TempDir, TestDb};
use marquee::store::SlotState;
use marquee_testkit::fake_discord::{Act, Body, FakeDiscord, BOT_ID, CHANNEL_ID, GUILD_ID};
use std::process::Child;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_millis(500);
const LATE: Duration = Duration::from_secs(1);
const HELD: Duration = Duration::from_secs(2);
const NONCE: Duration = Duration::from_secs(3);
const PAST_NONCE: Duration = Duration::from_millis(3500);
const SHORT_NONCE: Duration = Duration::from_millis(200);

/// Which requests a fault meets.
#[derive(Clone, Copy)]
enum Target {
    /// The creates (`POST …/messages`) of channel `i`.
    Create(usize),
    /// The look-ups (`GET …/messages`) of channel `i`.
    Lookup(usize),
    /// The next creates, whatever their channel.
    AnyCreate,
}

/// What happens during a scenario, in order, after the first bot process has started.
enum Step {
    /// Until the bot is connected to the gateway.
    Ready,
    /// Until the fake has had this many creates in all.
    Creates(usize),
    /// Until the fake has had this many look-ups in all.
    Lookups(usize),
    Sleep(Duration),
    /// `kill -9` the bot process, and start one again after this long (an outage).
    Outage(Duration),
    /// The gateway connection drops and new ones are refused for this long.
    GatewayDown(Duration),
    /// Members post this many messages in every channel, just now (after the post).
    Talk(usize),
    /// A member asks `/highlight` publicly in the first channel: the bot's answer (type 20, the
    /// post's header and embed) is in the channel.
    PublicHighlight,
}

struct Scenario {
    name: &'static str,
    channels: Vec<u64>,
    /// Members' messages in each channel over the 6 h before the slot.
    busy: usize,
    nonce_window: Duration,
    faults: Vec<(Target, Act, usize)>,
    steps: Vec<Step>,
}

/// One row of the scenario table.
#[derive(Debug, PartialEq)]
struct Row {
    expected: usize,
    seen: usize,
    duplicates: usize,
    missing: usize,
}

impl Scenario {
    /// `channels` quiet channels of one server, due now; Discord's nonce window `NONCE`.
    fn new(name: &'static str, channels: usize) -> Scenario {
        Scenario {
            name,
            channels: (0..channels as u64).map(|i| CHANNEL_ID + i).collect(),
            busy: 0,
            nonce_window: NONCE,
            faults: vec![],
            steps: vec![],
        }
    }

    fn busy(mut self, messages: usize) -> Scenario {
        self.busy = messages;
        self
    }

    fn nonce_window(mut self, window: Duration) -> Scenario {
        self.nonce_window = window;
        self
    }

    /// `act` for the next `times` requests of `target`.
    fn fault(mut self, target: Target, act: Act, times: usize) -> Scenario {
        self.faults.push((target, act, times));
        self
    }

    /// `act` for the first create of every channel.
    fn every_first_create(self, act: Act) -> Scenario {
        (0..self.channels.len()).fold(self, |s, i| s.fault(Target::Create(i), act.clone(), 1))
    }

    fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Scenario {
        self.steps.extend(steps);
        self
    }

    fn matching(&self, target: Target) -> String {
        match target {
            Target::Create(i) => format!("POST /api/v10/channels/{}/messages", self.channels[i]),
            Target::Lookup(i) => format!("GET /api/v10/channels/{}/messages", self.channels[i]),
            Target::AnyCreate => "POST /api/v10/channels/".to_string(),
        }
    }

    /// Runs the scenario; prints its row and asserts exactly one post in every channel.
    async fn run(self) {
        let db = TestDb::sqlite("hl-scenario");
        let (fake, dir) = (FakeDiscord::start().await, TempDir::new("hl-scenario"));
        fake.set_nonce_window(self.nonce_window);
        fake.enforce_global_limit(50);
        subscribe_due(&db, GUILD_ID, &self.channels).await;
        for &c in &self.channels {
            fake.add_member_messages(c, self.busy, Duration::from_secs(6 * 3600));
        }
        for (target, act, times) in &self.faults {
            fake.script_rule(&self.matching(*target), act.clone(), 1, *times);
        }
        let count = |f: &FakeDiscord, method: &str| {
            f.requests().iter().filter(|r| r.method == method && r.path.contains("/messages")).count()
        };
        let mut bot = start(&fake, &db, &dir);
        for step in &self.steps {
            match step {
                Step::Ready => fake.wait_ready().await,
                Step::Creates(n) => {
                    fake.wait_for("creates", Duration::from_secs(20), |f| {
                        (count(f, "POST") >= *n).then_some(())
                    })
                    .await
                }
                Step::Lookups(n) => {
                    fake.wait_for("look-ups", Duration::from_secs(20), |f| {
                        (count(f, "GET") >= *n).then_some(())
                    })
                    .await
                }
                Step::Sleep(d) => tokio::time::sleep(*d).await,
                Step::Outage(d) => {
                    kill(&mut bot.0, "KILL");
                    tokio::time::sleep(*d).await;
                    bot = start(&fake, &db, &dir);
                }
                Step::GatewayDown(d) => {
                    let before = posted(&db).await;
                    fake.refuse_gateway(true);
                    fake.drop_gateway();
                    tokio::time::sleep(*d).await;
                    assert!(!fake.gateway_open(), "{}: the gateway stayed down", self.name);
                    assert!(
                        posted(&db).await > before,
                        "{}: nothing was posted while the gateway was down",
                        self.name
                    );
                    fake.refuse_gateway(false);
                }
                Step::Talk(n) => {
                    for &c in &self.channels {
                        fake.add_member_messages(c, *n, Duration::from_millis(10));
                    }
                }
                Step::PublicHighlight => {
                    fake.dispatch("INTERACTION_CREATE", payloads::command(9300, "highlight", &[]));
                    let c = self.channels[0];
                    fake.wait_for("the public answer in the channel", Duration::from_secs(10), |f| {
                        f.channel_messages(c).iter().any(|m| m.kind == 20).then_some(())
                    })
                    .await;
                }
            }
        }
        wait_posted(&db, self.channels.len()).await;
        kill(&mut bot.0, "TERM");
        // What Discord makes of the requests still held (a stalled create is made late).
        fake.wait_idle(Duration::from_secs(10)).await;
        // Every scripted fault was met (one that matched nothing would prove nothing).
        let scripted: usize =
            self.faults.iter().map(|(_, _, times)| if *times == usize::MAX { 1 } else { *times }).sum();
        assert!(fake.acted().len() >= scripted, "{}: faults met {:?}", self.name, fake.acted());
        // Every 429's retry_after was obeyed, and the bot kept to the global limit on its own.
        assert_eq!(fake.requests_inside_retry_after(), 0, "{}: requests inside a retry_after", self.name);
        assert_eq!(fake.global_429s(), 0, "{}: the fake's global limit had to answer 429", self.name);
        let row = row(&fake, &self.channels);
        println!(
            "| {} | {} | {} | {} | {} |",
            self.name, row.expected, row.seen, row.duplicates, row.missing
        );
        let expected =
            Row { expected: self.channels.len(), seen: self.channels.len(), duplicates: 0, missing: 0 };
        assert_eq!(row, expected, "{}: the bots' logs are in {}", self.name, dir.0.display());
    }
}

/// A bot process, killed if the scenario ends without stopping it (a failed assertion).
struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A bot process with the scenarios' timing; its log goes to bot.log in `dir` (appended to by
/// each process of the scenario).
fn start(fake: &FakeDiscord, db: &TestDb, dir: &TempDir) -> Bot {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.0.join("bot.log")).unwrap();
    bot_command(fake, db, dir)
        .env("MARQUEE_TEST_BACKOFF_MS", "300")
        .env("MARQUEE_TEST_REST_DEADLINE_MS", DEADLINE.as_millis().to_string())
        .stderr(log)
        .spawn()
        .map(Bot)
        .unwrap()
}

async fn posted(db: &TestDb) -> usize {
    db.slots().await.iter().filter(|s| s.state == SlotState::Posted).count()
}

/// Posts in each channel: the bot's own messages made by a create (not its interaction answers).
fn row(fake: &FakeDiscord, channels: &[u64]) -> Row {
    let mut row = Row { expected: channels.len(), seen: 0, duplicates: 0, missing: 0 };
    for &c in channels {
        let posts = fake
            .channel_messages(c)
            .iter()
            .filter(|m| m.author == BOT_ID && m.kind == 0 && m.created)
            .count();
        row.seen += posts;
        row.duplicates += posts.saturating_sub(1);
        row.missing += usize::from(posts == 0);
    }
    row
}

// Each fault alone, on the first create of every channel, no kill.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_429_waited_out_inside_the_call() {
    Scenario::new("route 429 (0.5 s), 5 channels", 5)
        .every_first_create(Act::RateLimit { retry_after: 0.5, global: false })
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_429_longer_than_the_calls_patience_held_in_the_store() {
    Scenario::new("route 429 (6 s, past the call's 5 s patience), 5 channels", 5)
        .every_first_create(Act::RateLimit { retry_after: 6.0, global: false })
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_429() {
    Scenario::new("global 429 (1 s) on the first create, 20 channels", 20)
        .fault(Target::AnyCreate, Act::RateLimit { retry_after: 1.0, global: true }, 1)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_with_json_html_and_text_bodies() {
    for (name, act) in [
        ("500 (JSON), 5 channels", Act::Status(500, Body::Json)),
        ("502 (HTML), 5 channels", Act::Status(502, Body::Html)),
        ("503 (text), 5 channels", Act::Status(503, Body::Text)),
    ] {
        Scenario::new(name, 5).every_first_create(act).run().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_before_processing() {
    Scenario::new("reset before processing, 5 channels", 5).every_first_create(Act::Reset).run().await;
}

/// The create is made but its answer is lost: only the look-up can tell (the retry comes after
/// the nonce window).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_cut_mid_body_are_recovered_by_the_lookup() {
    Scenario::new("answer cut mid-body (made), nonce window 0.2 s, 30 channels", 30)
        .nonce_window(SHORT_NONCE)
        .every_first_create(Act::CutBody)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_acknowledgements_are_recovered_by_the_lookup() {
    Scenario::new("made, never answered, nonce window 0.2 s, 30 channels", 30)
        .nonce_window(SHORT_NONCE)
        .every_first_create(Act::Unanswered)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_later_than_the_deadline() {
    Scenario::new("made, answered after 1 s (deadline 0.5 s), nonce window 0.2 s, 5 channels", 5)
        .nonce_window(SHORT_NONCE)
        .every_first_create(Act::SlowAnswer(LATE))
        .run()
        .await;
}

/// Held by Discord past the deadline and made after the retry posted: Discord's nonce (3 s here,
/// minutes there) returns the retry's message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_held_past_the_deadline_then_made() {
    Scenario::new("held 2 s then made (deadline 0.5 s), 5 channels", 5)
        .every_first_create(Act::Stall(HELD))
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_down_while_posting() {
    Scenario::new("gateway dropped and refused for 3 s while posting (answers 1 s late), 20 channels", 20)
        .nonce_window(SHORT_NONCE)
        .fault(Target::AnyCreate, Act::SlowAnswer(LATE), 20)
        .steps([Step::Ready, Step::Creates(1), Step::GatewayDown(Duration::from_secs(3))])
        .run()
        .await;
}

// kill -9 at chosen moments.

/// Ten kills at moments spread over the start, claims, creates answered slowly (made at once,
/// answered after 0.4 s) and look-ups; each restart at once, within the nonce window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_kills_in_quiet_channels() {
    let kills = [150, 250, 350, 450, 600, 800, 1000, 1300, 1600, 2000]
        .into_iter()
        .flat_map(|ms| [Step::Sleep(Duration::from_millis(ms)), Step::Outage(Duration::ZERO)]);
    Scenario::new("10 × kill -9 at 0.15–2 s after each start, answers 0.4 s late, 20 channels", 20)
        .fault(Target::AnyCreate, Act::SlowAnswer(Duration::from_millis(400)), usize::MAX)
        .steps(kills)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_with_outages_past_the_nonce_window() {
    Scenario::new(
        "creates made, never answered; kill -9; 3.5 s outage; kill -9 during the look-ups; 3.5 s outage, 10 channels",
        10,
    )
    .every_first_create(Act::Unanswered)
    .fault(Target::Lookup(0), Act::Stall(HELD), 1)
    .steps([
        Step::Creates(10),
        Step::Sleep(Duration::from_millis(100)),
        Step::Outage(PAST_NONCE),
        Step::Lookups(1),
        Step::Outage(PAST_NONCE),
    ])
    .run()
    .await;
}

/// Killed while Discord holds the creates; it makes them 2 s later, after the restart posted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_while_discord_holds_the_creates() {
    Scenario::new("kill -9 while the creates are held (made 2 s later), restart at once, 5 channels", 5)
        .every_first_create(Act::Stall(HELD))
        .steps([Step::Creates(5), Step::Outage(Duration::ZERO)])
        .run()
        .await;
}

/// Defect 2: a busy channel, the create made but unanswered, killed; members go on talking (250
/// messages, more than two pages); the restart comes after the nonce window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_channel_after_an_outage_past_the_nonce_window() {
    Scenario::new("busy channel (150 messages, then 250), made, never answered, kill -9, 3.5 s outage", 1)
        .busy(150)
        .every_first_create(Act::Unanswered)
        .steps([
            Step::Creates(1),
            Step::Sleep(Duration::from_millis(100)),
            Step::Talk(250),
            Step::Outage(PAST_NONCE),
        ])
        .run()
        .await;
}

/// Defect 1: a member's public `/highlight` answer is in the channel; the first two creates
/// fail; killed after the second; the restart must not take the answer for the post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_highlight_answer_is_not_taken_for_the_post() {
    Scenario::new("a member's public /highlight answer in the channel, 500 + 502 (HTML), kill -9", 1)
        .fault(Target::Create(0), Act::Status(500, Body::Json), 1)
        .fault(Target::Create(0), Act::Status(502, Body::Html), 1)
        .steps([Step::Ready, Step::PublicHighlight, Step::Creates(2), Step::Outage(Duration::ZERO)])
        .run()
        .await;
}

/// Defects 1 and 2 together: a busy channel with a member's public answer, the create's answer
/// lost, an outage past the nonce window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_channel_with_a_public_answer_and_a_lost_acknowledgement() {
    Scenario::new(
        "busy channel (150, then 250) with a public /highlight answer, made, never answered, kill -9, 3.5 s outage",
        1,
    )
    .busy(150)
    .every_first_create(Act::Unanswered)
    .steps([Step::Ready, Step::PublicHighlight, Step::Creates(1), Step::Sleep(Duration::from_millis(100)), Step::Talk(250), Step::Outage(PAST_NONCE)])
    .run()
    .await;
}

/// Defect 3: the create's answer is cut, and the look-ups then fail (503, reset, no answer): the
/// slot waits until one can tell, never posting blind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_lookups_wait_never_post_blind() {
    Scenario::new("answer cut, then look-ups fail (503, reset, unanswered), nonce window 0.2 s", 1)
        .nonce_window(SHORT_NONCE)
        .fault(Target::Create(0), Act::CutBody, 1)
        .fault(Target::Lookup(0), Act::Status(503, Body::Text), 1)
        .fault(Target::Lookup(0), Act::Reset, 1)
        .fault(Target::Lookup(0), Act::Unanswered, 1)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_once_with_a_kill_and_an_outage() {
    let acts = Act::one_of_each(LATE, HELD);
    let scenario = Scenario::new(
        "10 channels: 429 route and global, 500, 502, 503, reset, cut, unanswered, late, held; kill -9; 3.5 s outage",
        10,
    );
    let scenario =
        acts.into_iter().enumerate().fold(scenario, |s, (i, act)| s.fault(Target::Create(i), act, 1));
    scenario
        .steps([Step::Creates(10), Step::Sleep(Duration::from_millis(300)), Step::Outage(PAST_NONCE)])
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_held_create_and_six_late_answers_among_thirty_channels() {
    Scenario::new("30 channels: one create held 2 s, six answered 1 s late", 30)
        .fault(Target::AnyCreate, Act::Stall(HELD), 1)
        .fault(Target::AnyCreate, Act::SlowAnswer(LATE), 6)
        .run()
        .await;
}
