//! Discord's message limits, enforced in one place: every reply passes through `fit` before it
//! is encoded, so nothing the bot sends can be rejected for size, whatever the catalog or the
//! user typed. Numbers from Discord's docs (see shared/discord/README.md).

use super::{Choice, Reply, Row};

pub const CONTENT: usize = 2000;
pub const EMBEDS: usize = 10;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const EMBED_URL: usize = 2048;
/// Across all embeds of one message: title, description, field names and values, footer.
pub const EMBEDS_TOTAL: usize = 6000;
pub const ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const BUTTON_LABEL: usize = 80;
pub const BUTTON_URL: usize = 512;
pub const CUSTOM_ID: usize = 100;
pub const SELECT_OPTIONS: usize = 25;
pub const SELECT_TEXT: usize = 100;
pub const SELECT_PLACEHOLDER: usize = 150;
pub const CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;

/// `text` cut to at most `max` characters, at a word boundary when one is near, with "…".
pub fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(max - 1).collect();
    // Prefer the last space in the final fifth; a long unbroken word is cut mid-word.
    let floor = keep.len() * 4 / 5;
    let end = match keep.rfind(char::is_whitespace) {
        Some(i) if i >= floor => i,
        _ => keep.len(),
    };
    let mut out =
        keep[..end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';').to_string();
    out.push('…');
    out
}

fn len(s: &str) -> usize {
    s.trim().chars().count()
}

/// A link button's URL must be http(s) or discord, at most 512 characters.
pub fn link_ok(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    url.chars().count() <= BUTTON_URL
        && ["https://", "http://", "discord://"].iter().any(|p| lower.starts_with(p))
        && !url.chars().any(char::is_whitespace)
}

/// An embed image's URL: http(s), at most 2048 characters (it counts toward no text budget).
pub fn image_ok(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    url.chars().count() <= EMBED_URL
        && ["https://", "http://"].iter().any(|p| lower.starts_with(p))
        && !url.chars().any(char::is_whitespace)
}

/// Brings a reply within every limit, shortening rather than failing.
pub fn fit(reply: &mut Reply) {
    if let Some(content) = &mut reply.content {
        *content = cut(content, CONTENT);
    }
    reply.embeds.truncate(EMBEDS);
    for e in &mut reply.embeds {
        e.title = cut(&e.title, EMBED_TITLE);
        e.description = cut(&e.description, EMBED_DESCRIPTION);
        e.fields.truncate(EMBED_FIELDS);
        for f in &mut e.fields {
            f.name = cut(&f.name, FIELD_NAME);
            f.value = cut(&f.value, FIELD_VALUE);
        }
        // An empty name or value is rejected by Discord; such a field says nothing anyway.
        e.fields.retain(|f| !f.name.is_empty() && !f.value.is_empty());
        if let Some(footer) = &mut e.footer {
            *footer = cut(footer, FOOTER);
        }
        if e.url.as_deref().is_some_and(|u| u.chars().count() > EMBED_URL || !link_ok(u)) {
            e.url = None;
        }
        if e.image.as_deref().is_some_and(|u| !image_ok(u)) {
            e.image = None;
        }
    }
    // The 6000-character budget across all embeds: earlier embeds and parts keep their text,
    // later ones are shortened, then dropped.
    let mut budget = EMBEDS_TOTAL;
    for e in &mut reply.embeds {
        let take = |text: &mut String, budget: &mut usize| {
            *text = cut(text, (*budget).min(len(text)));
            *budget -= len(text);
        };
        take(&mut e.title, &mut budget);
        take(&mut e.description, &mut budget);
        for f in &mut e.fields {
            take(&mut f.name, &mut budget);
            take(&mut f.value, &mut budget);
        }
        e.fields.retain(|f| !f.name.is_empty() && !f.value.is_empty());
        if let Some(footer) = &mut e.footer {
            take(footer, &mut budget);
        }
        if e.footer.as_deref().is_some_and(str::is_empty) {
            e.footer = None;
        }
    }
    reply.embeds.retain(|e| !e.title.is_empty() || !e.description.is_empty() || !e.fields.is_empty());

    for row in &mut reply.rows {
        match row {
            Row::Links(buttons) => {
                buttons.retain(|b| link_ok(&b.url));
                buttons.truncate(BUTTONS_PER_ROW);
                for b in buttons {
                    b.label = cut(&b.label, BUTTON_LABEL);
                    if b.label.is_empty() {
                        b.label = "Open".into();
                    }
                }
            }
            Row::Actions(buttons) => {
                // A cut custom_id would name something else: such a button is dropped instead.
                buttons.retain(|b| (1..=CUSTOM_ID).contains(&b.custom_id.chars().count()));
                buttons.truncate(BUTTONS_PER_ROW);
                for b in buttons {
                    b.label = cut(&b.label, BUTTON_LABEL);
                    if b.label.is_empty() {
                        b.label = "…".into();
                    }
                }
            }
            Row::Select(select) => {
                select.custom_id = select.custom_id.chars().take(CUSTOM_ID).collect();
                select.placeholder = cut(&select.placeholder, SELECT_PLACEHOLDER);
                select.options.truncate(SELECT_OPTIONS);
                for o in &mut select.options {
                    o.label = cut(&o.label, SELECT_TEXT);
                    o.value = o.value.chars().take(SELECT_TEXT).collect();
                    o.description =
                        o.description.as_deref().map(|d| cut(d, SELECT_TEXT)).filter(|d| !d.is_empty());
                }
                select.options.retain(|o| !o.label.is_empty() && !o.value.is_empty());
                // At most one default.
                let mut seen = false;
                for o in &mut select.options {
                    o.default &= !seen;
                    seen |= o.default;
                }
            }
        }
    }
    reply.rows.retain(|r| match r {
        Row::Links(b) => !b.is_empty(),
        Row::Actions(b) => !b.is_empty(),
        Row::Select(s) => !s.options.is_empty(),
    });
    reply.rows.truncate(ROWS);
    if reply.content.as_deref().is_some_and(str::is_empty) {
        reply.content = None;
    }
    if reply.content.is_none() && reply.embeds.is_empty() {
        // A message needs something to show.
        reply.content = Some("…".into());
    }
}

