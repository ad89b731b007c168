//! Command-line parsing and the subcommands.

mod bot;
mod db;
mod env;
mod failure;
mod playground;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use env::{BotEnv, DatabaseEnv, EndpointEnv, LogEnv, TokenEnv};
use failure::Failure;
use marquee::catalog::{Catalog, Kind, LoadError, SYNONYMS_FILE};
use marquee::commands::message_text;
use marquee::config::{Settings, TOKEN_VAR};
use marquee::search::{Engine, Outcome, SearchOptions};
use marquee::semantic::SentenceModel;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "marquee", version, about = "A Discord bot for the stories of Netflix on AWS")]
#[command(after_help = "With no command, runs the bot (as `marquee run`).")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct ContentArg {
    /// Load the catalog from this folder instead of the one built into the binary.
    #[arg(long, value_name = "DIR", global = true)]
    content: Option<PathBuf>,
}

/// The sentence model behind unsure answers (`search::fallback`).
#[derive(Args, Clone)]
struct SentenceArg {
    /// all-MiniLM-L6-v2's folder (model.safetensors, vocab.txt): where the words alone leave a
    /// question unsure, the model's reading of its meaning may answer it. Without it, answers
    /// come from the words alone.
    #[arg(long = "sentence-model", value_name = "DIR", env = "MARQUEE_SENTENCE_MODEL")]
    dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Discord bot (settings from the environment or .env: `marquee run --help` lists them).
    Run {
        /// Serve Prometheus `/metrics` and `/healthz` on this address, e.g. 127.0.0.1:9100.
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// Run only these gateway shards, e.g. 0-15 (needs --total-shards). Default: all of the
        /// shards Discord recommends, in this process.
        #[arg(long, value_name = "FIRST-LAST")]
        shards: Option<String>,
        /// How many shards the whole bot runs, the same in every process.
        #[arg(long, value_name = "N")]
        total_shards: Option<u32>,
        /// Reload the catalog when a file under --content DIR changes (as SIGHUP does).
        #[arg(long)]
        watch: bool,
        #[command(flatten)]
        content: ContentArg,
        #[command(flatten)]
        sentence: SentenceArg,
        #[command(flatten)]
        env: BotEnv,
    },
    /// Serve Discord's Interactions Endpoint URL over HTTP (settings from the environment or .env).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Serve Prometheus `/metrics` and `/healthz` on this address.
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// Reload the catalog when a file under --content DIR changes (as SIGHUP does).
        #[arg(long)]
        watch: bool,
        #[command(flatten)]
        content: ContentArg,
        #[command(flatten)]
        sentence: SentenceArg,
        #[command(flatten)]
        key: EndpointEnv,
        #[command(flatten)]
        env: BotEnv,
    },
    /// Serve a local web page that looks like a Discord channel, answered by the real bot (no
    /// Discord account needed).
    Playground {
        /// Address to listen on; loopback only unless --unsafe-listen-anywhere.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Allow a non-loopback --listen address: anyone who can reach it can use the page.
        #[arg(long)]
        unsafe_listen_anywhere: bool,
        /// Reload the catalog when a file under --content DIR changes; problems show on the page.
        #[arg(long)]
        watch: bool,
        /// SQLite file for /highlights (kept); by default a new one in a temporary folder.
        #[arg(long, value_name = "FILE")]
        database: Option<PathBuf>,
        #[command(flatten)]
        content: ContentArg,
        #[command(flatten)]
        sentence: SentenceArg,
        #[command(flatten)]
        log: LogEnv,
    },
    /// Print the slash commands exactly as the bot registers them (JSON).
    Commands {
        /// JSON output (the only format; accepted for clarity in scripts).
        #[arg(long)]
        json: bool,
    },
    /// Print the exact interaction response body the bot would send.
    Preview(PreviewArgs),
    /// Daily highlights, offline.
    #[command(subcommand)]
    Highlights(HighlightsCommand),
    /// The database (DATABASE_URL's forms: a SQLite path or `sqlite:` URL, or `postgres://…`).
    #[command(subcommand)]
    Db(DbCommand),
    /// Print the OAuth2 URL that adds the bot to a server, with the least permissions it needs
    /// (or, with --user, the one with which members add its commands to their own account).
    InviteUrl {
        /// The application's id (Developer Portal → General Information → Application ID);
        /// by default the one DISCORD_TOKEN belongs to.
        #[arg(long, value_name = "ID", value_parser = parse_client_id)]
        client_id: Option<u64>,
        /// The user-install link instead: the catalog commands in any server or DM, no bot.
        #[arg(long)]
        user: bool,
        #[command(flatten)]
        token: TokenEnv,
    },
    /// Search the catalog, as the bot's /search does.
    Search(SearchArgs),
    /// Validate the catalog and report every problem as path:line:col: ./content when the
    /// working directory has one, else the catalog built into the binary (--content DIR: another).
    Check {
        #[command(flatten)]
        content: ContentArg,
    },
    /// Write a deterministic synthetic content folder (for benchmarks and scale tests).
    #[command(hide = true)]
    Synthesize {
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also include the bundled catalog's items.
        #[arg(long)]
        with_catalog: bool,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// What to look for; half-remembered and misspelled is fine. Several words need no quotes.
    #[arg(required_unless_present = "stdin", conflicts_with = "stdin", num_args = 1..)]
    query: Vec<String>,
    /// Read one query per line from standard input; write one result line per query.
    #[arg(long)]
    stdin: bool,
    /// Only items of this kind (repeat for several).
    #[arg(long, value_parser = parse_kind)]
    kind: Vec<Kind>,
    /// Only items from this year.
    #[arg(long)]
    year: Option<u16>,
    /// At most this many results.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    limit: u16,
    /// Print a JSON array of results, best first.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    content: ContentArg,
    #[command(flatten)]
    sentence: SentenceArg,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Copy subscriptions, server rotations and slots into another database, in one
    /// transaction (e.g. from the SQLite file to PostgreSQL). Stop the bot first.
    Copy {
        /// The database to read (left unchanged).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to write; its schema is created or upgraded first.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Delete what the target holds first (in the same transaction); without it a target
        /// that holds anything is refused.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum HighlightsCommand {
    /// Print a server's coming highlight picks from the database (DATABASE_URL), creating its
    /// rotation if it has none.
    Preview {
        #[arg(long, value_name = "ID")]
        guild: u64,
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=3660))]
        days: u16,
        /// A JSON array of {"date", "id"} in order.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        content: ContentArg,
        #[command(flatten)]
        env: DatabaseEnv,
    },
}

