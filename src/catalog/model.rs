//! The catalog's data model: what one story on the "Netflix on AWS" page is.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What sort of story an item is. The order here is the order `check` and `/about` list kinds in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Overview,
    CaseStudy,
    Video,
    Talk,
    Keynote,
    Podcast,
    Blog,
    Quote,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Overview,
        Kind::CaseStudy,
        Kind::Video,
        Kind::Talk,
        Kind::Keynote,
        Kind::Podcast,
        Kind::Blog,
        Kind::Quote,
    ];

    /// The name used in content files, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Overview => "overview",
            Kind::CaseStudy => "case-study",
            Kind::Video => "video",
            Kind::Talk => "talk",
            Kind::Keynote => "keynote",
            Kind::Podcast => "podcast",
            Kind::Blog => "blog",
            Kind::Quote => "quote",
        }
    }

    /// A human label, for replies.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Overview => "Overview",
            Kind::CaseStudy => "Case study",
            Kind::Video => "Video",
            Kind::Talk => "Talk",
            Kind::Keynote => "Keynote",
            Kind::Podcast => "Podcast",
            Kind::Blog => "Blog post",
            Kind::Quote => "Customer quote",
        }
    }

    /// Words a searcher may use for this kind; indexed so "podcast" or "case study" find items by kind.
    pub fn search_words(self) -> &'static str {
        match self {
            Kind::Overview => "overview",
            Kind::CaseStudy => "case study",
            Kind::Video => "video",
            Kind::Talk => "talk session video",
            Kind::Keynote => "keynote video",
            Kind::Podcast => "podcast episode",
            Kind::Blog => "blog post article",
            Kind::Quote => "quote",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown kind {s:?} (expected one of: {})", names.join(", "))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// What a link is to its item. Only the story itself or the source page may be an item's
/// headline (its embed's title link), and only the story itself gives its picture; everything
/// else is a button that says what it is, so a member never opens another year's talk or a
/// related page believing it is the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkRole {
    /// The story itself: its own page, recording, episode or document.
    Story,
    /// The page that lists the story (for this catalog, AWS's "Netflix on AWS" page).
    Source,
    /// A search for the story (e.g. YouTube results for its exact title): it may find it, it is not it.
    Search,
    /// The same talk given in an earlier year.
    EarlierEdition,
    /// The same talk given in a later year.
    LaterEdition,
    /// Something else on the topic: another event's talk, press coverage, a series page, another
    /// quote by the same person.
    Related,
}

impl LinkRole {
    /// In the order buttons are shown: what may be the headline first.
    pub const ALL: [LinkRole; 6] = [
        LinkRole::Story,
        LinkRole::Source,
        LinkRole::Search,
        LinkRole::EarlierEdition,
        LinkRole::LaterEdition,
        LinkRole::Related,
    ];

    /// The name used in content files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkRole::Story => "story",
            LinkRole::Source => "source",
            LinkRole::Search => "search",
            LinkRole::EarlierEdition => "earlier-edition",
            LinkRole::LaterEdition => "later-edition",
            LinkRole::Related => "related",
        }
    }

    /// Whether a link with this role may be an item's headline.
    pub fn may_headline(self) -> bool {
        matches!(self, LinkRole::Story | LinkRole::Source)
    }
}

impl FromStr for LinkRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LinkRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = LinkRole::ALL.iter().map(|r| r.as_str()).collect();
            format!("unknown link role {s:?} (expected one of: {})", names.join(", "))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
    /// `None` when the content does not say: such a link is shown, never as the headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<LinkRole>,
}

impl Link {
    pub fn role_is(&self, role: LinkRole) -> bool {
        self.role == Some(role)
    }
}

/// One catalog entry. Every item has at least one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub links: Vec<Link>,
    /// The item in other languages, by Discord locale code (`LOCALES`). A field a locale lacks
    /// is read in English.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub locales: BTreeMap<String, LocalText>,
}

/// The Discord locale codes an item may carry text for, in the order content files list them.
pub const LOCALES: [&str; 5] = ["de", "fr", "es-ES", "pt-BR", "ja"];

/// An item's text in one language: a translation of its English title and summary, and the
/// words a member of that language searches with (which need not translate any English word).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LocalText {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

impl Item {
    /// The link the item's title points to: its first `story` link, else its first `source`
    /// link, else none — never a related page, a search or another year's edition.
    pub fn headline(&self) -> Option<&Link> {
        [LinkRole::Story, LinkRole::Source]
            .into_iter()
            .find_map(|role| self.links.iter().find(|l| l.role_is(role)))
    }

    /// The item's text for a Discord locale (`es-419` reads `es-ES`, `pt-PT` reads `pt-BR`, as
    /// the reply language does), if it has any.
    pub fn local(&self, locale: &str) -> Option<&LocalText> {
        self.locales.get(locale).or_else(|| self.locales.get(locale_key(locale)?))
    }

    /// The title in `locale`, English when the item has none there.
    pub fn title_in(&self, locale: &str) -> &str {
        self.local(locale).and_then(|l| l.title.as_deref()).unwrap_or(&self.title)
    }

    /// The summary in `locale`, English when the item has none there.
    pub fn summary_in(&self, locale: &str) -> &str {
        self.local(locale).and_then(|l| l.summary.as_deref()).unwrap_or(&self.summary)
    }

    /// The links that are the story itself, in catalog order.
    pub fn story_links(&self) -> impl Iterator<Item = &Link> {
        self.links.iter().filter(|l| l.role_is(LinkRole::Story))
    }
}

/// The `LOCALES` entry a Discord locale reads: itself, else the one of the same language
/// (`es-419` → `es-ES`, `pt-PT` → `pt-BR`); `None` for English and languages without text.
pub fn locale_key(locale: &str) -> Option<&'static str> {
    let locale = locale.trim();
    let language = |code: &str| code.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    LOCALES
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(locale))
        .or_else(|| LOCALES.into_iter().find(|l| language(l) == language(locale)))
}
