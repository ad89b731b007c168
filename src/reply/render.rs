//! Catalog items and command outcomes rendered as `Reply` values (no Discord types).

use super::{youtube, ActionButton, Choice, Embed, EmbedField, LinkButton, Reply, Row, Select, SelectOption};
use crate::catalog::{Item, Kind, Link, LinkRole};
use crate::locale::Lang;

/// The page the catalog comes from.
pub const SOURCE_PAGE: &str = "https://aws.amazon.com/solutions/case-studies/innovators/netflix/";
/// custom_id of the "more matches" select menu; its option values are item ids.
pub const PICK: &str = "marquee:pick";
/// custom_id prefix of the Share button on a private story card; the rest is the item id, so
/// a click needs no state kept between messages.
pub const SHARE: &str = "marquee:share:";
/// Long summaries are cut here: an embed is a preview, the link is the story.
const SUMMARY: usize = 700;
/// Echoed queries are cut here.
const ECHO: usize = 100;

pub fn color(kind: Kind) -> u32 {
    match kind {
        Kind::Overview => 0xE5_09_14,
        Kind::CaseStudy => 0xFF_99_00,
        Kind::Video => 0x3F_8C_FF,
        Kind::Talk => 0x8C_4F_FF,
        Kind::Keynote => 0xD1_32_12,
        Kind::Podcast => 0x1D_B9_54,
        Kind::Blog => 0x00_A1_C9,
        Kind::Quote => 0x7D_89_98,
    }
}

/// A kind as the member's language names it ("Talk", "Vortrag").
pub fn kind_label(lang: Lang, kind: Kind) -> &'static str {
    match kind {
        Kind::Overview => lang.text("kind.overview"),
        Kind::CaseStudy => lang.text("kind.case-study"),
        Kind::Video => lang.text("kind.video"),
        Kind::Talk => lang.text("kind.talk"),
        Kind::Keynote => lang.text("kind.keynote"),
        Kind::Podcast => lang.text("kind.podcast"),
        Kind::Blog => lang.text("kind.blog"),
        Kind::Quote => lang.text("kind.quote"),
    }
}

/// One line about an item for lists: "Talk · 2020".
pub fn byline(lang: Lang, item: &Item) -> String {
    let kind = kind_label(lang, item.kind);
    match item.year {
        Some(y) => format!("{kind} · {y}"),
        None => kind.to_string(),
    }
}

fn field(lang: Lang, key: &str, value: String, inline: bool) -> EmbedField {
    EmbedField { name: lang.text(key).into(), value, inline }
}

fn footer(lang: Lang) -> Option<String> {
    Some(lang.text("footer.source").into())
}

/// The item's title in the member's language: its translation when the catalog has one,
/// else the English.
pub fn title(lang: Lang, item: &Item) -> &str {
    lang.catalog_locale().map_or(&item.title, |code| item.title_in(code))
}

/// The item's summary in the member's language, else the English.
pub fn summary(lang: Lang, item: &Item) -> &str {
    lang.catalog_locale().map_or(&item.summary, |code| item.summary_in(code))
}

pub fn item_embed(lang: Lang, item: &Item) -> Embed {
    let mut fields = vec![field(lang, "field.kind", kind_label(lang, item.kind).into(), true)];
    if let Some(y) = item.year {
        fields.push(field(lang, "field.year", y.to_string(), true));
    }
    if !item.people.is_empty() {
        let people: Vec<String> = item
            .people
            .iter()
            .map(|p| match &p.role {
                Some(role) => format!("**{}** — {role}", p.name),
                None => format!("**{}**", p.name),
            })
            .collect();
        fields.push(field(lang, "field.people", people.join("\n"), false));
    }
    if !item.services.is_empty() {
        fields.push(field(lang, "field.services", item.services.join(", "), false));
    }
    Embed {
        title: title(lang, item).to_string(),
        // Only the story itself or the source page: never a related page or another year's talk.
        url: item.headline().map(|l| l.url.clone()),
        description: super::limits::cut(summary(lang, item), SUMMARY),
        color: color(item.kind),
        fields,
        footer: footer(lang),
        image: picture(item),
    }
}

/// The thumbnail of the video that is the story itself, if one of its links is such a video.
/// Never from another edition or a related video: the picture would show another talk.
pub fn picture(item: &Item) -> Option<String> {
    item.story_links().find_map(|l| youtube::video_id(&l.url)).map(youtube::thumbnail_url)
}

