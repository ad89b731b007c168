//! What each command does, as plain functions from a `CatalogRequest` to a `Response`.
//!
//! The router (`router::route`, `Router::mention`) turns an interaction or a mention into a
//! `CatalogRequest`, whichever door it came through; `marquee preview` builds one from the command line.
//! Both then call `respond`, so there is one reply path.

pub mod command_ids;
pub mod definitions;
pub mod message_text;

pub use command_ids::CommandIds;

use crate::catalog::{Item, Kind};
use crate::locale::Lang;
use crate::reply::{render, Reply, Response};
use crate::search::{Engine, SearchOptions};

/// Results listed in the "more matches" menu.
const LISTED: usize = 10;
/// Autocomplete entries shown before anything is typed.
const FEATURED: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Search,
    Video,
    CaseStudy,
    Random,
    About,
    Help,
}

impl Command {
    pub fn from_name(name: &str) -> Option<Command> {
        Some(match name {
            "search" => Command::Search,
            "video" => Command::Video,
            "casestudy" => Command::CaseStudy,
            "random" => Command::Random,
            "about" => Command::About,
            "help" => Command::Help,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Command::Search => "search",
            Command::Video => "video",
            Command::CaseStudy => "casestudy",
            Command::Random => "random",
            Command::About => "about",
            Command::Help => "help",
        }
    }

    /// The kinds a command searches; empty means all.
    pub fn kinds(self) -> &'static [Kind] {
        match self {
            Command::Video => &[Kind::Video, Kind::Talk, Kind::Keynote, Kind::Podcast],
            Command::CaseStudy => &[Kind::CaseStudy, Kind::Blog],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CatalogRequest {
    /// `/search`, `/video`, `/casestudy` (and a mention, as `Search`).
    Find {
        command: Command,
        query: String,
        kind: Option<Kind>,
        year: Option<u16>,
    },
    /// `/random`; `seed` makes the pick reproducible (the interaction id).
    Random {
        kind: Option<Kind>,
        seed: u64,
    },
    About,
    /// `/help`: every command with an example.
    Help,
    /// A choice in the "more matches" menu: show `id`, keep listing `listed`.
    Pick {
        id: String,
        listed: Vec<String>,
    },
    /// Typing in a `query` option.
    Autocomplete {
        command: Command,
        text: String,
        kind: Option<Kind>,
    },
    /// A message that mentions the bot, with the mention removed.
    Mention {
        text: String,
    },
    /// "Find in Marquee" on a message: its text as Discord sent it (references and links are
    /// stripped here). Always answered privately.
    FindInMessage {
        text: String,
    },
    /// The Share button of a private card: the story `id`, made public by user `by`.
    Share {
        id: String,
        by: u64,
    },
}

/// How a reply is shown, beside what it says.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    /// Only the member sees it (the `private` option, a private card's menu), and a story
    /// card carries Share.
    pub private: bool,
    /// Registered command ids: commands named in help and hints become clickable mentions.
    pub ids: &'a CommandIds,
}

impl Shown<'_> {
    /// Public, with commands written as plain `/search`.
    pub fn plain() -> Shown<'static> {
        static NONE: std::sync::OnceLock<CommandIds> = std::sync::OnceLock::new();
        Shown { private: false, ids: NONE.get_or_init(CommandIds::default) }
    }
}

impl CatalogRequest {
    /// The name logs and metrics use for this kind of request.
    pub fn label(&self) -> &'static str {
        match self {
            CatalogRequest::Find { command, .. } => command.name(),
            CatalogRequest::Random { .. } => "random",
            CatalogRequest::About => "about",
            CatalogRequest::Help => "help",
            CatalogRequest::Pick { .. } => "pick",
            CatalogRequest::Autocomplete { .. } => "autocomplete",
            CatalogRequest::Mention { .. } => "mention",
            CatalogRequest::FindInMessage { .. } => "find-in-message",
            CatalogRequest::Share { .. } => "share",
        }
    }
}

/// The answer to `request` in `lang` (the member's language: UI text, and the catalog's
/// titles and summaries where the catalog has them in that language), public and with commands
/// as plain text.
pub fn respond(engine: &Engine, request: &CatalogRequest, lang: Lang) -> Response {
    respond_shown(engine, request, lang, Shown::plain())
}

