//! Turns a query into slots: one per thing the user asked for, each with the index terms that
//! may stand for it and how much each is worth (1.0 for the word itself, less for a guess).

use super::given_names::{is_given_name, same_name};
use super::index::{group_term, kind_term, Index};
use super::intent::{
    is_filler, kinds_asked, kinds_misspelt, kinds_of_phrase, names_an_item, reports_speech, without_idioms,
};
use super::text::{words, Word};
use super::typo::{distance, max_edits, soundex};
use crate::catalog::Kind;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// Longer queries are cut here, not rejected (a slash command's option holds at most 200).
pub const MAX_QUERY_CHARS: usize = 256;
/// Content words a query is read for: each is a slot with its lookups, so the work per query is
/// bounded. A longer message keeps its most telling words (`keep_most_telling`); the rest count
/// as asked and unmatched. Keeping the most telling words rather than the first, with each set
/// left out of the fit in turn (tools/fit_decision.rs, 15 sets, 2026-12-07), answered right first
/// 0.950 against 0.942 with 0.953 of off-topic queries silent against 0.952; without counting
/// the rest as asked, 0.948 with 0.941 silent.
pub const MAX_QUERY_WORDS: usize = 12;

const SYNONYM: f32 = 1.0;
const ONE_TYPO: f32 = 0.75;
const TWO_TYPOS: f32 = 0.6;
/// Shortest word that may be read two letters off by sound (see `typos`): in a shorter one, two
/// letters are half the word.
const MIN_HEARD_CHARS: usize = 5;
const ABBREVIATION: f32 = 0.55;
/// Two adjacent query words found joined in a name: a bonus on top of the words themselves.
const PHRASE: f32 = 0.5;
/// Another form of the same word ("producing" → "production", "globally" → "global").
const WORD_FORM: f32 = 0.7;
/// Quality of a catalog word reached through a member's word for it (`Catalog::related`:
/// "crash" → "outage"): near in meaning, not the same, so below a synonym and a word's other
/// forms. Divided among the catalog words a member's word stands for, when it stands for several.
pub const RELATED: f32 = 0.6;
/// What a word no item holds weighs, as a share of the rarest known word of the query. Such a
/// word is as often a member's everyday word the catalog does not use ("borrows", "pushed") as a
/// misspelt name, so it counts for less than the rarest word it stands beside: with each set
/// left out of the fit in turn, shares of 1, 0.75, 0.5, 0.35 and 0.25 answered right first
/// 0.935, 0.933, 0.942, 0.933 and 0.927 with 0.945, 0.948, 0.948, 0.950 and 0.955 of off-topic
/// queries silent (before a member's word for several catalog words was discounted, which left
/// 0.5 at 0.940 / 0.948). Lower and a query's unknown words stop counting against a partial
/// match.
const UNKNOWN_SHARE: f32 = 0.5;
/// Other forms looked up per word, the most common first.
const MAX_WORD_FORMS: usize = 8;
/// Completions of a prefix considered per word: words in names first, then the most common.
const MAX_COMPLETIONS: usize = 16;
/// ... for an unknown word before the last, which is more likely misspelt than unfinished: each
/// completion of a common prefix reads a long postings list, so twelve such words are bounded.
const MAX_INNER_COMPLETIONS: usize = 4;
/// ... and only from this many letters: three letters complete to too many words to read.
const MIN_INNER_COMPLETION_CHARS: usize = 4;
const MAX_ABBREVIATIONS: usize = 3;
/// An abbreviation is read from this many letters up: three letters ("lol", "thx") expand to
/// too many words by accident.
const MIN_ABBREVIATION_CHARS: usize = 4;
/// Words per query read as abbreviations: each is a scan of the words with its first letter,
/// so the count is bounded (a query of twelve unknown words is not twelve scans).
const MAX_ABBREVIATED_WORDS: usize = 2;
/// A word with this many vowels or more is not read as an abbreviation (`abbreviations`). With
/// each set left out of the fit in turn (18 sets, 2026-12-07) it changed little: right first 0.950
/// both, off-topic silent 0.943 against 0.945. It is kept because a chat message of a kind verb
/// and an everyday word ("something to listen to while i drive") is a request to browse that
/// kind, which the guess "drive" → "declarative" hid.
const MAX_ABBREVIATION_VOWELS: usize = 2;