/// A button's text: a link that is not the story says what it is, in the member's language
/// ("Related: …", "Verwandt: …"). The link's own label is read from the locale's `[label]`
/// table; one it does not list (a name such as "re:Invent 2015 (DVO203)") stays as written.
fn button_label(lang: Lang, link: &Link) -> String {
    let label = lang.link_label(&link.label).unwrap_or(&link.label);
    let key = match link.role {
        Some(LinkRole::Story | LinkRole::Source) | None => return label.to_string(),
        Some(LinkRole::Search) => "link.search",
        Some(LinkRole::EarlierEdition) => "link.earlier-edition",
        Some(LinkRole::LaterEdition) => "link.later-edition",
        Some(LinkRole::Related) => "link.related",
    };
    lang.fill(key, &[("label", &label)])
}

/// The item's links as buttons: the story first, then the source page, searches, other
/// editions, related pages and links of no stated role (catalog order within each).
fn link_row(lang: Lang, item: &Item) -> Row {
    let mut links: Vec<&Link> = item.links.iter().collect();
    links.sort_by_key(|l| (l.role.is_none(), l.role));
    Row::Links(
        links.into_iter().map(|l| LinkButton { label: button_label(lang, l), url: l.url.clone() }).collect(),
    )
}

/// A select menu listing `items`, with `shown` marked as the current one.
fn pick_menu(lang: Lang, items: &[&Item], shown: Option<&str>, placeholder: &str) -> Row {
    Row::Select(Select {
        custom_id: PICK.into(),
        placeholder: placeholder.into(),
        options: items
            .iter()
            .map(|i| SelectOption {
                label: title(lang, i).to_string(),
                value: i.id.clone(),
                description: Some(byline(lang, i)),
                default: Some(i.id.as_str()) == shown,
            })
            .collect(),
    })
}

/// `shown` as an embed with its links, and — when `listed` holds other matches — a menu that
/// swaps the shown item in place.
pub fn item_reply(lang: Lang, shown: &Item, listed: &[&Item]) -> Reply {
    let mut rows = vec![link_row(lang, shown)];
    if listed.iter().any(|i| i.id != shown.id) {
        rows.push(pick_menu(lang, listed, Some(&shown.id), lang.text("menu.more")));
    }
    Reply { content: None, embeds: vec![item_embed(lang, shown)], rows, ephemeral: false }
}

/// The Share button of a private card showing `item`.
pub fn share_row(lang: Lang, item: &Item) -> Row {
    Row::Actions(vec![ActionButton {
        label: lang.text("link.share").into(),
        custom_id: format!("{SHARE}{}", item.id),
    }])
}

/// A private card made public by `by` (a user id): the card and its links, and who shared it,
/// as a mention that names them (`allowed_mentions` keeps it from pinging). No menu: anyone in
/// the channel could otherwise swap the card someone else shared.
pub fn shared(lang: Lang, item: &Item, by: u64) -> Reply {
    let mut reply = item_reply(lang, item, &[]);
    reply.content = Some(lang.fill("reply.shared_by", &[("user", &format!("<@{by}>"))]));
    reply
}

/// A query as it is echoed back: trimmed, cut, and shown as code so markup in it is inert.
pub fn echo(lang: Lang, query: &str) -> String {
    let clean: String =
        query.chars().map(|c| if c == '`' || c.is_control() { ' ' } else { c }).collect::<String>();
    let clean = super::limits::cut(clean.split_whitespace().collect::<Vec<_>>().join(" ").as_str(), ECHO);
    if clean.is_empty() {
        lang.text("reply.empty_query").into()
    } else {
        format!("`{clean}`")
    }
}

/// Nothing matched: say so, privately, and offer the nearest misses.
pub fn no_match(lang: Lang, query: &str, suggestions: &[&Item]) -> Reply {
    let mut content = lang.fill("reply.no_match", &[("query", &echo(lang, query))]);
    let mut rows = Vec::new();
    if suggestions.is_empty() {
        join_sentence(&mut content, lang.text("reply.no_match_try"));
    } else {
        join_sentence(&mut content, lang.text("reply.no_match_suggest"));
        rows.push(pick_menu(lang, suggestions, None, lang.text("menu.did_you_mean")));
    }
    Reply { content: Some(content), embeds: Vec::new(), rows, ephemeral: true }
}

/// The member's own filters, as they typed them: "`kind: Talk` `year: 2019`" (the kind in
/// their language, as the choices showed it).
pub fn filters(lang: Lang, kind: Option<Kind>, year: Option<u16>) -> String {
    let mut parts: Vec<String> =
        kind.map(|k| format!("`kind: {}`", kind_label(lang, k))).into_iter().collect();
    parts.extend(year.map(|y| format!("`year: {y}`")));
    parts.join(" ")
}

