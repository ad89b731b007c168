//! The catalog's data model: what one story on the "Netflix on AWS" page is.

use serde::Serialize;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// One catalog entry. Every item has at least one link; the first is its primary link.
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
}

impl Item {
    /// The link a title or a "best match" points to.
    pub fn primary_link(&self) -> &Link {
        &self.links[0]
    }
}