/// The answer to `request`, shown as `shown` says: privately (a story card then carries Share)
/// and with commands as mentions of their registered ids.
pub fn respond_shown(engine: &Engine, request: &CatalogRequest, lang: Lang, shown: Shown) -> Response {
    let private = shown.private || matches!(request, CatalogRequest::FindInMessage { .. });
    let (mut response, card) = answer(engine, request, lang);
    // Help, about and usage are Marquee's own words; a story card's text is the catalog's.
    let own_words = card.is_none()
        && matches!(request, CatalogRequest::Help | CatalogRequest::About | CatalogRequest::Mention { .. });
    match &mut response {
        Response::Message(reply) | Response::Update(reply) => {
            if private {
                // An update (a menu pick) keeps its message's visibility; a new message is private.
                reply.ephemeral |= !matches!(request, CatalogRequest::Pick { .. });
                if let Some(item) = card.and_then(|id| engine.get(&id)) {
                    reply.rows.push(render::share_row(lang, item));
                }
            }
            linkify(reply, shown.ids, own_words);
        }
        Response::Choices(_) => {}
    }
    response
}

/// Commands named in the reply's content — and, for Marquee's own texts, in its embeds —
/// become mentions.
fn linkify(reply: &mut Reply, ids: &CommandIds, embeds: bool) {
    if ids.is_empty() {
        return;
    }
    if let Some(content) = &mut reply.content {
        *content = ids.linkify(content);
    }
    for embed in reply.embeds.iter_mut().filter(|_| embeds) {
        embed.description = ids.linkify(&embed.description);
        for field in &mut embed.fields {
            field.value = ids.linkify(&field.value);
        }
    }
}

/// The reply, and the id of the story it shows as a card (for Share).
fn answer(engine: &Engine, request: &CatalogRequest, lang: Lang) -> (Response, Option<String>) {
    let card = |reply: Reply, item: Option<&Item>| (Response::Message(reply), item.map(|i| i.id.clone()));
    let response = match request {
        CatalogRequest::Find { command, query, kind, year } => {
            // Mentions, channel references, custom emoji and links are not words of a question
            // (a role mention's 18 digits would count against every story as a word none holds);
            // a query of nothing else is searched as typed, to be echoed in "nothing matches".
            let query = message_text::query_words(query);
            let (reply, item) = find(engine, lang, *command, &query, *kind, *year);
            return card(reply, item);
        }
        CatalogRequest::FindInMessage { text } => {
            let text = message_text::searchable(text);
            if text.is_empty() {
                return card(render::error(lang.text("reply.no_text")), None);
            }
            let (reply, item) = find(engine, lang, Command::Search, &text, None, None);
            return card(reply, item);
        }
        CatalogRequest::Random { kind, seed } => {
            let (reply, item) = random(engine, lang, *kind, *seed);
            return card(reply, item);
        }
        CatalogRequest::Share { id, by } => match engine.get(id) {
            Some(item) => Response::Message(render::shared(lang, item, *by)),
            None => Response::Message(render::error(lang.text("reply.gone"))),
        },
        CatalogRequest::About => {
            let counts = crate::catalog::count_by_kind(engine.items());
            Response::Message(render::about(lang, &counts, env!("CARGO_PKG_VERSION")))
        }
        CatalogRequest::Help => Response::Message(render::help(lang)),
        CatalogRequest::Pick { id, listed } => match engine.get(id) {
            Some(item) => {
                let listed: Vec<&Item> = listed.iter().filter_map(|l| engine.get(l)).collect();
                let listed = if listed.iter().any(|i| i.id == item.id) { listed } else { vec![item] };
                return (Response::Update(render::item_reply(lang, item, &listed)), Some(item.id.clone()));
            }
            None => Response::Message(render::error(lang.text("reply.gone"))),
        },
        CatalogRequest::Autocomplete { command, text, kind } => {
            Response::Choices(autocomplete(engine, lang, *command, text, *kind))
        }
        CatalogRequest::Mention { text } => {
            let text = message_text::searchable(text);
            if text.is_empty() || text.eq_ignore_ascii_case("help") {
                Response::Message(render::usage(lang))
            } else {
                let (mut reply, item) = find(engine, lang, Command::Search, &text, None, None);
                // A channel message cannot be private: say it to the channel instead.
                reply.ephemeral = false;
                return card(reply, item);
            }
        }
    };
    (response, None)
}

/// The search a command makes; `None` when the kind asked for is outside the command's kinds
/// (`/video` for blog posts): nothing can match, and an empty kind list would mean "all".
fn options(command: Command, kind: Option<Kind>, year: Option<u16>, limit: usize) -> Option<SearchOptions> {
    let kinds = match kind {
        Some(k) if command.kinds().is_empty() || command.kinds().contains(&k) => vec![k],
        Some(_) => return None,
        None => command.kinds().to_vec(),
    };
    Some(SearchOptions { kinds, year, limit, names_in: None })
}