/// Nothing matched with the member's filters: say which filters, and offer what the words find
/// without them (`unfiltered`, best first), privately.
pub fn no_match_filtered(lang: Lang, query: &str, filters: &str, unfiltered: &[&Item]) -> Reply {
    let mut content =
        lang.fill("reply.no_match_filtered", &[("query", &echo(lang, query)), ("filters", &filters)]);
    let mut rows = Vec::new();
    match unfiltered.first() {
        Some(best) => {
            join_sentence(&mut content, &lang.fill("reply.no_match_unfiltered", &[("title", &best.title)]));
            rows.push(pick_menu(lang, unfiltered, None, lang.text("menu.without_filters")));
        }
        None => join_sentence(&mut content, lang.text("reply.no_match_try")),
    }
    Reply { content: Some(content), embeds: Vec::new(), rows, ephemeral: true }
}

/// Appends a sentence: after a space, except after a full-width stop (Japanese sets none).
fn join_sentence(text: &mut String, sentence: &str) {
    if !text.ends_with(['。', '！', '？']) {
        text.push(' ');
    }
    text.push_str(sentence);
}

/// A short, private error.
pub fn error(message: &str) -> Reply {
    Reply { content: Some(message.into()), embeds: Vec::new(), rows: Vec::new(), ephemeral: true }
}

fn overview_embed(lang: Lang, title: &str, description: String) -> Embed {
    Embed {
        title: lang.text(title).into(),
        url: None,
        description,
        color: color(Kind::Overview),
        fields: Vec::new(),
        footer: footer(lang),
        image: None,
    }
}

/// `/help`: every command with a one-line example; only the member who asked sees it.
pub fn help(lang: Lang) -> Reply {
    Reply {
        content: None,
        embeds: vec![overview_embed(lang, "title.help", lang.text("help.commands").into())],
        rows: Vec::new(),
        ephemeral: true,
    }
}

/// The answer to a mention with nothing to look for: how to ask, and `/help` for the rest.
pub fn usage(lang: Lang) -> Reply {
    Reply {
        content: None,
        embeds: vec![overview_embed(lang, "title.usage", lang.text("reply.usage").into())],
        rows: Vec::new(),
        ephemeral: false,
    }
}

pub fn about(lang: Lang, counts: &[(Kind, usize)], version: &str) -> Reply {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    // The overview is the source page itself (the button below), not a story to count.
    let catalog: Vec<String> = counts
        .iter()
        .filter(|(k, _)| *k != Kind::Overview)
        .map(|(k, n)| format!("{} {n}", kind_label(lang, *k)))
        .collect();
    let mut embed = overview_embed(lang, "title.about", lang.fill("reply.about", &[("total", &total)]));
    embed.url = Some(SOURCE_PAGE.into());
    embed.fields = vec![
        field(lang, "field.catalog", catalog.join(" · "), false),
        field(lang, "field.commands", lang.text("reply.about_commands").into(), false),
        field(lang, "field.version", version.into(), true),
    ];
    Reply {
        content: None,
        embeds: vec![embed],
        rows: vec![Row::Links(vec![LinkButton { label: "Netflix on AWS".into(), url: SOURCE_PAGE.into() }])],
        ephemeral: false,
    }
}

