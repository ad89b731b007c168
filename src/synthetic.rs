//! Deterministic synthetic catalogs for benchmarks and scale tests: the same seed gives the same
//! items on every machine. Titles are about 60 characters and summaries about 300, drawn with a
//! Zipf distribution from invented words mixed with real domain words, so common words are
//! common (as in real text) and distractors do share vocabulary with the real catalog.

use crate::catalog::{Item, Kind, Link, LinkRole, Person};
use std::fmt::Write as _;
use std::path::Path;

/// Real words distractors use too, so the real catalog's generic words lose their rarity.
const DOMAIN_WORDS: &[&str] = &[
    "netflix",
    "aws",
    "cloud",
    "data",
    "video",
    "streaming",
    "security",
    "scale",
    "production",
    "studio",
    "engineering",
    "platform",
    "service",
    "global",
    "customers",
    "performance",
    "migration",
    "workflow",
    "content",
    "artists",
    "infrastructure",
    "learning",
    "region",
    "latency",
    "storage",
    "compute",
    "analytics",
    "delivery",
    "teams",
    "remote",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ten", "ra", "vos", "qui", "bel", "dar", "no", "sel", "ur", "pa", "gri", "fen", "to",
    "zu", "mar", "len", "ix", "om", "sta", "dru", "pel", "ver", "jo", "hal", "bri",
];

/// The production generator (SplitMix64), used as is: test data needs nothing else from it, and
/// nothing here may change it (highlight rotations depend on it; see `crate::rng`).
pub use crate::rng::SplitMix64 as Rng;

pub struct Generator {
    rng: Rng,
    vocabulary: Vec<String>,
    /// Cumulative Zipf weights over `vocabulary`.
    cumulative: Vec<f64>,
}

impl Generator {
    pub fn new(seed: u64, vocabulary_size: usize) -> Generator {
        let mut rng = Rng::new(seed);
        let mut vocabulary: Vec<String> = DOMAIN_WORDS.iter().map(|w| w.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = vocabulary.iter().cloned().collect();
        while vocabulary.len() < vocabulary_size.max(DOMAIN_WORDS.len() + 1) {
            let n = 2 + rng.below(3);
            let word: String = (0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
            if seen.insert(word.clone()) {
                vocabulary.push(word);
            }
        }
        // Interleave real words among the frequent ranks rather than all at the top.
        for i in 0..DOMAIN_WORDS.len() {
            let j = i * 7 + 3;
            if j < vocabulary.len() {
                vocabulary.swap(i, j);
            }
        }
        let mut cumulative = Vec::with_capacity(vocabulary.len());
        let mut sum = 0.0;
        for rank in 1..=vocabulary.len() {
            sum += 1.0 / rank as f64;
            cumulative.push(sum);
        }
        Generator { rng, vocabulary, cumulative }
    }

    fn word(&mut self) -> &str {
        let total = *self.cumulative.last().unwrap();
        let x = (self.rng.next_u64() as f64 / u64::MAX as f64) * total;
        let i = self.cumulative.partition_point(|&c| c < x).min(self.vocabulary.len() - 1);
        &self.vocabulary[i]
    }

    fn text(&mut self, chars: usize) -> String {
        let mut out = String::new();
        while out.len() < chars {
            if !out.is_empty() {
                out.push(' ');
            }
            let w = self.word().to_string();
            out.push_str(&w);
        }
        out
    }

    fn capitalised(&mut self) -> String {
        let w = self.word().to_string();
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    }

    pub fn item(&mut self, n: usize) -> Item {
        let kind = Kind::ALL[self.rng.below(Kind::ALL.len())];
        let year = (self.rng.below(4) > 0).then(|| 2010 + self.rng.below(15) as u16);
        let title = self.text(56);
        let title = title[..1].to_uppercase() + &title[1..];
        let summary = self.text(296);
        let people = (0..self.rng.below(3))
            .map(|_| Person { name: format!("{} {}", self.capitalised(), self.capitalised()), role: None })
            .collect();
        let tags = (0..1 + self.rng.below(4)).map(|_| self.word().to_string()).collect();
        Item {
            id: format!("synthetic-{n:06}"),
            title,
            kind,
            year,
            summary,
            people,
            services: Vec::new(),
            tags,
            aliases: Vec::new(),
            links: vec![Link {
                label: "Read more".into(),
                url: format!("https://example.com/synthetic/{n}"),
                role: Some(LinkRole::Story),
            }],
            locales: Default::default(),
        }
    }

    pub fn items(&mut self, count: usize) -> Vec<Item> {
        (0..count).map(|n| self.item(n)).collect()
    }
}

/// `count` synthetic items from the fixed benchmark seed.
pub fn catalog_items(count: usize) -> Vec<Item> {
    Generator::new(0x4d41_5251_5545_4521, 20_000).items(count)
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders items as an item file (the content schema).
pub fn to_toml(items: &[Item]) -> String {
    let mut out = String::new();
    let list = |v: &[String]| v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", ");
    for item in items {
        let _ = writeln!(
            out,
            "[[item]]\nid = {}\ntitle = {}\nkind = {}",
            quoted(&item.id),
            quoted(&item.title),
            quoted(item.kind.as_str())
        );
        if let Some(y) = item.year {
            let _ = writeln!(out, "year = {y}");
        }
        let _ = writeln!(out, "summary = {}", quoted(&item.summary));
        for (name, v) in [("services", &item.services), ("tags", &item.tags), ("aliases", &item.aliases)] {
            if !v.is_empty() {
                let _ = writeln!(out, "{name} = [{}]", list(v));
            }
        }
        if !item.people.is_empty() {
            let people: Vec<String> = item
                .people
                .iter()
                .map(|p| match &p.role {
                    Some(r) => format!("{{ name = {}, role = {} }}", quoted(&p.name), quoted(r)),
                    None => format!("{{ name = {} }}", quoted(&p.name)),
                })
                .collect();
            let _ = writeln!(out, "people = [{}]", people.join(", "));
        }
        let links: Vec<String> = item
            .links
            .iter()
            .map(|l| match l.role {
                Some(r) => format!(
                    "{{ label = {}, url = {}, role = {} }}",
                    quoted(&l.label),
                    quoted(&l.url),
                    quoted(r.as_str())
                ),
                None => format!("{{ label = {}, url = {} }}", quoted(&l.label), quoted(&l.url)),
            })
            .collect();
        let _ = writeln!(out, "links = [{}]\n", links.join(", "));
        for (code, text) in &item.locales {
            let _ = writeln!(out, "[item.locales.{}]", quoted(code));
            for (name, v) in [("title", &text.title), ("summary", &text.summary)] {
                if let Some(v) = v {
                    let _ = writeln!(out, "{name} = {}", quoted(v));
                }
            }
            let _ = writeln!(out, "keywords = [{}]\n", list(&text.keywords));
        }
    }
    out
}

/// Renders synonym groups as a `synonyms.toml`.
pub fn synonyms_to_toml(groups: &[Vec<String>]) -> String {
    let mut out = String::new();
    for g in groups {
        let terms: Vec<String> = g.iter().map(|t| quoted(t)).collect();
        let _ = writeln!(out, "[[group]]\nterms = [{}]\n", terms.join(", "));
    }
    out
}

/// Writes `items` as a content folder of files of at most `per_file` items each.
pub fn write_folder(items: &[Item], dir: &Path, per_file: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (i, chunk) in items.chunks(per_file.max(1)).enumerate() {
        std::fs::write(dir.join(format!("synthetic-{i:04}.toml")), to_toml(chunk))?;
    }
    Ok(())
}