#[derive(Debug, Clone)]
pub struct Slot {
    /// How much matching this slot matters: the idf of what the user typed.
    pub weight: f32,
    /// False for a bonus that adds evidence without being asked for: two adjacent query words
    /// found joined in a name. Missing it costs no coverage.
    pub counts: bool,
    /// The word asks for a kind of item ("listen", "video") rather than naming a topic.
    pub asks_kind: bool,
    /// (term, quality): any one of them satisfies the slot.
    pub alternatives: Vec<(u32, f32)>,
}

/// Quality of a completion: closer to 1 the more of the word was typed.
fn completion_quality(typed: usize, full: usize) -> f32 {
    0.55 + 0.35 * typed as f32 / full.max(1) as f32
}

pub fn truncate(query: &str) -> &str {
    match query.char_indices().nth(MAX_QUERY_CHARS) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}

/// The words of `text` that may match something: chat filler ("hey", "anyone", "got") dropped,
/// and a verb reporting speech where a noun names the item asked for.
pub fn content_words(text: &str) -> Vec<Word> {
    let mut ws = match without_idioms(text) {
        Some(plain) => words(&plain),
        None => words(text),
    };
    let item_named = ws.iter().any(|w| names_an_item(&w.raw));
    ws.retain(|w| !(is_filler(&w.raw) || item_named && reports_speech(&w.raw)));
    ws
}

/// Cuts a query of more than `MAX_QUERY_WORDS` words to that many, in their order, and returns
/// the terms of the words it cut (`None` for a word no item holds). A long message often asks
/// at its end ("…did netflix publish a case study on doing that with aws local zones?"), after
/// greetings and context: its first words are not the ones that carry the request, its most
/// telling are.
fn keep_most_telling(index: &Index, ws: &mut Vec<Word>) -> Vec<Option<u32>> {
    if ws.len() <= MAX_QUERY_WORDS {
        return Vec::new();
    }
    // Words for a story or a kind of story ("talk", "case study") first, then words items are
    // named by (a title, a tag, a person, a service), then the rarest.
    let in_kind_phrase =
        |i: usize, j: usize| j < ws.len() && !kinds_of_phrase(&ws[i].raw, &ws[j].raw).is_empty();
    let terms: Vec<Option<u32>> = ws.iter().map(|w| index.lookup(w.stem())).collect();
    let telling: Vec<(bool, bool, f32)> = ws
        .iter()
        .zip(&terms)
        .enumerate()
        .map(|(i, (w, &t))| {
            let kind = names_an_item(&w.raw) || in_kind_phrase(i, i + 1) || i > 0 && in_kind_phrase(i - 1, i);
            (kind, t.is_some_and(|t| index.named_doc_freq(t) > 0), t.map_or(0.0, |t| index.idf(t)))
        })
        .collect();
    let mut order: Vec<usize> = (0..ws.len()).collect();
    // Stable: among equally telling words the earlier is kept.
    order.sort_by(|&a, &b| {
        let (x, y) = (telling[b], telling[a]);
        (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2))
    });
    let mut keep = vec![false; ws.len()];
    order.iter().take(MAX_QUERY_WORDS).for_each(|&i| keep[i] = true);
    let dropped = terms.iter().zip(&keep).filter(|(_, &k)| !k).map(|(&t, _)| t).collect();
    let mut kept = keep.iter();
    ws.retain(|_| kept.next().copied().unwrap_or(false));
    dropped
}

/// Keeps the first of each word typed more than once ("ML infrastructure … the ML one"): a word
/// repeated asks for one thing, not two. As two slots it would count twice toward coverage, and a
/// chat message that repeats the word a story holds would look twice as much like that story.
/// With each set left out of the fit in turn (18 sets, 2026-12-07), off-topic queries stay
/// silent 0.943 against 0.932 with repeats kept, right first 0.950 both.
fn asked_once(ws: &mut Vec<Word>) {
    let first: Vec<bool> = (0..ws.len()).map(|i| ws[..i].iter().all(|p| p.stem() != ws[i].stem())).collect();
    let mut first = first.into_iter();
    ws.retain(|_| first.next().unwrap_or(true));
}