#[derive(Args)]
struct PreviewArgs {
    /// The query, as typed into the command's `query` option (search, video, casestudy).
    query: Option<String>,
    /// Preview the autocomplete answer (type 8) for this partial text instead.
    #[arg(long, value_name = "TEXT", conflicts_with = "query")]
    autocomplete: Option<String>,
    /// The slash command to answer.
    #[arg(long, value_enum, default_value_t = PreviewCommand::Search)]
    command: PreviewCommand,
    /// The command's `kind` option: only stories of this kind (search, video, casestudy, random).
    #[arg(long, value_parser = parse_kind)]
    kind: Option<Kind>,
    /// The command's `year` option: only stories from this year (search, video, casestudy).
    #[arg(long)]
    year: Option<u16>,
    /// Seed for /random (the bot uses the interaction id).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The member's Discord locale, e.g. de, fr, es-ES, pt-BR, ja (anything else: English).
    #[arg(long, value_name = "LOCALE", default_value = "en-US")]
    locale: String,
    #[command(flatten)]
    content: ContentArg,
    #[command(flatten)]
    sentence: SentenceArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PreviewCommand {
    /// `/search`: any story.
    Search,
    /// `/video`: videos, talks, keynotes and the podcast.
    Video,
    /// `/casestudy`: case studies and tech-blog posts.
    Casestudy,
    /// `/random`: a story at random (see --seed).
    Random,
    /// `/about`: what Marquee knows.
    About,
    /// `/help`: every command with an example.
    Help,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

fn parse_client_id(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        "an application id is a number like 123456789012345678 (Developer Portal → General \
         Information → Application ID)"
            .to_string()
    })
}

