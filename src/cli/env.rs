//! The settings that come from the environment (or `.env`), declared as clap arguments so that
//! `--help` names each variable and a flag can override it for one run. The values are only
//! collected here; `marquee::config` checks them and words the errors.

use clap::Args;
use marquee::config::{
    ConfigError, LogFormat, Settings, API_VAR, CATCHUP_VAR, DATABASE_VAR, EXPORT_QUERIES_VAR, GUILD_VAR,
    LOG_FILTER_VAR, LOG_FORMAT_VAR, PRESENCE_VAR, PUBLIC_KEY_VAR, TOKEN_VAR,
};
use marquee::store::Database;

#[derive(Args, Clone, Debug, Default)]
pub struct DatabaseEnv {
    /// Where subscriptions and highlight history live: a SQLite file (default marquee.db in the
    /// working directory) or postgres://user:password@host/db[?sslmode=…].
    #[arg(long = "database-url", value_name = "URL", env = DATABASE_VAR, hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DatabaseEnv {
    pub fn database(&self) -> Result<Database, ConfigError> {
        // The store reads the URL (`Database::from_url`); the error is worded as every setting's.
        Database::from_url(self.database_url.as_deref()).map_err(ConfigError::database)
    }
}

#[derive(Args, Clone, Debug, Default)]
pub struct TokenEnv {
    /// The bot token (Developer Portal → Bot → Reset Token). Prefer the environment or .env: a
    /// flag shows in the process list.
    #[arg(long, value_name = "TOKEN", env = TOKEN_VAR, hide_env_values = true)]
    pub token: Option<String>,
}

impl TokenEnv {
    /// A token given with `--token` is named as the flag in errors, not as the variable the
    /// member did not set. (clap fills the field from either; the environment tells which.)
    pub fn blame_the_flag(&self, e: ConfigError) -> ConfigError {
        let from_env = std::env::var(TOKEN_VAR).ok();
        match &self.token {
            Some(token) if from_env.as_deref() != Some(token.as_str()) && e.setting == Some(TOKEN_VAR) => {
                ConfigError { setting: Some("--token"), ..e }
            }
            _ => e,
        }
    }
}

#[derive(Args, Clone, Debug, Default)]
pub struct LogEnv {
    /// Log lines as `text` (default) or `json` (one object per line, for log collectors).
    #[arg(long = "log-format", value_name = "FORMAT", env = LOG_FORMAT_VAR)]
    pub log_format: Option<String>,
    /// Which log lines to keep (tracing's EnvFilter syntax, e.g. info,marquee=debug); default info.
    #[arg(long = "log", value_name = "FILTER", env = LOG_FILTER_VAR)]
    pub log_filter: Option<String>,
}

impl LogEnv {
    pub fn format(&self) -> Result<LogFormat, ConfigError> {
        marquee::config::log_format(self.log_format.as_deref())
    }
}

/// Everything the gateway bot and the endpoint read.
#[derive(Args, Clone, Debug, Default)]
pub struct BotEnv {
    #[command(flatten)]
    pub token: TokenEnv,
    /// Register the slash commands in this server only, where they appear at once (development).
    #[arg(long = "guild-id", value_name = "ID", env = GUILD_VAR)]
    pub guild_id: Option<String>,
    #[command(flatten)]
    pub database: DatabaseEnv,
    /// How many hours late a daily highlight may still be posted after downtime (0–23, default 6).
    #[arg(long = "catchup-hours", value_name = "HOURS", env = CATCHUP_VAR)]
    pub catchup_hours: Option<String>,
    /// The status line under the bot's name (default "/search · Netflix on AWS"; empty: none).
    #[arg(long, value_name = "TEXT", env = PRESENCE_VAR)]
    pub presence: Option<String>,
    /// Whether /metrics may show what members searched for that found nothing (true/false).
    #[arg(long = "export-queries", value_name = "BOOL", env = EXPORT_QUERIES_VAR)]
    pub export_queries: Option<String>,
    /// Tests only: a fake Discord's REST base URL.
    #[arg(long = "discord-api", value_name = "URL", env = API_VAR, hide = true)]
    pub api: Option<String>,
    #[command(flatten)]
    pub log: LogEnv,
}

impl BotEnv {
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let settings = Settings::from_lookup(|var| {
            match var {
                TOKEN_VAR => &self.token.token,
                GUILD_VAR => &self.guild_id,
                DATABASE_VAR => &self.database.database_url,
                CATCHUP_VAR => &self.catchup_hours,
                PRESENCE_VAR => &self.presence,
                EXPORT_QUERIES_VAR => &self.export_queries,
                API_VAR => &self.api,
                _ => &None,
            }
            .clone()
        });
        settings.map_err(|e| self.token.blame_the_flag(e))
    }
}

/// What `marquee serve` reads besides the bot's settings.
#[derive(Args, Clone, Debug, Default)]
pub struct EndpointEnv {
    /// The application's Public Key (Developer Portal → General Information), 64 hex digits.
    #[arg(long = "public-key", value_name = "HEX", env = PUBLIC_KEY_VAR)]
    pub public_key: Option<String>,
}