/// The kinds a word asks for as a noun for a kind with one slip in it ("podcst", "overveiw"),
/// when it asks for none as typed and no item holds it: a word the catalog holds is that word,
/// not a slip. The one rule for both the slots and the browse reading (`Engine::search`).
pub fn misspelt_kinds(index: &Index, w: &Word) -> &'static [Kind] {
    if !kinds_asked(&w.raw).is_empty() || index.lookup(w.stem()).is_some() {
        return &[];
    }
    kinds_misspelt(&w.raw)
}

pub fn parse(index: &Index, matcher: &SkimMatcherV2, query: &str) -> Vec<Slot> {
    let mut ws: Vec<Word> = content_words(truncate(query));
    asked_once(&mut ws);
    let dropped = keep_most_telling(index, &mut ws);
    let stems: Vec<&str> = ws.iter().map(|w| w.stem()).collect();

    // Multi-word synonym phrases ("simple email service") become one slot each, longest first.
    let mut covered = vec![false; ws.len()];
    let mut slots = Vec::new();
    let mut single_word_groups: Vec<Vec<u32>> = vec![Vec::new(); ws.len()];
    let mut kind_slots = Vec::new();
    for (start, len, group) in index.synonyms.matches(&stems) {
        let Some(term) = index.lookup(&group_term(group)) else {
            continue;
        };
        if len == 1 {
            single_word_groups[start].push(term);
        } else if !covered[start..start + len].iter().any(|&c| c) {
            covered[start..start + len].iter_mut().for_each(|c| *c = true);
            let mut alternatives = vec![(term, SYNONYM)];
            // A phrase of words for items ("blog posts") asks for the kind, as its kind word
            // alone would; a topic with a kind word in it ("video encoding") does not.
            let span = &ws[start..start + len];
            let mut kinds: Vec<Kind> = Vec::new();
            if span.iter().all(|w| names_an_item(&w.raw)) {
                for &k in span.iter().flat_map(|w| kinds_asked(&w.raw)) {
                    if !kinds.contains(&k) {
                        kinds.push(k);
                    }
                }
            }
            if kinds.is_empty() {
                slots.push(Slot { weight: index.idf(term), counts: true, asks_kind: false, alternatives });
            } else {
                let df = kind_alternatives(index, &kinds, &mut alternatives);
                kind_slots.push(Slot {
                    weight: index.idf_of(df.max(1)),
                    counts: true,
                    asks_kind: true,
                    alternatives,
                });
            }
        }
    }

    // Members' words for catalog words: a one-word match joins that word's slot; a phrase
    // ("power cut") is a slot of its own, as a synonym phrase is. A word members use for several
    // catalog words ("server" for compute, instance, infrastructure) points to each less surely.
    let mut related_of_word: Vec<(Vec<u32>, u16)> = vec![(Vec::new(), 0); ws.len()];
    for (start, len, entry) in index.related.matches(&stems) {
        let terms = &index.related_terms[entry as usize];
        if len == 1 {
            // Entries for forms of one word ("migrate", "migration") share their terms: one
            // meaning, not two.
            let (held, meanings) = &mut related_of_word[start];
            if terms.iter().any(|t| !held.contains(t)) {
                *meanings += 1;
                held.extend(terms);
            }
        } else if !covered[start..start + len].iter().any(|&c| c) {
            // A phrase of words the catalog holds as typed ("content creation", a member's
            // phrase for "storytelling") asks for those words: the catalog word it stands for
            // only adds evidence.
            let held = stems[start..start + len].iter().all(|s| index.lookup(s).is_some());
            if !held {
                covered[start..start + len].iter_mut().for_each(|c| *c = true);
            }
            let df = terms.iter().map(|&t| index.doc_freq(t)).sum::<u32>().min(index.doc_count());
            slots.push(Slot {
                weight: index.idf_of(df),
                counts: !held,
                asks_kind: false,
                alternatives: terms.iter().map(|&t| (t, RELATED)).collect(),
            });
        }
    }

    let last = ws.len().saturating_sub(1);
    let mut abbreviated = 0;
    // (slot, most it may weigh) for each word no item holds as typed.
    let mut caps: Vec<(usize, Option<f32>)> = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        if covered[i] {
            continue;
        }
        let mut alternatives: Vec<(u32, f32)> = Vec::new();
        let exact = index.lookup(w.stem());
        if let Some(t) = exact {
            alternatives.push((t, 1.0));
        }
        let mut kinds = kinds_asked(&w.raw);
        if kinds.is_empty() {
            kinds = misspelt_kinds(index, w);
        }
        if kinds.is_empty() {
            alternatives.extend(single_word_groups[i].iter().map(|&t| (t, SYNONYM)));
        } else {
            // A word that asks for a kind is satisfied by any item of that kind (or one that
            // has the word), and weighs as much as the kind is rare: "listen" (one podcast)
            // counts for a lot, "watch" (most items are videos or talks) for little.
            let df = kind_alternatives(index, kinds, &mut alternatives);
            // Not NAN, and not counted as a known word for the weight of unknown ones below.
            kind_slots.push(Slot {
                weight: index.idf_of(df.max(1)),
                counts: true,
                asks_kind: true,
                alternatives,
            });
            continue;
        }
        let typed = w.raw.chars().count();
        let mut completed = 0..0;
        let (related, meanings) = &related_of_word[i];
        for &t in related {
            if !alternatives.iter().any(|&(o, _)| o == t) {
                alternatives.push((t, RELATED / f32::from(*meanings)));
            }
        }
        word_forms(index, &w.raw, exact, &mut alternatives);
        // The last word may be unfinished (autocomplete, half-remembered names).
        if (i == last && typed >= 2) || (exact.is_none() && typed >= MIN_INNER_COMPLETION_CHARS) {
            let most = if i == last { MAX_COMPLETIONS } else { MAX_INNER_COMPLETIONS };
            let start = alternatives.len();
            completions(index, &w.raw, exact, most, &mut alternatives);
            completed = start..alternatives.len();
        }
        if exact.is_none() && !w.stem().chars().any(|c| c.is_numeric()) {
            typos(index, w.stem(), &mut alternatives);
        }
        name_beside(index, &ws, i, exact.is_some(), &mut alternatives);
        if alternatives.is_empty() && typed >= MIN_ABBREVIATION_CHARS && abbreviated < MAX_ABBREVIATED_WORDS {
            abbreviated += 1;
            abbreviations(index, matcher, &w.raw, &mut alternatives);
        }
        // A word no item holds as typed weighs at most as much as its readings other than
        // completions are rare together: a guess at a common word ("match" → "watch") is worth
        // a common word, not the rarest word possible. (An unfinished word's completions are
        // many words, common and rare; it keeps the weight below.)
        let weight = match exact {
            Some(t) => index.idf(t),
            None => {
                let guessed = alternatives
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !completed.contains(i))
                    .map(|(_, &(t, _))| index.doc_freq(t))
                    .fold(None, |sum: Option<u32>, df| Some(sum.unwrap_or(0) + df));
                caps.push((slots.len(), guessed.map(|df| index.idf_of(df.min(index.doc_count())))));
                f32::NAN
            }
        };
        slots.push(Slot { weight, counts: true, asks_kind: false, alternatives });
    }
    // A word no item contains weighs a share (`UNKNOWN_SHARE`) of the rarest word of the query
    // that some item does contain, or as the rarest possible word when none does. Not always
    // the latter: in a large catalog that is far above any real word's idf, and one stray word
    // ("season 4") would outweigh everything that matched.
    let known = slots.iter().map(|s| s.weight).filter(|w| !w.is_nan()).fold(f32::NAN, f32::max);
    let unseen =
        if known.is_nan() { index.unseen_idf() } else { UNKNOWN_SHARE * known.min(index.unseen_idf()) };
    for (i, cap) in caps {
        slots[i].weight = cap.map_or(unseen, |cap| cap.min(unseen));
    }
    // The words left unread count as asked, as they would if read and unmatched: a long message
    // that matches a few of its most telling words has not been answered. One slot, so the
    // slots stay bounded however long the message.
    if !dropped.is_empty() {
        let weight = dropped.iter().map(|t| t.map_or(unseen, |t| index.idf(t))).sum();
        slots.push(Slot { weight, counts: true, asks_kind: false, alternatives: Vec::new() });
    }
    slots.append(&mut kind_slots);
    for pair in stems.windows(2) {
        let joined = format!("{}{}", pair[0], pair[1]);
        if let Some(t) = index.lookup(&joined) {
            // Joined, two words say no more than the two apart: names are indexed with adjacent
            // words joined, so "netflix aws" finds `netflixaws` in one alias ("Netflix AWS Local
            // Zones case study"), a rare term made of two words every item holds.
            let apart: f32 =
                pair.iter().map(|w| index.lookup(w).map_or(index.idf(t), |p| index.idf(p))).sum();
            slots.push(Slot {
                weight: index.idf(t).min(apart),
                counts: false,
                asks_kind: false,
                alternatives: vec![(t, PHRASE)],
            });
        }
    }
    slots
}

