//! How search behaves beyond the quality numbers: normalisation, filters, autocomplete-style
//! prefixes, determinism, suggestions, and odd input (property tests).

use crate::support::bundled;
use marquee::catalog::Kind;
use marquee::search::{Engine, SearchOptions, MAX_QUERY_CHARS};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(bundled()))
}

fn top(query: &str) -> Option<String> {
    engine().search(query, &SearchOptions::limit(5)).hits.first().map(|h| h.item.id.clone())
}

#[test]
fn case_and_accents_do_not_matter() {
    for q in ["VERNĀ MYERS", "Vernā Myers", "verna myers", "VERNA\u{304} MYERS", "ｖｅｒｎａ ｍｙｅｒｓ"]
    {
        assert_eq!(top(q).as_deref(), Some("courage-of-innovation"), "{q}");
    }
}

#[test]
fn words_in_any_order_and_unfinished_last_word() {
    assert_eq!(top("gregg brendan").as_deref(), Some("reinvent-2017-ec2-tuning"));
    assert_eq!(top("spinn").as_deref(), Some("reinvent-2020-spinnaker"));
    assert_eq!(top("the cr").as_deref(), Some("the-crown-in-the-cloud"));
    assert_eq!(top("brendan gr").as_deref(), Some("reinvent-2017-ec2-tuning"));
}

#[test]
fn kind_and_year_filters() {
    let engine = engine();
    let only_quotes = SearchOptions { kinds: vec![Kind::Quote], limit: 10, ..Default::default() };
    let hits = engine.search("email", &only_quotes).hits;
    assert_eq!(hits.first().map(|h| h.item.id.as_str()), Some("quote-chawla-ses"));
    assert!(hits.iter().all(|h| h.item.kind == Kind::Quote));

    let talks_2020 =
        SearchOptions { kinds: vec![Kind::Talk], year: Some(2020), limit: 10, ..Default::default() };
    let hits = engine.search("netflix", &talks_2020).hits;
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.item.kind == Kind::Talk && h.item.year == Some(2020)));

    let none = SearchOptions { kinds: vec![Kind::Podcast], limit: 10, ..Default::default() };
    assert!(engine.search("brendan gregg", &none).hits.is_empty());
}

#[test]
fn results_are_ordered_deterministically_and_limited() {
    let engine = engine();
    for q in ["netflix", "aws", "vfx", "talk", "re:invent 2020"] {
        let a: Vec<(String, f32)> = engine
            .search(q, &SearchOptions::limit(25))
            .hits
            .iter()
            .map(|h| (h.item.id.clone(), h.score))
            .collect();
        let b: Vec<(String, f32)> = engine
            .search(q, &SearchOptions::limit(25))
            .hits
            .iter()
            .map(|h| (h.item.id.clone(), h.score))
            .collect();
        assert_eq!(a, b, "{q}");
        // "talk" browses: talks, then keynotes, then videos, each by score.
        let group = |id: &str| match q {
            "talk" => [Kind::Talk, Kind::Keynote, Kind::Video]
                .iter()
                .position(|&k| engine.get(id).unwrap().kind == k)
                .expect("only the spoken kinds"),
            _ => 0,
        };
        for w in a.windows(2) {
            let (g0, g1) = (group(&w[0].0), group(&w[1].0));
            assert!(
                g0 < g1 || (g0 == g1 && (w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0))),
                "{q}: {a:?}"
            );
        }
        assert!(engine.search(q, &SearchOptions::limit(2)).hits.len() <= 2);
    }
}

#[test]
fn ties_are_broken_by_id() {
    // Two items that differ only in id score the same and come out in id order.
    let mut catalog = bundled();
    let mut twin = catalog.get("quote-chawla-ses").unwrap().clone();
    twin.id = "a-twin".into();
    catalog.items.push(twin);
    let engine = Engine::new(catalog);
    let hits = engine.search("devika chawla", &SearchOptions::limit(2)).hits;
    assert_eq!(hits[0].score, hits[1].score);
    assert_eq!(hits[0].item.id, "a-twin");
    assert_eq!(hits[1].item.id, "quote-chawla-ses");
}