/// Autocomplete choices within limits: at most 25, names 1..=100, values at most 100.
pub fn fit_choices(choices: &mut Vec<Choice>) {
    choices.retain(|c| !c.value.is_empty() && c.value.chars().count() <= CHOICE_VALUE);
    choices.truncate(CHOICES);
    for c in choices.iter_mut() {
        c.name = cut(&c.name, CHOICE_NAME);
        if c.name.is_empty() {
            c.name = c.value.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{Embed, EmbedField, LinkButton, Select, SelectOption};

    #[test]
    fn cut_prefers_word_boundaries() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("the quick brown fox jumps", 16), "the quick brown…");
        assert_eq!(cut(&"x".repeat(50), 10), format!("{}…", "x".repeat(9)));
        assert_eq!(cut("ééééé ééééé", 7).chars().count(), 6);
        assert_eq!(cut("anything", 0), "");
    }

    fn huge() -> Reply {
        let long = "word ".repeat(3000);
        Reply {
            content: Some(long.clone()),
            embeds: (0..12)
                .map(|_| Embed {
                    title: long.clone(),
                    url: Some(format!("https://e.com/{}", "a".repeat(3000))),
                    description: long.clone(),
                    color: 0,
                    fields: (0..30)
                        .map(|_| EmbedField { name: long.clone(), value: long.clone(), inline: false })
                        .collect(),
                    footer: Some(long.clone()),
                    image: Some(format!("https://e.com/{}.jpg", "a".repeat(3000))),
                })
                .collect(),
            rows: (0..7)
                .map(|i| {
                    if i % 2 == 0 {
                        Row::Links(
                            (0..9)
                                .map(|j| LinkButton {
                                    label: long.clone(),
                                    url: if j == 0 {
                                        "javascript:alert(1)".into()
                                    } else {
                                        "https://e.com".into()
                                    },
                                })
                                .collect(),
                        )
                    } else {
                        Row::Select(Select {
                            custom_id: "c".repeat(300),
                            placeholder: long.clone(),
                            options: (0..40)
                                .map(|_| SelectOption {
                                    label: long.clone(),
                                    value: long.clone(),
                                    description: Some(long.clone()),
                                    default: true,
                                })
                                .collect(),
                        })
                    }
                })
                .collect(),
            ephemeral: false,
        }
    }

    #[test]
    fn fit_brings_every_part_within_limits() {
        let mut r = huge();
        fit(&mut r);
        assert!(r.content.as_ref().unwrap().chars().count() <= CONTENT);
        assert!(r.embeds.len() <= EMBEDS);
        let mut total = 0;
        for e in &r.embeds {
            assert!(e.title.chars().count() <= EMBED_TITLE);
            assert!(e.description.chars().count() <= EMBED_DESCRIPTION);
            assert!(e.fields.len() <= EMBED_FIELDS);
            assert!(e.url.is_none(), "over-long URL kept");
            assert!(e.image.is_none(), "over-long image URL kept");
            for f in &e.fields {
                assert!(f.name.chars().count() <= FIELD_NAME && f.value.chars().count() <= FIELD_VALUE);
            }
            total += e.title.chars().count()
                + e.description.chars().count()
                + e.fields.iter().map(|f| f.name.chars().count() + f.value.chars().count()).sum::<usize>()
                + e.footer.as_ref().map_or(0, |f| f.chars().count());
        }
        assert!(total <= EMBEDS_TOTAL, "{total}");
        assert!(r.rows.len() <= ROWS);
        // ... and what fits is kept: a `fit` that emptied the reply would pass the bounds above.
        let slack = 10; // a cut ends at a word boundary with "…"
        assert!(r.content.as_ref().unwrap().chars().count() >= CONTENT - slack, "content emptied");
        let first = &r.embeds[0];
        assert!(first.title.chars().count() >= EMBED_TITLE - slack, "title emptied: {:?}", first.title);
        assert!(first.description.chars().count() >= EMBED_DESCRIPTION - slack, "description emptied");
        assert!(total >= EMBEDS_TOTAL - slack * 4, "the 6000-character budget left unused: {total}");
        assert_eq!(r.rows.len(), ROWS, "rows dropped though 7 were given");
        let Row::Links(buttons) = &r.rows[0] else { panic!("the first row is no longer the links") };
        assert_eq!(buttons.len(), BUTTONS_PER_ROW, "only the javascript: link may go");
        assert!(buttons.iter().all(|b| b.label.chars().count() >= BUTTON_LABEL - slack));
        let Row::Select(select) = &r.rows[1] else { panic!("the second row is no longer the menu") };
        assert_eq!(select.options.len(), SELECT_OPTIONS);
        assert_eq!(select.options.iter().filter(|o| o.default).count(), 1, "one default survives");
        for row in &r.rows {
            match row {
                Row::Links(b) => {
                    assert!(b.len() <= BUTTONS_PER_ROW);
                    assert!(b.iter().all(|b| b.label.chars().count() <= BUTTON_LABEL && link_ok(&b.url)));
                }
                Row::Actions(b) => {
                    assert!(b.len() <= BUTTONS_PER_ROW);
                    assert!(b.iter().all(|b| b.label.chars().count() <= BUTTON_LABEL));
                }
                Row::Select(s) => {
                    assert!(s.custom_id.chars().count() <= CUSTOM_ID);
                    assert!(s.options.len() <= SELECT_OPTIONS);
                    assert!(s.options.iter().filter(|o| o.default).count() <= 1);
                    for o in &s.options {
                        assert!(o.label.chars().count() <= SELECT_TEXT);
                        assert!(o.value.chars().count() <= SELECT_TEXT);
                        assert!(o.description.as_ref().is_none_or(|d| d.chars().count() <= SELECT_TEXT));
                    }
                }
            }
        }
    }

    #[test]
    fn an_image_is_kept_only_with_a_usable_url() {
        let with = |image: &str| {
            let mut r = Reply {
                embeds: vec![Embed { title: "t".into(), image: Some(image.into()), ..Default::default() }],
                ..Default::default()
            };
            fit(&mut r);
            r.embeds[0].image.clone()
        };
        let ok = "https://i.ytimg.com/vi/89fYOo1V2pA/mqdefault.jpg";
        assert_eq!(with(ok).as_deref(), Some(ok));
        let longest = format!("https://e.com/{}", "a".repeat(EMBED_URL - 14));
        assert_eq!(with(&longest), Some(longest.clone()));
        assert_eq!(with(&format!("{longest}a")), None);
        for bad in ["javascript:alert(1)", "discord://x", "https://e.com/a b.jpg", ""] {
            assert_eq!(with(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn choices_are_cut_cleanly() {
        let mut c = vec![Choice { name: "a ".repeat(80), value: "id".into() }; 40];
        c.push(Choice { name: "x".into(), value: "v".repeat(101) });
        fit_choices(&mut c);
        assert_eq!(c.len(), CHOICES);
        assert!(c.iter().all(|c| c.name.chars().count() <= CHOICE_NAME && c.name.ends_with('…')));
    }
}
