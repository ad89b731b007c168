//! Catalog items and command outcomes rendered as `Reply` values (no Discord types).

use super::{youtube, Choice, Embed, EmbedField, LinkButton, Reply, Row, Select, SelectOption};
use crate::catalog::{Item, Kind, Link, LinkRole};

/// The page the catalog comes from.
pub const SOURCE_PAGE: &str = "https://aws.amazon.com/solutions/case-studies/innovators/netflix/";
/// custom_id of the "more matches" select menu; its option values are item ids.
pub const PICK: &str = "marquee:pick";
const FOOTER: &str = "Source: Netflix on AWS (aws.amazon.com) · via Marquee";
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

/// One line about an item for lists: "Talk · 2020".
pub fn byline(item: &Item) -> String {
    match item.year {
        Some(y) => format!("{} · {y}", item.kind.label()),
        None => item.kind.label().to_string(),
    }
}

pub fn item_embed(item: &Item) -> Embed {
    let mut fields = vec![EmbedField { name: "Kind".into(), value: item.kind.label().into(), inline: true }];
    if let Some(y) = item.year {
        fields.push(EmbedField { name: "Year".into(), value: y.to_string(), inline: true });
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
        fields.push(EmbedField { name: "People".into(), value: people.join("\n"), inline: false });
    }
    if !item.services.is_empty() {
        fields.push(EmbedField { name: "Services".into(), value: item.services.join(", "), inline: false });
    }
    Embed {
        title: item.title.clone(),
        // Only the story itself or the source page: never a related page or another year's talk.
        url: item.headline().map(|l| l.url.clone()),
        description: super::limits::cut(&item.summary, SUMMARY),
        color: color(item.kind),
        fields,
        footer: Some(FOOTER.into()),
        image: picture(item),
    }
}

/// The thumbnail of the video that is the story itself, if one of its links is such a video.
/// Never from another edition or a related video: the picture would show another talk.
pub fn picture(item: &Item) -> Option<String> {
    item.story_links().find_map(|l| youtube::video_id(&l.url)).map(youtube::thumbnail_url)
}

/// A button's text: a link that is not the story says what it is instead.
fn button_label(link: &Link) -> String {
    let prefix = match link.role {
        Some(LinkRole::Story | LinkRole::Source) | None => "",
        Some(LinkRole::Search) => "Search: ",
        Some(LinkRole::EarlierEdition) => "Earlier edition: ",
        Some(LinkRole::LaterEdition) => "Later edition: ",
        Some(LinkRole::Related) => "Related: ",
    };
    format!("{prefix}{}", link.label)
}

/// The item's links as buttons: the story first, then the source page, searches, other
/// editions, related pages and links of no stated role (catalog order within each).
fn link_row(item: &Item) -> Row {
    let mut links: Vec<&Link> = item.links.iter().collect();
    links.sort_by_key(|l| (l.role.is_none(), l.role));
    Row::Links(links.into_iter().map(|l| LinkButton { label: button_label(l), url: l.url.clone() }).collect())
}

/// A select menu listing `items`, with `shown` marked as the current one.
fn pick_menu(items: &[&Item], shown: Option<&str>, placeholder: &str) -> Row {
    Row::Select(Select {
        custom_id: PICK.into(),
        placeholder: placeholder.into(),
        options: items
            .iter()
            .map(|i| SelectOption {
                label: i.title.clone(),
                value: i.id.clone(),
                description: Some(byline(i)),
                default: Some(i.id.as_str()) == shown,
            })
            .collect(),
    })
}

/// `shown` as an embed with its links, and — when `listed` holds other matches — a menu that
/// swaps the shown item in place.
pub fn item_reply(shown: &Item, listed: &[&Item]) -> Reply {
    let mut rows = vec![link_row(shown)];
    if listed.iter().any(|i| i.id != shown.id) {
        rows.push(pick_menu(listed, Some(&shown.id), "More matches"));
    }
    Reply { content: None, embeds: vec![item_embed(shown)], rows, ephemeral: false }
}

/// A query as it is echoed back: trimmed, cut, and shown as code so markup in it is inert.
pub fn echo(query: &str) -> String {
    let clean: String =
        query.chars().map(|c| if c == '`' || c.is_control() { ' ' } else { c }).collect::<String>();
    let clean = super::limits::cut(clean.split_whitespace().collect::<Vec<_>>().join(" ").as_str(), ECHO);
    if clean.is_empty() {
        "(empty)".into()
    } else {
        format!("`{clean}`")
    }
}

