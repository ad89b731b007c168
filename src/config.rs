//! The one place configuration is read and checked: `.env` (in the working directory), then
//! the environment, which wins over it. Every subcommand follows these rules; the command line
//! (clap, with each variable named in `--help`) hands the values here, and every problem is one
//! `ConfigError` line that the caller prints with exit code 2, before anything connects.

mod shards;

pub use shards::Shards;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use std::fmt;
use std::path::Path;

pub const TOKEN_VAR: &str = "DISCORD_TOKEN";
pub const GUILD_VAR: &str = "MARQUEE_GUILD_ID";
pub const DATABASE_VAR: &str = "DATABASE_URL";
pub const CATCHUP_VAR: &str = "MARQUEE_CATCHUP_HOURS";
pub const PRESENCE_VAR: &str = "MARQUEE_PRESENCE";
pub const EXPORT_QUERIES_VAR: &str = "MARQUEE_EXPORT_QUERIES";
pub const PUBLIC_KEY_VAR: &str = "DISCORD_PUBLIC_KEY";
pub const LOG_FORMAT_VAR: &str = "MARQUEE_LOG_FORMAT";
pub const LOG_FILTER_VAR: &str = "RUST_LOG";
/// The file of settings read at start, from the working directory.
pub const DOTENV_FILE: &str = ".env";

/// How late a daily highlight may still be posted after downtime, unless MARQUEE_CATCHUP_HOURS says.
pub const DEFAULT_CATCHUP_HOURS: i64 = 6;

/// What members see under the bot's name: what to type, and what it is about.
pub const DEFAULT_PRESENCE: &str = "/search · Netflix on AWS";
/// Discord shows at most this much of a custom status.
const PRESENCE_MAX: usize = 128;

/// Test-only: send REST calls to this base URL (a fake Discord) with rate limiting off.
pub const API_VAR: &str = "MARQUEE_DISCORD_API";

const WHERE: &str = "create an application at https://discord.com/developers/applications, open Bot, \
                     press Reset Token, and put the token in .env (see .env.example)";

#[derive(Clone)]
pub struct Settings {
    pub token: String,
    /// Register commands in this guild only (development), instead of globally.
    pub guild_id: Option<u64>,
    pub api_base: Option<String>,
    /// How late a highlight may still be posted after downtime.
    pub catchup: chrono::Duration,
    /// The gateway shards this process runs (`run --shards`; every shard by default).
    pub shards: Shards,
    /// The custom status shown under the bot's name; `None` shows none.
    pub presence: Option<String>,
    /// Whether `/metrics` may show the text of searches that found nothing.
    pub export_queries: bool,
}

// The token is a secret: never print it, even in debug output.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("token", &"<redacted>")
            .field("guild_id", &self.guild_id)
            .field("api_base", &self.api_base)
            .field("catchup", &self.catchup)
            .field("shards", &self.shards)
            .field("presence", &self.presence)
            .field("export_queries", &self.export_queries)
            .finish()
    }
}

/// A configuration problem: one line for the user, exit code 2. The line begins with the
/// setting it is about, when it is about one (`setting`), so the command line can name the flag
/// instead where a flag set it.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", .setting.unwrap_or_default(), .rest)]
pub struct ConfigError {
    /// The variable (or flag) the line begins with.
    pub setting: Option<&'static str>,
    /// The rest of the line.
    pub rest: String,
}

impl ConfigError {
    /// A problem with `setting`: the line is its name, then `rest` (" is not set: …").
    pub fn about(setting: &'static str, rest: String) -> ConfigError {
        ConfigError { setting: Some(setting), rest }
    }

    /// A problem that is not about one setting (a line of `.env`).
    pub fn other(line: String) -> ConfigError {
        ConfigError { setting: None, rest: line }
    }

    /// `DISCORD_PUBLIC_KEY` (`hex`) is missing or not an Ed25519 public key.
    pub fn public_key(hex: &str) -> ConfigError {
        ConfigError::about(
            PUBLIC_KEY_VAR,
            format!(
                " is {}: copy the application's Public Key (64 hex digits) from \
             https://discord.com/developers/applications → your application → General Information.",
                if hex.trim().is_empty() { "not set" } else { "not a valid Ed25519 public key" }
            ),
        )
    }