#[test]
fn off_topic_returns_nothing_but_near_misses_get_suggestions() {
    let engine = engine();
    for q in ["chocolate cake", "weather in paris", "zzzzzz", "xkcd 927", "the", "", "   ", "🍿🎬"] {
        let outcome = engine.search(q, &SearchOptions::limit(5));
        assert!(outcome.hits.is_empty(), "{q:?} matched");
        // Suggestions rest on a word actually typed, not on a typo guess ("cake" ~ "case").
        assert!(outcome.suggestions.is_empty(), "{q:?} suggested {:?}", outcome.suggestions);
    }
    // Half of the words match well: not confident enough for a hit, close enough to suggest.
    let outcome = engine.search("kowalski birthday party", &SearchOptions::limit(5));
    assert!(outcome.hits.is_empty());
    assert_eq!(outcome.suggestions.first().map(|i| i.id.as_str()), Some("quote-kowalski-g5"));
}

#[test]
fn an_exact_title_wins() {
    assert_eq!(top("Netflix on AWS").as_deref(), Some("netflix-on-aws"));
    assert_eq!(top("how netflix encodes at scale").as_deref(), Some("reinvent-2017-encoding"));
}

/// Every word typed stands in one item, and one of them in no other: the catalog has one place
/// where what the member typed is, and that is the answer ("pandemic" is in The Crown's summary
/// alone). Not when other items' words begin with it: "meta" is in one summary as a word, but
/// three items are about Metaflow.
#[test]
fn a_word_only_one_item_holds_is_answered_by_it() {
    assert_eq!(top("pandemic").as_deref(), Some("the-crown-in-the-cloud"));
    assert_eq!(top("lockdown").as_deref(), Some("the-crown-in-the-cloud"));
    assert_eq!(top("hygiene").as_deref(), Some("techblog-consoleme"));
    assert_eq!(top("netflix hygiene").as_deref(), Some("techblog-consoleme"));
    let meta = top("meta");
    assert_ne!(meta.as_deref(), Some("hpc-nice-dcv-workforce"), "{meta:?}");
    // Talk around such a word is not a find in the page: chat filler ("anyone") leaves the
    // message to the decision, which hears chat, not a request for the overview.
    assert_eq!(top("game").as_deref(), Some("netflix-on-aws"));
    let chat = engine().search("anyone up for a game tonight?", &SearchOptions::limit(5));
    assert!(chat.hits.is_empty(), "{:?}", chat.hits.iter().map(|h| &h.item.id).collect::<Vec<_>>());
}

#[test]
fn long_queries_are_truncated_not_rejected() {
    let long = format!("brendan gregg {}", "flame ".repeat(5_000));
    assert!(long.chars().count() > 10 * MAX_QUERY_CHARS);
    assert_eq!(top(&long).as_deref(), Some("reinvent-2017-ec2-tuning"));
    let noise = "x".repeat(10_000);
    assert!(engine().search(&noise, &SearchOptions::limit(5)).hits.is_empty());
}

#[test]
fn mentions_and_markup_are_just_words() {
    assert_eq!(top("@everyone the crown").as_deref(), Some("the-crown-in-the-cloud"));
    assert_eq!(top("**spinnaker**").as_deref(), Some("reinvent-2020-spinnaker"));
}

fn odd_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(|c| c.to_string()),
            Just("\u{200b}".to_string()),
            Just("\u{202e}".to_string()),
            Just("\u{301}".to_string()),
            Just("👩‍👩‍👧".to_string()),
            Just("مرحبا".to_string()),
            Just("crown".to_string()),
            Just(" ".to_string()),
            Just("\0\x07\x1b".to_string()),
        ],
        0..64,
    );
    prop_oneof![pieces.prop_map(|p| p.concat()), any::<String>(), "\\PC{0,300}"]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn search_never_panics_and_stays_bounded(query in odd_text(), limit in 1usize..30) {
        let outcome = engine().search(&query, &SearchOptions::limit(limit));
        prop_assert!(outcome.hits.len() <= limit);
        prop_assert!(outcome.suggestions.len() <= 3);
        for h in &outcome.hits {
            prop_assert!(h.score.is_finite() && h.score > 0.0);
        }
    }

    #[test]
    fn huge_queries_are_handled(query in "\\PC{1,20}", repeat in 100usize..600) {
        let long = query.repeat(repeat);
        let outcome = engine().search(&long, &SearchOptions::limit(5));
        prop_assert!(outcome.hits.len() <= 5);
    }
}

#[test]
fn chat_filler_alone_says_nothing() {
    for q in ["lol", "ok thx", "hey everyone!", "haha", "thanks!!", "anyone?", "what is it", "gm folks"] {
        let outcome = engine().search(q, &SearchOptions::limit(5));
        assert!(outcome.hits.is_empty() && outcome.suggestions.is_empty(), "{q:?}: {:?}", outcome.hits);
    }
    // Filler around real words changes nothing.
    assert_eq!(top("hey, anyone got that story about the crown?").as_deref(), Some("the-crown-in-the-cloud"));
}