pub fn main() -> ExitCode {
    // `.env` first, so that clap sees its values as the environment (which still wins over it);
    // a broken file is reported once the command line has been read (`--help` still works).
    let dotenv = marquee::config::read_dotenv(Path::new(marquee::config::DOTENV_FILE));
    // No command runs the bot, with every setting taken as `marquee run` takes it.
    let command = match Cli::parse().command {
        Some(command) => command,
        None => Cli::parse_from(["marquee", "run"]).command.expect("`run` is a command"),
    };
    match dotenv.map_err(Failure::from).and_then(|_| run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Loads the bundled catalog or `dir`; a bad catalog is reported in full and refused.
pub fn load_catalog(dir: Option<&Path>) -> Result<Catalog, LoadError> {
    match dir {
        Some(dir) => Catalog::load_dir(dir),
        None => Ok(Catalog::bundled()?),
    }
}

/// The catalog as a search engine.
pub fn engine(dir: Option<&Path>) -> Result<Engine, Failure> {
    Ok(load_catalog(dir).map(Engine::new)?)
}

/// The sentence model in `dir` (`--sentence-model`, MARQUEE_SENTENCE_MODEL), loaded; `None`
/// without one. Logged either way: whether unsure questions get a second reading is worth one
/// line at start-up. A folder that does not hold the model is refused, naming what is wrong.
pub fn sentence_model(dir: Option<&Path>) -> Result<Option<Arc<SentenceModel>>, Failure> {
    let Some(dir) = dir else {
        tracing::info!("no sentence model (MARQUEE_SENTENCE_MODEL unset): answers come from the words alone");
        return Ok(None);
    };
    let model = SentenceModel::load(dir)
        .map_err(|e| Failure::usage(format!("MARQUEE_SENTENCE_MODEL / --sentence-model: {e}")))?;
    tracing::info!(dir = %dir.display(), "sentence model loaded: it backs unsure answers once the story vectors are ready");
    Ok(Some(Arc::new(model)))
}

/// The catalog as a search engine, with the sentence model in `sentence` (if any) ready behind
/// it: for the commands that answer one query and go.
fn engine_ready(content: Option<&Path>, sentence: Option<&Path>) -> Result<Engine, Failure> {
    let engine = engine(content)?;
    if let Some(model) = sentence_model(sentence)? {
        engine.use_sentence_model(model);
        engine.wait_for_sentence_model();
    }
    Ok(engine)
}

fn watch_needs_content(watch: bool, content: Option<&Path>) -> Result<(), Failure> {
    match (watch, content) {
        (true, None) => {
            Err(Failure::usage("--watch needs --content DIR: the built-in catalog cannot change"))
        }
        _ => Ok(()),
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Run { metrics, shards, total_shards, watch, content, sentence, env } => {
            let content = content.content.as_deref();
            let shards = marquee::config::Shards::from_args(shards.as_deref(), total_shards)
                .map_err(Failure::usage)?;
            watch_needs_content(watch, content)?;
            bot::run(&env, content, sentence.dir.as_deref(), watch, metrics.as_deref(), shards)
        }
        Command::Serve { listen, metrics, watch, content, sentence, key, env } => {
            let content = content.content.as_deref();
            watch_needs_content(watch, content)?;
            bot::serve(&env, &key, &listen, content, sentence.dir.as_deref(), watch, metrics.as_deref())
        }
        Command::Playground { listen, unsafe_listen_anywhere, watch, database, content, sentence, log } => {
            let content = content.content.as_deref();
            watch_needs_content(watch, content)?;
            let sentence = sentence.dir.as_deref();
            playground::run(
                &log,
                &listen,
                unsafe_listen_anywhere,
                content,
                sentence,
                watch,
                database.as_deref(),
            )
        }
        Command::Commands { json: _ } => {
            print(&serde_json::to_string_pretty(&marquee::commands::definitions::commands())?)
        }
        Command::Preview(args) => preview(args),
        Command::Highlights(HighlightsCommand::Preview { guild, days, json, content, env }) => {
            highlights_preview(&env, guild, days, json, content.content.as_deref())
        }
        Command::Db(DbCommand::Copy { from, to, replace }) => db::copy_command(&from, &to, replace),
        Command::InviteUrl { client_id, user, token } => {
            // The token's first part is the bot's id, which is its application's id.
            let from_token = || {
                let settings =
                    Settings::from_lookup(|var| (var == TOKEN_VAR).then(|| token.token.clone()).flatten());
                settings.ok().and_then(|s| s.bot_id())
            };
            let id = client_id.or_else(from_token).ok_or_else(|| {
                Failure::usage(
                    "invite-url needs --client-id ID (Developer Portal → General Information → Application ID), \
                     or DISCORD_TOKEN set in the environment or .env",
                )
            })?;
            let url =
                if user { marquee::discord::user_install_url(id) } else { marquee::discord::invite_url(id) };
            print(&url)
        }
        Command::Check { content } => check(content.content.as_deref()),
        Command::Search(args) => search(args),
        Command::Synthesize { items, out, with_catalog } => {
            let mut all = marquee::synthetic::catalog_items(items);
            let mut synonyms = Vec::new();
            if with_catalog {
                let real = load_catalog(None)?;
                all.extend(real.items);
                synonyms = real.synonyms;
            }
            let write = || -> std::io::Result<()> {
                marquee::synthetic::write_folder(&all, &out, 1000)?;
                if !synonyms.is_empty() {
                    std::fs::write(out.join(SYNONYMS_FILE), marquee::synthetic::synonyms_to_toml(&synonyms))?;
                }
                Ok(())
            };
            write().with_context(|| format!("writing {}", out.display()))?;
            print(&format!("wrote {} items to {}", all.len(), out.display()))
        }
    }
}

/// Prints `text` and a newline to standard output. A closed pipe (`| head`) comes back as an
/// error, which `Failure` turns into a quiet exit; `println!` would panic.
fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// The folder an editor's `marquee check` means when it names none: `./content`, when there is one.
const CONTENT_HERE: &str = "content";

fn check(dir: Option<&Path>) -> Result<(), Failure> {
    let here = Path::new(CONTENT_HERE);
    let dir = dir.or_else(|| here.is_dir().then_some(here));
    let which = match dir {
        Some(dir) => format!("catalog {}", dir.display()),
        None => "the catalog built into the binary (no ./content here; --content DIR checks another)".into(),
    };
    let mut noted = Vec::new();
    let loaded = match dir {
        Some(dir) => Catalog::load_dir_noting(dir, &mut noted),
        None => Catalog::bundled_noting(&mut noted).map_err(LoadError::from),
    };
    let catalog = match loaded {
        Ok(catalog) => catalog,
        Err(problems) => {
            eprintln!("marquee check: {which}:");
            return Err(problems.into());
        }
    };
    // Warnings leave the catalog loadable: they go to stderr and do not change the exit code.
    for w in &noted {
        eprintln!("{}:{}:{}: warning: {}", w.path, w.line, w.column, w.message);
    }
    let lint = marquee::catalog::lint::warnings(&catalog.items);
    let mut unread = 0;
    for warning in &lint {
        eprintln!("warning: {warning}");
    }
    // Related words the index would leave out without a word (see `Engine::unread_related`).
    for warning in marquee::search::Engine::new(catalog.clone()).unread_related(&catalog.related) {
        eprintln!("warning: {warning}");
        unread += 1;
    }
    let warnings = noted.len() + lint.len() + unread;
    let kinds: Vec<String> = catalog.count_by_kind().iter().map(|(k, n)| format!("{n} {k}")).collect();
    let warned = match warnings {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    };
    print(&format!(
        "ok: {} items ({}), {} synonym groups, {} related words{warned} — {which}",
        catalog.items.len(),
        kinds.join(", "),
        catalog.synonyms.len(),
        catalog.related.len()
    ))
}

fn search(args: SearchArgs) -> Result<(), Failure> {
    let engine = engine_ready(args.content.content.as_deref(), args.sentence.dir.as_deref())?;
    let filters = cli_filters(&args.kind, args.year);
    let options =
        SearchOptions { kinds: args.kind, year: args.year, limit: args.limit.into(), names_in: None };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.stdin {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading queries from standard input")?;
            let outcome = engine.search(&message_text::query_words(&line), &options);
            writeln!(out, "{}", serde_json::to_string(&json_hits(&outcome))?)?;
        }
    } else {
        // Read as the bot reads a member's question: mentions, references and links are not words.
        let typed = args.query.join(" ");
        let query = message_text::query_words(&typed);
        let outcome = engine.search(&query, &options);
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&json_hits(&outcome))?)?;
        } else {
            print_readable(&mut out, &query, &outcome)?;
            if outcome.hits.is_empty() && !filters.is_empty() {
                // The filters may be what found nothing: say so, and what the words find alone.
                let unfiltered = engine.search(&query, &SearchOptions::limit(1));
                writeln!(out, "(with {})", filters.join(" "))?;
                if let Some(best) = unfiltered.hits.first() {
                    let year = best.item.year.map(|y| format!(" · {y}")).unwrap_or_default();
                    writeln!(
                        out,
                        "Without the filters, the best match is: {} ({}{year})",
                        best.item.title,
                        best.item.kind.label()
                    )?;
                }
            }
        }
    }
    out.flush()?;
    // The process ends here: freeing a large catalog's index one allocation at a time would
    // take a twentieth of the run at 100 000 items, for memory the exit returns anyway.
    std::mem::forget(engine);
    Ok(())
}