    /// `DATABASE_URL` cannot be used; `problem` says why (the store words it, never showing a
    /// password).
    pub fn database(problem: impl fmt::Display) -> ConfigError {
        ConfigError::about(DATABASE_VAR, format!(": {problem}"))
    }
}

impl Settings {
    /// The bot's user id, which the token's first part encodes: known before READY arrives.
    pub fn bot_id(&self) -> Option<u64> {
        bot_id_in(&self.token)
    }

    /// Reads the settings from `get` (the environment in production).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let token = get(TOKEN_VAR).map(|t| t.trim().to_string()).unwrap_or_default();
        if token.is_empty() {
            return Err(ConfigError::about(TOKEN_VAR, format!(" is not set: {WHERE}.")));
        }
        let token = token.strip_prefix("Bot ").unwrap_or(&token).trim().to_string();
        if !token_shape_ok(&token) {
            return Err(ConfigError::about(
                TOKEN_VAR,
                format!(
                    " does not look like a bot token (three dot-separated parts, the first \
                 encoding the bot's id); copy it again: {WHERE}."
                ),
            ));
        }
        let guild_id = match get(GUILD_VAR).map(|g| g.trim().to_string()).filter(|g| !g.is_empty()) {
            None => None,
            Some(g) => Some(g.parse::<u64>().ok().filter(|&id| id > 0).ok_or_else(|| {
                ConfigError::about(
                    GUILD_VAR,
                    format!(
                        " must be a server id (a number; Discord: Settings → Advanced → Developer Mode, \
                     then right-click the server → Copy Server ID), got {g:?}."
                    ),
                )
            })?),
        };
        let api_base = get(API_VAR).filter(|s| !s.trim().is_empty());
        let catchup = match get(CATCHUP_VAR).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
            None => chrono::Duration::hours(DEFAULT_CATCHUP_HOURS),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|h| (0.0..=23.0).contains(h))
                .map(|h| chrono::Duration::seconds((h * 3600.0) as i64))
                .ok_or_else(|| {
                    ConfigError::about(
                        CATCHUP_VAR,
                        format!(" must be a number of hours from 0 to 23, got {v:?}."),
                    )
                })?,
        };
        // Unset: the default line; set but empty: no status at all.
        let presence = match get(PRESENCE_VAR) {
            None => Some(DEFAULT_PRESENCE.to_string()),
            Some(p) if p.trim().is_empty() => None,
            Some(p) if p.trim().chars().count() > PRESENCE_MAX => {
                return Err(ConfigError::about(
                    PRESENCE_VAR,
                    format!(" is longer than Discord shows ({PRESENCE_MAX} characters); shorten it."),
                ))
            }
            Some(p) => Some(p.trim().to_string()),
        };
        let export_queries = match get(EXPORT_QUERIES_VAR).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("true") | Some("yes") | Some("1") => true,
            Some("false") | Some("no") | Some("0") => false,
            Some(other) => {
                return Err(ConfigError::about(
                    EXPORT_QUERIES_VAR,
                    format!(" must be true or false, got {other:?}."),
                ))
            }
        };
        Ok(Settings { token, guild_id, api_base, catchup, shards: Shards::Auto, presence, export_queries })
    }
}

/// Reads `path` (`.env`) into the process environment, never over a variable already set:
/// the environment wins. A missing file is fine (`Ok(false)`). A line that cannot be parsed is
/// named by line and column, without its text, which may hold the token.
///
/// Call it before the command line is parsed and before any thread starts.
pub fn read_dotenv(path: &Path) -> Result<bool, ConfigError> {
    match dotenvy::from_path(path) {
        Ok(()) => Ok(true),
        Err(e) if e.not_found() => Ok(false),
        Err(dotenvy::Error::LineParse(line, index)) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let number = text.lines().position(|l| l == line).map_or(0, |n| n + 1);
            Err(ConfigError::other(format!(
                "{}:{number}:{}: cannot be parsed (expected NAME=value; quote values with spaces or #)",
                path.display(),
                index + 1
            )))
        }
        Err(e) => Err(ConfigError::other(format!("{} could not be read: {e}", path.display()))),
    }
}