#[test]
fn words_that_ask_for_a_kind_prefer_it_without_excluding_the_rest() {
    assert_eq!(top("something to watch about consoleme").as_deref(), Some("reinvent-2020-consoleme"));
    assert_eq!(top("anything to read about consoleme").as_deref(), Some("techblog-consoleme"));
    assert_eq!(top("anything to listen to?").as_deref(), Some("fix-this-podcast"));
    // No podcast is about Brendan Gregg: his talk is still the answer.
    assert_eq!(top("a podcast with brendan gregg").as_deref(), Some("reinvent-2017-ec2-tuning"));
}

/// The bundled catalog plus `n` items that only mention `word`: a short made-up title with the
/// word in it, and the word once in a summary of made-up words (as a large catalog that reuses
/// the catalog's vocabulary would).
fn crowded_by(word: &str, n: usize) -> Engine {
    let mut catalog = bundled();
    let template = catalog.items[0].clone();
    let syllables = ["ka", "lo", "ver", "tan", "mi", "sol", "dra", "pen", "qu", "ri", "zon", "bel"];
    let made_up = |i: usize, salt: usize| -> String {
        (0..3).map(|k| syllables[(i * 7 + salt * 5 + k * 3) % syllables.len()]).collect()
    };
    for i in 0..n {
        let mut item = template.clone();
        item.id = format!("crowd-{i:04}");
        item.title = format!("{} {} {word} {}", made_up(i, 1), made_up(i, 2), made_up(i, 3));
        item.summary = format!("{} {word} {} {}.", made_up(i, 4), made_up(i, 5), made_up(i, 6));
        item.aliases.clear();
        item.tags.clear();
        item.people.clear();
        item.services.clear();
        catalog.items.push(item);
    }
    Engine::new(catalog)
}

/// Among hundreds of items that mention a word in their title, the item that the word names
/// (its tag "dns") comes first; and a chat message that only grazes such a crowd of mentions
/// gets no answer, because nothing in it is specific, named or clearly ahead.
#[test]
fn an_item_named_by_the_query_leads_a_crowd_that_mentions_it() {
    let engine = crowded_by("dns", 500);
    let hits = engine.search("dns", &SearchOptions::limit(3)).hits;
    assert_eq!(hits.first().map(|h| h.item.id.as_str()), Some("route53-multi-region"));

    let engine = crowded_by("server", 500);
    assert!(engine.search("is the server down again?", &SearchOptions::limit(3)).hits.is_empty());
    // Without the crowd the same message is silent too: the rule only adds where chance matches exist.
    assert!(Engine::new(bundled())
        .search("is the server down again?", &SearchOptions::limit(3))
        .hits
        .is_empty());
}

/// A message of nouns for kinds browses them: the items of those kinds, the kind the word
/// names first, and not items that only use the word ("video transcoding" in the overview).
/// A verb for a kind in chat stays with the decision.
#[test]
fn nouns_for_kinds_browse_them() {
    let engine = engine();
    let kinds = |q: &str| -> Vec<Kind> {
        engine.search(q, &SearchOptions::limit(25)).hits.iter().map(|h| h.item.kind).collect()
    };
    let talks = kinds("talks");
    assert_eq!(talks.first(), Some(&Kind::Talk), "{talks:?}");
    assert!(talks.iter().all(|k| matches!(k, Kind::Talk | Kind::Keynote | Kind::Video)), "{talks:?}");
    let videos = kinds("any videos?");
    assert_eq!(videos.first(), Some(&Kind::Video), "{videos:?}");
    assert!(!videos.contains(&Kind::Overview) && !videos.contains(&Kind::Quote), "{videos:?}");
    let blogs = kinds("blog posts");
    assert_eq!(blogs[..2], [Kind::Blog, Kind::Blog], "{blogs:?}");
    assert_eq!(kinds("quotes"), [Kind::Quote; 3]);
    assert_eq!(kinds("case studies"), [Kind::CaseStudy; 4]);
    assert_eq!(kinds("any podcasts?"), [Kind::Podcast]);
    assert!(kinds("what should i watch tonight").is_empty());
    // A slip in the noun browses the same shelf.
    assert_eq!(kinds("any vidoes?"), videos);
    assert_eq!(kinds("podcsts"), [Kind::Podcast]);
}