/// Adds the terms of `kinds` to a slot's alternatives; returns how many items they hold.
fn kind_alternatives(index: &Index, kinds: &[Kind], alternatives: &mut Vec<(u32, f32)>) -> u32 {
    let mut df = 0;
    for &k in kinds {
        if let Some(t) = index.lookup(&kind_term(k)) {
            df += index.doc_freq(t);
            alternatives.push((t, 1.0));
        }
    }
    df
}

fn completions(index: &Index, prefix: &str, exact: Option<u32>, most: usize, out: &mut Vec<(u32, f32)>) {
    let mut found: Vec<u32> = index.prefixed(prefix).filter(|&t| Some(t) != exact).collect();
    if found.len() > most {
        // Words items are named by first, then the commonest: with the catalog's text in six
        // languages, a prefix completes to dozens of summary words that would crowd out the
        // title word being typed ("the cr" → "crown").
        let key =
            |t: u32| (std::cmp::Reverse(index.named_doc_freq(t)), std::cmp::Reverse(index.doc_freq(t)), t);
        found.select_nth_unstable_by_key(most - 1, |&t| key(t));
        found.truncate(most);
    }
    let typed = prefix.chars().count();
    out.extend(found.into_iter().map(|t| (t, completion_quality(typed, index.term(t).chars().count()))));
}