/// The filters of a `marquee search`, as they were typed.
fn cli_filters(kinds: &[Kind], year: Option<u16>) -> Vec<String> {
    let mut filters: Vec<String> = kinds.iter().map(|k| format!("--kind {k}")).collect();
    filters.extend(year.map(|y| format!("--year {y}")));
    filters
}

fn json_hits(outcome: &Outcome<'_>) -> Vec<serde_json::Value> {
    outcome
        .hits
        .iter()
        .map(|h| {
            serde_json::json!({
                "id": h.item.id,
                "title": h.item.title,
                "kind": h.item.kind,
                "year": h.item.year,
                "score": (f64::from(h.score) * 1000.0).round() / 1000.0,
                "url": h.item.headline().map(|l| &l.url),
            })
        })
        .collect()
}

fn print_readable(out: &mut impl std::io::Write, query: &str, outcome: &Outcome<'_>) -> std::io::Result<()> {
    if outcome.hits.is_empty() {
        writeln!(out, "Nothing in the catalog matches {query:?}.")?;
        if !outcome.suggestions.is_empty() {
            writeln!(out, "Did you mean:")?;
            for item in &outcome.suggestions {
                writeln!(out, "  - {} ({})", item.title, item.kind.label())?;
            }
        }
        return Ok(());
    }
    for (i, hit) in outcome.hits.iter().enumerate() {
        let item = hit.item;
        let year = item.year.map(|y| format!(" · {y}")).unwrap_or_default();
        writeln!(out, "{}. {}", i + 1, item.title)?;
        let url = item.headline().map(|l| format!(" · {}", l.url)).unwrap_or_default();
        writeln!(out, "   {}{year}{url}", item.kind.label())?;
    }
    Ok(())
}