/// A question for a figure ("how many", "when") is answered by the sentence that states one
/// beside the words asked about, not by a name that merely holds a word of it: Brendan Gregg
/// is "a member of the performance … team", the overview says "over 260 million members".
#[test]
fn a_question_for_a_figure_prefers_the_sentence_that_states_it() {
    let first = |q: &str| engine().judge(q, &SearchOptions::limit(3)).first().map(|j| j.item.id.clone());
    assert_eq!(first("how many members does netflix have").as_deref(), Some("netflix-on-aws"));
    assert_eq!(first("netflix is available in how many languages?").as_deref(), Some("netflix-on-aws"));
    assert_eq!(
        first("when did netflix start producing its own content").as_deref(),
        Some("nice-dcv-vfx-studio")
    );
    // Without a question for a figure, the name that holds the word still leads.
    assert_eq!(first("member of the performance team").as_deref(), Some("reinvent-2017-ec2-tuning"));
}

/// A topic with a noun for a kind lists every story of that kind that matches the topic, after
/// the answer ("re:invent talks": all of them, not the best one alone); a topic only one such
/// story matches lists that one.
#[test]
fn a_topic_with_a_kind_noun_lists_the_stories_of_that_kind() {
    let ids = |q: &str| -> Vec<String> {
        engine().search(q, &SearchOptions::limit(25)).hits.iter().map(|h| h.item.id.clone()).collect()
    };
    let mut talks: Vec<String> = engine()
        .items()
        .iter()
        .filter(|i| i.kind == Kind::Talk && i.tags.iter().any(|t| t == "re:invent"))
        .map(|i| i.id.clone())
        .collect();
    assert!(talks.len() > 3, "the bundled catalog holds several re:Invent talks");
    let mut listed = ids("re:invent talks");
    listed.sort();
    talks.sort();
    assert_eq!(listed, talks);
    assert_eq!(ids("the crown case study"), ["the-crown-in-the-cloud"]);
}

/// A word most stories hold is the catalog's theme, not a topic: "netflix talks" and "aws
/// talks" browse the talks rather than answering "Nothing matches".
#[test]
fn the_catalogs_theme_words_beside_a_kind_noun_browse_it() {
    let talks = engine().items().iter().filter(|i| i.kind == Kind::Talk).count();
    for q in ["netflix talks", "aws talks", "any netflix talks?"] {
        let hits = engine().search(q, &SearchOptions::limit(25)).hits;
        let listed = hits.iter().take_while(|h| h.item.kind == Kind::Talk).count();
        assert_eq!(listed, talks, "{q}: the talks first, all of them");
    }
}

/// Theme words typed alone ask for the story they name: "netflix" matched every story and
/// answered "Nothing matches"; the overview, "Netflix on AWS", answers.
#[test]
fn the_catalogs_theme_words_alone_answer_its_overview() {
    for q in ["netflix", "aws", "Netflix?"] {
        assert_eq!(top(q).as_deref(), Some("netflix-on-aws"), "{q}");
    }
    // Chat around them asks something else.
    assert_eq!(top("is netflix down right now for anyone else?"), None);
}

/// A first name spelt the way it sounds, beside the surname, is that person's: "stefan" and
/// "steven" are two edits from "stephen", further than a typo. Alone, or beside words that are
/// no part of the name, the sound of a word says nothing. With the surname misspelt too
/// ("steven kowalsky") the person still ranks first, but whether that is answered is the fitted
/// decision's call (p 0.48 since the fit read paraphrase-7 and facts-roles-3, under 0.56).
#[test]
fn a_first_name_spelt_as_it_sounds_beside_the_surname_finds_the_person() {
    for q in ["stefan kowalski", "Kowalski, Stefan"] {
        assert_eq!(top(q).as_deref(), Some("quote-kowalski-g5"), "{q}");
    }
    let ranked = engine().judge("steven kowalsky", &SearchOptions::limit(5));
    assert_eq!(ranked.first().map(|j| j.item.id.as_str()), Some("quote-kowalski-g5"));
    assert_eq!(top("stefan"), None);
}

/// A short form of a first name, beside the surname, is that person's, even when another
/// person goes by it: "steve kowalski" is Stephen Kowalski, "stephen schmidt" Steve Schmidt.
#[test]
fn a_first_name_by_its_short_form_beside_the_surname_finds_the_person() {
    for (q, expected) in [
        ("steve kowalski", "quote-kowalski-g5"),
        ("Kowalski, Steve", "quote-kowalski-g5"),
        ("stephen schmidt", "cybersecurity-conversation"),
    ] {
        assert_eq!(top(q).as_deref(), Some(expected), "{q}");
    }
}