/// `DISCORD_PUBLIC_KEY`, which `marquee serve` checks every request's signature with: checked
/// here as 64 hex digits (the endpoint builds its verifier from them, and reports a key that is
/// not a point on the curve with `ConfigError::public_key`).
pub fn public_key(hex: Option<&str>) -> Result<String, ConfigError> {
    let hex = hex.unwrap_or_default().trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ConfigError::public_key(hex));
    }
    Ok(hex.to_string())
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one line of text per event.
    Text,
    /// For log collectors: one JSON object per line, with the same fields.
    Json,
}

pub fn log_format(value: Option<&str>) -> Result<LogFormat, ConfigError> {
    match value.map(str::trim) {
        None | Some("") | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => {
            Err(ConfigError::about(LOG_FORMAT_VAR, format!(" must be `json` or `text`, got {other:?}.")))
        }
    }
}

/// A bot token is `base64(bot id).timestamp.hmac`; checking the shape catches a pasted client
/// secret or a truncated copy before any connection is attempted.
fn token_shape_ok(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let b64 =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    parts.len() == 3 && parts.iter().all(|p| b64(p)) && decode_id(parts[0]).is_some()
}

/// The bot's user id that `token`'s first part encodes (for a bot, also its application's id).
pub fn bot_id_in(token: &str) -> Option<u64> {
    decode_id(token.split('.').next()?)
}