/// The reply to a search, and the story it shows (none when nothing matched).
fn find<'e>(
    engine: &'e Engine,
    lang: Lang,
    command: Command,
    query: &str,
    kind: Option<Kind>,
    year: Option<u16>,
) -> (Reply, Option<&'e Item>) {
    let Some(opts) = options(command, kind, year, LISTED) else {
        return (without_filters(engine, lang, command, query, kind, year), None);
    };
    // An autocomplete choice submits the item id: show exactly that item.
    if let Some(item) = engine.get(query.trim()) {
        let mut listed = vec![item];
        let related = engine.search(&item.title, &opts);
        listed.extend(related.hits.iter().map(|h| h.item).filter(|i| i.id != item.id));
        listed.truncate(LISTED);
        return (render::item_reply(lang, item, &listed), Some(item));
    }
    let outcome = engine.search(query, &opts);
    match outcome.hits.first() {
        Some(best) => {
            let listed: Vec<&Item> = outcome.hits.iter().map(|h| h.item).collect();
            (render::item_reply(lang, best.item, &listed), Some(best.item))
        }
        None if kind.is_some() || year.is_some() => {
            (without_filters(engine, lang, command, query, kind, year), None)
        }
        None => (render::no_match(lang, query, &outcome.suggestions), None),
    }
}

/// Nothing matched with the member's `kind` or `year`: the reply names them and offers what
/// the same words find without them (still within the command's own kinds).
fn without_filters(
    engine: &Engine,
    lang: Lang,
    command: Command,
    query: &str,
    kind: Option<Kind>,
    year: Option<u16>,
) -> Reply {
    let opts = SearchOptions { kinds: command.kinds().to_vec(), year: None, limit: LISTED, names_in: None };
    let unfiltered = engine.search(query, &opts);
    let items: Vec<&Item> = unfiltered.hits.iter().map(|h| h.item).collect();
    render::no_match_filtered(lang, query, &render::filters(lang, kind, year), &items)
}

fn random(engine: &Engine, lang: Lang, kind: Option<Kind>, seed: u64) -> (Reply, Option<&Item>) {
    let pool: Vec<&Item> = engine.items().iter().filter(|i| kind.is_none_or(|k| i.kind == k)).collect();
    if pool.is_empty() {
        return (render::error(lang.text("reply.no_kind")), None);
    }
    let mut rng = crate::rng::SplitMix64::new(seed);
    let item = pool[rng.below(pool.len())];
    (render::item_reply(lang, item, &[]), Some(item))
}

/// Featured entries for an empty box: the newest story of each kind, newest first.
fn featured<'e>(engine: &'e Engine, kinds: &[Kind]) -> Vec<&'e Item> {
    let mut items: Vec<&Item> =
        engine.items().iter().filter(|i| kinds.is_empty() || kinds.contains(&i.kind)).collect();
    items.sort_by(|a, b| b.year.cmp(&a.year).then(a.id.cmp(&b.id)));
    let mut seen = Vec::new();
    let mut out: Vec<&Item> = Vec::new();
    for item in &items {
        if !seen.contains(&item.kind) {
            seen.push(item.kind);
            out.push(item);
        }
    }
    for item in items {
        if out.len() >= FEATURED {
            break;
        }
        if !out.iter().any(|o| o.id == item.id) {
            out.push(item);
        }
    }
    out.truncate(FEATURED);
    out
}

fn autocomplete(
    engine: &Engine,
    lang: Lang,
    command: Command,
    text: &str,
    kind: Option<Kind>,
) -> Vec<crate::reply::Choice> {
    let Some(opts) = options(command, kind, None, crate::reply::limits::CHOICES) else {
        return Vec::new();
    };
    if text.trim().is_empty() {
        return render::choices(lang, &featured(engine, &opts.kinds));
    }
    let opts = SearchOptions { names_in: Some(lang.catalog_locale().unwrap_or("en")), ..opts };
    let found = engine.complete(text, &opts);
    if found.is_empty() && !crate::search::asks_something(text) {
        // Only greetings and question words so far ("hey, is there a"): nothing to narrow by yet.
        return render::choices(lang, &featured(engine, &opts.kinds));
    }
    render::choices(lang, &found)
}