/// A long message asks at its end as often as at its start: past the words a query is read
/// for, the most telling are kept (words for a story, names, the rarest), not the first, and
/// the rest still count as asked. With the words alone, the first message's story leads and is
/// offered ("did you mean") at p 0.558 under the decision's 0.56 since the fit read 26 sets
/// (2026-12-08); the sentence model's second opinion answers it (tests/it/fallback.rs).
#[test]
fn a_long_message_that_asks_at_its_end_is_answered() {
    let first = "hey all, quick question from our platform team standup this morning, someone mentioned a \
                 session where netflix explained deploying with spinnaker and managed delivery";
    let outcome = engine().search(first, &SearchOptions::limit(5));
    let leader = outcome.hits.first().map(|h| h.item).or(outcome.suggestions.first().copied());
    assert_eq!(leader.map(|i| i.id.as_str()), Some("reinvent-2020-spinnaker"), "{first}");
    let asks = [
        (
            "ok so context: i run a tiny vfx team, we rent gpu boxes and remote desktops are laggy, my \
             boss wants the story where netflix used nice dcv for its vfx studio",
            "nice-dcv-vfx-studio",
        ),
        (
            "sorry for the wall of text, our data science folks keep fighting with infrastructure every \
             single week, is there a blog on metaflow and step functions",
            "techblog-metaflow-step-functions",
        ),
    ];
    for (q, expected) in asks {
        assert_eq!(top(q).as_deref(), Some(expected), "{q}");
    }
    let chatter = "sorry for the wall of text, our ops folks keep fighting with the coffee machine every \
                   single week, anyone else have this problem at work";
    assert_eq!(top(chatter), None);
}

/// Members who forget a product's name describe what it does: the catalog's named services and
/// tools carry plain descriptions (`[[related]]` in content/synonyms.toml), each found through
/// the name it stands for.
#[test]
fn a_product_described_by_what_it_does_finds_the_story_that_names_it() {
    let described = [
        ("aws state machine service for metaflow", "techblog-metaflow-step-functions"),
        ("netflix edge gateway and dns service", "route53-multi-region"),
        (
            "case study where artists reach gpu instances over a remote display protocol",
            "nice-dcv-vfx-studio",
        ),
    ];
    for (q, expected) in described {
        assert_eq!(top(q).as_deref(), Some(expected), "{q}");
    }
}

/// Stories that match a query alike (every word, in the same fields) are answered together: the
/// model alone reads the second of two equals as a runner-up, and "reinvent 2019" listed one of
/// the two 2019 talks.
#[test]
fn stories_matching_a_query_alike_are_answered_together() {
    let engine = engine();
    for year in [2017, 2019, 2020] {
        let tag = format!("re:invent {year}");
        let mut want: Vec<&str> =
            engine.items().iter().filter(|i| i.tags.contains(&tag)).map(|i| i.id.as_str()).collect();
        want.sort_unstable();
        assert!(want.len() >= 2, "the catalog has several {tag} talks");
        for query in [format!("reinvent {year}"), tag.clone()] {
            let mut got: Vec<String> = engine
                .search(&query, &SearchOptions::limit(10))
                .hits
                .iter()
                .map(|h| h.item.id.clone())
                .collect();
            got.sort_unstable();
            assert_eq!(got, want, "{query}");
        }
    }
}

/// A word spelt by ear is often two letters off where a slip of the fingers is one: "scail" is
/// "scale" by sound. Two letters off and sounding alike, a word of five letters or more is read
/// as the word it sounds like.
#[test]
fn a_word_spelt_as_it_sounds_is_read_as_the_word() {
    for q in ["encoding at scail", "netflx encodeing at scail"] {
        assert_eq!(top(q).as_deref(), Some("reinvent-2017-encoding"), "{q}");
    }
}

/// A reaction to someone else's message is chat, even when a word of it names a product:
/// "nice" asks for NICE DCV, "haha nice one" asks for nothing.
#[test]
fn a_reaction_in_chat_asks_for_nothing() {
    for q in ["haha nice one", "nice one!", "good catch, thx"] {
        assert_eq!(top(q), None, "{q}");
    }
    for q in ["nice", "nice dcv"] {
        assert!(top(q).is_some_and(|id| id.contains("nice-dcv")), "{q}");
    }
}