fn preview(args: PreviewArgs) -> Result<(), Failure> {
    use marquee::commands::{respond, CatalogRequest, Command as Cmd};
    // Autocomplete never asks the sentence model: no need to wait for it.
    let sentence = if args.autocomplete.is_some() { None } else { args.sentence.dir.as_deref() };
    let engine = engine_ready(args.content.content.as_deref(), sentence)?;
    let command = match args.command {
        PreviewCommand::Search => Cmd::Search,
        PreviewCommand::Video => Cmd::Video,
        PreviewCommand::Casestudy => Cmd::CaseStudy,
        PreviewCommand::Random => Cmd::Random,
        PreviewCommand::About => Cmd::About,
        PreviewCommand::Help => Cmd::Help,
    };
    let request = match (args.autocomplete, command) {
        (Some(text), command) => CatalogRequest::Autocomplete { command, text, kind: args.kind },
        (None, Cmd::Random) => CatalogRequest::Random { kind: args.kind, seed: args.seed },
        (None, Cmd::About) => CatalogRequest::About,
        (None, Cmd::Help) => CatalogRequest::Help,
        (None, command) => match args.query {
            Some(query) => CatalogRequest::Find { command, query, kind: args.kind, year: args.year },
            None => {
                return Err(Failure::usage(format!(
                    "`marquee preview --command {}` needs a QUERY",
                    command.name()
                )))
            }
        },
    };
    let lang = marquee::locale::Lang::from_discord(Some(&args.locale));
    let body = marquee::reply::callback_body(&respond(&engine, &request, lang));
    print(&serde_json::to_string_pretty(&body)?)
}

fn highlights_preview(
    env: &DatabaseEnv,
    guild: u64,
    days: u16,
    json: bool,
    content: Option<&Path>,
) -> Result<(), Failure> {
    let engine = engine(content)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let store = bot::open_store(&runtime, &env.database()?)?;
    let picks = runtime.block_on(marquee::highlights::coming(
        store.as_ref(),
        &engine,
        guild,
        chrono::Utc::now(),
        days,
    ))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        let list: Vec<serde_json::Value> = picks
            .iter()
            .map(|(d, i)| serde_json::json!({ "date": d.format("%Y-%m-%d").to_string(), "id": i.id }))
            .collect();
        writeln!(out, "{}", serde_json::to_string(&list)?)?;
    } else {
        for (d, i) in picks {
            writeln!(out, "{}  {}  ({})", d.format("%a %Y-%m-%d"), i.title, i.id)?;
        }
    }
    Ok(())
}