/// English derivational and inflectional endings, longest first: a word without one of these
/// shares its root with the words that have another ("scheduling", "scheduler").
const SUFFIXES: [&str; 16] = [
    "ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "ers", "er", "ed", "ly", "ies", "es",
    "s", "y",
];
const MIN_ROOT_CHARS: usize = 5;
/// A form may add this many letters to the root, so "art" never reaches "artificial".
const MAX_FORM_EXTRA_CHARS: usize = 6;

/// Other forms of the same word: the word's root (one ending stripped) and the vocabulary words
/// that start with it, so people's verbs meet the catalog's nouns. Plain ASCII words only.
fn word_forms(index: &Index, raw: &str, exact: Option<u32>, out: &mut Vec<(u32, f32)>) {
    if !raw.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    // Only a word with an ending has other forms to look for; a bare root's longer forms are
    // what completion is for (and would read many long postings lists for every plain word).
    let Some(root) = SUFFIXES.iter().find_map(|s| raw.strip_suffix(s).filter(|r| r.len() >= MIN_ROOT_CHARS))
    else {
        return;
    };
    let mut found: Vec<u32> = index
        .prefixed(root)
        .filter(|&t| Some(t) != exact && index.term(t).len() <= root.len() + MAX_FORM_EXTRA_CHARS)
        .filter(|&t| !out.iter().any(|&(o, _)| o == t))
        .collect();
    if found.len() > MAX_WORD_FORMS {
        found.select_nth_unstable_by_key(MAX_WORD_FORMS - 1, |&t| (std::cmp::Reverse(index.doc_freq(t)), t));
        found.truncate(MAX_WORD_FORMS);
    }
    out.extend(found.into_iter().map(|t| (t, WORD_FORM)));
}