/// Nothing matched: say so, privately, and offer the nearest misses.
pub fn no_match(query: &str, suggestions: &[&Item]) -> Reply {
    let mut content = format!("Nothing in the catalog matches {}.", echo(query));
    let mut rows = Vec::new();
    if suggestions.is_empty() {
        content.push_str(" Try other words, or `/random` for a surprise.");
    } else {
        content.push_str(" Did you mean one of these?");
        rows.push(pick_menu(suggestions, None, "Did you mean…"));
    }
    Reply { content: Some(content), embeds: Vec::new(), rows, ephemeral: true }
}

/// A short, private error.
pub fn error(message: &str) -> Reply {
    Reply { content: Some(message.into()), embeds: Vec::new(), rows: Vec::new(), ephemeral: true }
}

/// Every command with a one-line example, as `/help` lists them.
pub const HELP: &str = "\
`/search the crown` — any story; typos are fine (optional `kind`, `year`)\n\
`/video brendan gregg` — videos, re:Invent talks, keynotes and the podcast\n\
`/casestudy email` — case studies and tech-blog posts\n\
`/random kind:podcast` — a story at random\n\
`/about` — what Marquee knows\n\
`/help` — this list\n\
`/highlights subscribe channel:#general time:09:00 timezone:Europe/Paris` — a story posted there every day \
(needs **Manage Channels**)\n\
`/highlights unsubscribe channel:#general` — stop them (leave out `channel` for every channel)\n\
`/highlights list` — this server's daily highlights and their next posts\n\
`/highlight` — today's highlight for this server\n\
`@Marquee the crown` — mention me with what you are looking for";

/// Where `/about` and the mention usage send people for the full list.
const SEE_HELP: &str = "`/help` lists every command with an example.";

fn overview_embed(title: &str, description: String) -> Embed {
    Embed {
        title: title.into(),
        url: None,
        description,
        color: color(Kind::Overview),
        fields: Vec::new(),
        footer: Some(FOOTER.into()),
        image: None,
    }
}

/// `/help`: only the member who asked sees it.
pub fn help() -> Reply {
    Reply {
        content: None,
        embeds: vec![overview_embed("Marquee — commands", HELP.into())],
        rows: Vec::new(),
        ephemeral: true,
    }
}

/// The answer to a mention with nothing to look for.
pub fn usage() -> Reply {
    Reply {
        content: None,
        embeds: vec![overview_embed(
            "Marquee — stories of Netflix on AWS",
            format!("Mention me with what you are looking for, like `@Marquee the crown`.\n{SEE_HELP}"),
        )],
        rows: Vec::new(),
        ephemeral: false,
    }
}

pub fn about(counts: &[(Kind, usize)], version: &str) -> Reply {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let catalog: Vec<String> = counts.iter().map(|(k, n)| format!("{} {n}", k.label())).collect();
    Reply {
        content: None,
        embeds: vec![Embed {
            title: "About Marquee".into(),
            url: Some(SOURCE_PAGE.into()),
            description: format!(
                "Marquee finds stories from AWS's **Netflix on AWS** page: case studies, re:Invent talks, \
                 videos, a podcast, tech-blog posts and customer quotes — {total} in all."
            ),
            color: color(Kind::Overview),
            fields: vec![
                EmbedField { name: "Catalog".into(), value: catalog.join(" · "), inline: false },
                EmbedField {
                    name: "Commands".into(),
                    value: format!(
                        "`/search` `/video` `/casestudy` `/random` `/highlights` `/highlight`, or mention me.\n{SEE_HELP}"
                    ),
                    inline: false,
                },
                EmbedField { name: "Version".into(), value: version.into(), inline: true },
            ],
            footer: Some(FOOTER.into()),
            image: None,
        }],
        rows: vec![Row::Links(vec![LinkButton { label: "Netflix on AWS".into(), url: SOURCE_PAGE.into() }])],
        ephemeral: false,
    }
}

/// Autocomplete entries: the title (with its kind, when it fits) and the item id.
pub fn choices(items: &[&Item]) -> Vec<Choice> {
    items.iter().map(|i| Choice { name: i.title.clone(), value: i.id.clone() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_neutralises_markup_and_length() {
        assert_eq!(echo("the `crown`"), "`the crown`");
        assert_eq!(echo("  "), "(empty)");
        assert!(echo(&"@everyone ".repeat(100)).chars().count() <= ECHO + 2);
    }
}