/// Autocomplete entries: the title in the member's language and the item id.
pub fn choices(lang: Lang, items: &[&Item]) -> Vec<Choice> {
    items.iter().map(|i| Choice { name: title(lang, i).to_string(), value: i.id.clone() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_neutralises_markup_and_length() {
        assert_eq!(echo(Lang::En, "the `crown`"), "`the crown`");
        assert_eq!(echo(Lang::En, "  "), "(empty)");
        assert_eq!(echo(Lang::De, "  "), "(leer)");
        assert!(echo(Lang::En, &"@everyone ".repeat(100)).chars().count() <= ECHO + 2);
    }

    /// A member reading German sees the German title and summary wherever an item is named,
    /// and the English text of any field the translation lacks.
    #[test]
    fn a_german_member_sees_the_german_text_and_english_where_it_is_missing() {
        use crate::catalog::LocalText;
        let catalog = crate::catalog::Catalog::bundled().unwrap();
        let crown = catalog.get("the-crown-in-the-cloud").unwrap();
        let de = crown.locales["de"].clone();
        let embed = item_embed(Lang::De, crown);
        assert_eq!(embed.title, de.title.clone().unwrap());
        assert!(embed.description.starts_with("Die Produktion der vierten Staffel"), "{}", embed.description);
        assert_eq!(item_embed(Lang::En, crown).title, crown.title);

        // Only a title in German: the summary stays English, in the embed and nowhere else.
        let mut partial = crown.clone();
        partial.locales =
            [("de".to_string(), LocalText { title: Some("Die Krone".into()), summary: None, ..de })].into();
        let embed = item_embed(Lang::De, &partial);
        assert_eq!(embed.title, "Die Krone");
        assert_eq!(embed.description, crate::reply::limits::cut(&crown.summary, SUMMARY));
        // A language the item has no text for reads English.
        assert_eq!(item_embed(Lang::Fr, &partial).title, crown.title);

        let other = catalog.get("reinvent-2020-spinnaker").unwrap();
        let reply = item_reply(Lang::De, &partial, &[&partial, other]);
        let Row::Select(menu) = &reply.rows[1] else { panic!("{:?}", reply.rows) };
        let options: Vec<&str> = menu.options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(options, ["Die Krone", other.locales["de"].title.as_deref().unwrap()]);
        let names: Vec<String> = choices(Lang::De, &[&partial, other]).into_iter().map(|c| c.name).collect();
        assert_eq!(names, options);
        let missed = no_match(Lang::De, "krone", &[&partial]);
        let Row::Select(menu) = &missed.rows[0] else { panic!("{:?}", missed.rows) };
        assert_eq!(menu.options[0].label, "Die Krone");
    }

    /// Discord's Latin American Spanish and European Portuguese read the catalog's Spanish and
    /// Brazilian text, as they read the UI files.
    #[test]
    fn regional_locales_read_their_languages_catalog_text() {
        let catalog = crate::catalog::Catalog::bundled().unwrap();
        let item = catalog.get("ses-100-million").unwrap();
        let title = |locale| item_embed(Lang::from_discord(Some(locale)), item).title;
        assert_eq!(title("es-419"), item.locales["es-ES"].title.clone().unwrap());
        assert_eq!(title("pt-PT"), item.locales["pt-BR"].title.clone().unwrap());
        assert_eq!(title("ja"), item.locales["ja"].title.clone().unwrap());
        assert_eq!(title("en-GB"), item.title);
    }

    /// No bundled button mixes English words into another language: every link label with a
    /// word in it (not only names and codes like "re:Invent 2015 (DVO203)") is translated.
    #[test]
    fn every_worded_link_label_is_translated() {
        let catalog = crate::catalog::Catalog::bundled().unwrap();
        let worded = |label: &str| {
            label
                .split(|c: char| !c.is_alphabetic())
                .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_lowercase()))
        };
        assert!(worded("Watch the video") && !worded("re:Invent 2015 (DVO203)") && !worded("Netflix on AWS"));
        for link in catalog.items.iter().flat_map(|i| &i.links).filter(|l| worded(&l.label)) {
            for lang in Lang::ALL {
                assert!(lang.link_label(&link.label).is_some(), "{}: no {:?} label", lang.code(), link.label);
            }
        }
    }

    /// A link's role is said in the member's language, and so is its label.
    #[test]
    fn link_roles_are_said_in_the_members_language() {
        let catalog = crate::catalog::Catalog::bundled().unwrap();
        let labels = |lang, id| match &item_reply(lang, catalog.get(id).unwrap(), &[]).rows[0] {
            Row::Links(buttons) => buttons.iter().map(|b| b.label.clone()).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let day = "reinvent-2019-day-in-life";
        assert_eq!(labels(Lang::En, day)[2], "Earlier edition: re:Invent 2015 (DVO203)");
        assert_eq!(labels(Lang::De, day)[2], "Frühere Ausgabe: re:Invent 2015 (DVO203)");
        assert_eq!(labels(Lang::Fr, day)[1], "Recherche : YouTube (titre exact)");
        assert_eq!(labels(Lang::En, day)[1], "Search: YouTube (exact title)");
        assert_eq!(labels(Lang::De, day)[0], "Netflix on AWS (Quellseite)");
        let ml = labels(Lang::Ja, "reinvent-2020-ml-systems");
        assert!(ml.contains(&"関連：QCon Plus の講演（別のイベント）".to_string()), "{ml:?}");
        assert!(!labels(Lang::De, day)[0].contains(':'), "the source page is not prefixed");
    }
}