/// The token's first part: the bot id's decimal digits in URL-safe base64, unpadded as Discord
/// writes it (padding and unused trailing bits are let pass: only the digits matter).
const TOKEN_ID: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes the first token part into the bot's numeric id.
fn decode_id(part: &str) -> Option<u64> {
    let digits = TOKEN_ID.decode(part).ok()?;
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token of the right shape for bot id 123456789012345678 (not a real token).
    pub const FAKE: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GxYzAb.abcdefghijklmnopqrstuvwxyz0123456789AB";

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn token_is_required_and_checked() {
        let e = settings(&[]).unwrap_err().to_string();
        assert!(e.starts_with("DISCORD_TOKEN is not set") && e.contains("developers/applications"), "{e}");
        assert_eq!(settings(&[]).unwrap_err().setting, Some(TOKEN_VAR), "the line names its setting");
        let e = settings(&[(TOKEN_VAR, "not-a-token")]).unwrap_err().to_string();
        assert!(e.starts_with("DISCORD_TOKEN does not look like a bot token"), "{e}");
        assert!(!e.contains("not-a-token"), "the token must not be echoed");
        let s = settings(&[(TOKEN_VAR, &format!("Bot {FAKE}"))]).unwrap();
        assert_eq!(s.token, FAKE);
        assert!(!format!("{s:?}").contains(FAKE));
    }

    #[test]
    fn presence_defaults_can_be_changed_or_turned_off() {
        assert_eq!(settings(&[(TOKEN_VAR, FAKE)]).unwrap().presence.as_deref(), Some(DEFAULT_PRESENCE));
        let custom = settings(&[(TOKEN_VAR, FAKE), (PRESENCE_VAR, " /search · our catalog ")]).unwrap();
        assert_eq!(custom.presence.as_deref(), Some("/search · our catalog"));
        assert_eq!(settings(&[(TOKEN_VAR, FAKE), (PRESENCE_VAR, "")]).unwrap().presence, None);
        let e = settings(&[(TOKEN_VAR, FAKE), (PRESENCE_VAR, &"x".repeat(129))]).unwrap_err().to_string();
        assert!(e.starts_with("MARQUEE_PRESENCE is longer"), "{e}");
    }

    #[test]
    fn exporting_query_text_can_be_turned_off() {
        assert!(settings(&[(TOKEN_VAR, FAKE)]).unwrap().export_queries);
        assert!(!settings(&[(TOKEN_VAR, FAKE), (EXPORT_QUERIES_VAR, "false")]).unwrap().export_queries);
        let e = settings(&[(TOKEN_VAR, FAKE), (EXPORT_QUERIES_VAR, "maybe")]).unwrap_err().to_string();
        assert!(e.starts_with("MARQUEE_EXPORT_QUERIES must be true or false"), "{e}");
    }

    #[test]
    fn guild_id_is_optional_but_must_be_a_number() {
        assert_eq!(settings(&[(TOKEN_VAR, FAKE)]).unwrap().guild_id, None);
        assert_eq!(settings(&[(TOKEN_VAR, FAKE), (GUILD_VAR, " 42 ")]).unwrap().guild_id, Some(42));
        let e = settings(&[(TOKEN_VAR, FAKE), (GUILD_VAR, "my server")]).unwrap_err().to_string();
        assert!(e.starts_with("MARQUEE_GUILD_ID must be a server id"), "{e}");
    }

    #[test]
    fn dotenv_never_overrides_the_environment_and_names_a_bad_line() {
        let dir = std::env::temp_dir().join(format!("marquee-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(".env");
        assert!(!read_dotenv(&file).unwrap(), "a missing .env is not an error");
        // A variable name no other test uses: the process environment is shared.
        std::fs::write(&file, "MARQUEE_TEST_DOTENV_A=from-file\nMARQUEE_TEST_DOTENV_B=from-file\n").unwrap();
        std::env::set_var("MARQUEE_TEST_DOTENV_A", "from-env");
        assert!(read_dotenv(&file).unwrap());
        assert_eq!(std::env::var("MARQUEE_TEST_DOTENV_A").unwrap(), "from-env");
        assert_eq!(std::env::var("MARQUEE_TEST_DOTENV_B").unwrap(), "from-file");
        std::fs::write(&file, "# comment\nGOOD=1\nDISCORD_TOKEN secret-value\n").unwrap();
        let e = read_dotenv(&file).unwrap_err();
        assert_eq!(e.setting, None, "a line of .env is no one setting");
        let e = e.to_string();
        assert!(e.starts_with(&format!("{}:3:", file.display())), "{e}");
        assert!(!e.contains("secret-value"), "the line's text must not be echoed: {e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn public_key_and_log_format_are_checked() {
        let problem = |key| public_key(key).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(problem(None).starts_with("DISCORD_PUBLIC_KEY is not set"));
        assert!(problem(Some("abc")).contains("not a valid Ed25519 public key"));
        let hex = format!(" {} ", "0a".repeat(32));
        assert_eq!(public_key(Some(&hex)).unwrap(), hex.trim(), "kept, checked and trimmed");
        assert_eq!(log_format(None).unwrap(), LogFormat::Text);
        assert_eq!(log_format(Some(" json ")).unwrap(), LogFormat::Json);
        assert!(log_format(Some("xml")).unwrap_err().to_string().starts_with("MARQUEE_LOG_FORMAT must be"));
    }

    #[test]
    fn decodes_the_bot_id() {
        assert_eq!(decode_id("MTIzNDU2Nzg5MDEyMzQ1Njc4"), Some(123456789012345678));
        // A 19-digit id leaves four unused bits; with or without Discord's omitted padding.
        assert_eq!(decode_id("MTIzNDU2Nzg5MDEyMzQ1Njc4OQ"), Some(1234567890123456789));
        assert_eq!(decode_id("MTIzNDU2Nzg5MDEyMzQ1Njc4OQ=="), Some(1234567890123456789));
        assert_eq!(decode_id("!!"), None);
        assert_eq!(decode_id("bm90IGFuIGlk"), None, "base64, but not of a number");
        assert_eq!(bot_id_in("MTIzNDU2Nzg5MDEyMzQ1Njc4.GxYzAb.x"), Some(123456789012345678));
    }
}