fn typos(index: &Index, stem: &str, out: &mut Vec<(u32, f32)>) {
    let query: Vec<char> = stem.chars().collect();
    let limit = max_edits(query.len());
    if query.len() == 3 {
        // Too short for an edit ("lol" is one letter from many words), but two swapped
        // letters are a slip of the fingers, not another word: "dvc" → "dcv".
        for i in 0..2 {
            let mut swapped = query.clone();
            swapped.swap(i, i + 1);
            let swapped: String = swapped.into_iter().collect();
            if let Some(t) = index.lookup(&swapped).filter(|_| swapped != stem) {
                if !out.iter().any(|&(o, _)| o == t) {
                    out.push((t, ONE_TYPO));
                }
            }
        }
    }
    if limit == 0 {
        return;
    }
    let mut candidates = Vec::new();
    index.typos.candidates(&query, &mut candidates);
    // A word spelt by ear is often two letters off where a slip of the fingers is one ("scail"
    // → "scale"): for a word allowed one edit, a second is allowed when both sound alike.
    let heard = (limit == 1 && query.len() >= MIN_HEARD_CHARS).then(|| soundex(stem)).flatten();
    let reach = if heard.is_some() { 2 } else { limit };
    let mut word = Vec::new();
    for t in candidates {
        word.clear();
        word.extend(index.term(t).chars());
        if let Some(d) = distance(&query, &word, reach) {
            let near = d <= limit || soundex(index.term(t)) == heard;
            if d > 0 && near && !out.iter().any(|&(o, _)| o == t) {
                out.push((t, if d == 1 { ONE_TYPO } else { TWO_TYPOS }));
            }
        }
    }
}

/// Another word of a person's name, read from a word beside the rest of that name (as typed or
/// with a typo): "stefan kowalski", "steven kowalsky", "steve kowalski" → Stephen Kowalski.
/// First names are spelt many ways, further apart than a typo, and go by short forms no typo
/// reaches ("bob", "robert"); only beside the rest of the name does a word say whose it is. A
/// word no item holds (`held` false) may be the name as it sounds (`soundex`: "smooth" sounds
/// like "Schmidt" too, so never alone); any word may be its short or full form (`given_names`),
/// even one that is another person's name ("steve" is also Steve Schmidt's).
fn name_beside(index: &Index, ws: &[Word], i: usize, held: bool, out: &mut Vec<(u32, f32)>) {
    let sound = soundex(&ws[i].raw).filter(|&s| !held && index.sounds_like_a_name(s));
    // Most words are neither: the words beside them are not looked up at all.
    if sound.is_none() && !is_given_name(&ws[i].raw) {
        return;
    }
    let beside = [i.checked_sub(1), Some(i + 1)];
    let mut parts = Vec::new();
    for j in beside.into_iter().flatten().filter(|&j| j < ws.len()) {
        parts.clear();
        parts.extend(index.lookup(ws[j].stem()).map(|t| (t, 1.0)));
        if parts.is_empty() {
            typos(index, ws[j].stem(), &mut parts);
        }
        for &(part, _) in &parts {
            for &(other, other_sound) in index.other_name_parts(part) {
                let alike = sound == Some(other_sound) || same_name(&ws[i].raw, index.term(other));
                if alike && !out.iter().any(|&(t, _)| t == other) {
                    out.push((other, TWO_TYPOS));
                }
            }
        }
    }
}

/// Last resort for a word nothing else matched: read it as an abbreviation of a word with the
/// same first letter ("mtflw" → "metaflow"), scored by fuzzy-matcher's subsequence scorer.
fn abbreviations(index: &Index, matcher: &SkimMatcherV2, typed: &str, out: &mut Vec<(u32, f32)>) {
    let Some(first) = typed.chars().next() else {
        return;
    };
    let n = typed.chars().count();
    // An abbreviation drops letters, and the vowels go first ("mtflw", "mgmt", "pvhvm"); a word
    // spelt with two vowels or more is a word ("drive", which reads as "declarative").
    if typed.chars().filter(|c| "aeiou".contains(*c)).count() >= MAX_ABBREVIATION_VOWELS {
        return;
    }
    let Some(perfect) = matcher.fuzzy_match(typed, typed).filter(|&s| s > 0) else {
        return;
    };
    let mut buf = [0u8; 4];
    let mut scored: Vec<(i64, u32)> = index
        .prefixed(first.encode_utf8(&mut buf))
        .filter_map(|t| {
            let term = index.term(t);
            let len = term.chars().count();
            if len <= n || len > 3 * n || !is_subsequence(typed, term) {
                return None;
            }
            let s = matcher.fuzzy_match(term, typed)?;
            // Require a strong subsequence match: most of the typed letters in runs.
            (s * 10 >= perfect * 6).then_some((s, t))
        })
        .collect();
    // A guess is only worth making when it is nearly unambiguous: in a large vocabulary most
    // short words ("drive") read as abbreviations of several long ones ("dramiver", ...).
    if scored.len() > MAX_ABBREVIATIONS {
        return;
    }
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.extend(scored.into_iter().map(|(_, t)| (t, ABBREVIATION)));
}

