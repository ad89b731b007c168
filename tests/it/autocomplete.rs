//! Autocomplete as a member types, key by key: never blank while a name fits what is typed, and
//! at every prefix at least as good as plain fuzzy-matcher (SkimMatcherV2) over the titles.

use crate::support::bundled;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use marquee::catalog::Item;
use marquee::search::{Engine, SearchOptions};

/// Typed up to this many characters, as tools/eval-autocomplete.py does.
const MAX_KEYS: usize = 24;

/// The floor: plain SkimMatcherV2 over the lowercased titles, best score first, ties by id.
fn skim<'a>(items: &'a [Item], typed: &str) -> Vec<&'a str> {
    let matcher = SkimMatcherV2::default();
    let mut scored: Vec<(i64, &str)> = items
        .iter()
        .filter_map(|i| matcher.fuzzy_match(&i.title.to_lowercase(), typed).map(|s| (s, i.id.as_str())))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().map(|(_, id)| id).collect()
}

/// As an English-speaking member gets them: titles read in English only.
fn ours<'a>(engine: &'a Engine, typed: &str) -> Vec<&'a str> {
    in_language(engine, typed, "en")
}

fn in_language<'a>(engine: &'a Engine, typed: &str, language: &'static str) -> Vec<&'a str> {
    let options = SearchOptions { names_in: Some(language), ..SearchOptions::limit(25) };
    engine.complete(typed, &options).iter().map(|i| i.id.as_str()).collect()
}

/// A member types a title in their own language (the one the choices are shown in): every
/// translated title is in the top 3 once typed, whether or not its words are in English too.
#[test]
fn typing_a_title_in_ones_own_language_finds_it() {
    let catalog = bundled();
    let engine = Engine::new(catalog.clone());
    let mut typed = 0;
    let languages = marquee::locale::Lang::ALL.iter().filter_map(|l| l.catalog_locale());
    for language in languages {
        for item in &catalog.items {
            let Some(title) = item.locales.get(language).and_then(|t| t.title.as_ref()) else { continue };
            let prefix: String = title.to_lowercase().chars().take(MAX_KEYS).collect();
            let top = in_language(&engine, &prefix, language);
            assert!(
                top.iter().take(3).any(|id| *id == item.id),
                "{language} {prefix:?}: {top:?} ({})",
                item.id
            );
            typed += 1;
        }
    }
    assert!(typed >= 5 * 25, "{typed} translated titles typed");
}

/// Keys typed until `id` is in the first three and stays there (`MAX_KEYS + 1` if never).
fn keys_to_top3(text: &str, id: &str, list: impl Fn(&str) -> Vec<String>) -> usize {
    let prefixes: Vec<String> =
        (1..=text.chars().count().min(MAX_KEYS)).map(|k| text.chars().take(k).collect()).collect();
    let mut keys = MAX_KEYS + 1;
    for (k, p) in prefixes.iter().enumerate().rev() {
        if !list(p).iter().take(3).any(|i| i == id) {
            break;
        }
        keys = k + 1;
    }
    keys
}

#[test]
fn typing_a_title_is_at_least_as_good_as_fuzzy_matcher_over_titles() {
    let engine = Engine::new(bundled());
    let items = engine.items();
    let (mut empty, mut prefixes) = (0, 0);
    let (mut ours_keys, mut skim_keys) = (Vec::new(), Vec::new());
    let mut worse = Vec::new();
    for item in items {
        let title = item.title.to_lowercase();
        for k in 1..=title.chars().count().min(MAX_KEYS) {
            let typed: String = title.chars().take(k).collect();
            prefixes += 1;
            let (a, b) = (ours(&engine, &typed), skim(items, &typed));
            if a.is_empty() {
                empty += 1;
                assert!(b.is_empty(), "{typed:?}: blank, while fuzzy-matcher offers {b:?}");
            }
        }
        let o = keys_to_top3(&title, &item.id, |p| ours(&engine, p).into_iter().map(String::from).collect());
        let s = keys_to_top3(&title, &item.id, |p| skim(items, p).into_iter().map(String::from).collect());
        if o > s {
            worse.push(format!("{title:?}: {o} keys, fuzzy-matcher {s}"));
            for k in s..o {
                let typed: String = title.chars().take(k).collect();
                println!("    {typed:?}: {:?}", &ours(&engine, &typed)[..3.min(ours(&engine, &typed).len())]);
            }
        }
        ours_keys.push(o);
        skim_keys.push(s);
    }
    let median = |v: &mut Vec<usize>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let within5 = |v: &[usize]| v.iter().filter(|&&k| k <= 5).count() as f64 / v.len() as f64;
    let (o5, s5) = (within5(&ours_keys), within5(&skim_keys));
    let (om, sm) = (median(&mut ours_keys), median(&mut skim_keys));
    println!(
        "titles: empty {empty} of {prefixes} prefixes; median keys to top 3 {om} (fuzzy-matcher {sm}); within 5 keys {o5:.3} (fuzzy-matcher {s5:.3})"
    );
    for w in &worse {
        println!("  behind fuzzy-matcher: {w}");
    }
    assert_eq!(empty, 0, "blank lists while typing titles");
    assert!(om <= sm && o5 >= s5, "behind fuzzy-matcher: median {om} vs {sm}, within 5 {o5:.3} vs {s5:.3}");
    assert!(worse.is_empty(), "titles that take more keys than with fuzzy-matcher: {worse:#?}");
}

/// Stopword-led and unfinished prefixes, typos in a partial word: never blank, and the name
/// typed leads.
#[test]
fn prefixes_that_used_to_go_blank() {
    let engine = Engine::new(bundled());
    for typed in ["t", "th", "the", "the ", "the c", "the cr", "the crw", "the crown"] {
        let got = ours(&engine, typed);
        assert!(!got.is_empty(), "{typed:?}: blank");
        println!("{typed:?}: {:?}", &got[..3.min(got.len())]);
    }
    // "the c" begins "The Courage of Innovation" too, at its very start.
    assert!(ours(&engine, "the c")[..3].contains(&"the-crown-in-the-cloud"));
    for (typed, want) in [
        ("the cr", "the-crown-in-the-cloud"),
        ("the crw", "the-crown-in-the-cloud"),
        ("fix th", "fix-this-podcast"),
        ("brendan gr", "reinvent-2017-ec2-tuning"),
        ("spinakr", "reinvent-2020-spinnaker"),
    ] {
        println!("{typed:?}: {:?}", ours(&engine, typed));
        assert_eq!(ours(&engine, typed).first().copied(), Some(want), "{typed:?}");
    }
}
