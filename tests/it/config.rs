//! One configuration for every subcommand: `.env` in the working directory, the environment
//! winning over it, a flag winning over both, each variable named in `--help`, and every
//! configuration problem printed the same way with exit code 2.

use crate::support::TempDir;
use std::process::{Command, Output, Stdio};

fn marquee(cwd: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marquee"));
    cmd.current_dir(&cwd.0).env_clear().args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The commands that read settings, each run so that it stops at its first setting check.
const READERS: [&[&str]; 4] = [
    &["run"],
    &["serve", "--listen", "127.0.0.1:0"],
    &["highlights", "preview", "--guild", "1"],
    &["invite-url"],
];

#[test]
fn a_broken_env_file_stops_every_command_alike_without_echoing_it() {
    let dir = TempDir::new("config-broken-dotenv");
    std::fs::write(dir.0.join(".env"), "MARQUEE_GUILD_ID=1\nDISCORD_TOKEN hunter2-secret\n").unwrap();
    for args in READERS.iter().chain([&["check"][..]].iter()) {
        let out = marquee(&dir, args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.trim_end(),
            "marquee: .env:2:15: cannot be parsed (expected NAME=value; quote values with spaces or #)",
            "{args:?}"
        );
        assert!(!err.contains("hunter2"), "the line's text must not be printed");
    }
}

#[test]
fn env_file_is_read_by_every_command_and_the_environment_wins() {
    let dir = TempDir::new("config-dotenv-rules");
    std::fs::write(dir.0.join(".env"), "DATABASE_URL=mysql://file/db\n").unwrap();
    // From .env: the same check and the same line, whichever command reads the database.
    for args in [
        &["highlights", "preview", "--guild", "1"][..],
        &["run", "--token", marquee_testkit::fake_discord::TOKEN],
    ] {
        let out = marquee(&dir, args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("marquee: DATABASE_URL: mysql:// databases are not supported"),
            "{args:?}: {err}"
        );
    }
    // The environment wins over .env, and a flag over both.
    let db = dir.0.join("from-env.db");
    let out = marquee(
        &dir,
        &["highlights", "preview", "--guild", "1", "--json"],
        &[("DATABASE_URL", db.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(db.exists(), "the database named in the environment was used");
    let flag_db = dir.0.join("from-flag.db");
    let out = marquee(
        &dir,
        &["highlights", "preview", "--guild", "1", "--database-url", flag_db.to_str().unwrap()],
        &[("DATABASE_URL", "oracle://env/db")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(flag_db.exists(), "the database named by the flag was used");
}

#[test]
fn help_names_every_variable_and_never_shows_a_secret() {
    let dir = TempDir::new("config-help");
    let secrets = [
        ("DISCORD_TOKEN", marquee_testkit::fake_discord::TOKEN),
        ("DATABASE_URL", "postgres://bot:hunter2@db.example/marquee"),
    ];
    let help = |args: &[&str]| {
        let out = marquee(&dir, args, &secrets);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let run = help(&["run", "--help"]);
    for var in [
        "DISCORD_TOKEN",
        "MARQUEE_GUILD_ID",
        "DATABASE_URL",
        "MARQUEE_CATCHUP_HOURS",
        "MARQUEE_PRESENCE",
        "MARQUEE_EXPORT_QUERIES",
        "MARQUEE_LOG_FORMAT",
        "RUST_LOG",
    ] {
        assert!(run.contains(&format!("[env: {var}")), "run --help lacks {var}:\n{run}");
    }
    let serve = help(&["serve", "--help"]);
    assert!(serve.contains("[env: DISCORD_PUBLIC_KEY") && serve.contains("[env: DISCORD_TOKEN"), "{serve}");
    assert!(help(&["highlights", "preview", "--help"]).contains("[env: DATABASE_URL"));
    assert!(help(&["invite-url", "--help"]).contains("[env: DISCORD_TOKEN"));
    for text in [&run, &serve] {
        assert!(!text.contains("hunter2") && !text.contains(marquee_testkit::fake_discord::TOKEN), "{text}");
    }
}

#[test]
fn configuration_problems_share_one_shape_and_exit_code() {
    let dir = TempDir::new("config-problems");
    // (arguments, environment, the start of the one line printed)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (&["serve", "--listen", "127.0.0.1:0"], &[], "marquee: DISCORD_PUBLIC_KEY is not set"),
        (
            &["run"],
            &[("DISCORD_TOKEN", marquee_testkit::fake_discord::TOKEN), ("MARQUEE_LOG_FORMAT", "xml")],
            "marquee: MARQUEE_LOG_FORMAT must be `json` or `text`",
        ),
        (
            &["run"],
            &[("DISCORD_TOKEN", marquee_testkit::fake_discord::TOKEN), ("RUST_LOG", "info,[=")],
            "marquee: RUST_LOG:",
        ),
        (&["preview", "--command", "video"], &[], "marquee: `marquee preview --command video` needs a QUERY"),
    ];
    for (args, env, start) in cases {
        let out = marquee(&dir, args, env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with(start) && err.lines().count() == 1, "{args:?}: {err}");
    }
}