/// Whether every character of `short` occurs in `long` in order: a cheap test that rules out
/// most words before the subsequence scorer (which allocates) looks at them.
pub fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

/// The query as the subsequence scorer sees it: bounded so one long query costs little.
pub fn truncate_for_rerank(query: &str) -> &str {
    match query.char_indices().nth(64) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn index() -> Index {
        let catalog = Catalog::bundled().unwrap();
        Index::build(&catalog.items, &catalog.synonyms, &catalog.related)
    }

    /// The worst shapes of a 256-character query stay within fixed bounds of work: at most
    /// `MAX_QUERY_WORDS` slots (plus adjacent pairs and one for the words left unread), and a
    /// bounded number of alternatives each.
    #[test]
    fn query_work_is_bounded() {
        let index = index();
        let matcher = SkimMatcherV2::default();
        let twelve: Vec<String> =
            (0..12).map(|i| ('a'..='z').cycle().skip(i * 3).take(20).collect()).collect();
        let shapes = [
            "spinnaker".repeat(28),
            twelve.join(" "),
            "a".repeat(256),
            "dat net clo sec per mig con art sto com vid str ".repeat(6),
            "ｖｅｒｎａ ñandú 東京タワー мирвсем ΑΘΗΝΑ ﬁle 🎬 ".repeat(8),
        ];
        for shape in &shapes {
            let slots = parse(&index, &matcher, shape);
            assert!(slots.len() <= 2 * MAX_QUERY_WORDS, "{} slots", slots.len());
            for slot in &slots {
                let bound = 2 + MAX_COMPLETIONS + MAX_WORD_FORMS + MAX_ABBREVIATIONS + 64;
                assert!(slot.alternatives.len() <= bound, "{} alternatives", slot.alternatives.len());
            }
        }
        // One 250-letter word: one slot, nothing to look up.
        let slots = parse(&index, &matcher, &"spinnaker".repeat(28));
        assert_eq!(slots.len(), 1);
        assert!(slots[0].alternatives.is_empty());
    }

    #[test]
    fn a_word_typed_twice_is_asked_once() {
        let index = index();
        let matcher = SkimMatcherV2::default();
        let once = parse(&index, &matcher, "metaflow talk");
        let twice = parse(&index, &matcher, "metaflow talk about Metaflow");
        assert_eq!(once.len(), twice.len());
        let weight = |slots: &[Slot]| slots.iter().map(|s| s.weight).sum::<f32>();
        assert_eq!(weight(&once), weight(&twice));
    }

    #[test]
    fn a_misspelt_noun_for_a_kind_asks_for_the_kind() {
        let index = index();
        let matcher = SkimMatcherV2::default();
        let slots = parse(&index, &matcher, "fix this podcst");
        let podcast = index.lookup(&kind_term(Kind::Podcast)).unwrap();
        assert!(slots.iter().any(|s| s.asks_kind && s.alternatives.iter().any(|&(t, _)| t == podcast)));
        // Two slips from "speaker", one from "spinnaker": the name, not a kind.
        let slots = parse(&index, &matcher, "spinaker");
        assert!(slots.iter().all(|s| !s.asks_kind));
    }

    #[test]
    fn a_word_spelt_with_its_vowels_is_not_an_abbreviation() {
        let index = index();
        let matcher = SkimMatcherV2::default();
        let mut out = Vec::new();
        abbreviations(&index, &matcher, "mtflw", &mut out);
        assert!(out.iter().any(|&(t, _)| index.term(t) == "metaflow"), "{out:?}");
        out.clear();
        abbreviations(&index, &matcher, "drive", &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn other_forms_of_a_word() {
        let index = index();
        let mut out = Vec::new();
        word_forms(&index, "producing", index.lookup("producing"), &mut out);
        assert!(out.iter().any(|&(t, _)| index.term(t) == "production"), "{out:?}");
        out.clear();
        // Too short a root to guess from.
        word_forms(&index, "arts", None, &mut out);
        assert!(out.is_empty());
    }
}
