//! Search over the catalog: forgiving of typos, unfinished words, word order, synonyms and
//! language, and willing to say "nothing" when nothing fits.
//!
//! The index is built once per catalog (`Engine::new`); a query allocates only small per-query
//! lists (score buffers are pooled), does no I/O and never panics on any input.
//!
//! # A query, phase by phase
//!
//! ```text
//! "hey, anyone got brendan greg's flame talk?"
//!   │ query::parse (gather::Parsed)
//!   ▼
//! words: fold (NFKD, marks, case) → drop stopwords (English and the other languages' function
//!        words) and chat filler → stem plurals → a word typed twice read once; Japanese split
//!        where the script changes, kanji runs as pairs; cut at 256 chars, then to the 12 most
//!        telling content words (words for a story, then words in names, then the rarest; the
//!        rest count as unread)
//!   ▼
//! slots, one per thing asked for:            brendan → {brendan 1.0}
//!   exact word, synonym group, other forms   greg    → {gregg 0.75 (1 typo)}
//!   of the word, completion, typo, and as    flame   → {flame 1.0, flames… (completion)}
//!   a last resort an abbreviation;           talk    → {any talk, keynote or video 1.0}
//!   a kind word becomes a kind slot          (+ bonus: "brendangregg" joined in a name)
//!   │ 1. gather   (gather.rs)  postings only, no scan: every item a slot reaches
//!   │ 2. score    (gather.rs)  evidence, coverage, named, focus → `Candidate`
//!   │ 3. re-rank  (rerank.rs)  the 32 best by (matches every word, score); fuzzy-matcher on
//!   │                          names; exact name first, then every word, then score → `Ranked`
//!   │ 4. decide   (decide.rs)  a fitted logistic model per candidate → answer / offer / silent
//!   ▼
//! Outcome { hits (the answer, then more matches), suggestions ("did you mean", when no answer) }
//! ```
//!
//! Autocomplete (`complete.rs`) reuses phases 1–3 and merges them with names being typed.
//!
//! # Fields and weights (index.rs)
//!
//! Each item is split into fields: title (4.0), aliases (3.5), tags (3.5), people's names (3.0),
//! services (3.0), people's roles (2.0), kind words and year (1.5), summary (1.0), and per other
//! language (`Item::locales`) its title (3.5, a name like an alias), keywords (3.5, like tags)
//! and summary (1.0). For each (term, item) the index stores one BM25F score: field-weighted
//! term frequency, normalised by field length (strongly for prose, weakly for names), saturated
//! with k1 = 3 (a word in the title *and* the tags *and* the summary counts clearly more than
//! once in a title: among 100 000 items whose titles reuse the catalog's words, the curated item
//! must still win). Each posting also records whether the term is in a name-like field or only
//! in prose, and its *name share*: the largest part of one name entry (title, alias, tag, person,
//! service) the term makes up — 1.0 for the tag "dns", 1/6 for "dns" in a six-word title. Every
//! term has an idf, `ln(1 + (N − df + 0.5)/(df + 0.5))`, so "netflix", in every item, counts for
//! almost nothing and "spinnaker" for a lot.
//!
//! Synonym groups (`content/synonyms.toml`) are matched as phrases of stems in every field and
//! indexed as one group term. In aliases, people, services, tags and keywords, adjacent words
//! are also indexed joined ("Route 53" → `route53`). Each item carries a term for its kind,
//! which only a word asking for a kind reaches.
//!
//! **Other languages.** Accents fold as in English ("für" is "fur"). German, French, Spanish and
//! Portuguese function words are stopwords (none is a word of the English text; a test checks).
//! Japanese has no spaces: a word ends where kanji, katakana and hiragana change; hiragana alone
//! (particles, endings) is not a word; a kanji run longer than two becomes its overlapping pairs
//! (機械学習 → 機械, 械学, 学習), so a query and an item that share a word share its pairs.
//!
//! # Chat words (intent.rs)
//!
//! General chat vocabulary (greetings, question words, pronouns, hedges, request verbs) is
//! dropped before matching; no word of a name in the bundled catalog may be filler (a test
//! checks). A verb that reports speech ("says", "said") is filler too beside a noun for the item
//! ("which story says how many members…"); alone it asks for a quote. Chat idioms ("in the first
//! place", "these days", "by the way") are dropped whole, though a word of one may name something
//! elsewhere ("day"). Words that ask for a kind
//! ("listen" → podcast, "watch" → videos, talks, keynotes, "read" → blog posts and case studies,
//! "quote", "overview", and phrases of such nouns: "blog posts") become a slot any item of those
//! kinds satisfies, weighted by how rare the kinds are: preferred, not required. A noun for a
//! kind with one slip in it, which no item holds ("podcst", "overveiw"), asks for the kind too,
//! and a message of such nouns browses the kind as the noun would ("any vidoes?"). They do not
//! reach their synonyms: the kinds stand for those, and a synonym spelt like another language's
//! word is another thing ("talk" → "presentation", French for an overview).
//!
//! # Slots (query.rs)
//!
//! A slot's weight is the idf of the word typed; a word no item contains weighs half the rarest
//! known word of the query (the rarest possible word when none is known), and a guess at
//! a common word weighs as a common word. Alternatives `(term, quality)`: the word itself 1.0,
//! synonym group 1.0, kind term 1.0, completion 0.55 + 0.35 × typed/full (last word, 2+ letters:
//! the 16 found most in names, then the commonest; an unknown word of 4+ letters before it: 4),
//! other form of the word 0.7 (an English ending stripped, root of 5+ letters), a catalog word
//! the member's word stands for 0.6, divided among the catalog words it stands for
//! (`[[related]]` in `content/synonyms.toml`: "crash" → outage, and a named product by what it does,
//! "state machine" → Step Functions, "edge gateway" → Zuul; a phrase such as "power cut" is
//! a slot of its own, but a phrase of words the catalog holds, "content creation", keeps asking
//! for them and only adds evidence for the word it stands for), one typo 0.75
//! (4–7 letters; for 3 letters only a swap), two typos 0.6 (8–32 letters; from 5 letters
//! when both words sound alike, a word spelt by ear: "scail" → scale; the sets left out of the
//! fit in turn, 19 sets: right first 0.945 against 0.944, wrong 0.011 against 0.010, silence
//! level at 0.948 against 0.945), a word beside a word of a person's name that sounds like
//! another word of it 0.6 (Soundex: "stefan kowalski" → Stephen; the sets left out of the fit
//! in turn, 15 sets: right first 0.940 against 0.936, silence level at 0.949) or is a short form
//! of it 0.6 (a table of English given names, `given_names`: "steve kowalski" → Stephen, though
//! "steve" is also Steve Schmidt's), abbreviation 0.55 (last resort, 4+ letters with at most
//! one vowel, at most 2 words, none when more than 3 words qualify). Two adjacent query words
//! found joined in a name add a bonus slot (0.5) that adds evidence but costs no coverage when missing; it weighs no
//! more than the two words apart, so "netflix aws" is not a rare find in an alias spelt "Netflix AWS
//! Local Zones" (with each set left out of the fit, 16 sets: right first 0.956 against 0.954, off-topic
//! silent 0.953 against 0.949).
//!
//! # Score (gather.rs)
//!
//! An item's evidence for a slot is the best `quality × slot weight × BM25F` over the
//! alternatives it holds (every alternative is worth the rarity of what was typed, so a guess
//! cannot win by being a rarer word); its evidence is the sum over slots. Coverage is the
//! weight-share of slots it satisfies at their quality; *named* counts only name-like fields;
//! *focus* is the share of what matched that makes up whole names of the item. The score before
//! the re-rank is `evidence × (0.5 + 0.5 × coverage) × (1 + focus × coverage)`.
//!
//! # Re-rank (rerank.rs)
//!
//! Candidates below a quarter of the query, or resting only on guesses, are dropped; of the rest
//! the 32 best by (matches every word, score) are read with fuzzy-matcher's SkimMatcherV2 against
//! each folded title, alias and translated title. *Likeness* (subsequence ratio × (0.7 + 0.3 ×
//! share of the name covered)) is a feature of the decision, and the rank is lifted by up to 30 %
//! × ratio × share. A fact question that asks for a figure ("how many…", "what year…", "wie
//! viele…"; `intent::figure_asked`) lifts an item by up to 2 × the share of the query that one
//! sentence of its summary matches while stating a number (or a year): the sentence "over 260
//! million members" answers "how many members", a role "member of the performance team" does
//! not (`rerank::FIGURE_BONUS`). Order: a query that is an item's name word for word first, then
//! items that match every word, then score; ties by id.
//!
//! # Decide (decide.rs, weights.rs)
//!
//! Each ranked candidate gets features — coverage, named, focus, ln(1 + evidence), evidence per
//! unit of weight, margin to its best rival, likeness, exact name, specific (weight matched as
//! typed over the rarity of a one-item word), typed share, browsing, ln(words asked), rarest word
//! matched, share of words nothing knows, whether it leads, *together*: the largest share of
//! the query one passage of the item matches (its names as one passage, each sentence of a
//! summary as another, `Index::passages`), *figure*: the same share among sentences stating the
//! figure a fact question asks for, whether the query asks for one, and *elsewhere*: whether it
//! asks about something no story holds (another company, a show's actors, a bill, a job:
//! `intent::is_elsewhere`, a word of which the catalog holds no form), and *now*: whether it asks
//! about the present or the future ("right now", "next season": `intent::asks_now`), which an
//! archive of stories cannot answer — and a logistic model over them and
//! the product of every pair of them (`decide::terms`) gives the probability that it is the story
//! asked for. There are two models: one for candidates in a
//! crowd of chance matches (more than 32 candidates match as much of the query, as among 100 000
//! distractors), one for the rest, because evidence, margins and rarity mean different things
//! in the two. The first candidate at or above its model's answer threshold (or named exactly by
//! the query, or sole holder of what was typed with no chat filler around it: see
//! `decide::Verdict::sure`) is the answer,
//! followed by the later candidates that may be answered or offered;
//! with no answer, candidates at or above `OFFER_AT` that rest on a word as typed are offered as
//! "did you mean", and so is a leader holding a typed word no other item holds.
//! `tools/fit_decision.rs` fits both models and the thresholds on the labelled sets, read on the
//! bundled catalog and among 100 000 distractors (never on
//! tests/queries-unseen/holdout-*.toml), and writes them, with their figures 5-fold
//! cross-validated and with each set left out in turn, to `weights.rs`.
//!
//! Five readings come around the model. A candidate that matches the query just as the answer
//! does (the same share, as much of a name, as typed, as rare, as much in one passage) and
//! scores at least 0.97 of it is answered beside it: the model reads the second of two equals
//! as a runner-up ("reinvent 2019" names two talks; over every labelled query it changes only
//! such lists, never what comes first). A query that asks only for kinds browses them: a
//! message of nouns for kinds ("any videos?", "case studies") always, one with a kind verb or words no item holds
//! ("anything to listen to while i drive") when the model answers something. Its answer is the
//! items of those kinds, the kind the word names first, not items that only use the word ("video
//! transcoding" in the overview). A topic with a noun for a kind ("re:invent talks", "security
//! talks") keeps the model's answer first and lists after it every item of that kind that
//! matches every word. A word most items hold ("netflix", "aws") is the catalog's theme, not a
//! topic: "netflix talks" browses the talks, and "netflix" alone is answered by the ranking's
//! first (the overview, which the word names most). A query of 4+ characters that begins the name of one item
//! only ("the cr" → "The Crown in the Cloud") answers that item first. With a kind or year
//! filter, when every item the filter lets through matches every word ("netflix" among 2020
//! talks), the words ask nothing beyond the filter, and the filtered list is the answer.
//!
//! **A second opinion** (fallback.rs), with a sentence model given (`Engine::use_sentence_model`,
//! MARQUEE_SENTENCE_MODEL): a query the decision answers with p under `weights::SECOND_UNTIL`, or
//! leaves unanswered while its likeliest candidate clear of any crowd has p ≥
//! `weights::FALLBACK_FROM`, is read by all-MiniLM-L6-v2. A second logistic model over the first
//! one's log-odds, the query's cosine with that candidate's story, its lead over the nearest
//! other story, and how near the query lies to labelled messages asking for that story and to
//! labelled chat (examples.rs) keeps, withdraws or gives the answer at the decision's own
//! threshold, before the rules below read the verdicts. It reads the unsure few (14 % of the
//! labelled queries), never autocomplete, never a catalog of over `fallback::MAX_ITEMS` items.
//!
//! One rule stays structural because no labelled set can show it: when more than 32 candidates
//! match as much of the query, chance matches exist (100 000 items reuse the catalog's words), and
//! a candidate is answered only if its typed words are rarer together than a one-item word
//! (0.6 × `unseen_idf`), or the query names it (focus ≥ 0.3), or it scores 1.25 × every rival, or
//! the query only asks for a kind.
//!
//! # Worst-case cost
//!
//! Every step is bounded whatever the 256 characters are: 12 content words (and one slot for
//! the words left unread); typo lookups only
//! for words of at most 32 letters; abbreviation scans for at most 2 words; at most 16
//! completions for the last word, 4 for an unknown inner word, 8 other forms per word; the
//! re-rank reads the first 64 characters. `benches/search.rs` times the worst shapes;
//! `query::tests::query_work_is_bounded` asserts the structural bounds.
//!
//! # Quality
//!
//! `tests/it/search_quality.rs` measures every set in `tests/` and `tests/queries-unseen/` (the
//! unseen holdout in figures only), alone and among 100 000 distractors, beside a plain BM25
//! baseline; docs/measurements.md has the figures.

mod complete;
mod decide;
mod examples;
mod fallback;
mod gather;
mod given_names;
mod index;
mod intent;
mod query;
mod rerank;
mod shared;
pub use crate::text;
mod typo;
mod weights;

use crate::catalog::{Catalog, Item, Kind};
use crate::locale::written::Vocabulary;
use fuzzy_matcher::skim::SkimMatcherV2;
use gather::{Parsed, Scratch};
use index::Index;
use rerank::{Names, Ranked};
use std::sync::{Arc, Mutex, OnceLock};

pub use decide::{term_name, terms, FEATURES, TERMS};
pub use examples::{Example, Examples, Neighbours};
pub use fallback::{features as fallback_features, features_with as second_features, Meaning};
pub use query::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
pub use shared::{when_changed, SharedEngine};
pub use weights::SECOND_UNTIL;

/// A word held by at least this share of the items is the catalog's theme, not a topic that
/// tells stories apart (see `Engine::held_by_most`): "netflix" is in every bundled story, "aws"
/// in over half. Higher, and "aws talks" answers "Nothing matches" instead of listing the talks;
/// lower, and words that do tell stories apart ("cloud", in about a third) are taken for the
/// theme.
const EVERYWHERE: f32 = 0.5;
/// ... in a catalog of at least this many items: in a handful of items every word is common.
const MIN_ITEMS_FOR_EVERYWHERE: usize = 10;

/// "Did you mean" entries offered when nothing is answered.
const SUGGESTIONS: usize = 3;
/// A query this long (folded characters) that begins the name of one item only is taken as
/// that name being typed. Shorter, and two or three letters would pick whichever item happens
/// to be alone with them; longer, and "the cr" is not read as "The Crown in the Cloud".
const MIN_BEGUN_NAME_CHARS: usize = 4;

/// Phases 1–3 of a search: the query read and its candidates in their final order.
struct Ranking {
    parsed: Parsed,
    ranked: Vec<Ranked>,
    /// Candidates matching every word of the query, before the re-rank cut the list.
    full_matches: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Only these kinds; empty means all.
    pub kinds: Vec<Kind>,
    pub year: Option<u16>,
    pub limit: usize,
    /// The member's language as a catalog locale key ("de", "pt-BR"; "en" for English):
    /// autocomplete reads titles in it and in English only, since the choices are shown in it.
    /// `None` reads the titles of every language.
    pub names_in: Option<&'static str>,
}

impl SearchOptions {
    pub fn limit(limit: usize) -> Self {
        SearchOptions { limit, ..Default::default() }
    }
}

#[derive(Debug, Clone)]
pub struct Hit<'e> {
    pub item: &'e Item,
    pub score: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome<'e> {
    /// Best first; ties broken by id.
    pub hits: Vec<Hit<'e>>,
    /// When there are no hits: the nearest misses, as "did you mean".
    pub suggestions: Vec<&'e Item>,
}

/// One ranked candidate as the decision saw it: for fitting and explaining the decision
/// (`tools/fit_decision.rs`), not for replies.
#[derive(Debug, Clone)]
pub struct Judged<'e> {
    pub item: &'e Item,
    pub features: [f32; FEATURES.len()],
    pub probability: f32,
    /// May be the answer (likely enough and clear of any crowd).
    pub answer: bool,
    /// May be offered as "did you mean".
    pub offer: bool,
    /// Clear of any crowd of chance matches (see `decide::clear_of_crowd`).
    pub clear: bool,
    /// Answered when clear, whatever the model says (see `decide::Verdict::sure`).
    pub sure: bool,
    /// May be offered at all (enough of the query, one word as typed), whatever the model says.
    pub suggestible: bool,
    /// Judged by the model for candidates in a crowd of chance matches.
    pub crowded: bool,
}

pub struct Engine {
    /// Sorted by id, so a document number orders like its id.
    items: Vec<Item>,
    index: Index,
    /// Per item, its names as the re-rank and autocomplete read them.
    names: Vec<Names>,
    /// Every (item, name) of `names[..].folded`, sorted by the name: the items whose name begins
    /// with the typed text are a binary search away, at any catalog size.
    name_order: Vec<(u32, u16)>,
    kinds: Vec<Kind>,
    years: Vec<Option<u16>>,
    /// How many items there are of each (kind, year): what a filter lets through.
    shelf: Vec<((Kind, Option<u16>), usize)>,
    matcher: SkimMatcherV2,
    scratch: Mutex<Vec<Scratch>>,
    /// The words that tell the catalog's languages apart, read on the first mention.
    vocabulary: OnceLock<Vocabulary>,
    /// The sentence model's second opinion where the decision is unsure, once one is given.
    fallback: OnceLock<fallback::Fallback>,
}

impl Engine {
    pub fn new(catalog: Catalog) -> Engine {
        let Catalog { mut items, synonyms, related } = catalog;
        items.sort_by(|a, b| a.id.cmp(&b.id));
        // The names need only the items, so a large catalog reads them on a second core while
        // the index is built (a seventh of the build at 100 000 items).
        let ((names, name_order), index) = crate::parallel::join(
            items.len() >= PARALLEL_ITEMS,
            || names_of(&items),
            || Index::build(&items, &synonyms, &related),
        );
        let kinds = items.iter().map(|i| i.kind).collect();
        let years = items.iter().map(|i| i.year).collect();
        let mut shelf: Vec<((Kind, Option<u16>), usize)> = Vec::new();
        for item in &items {
            match shelf.iter_mut().find(|(key, _)| *key == (item.kind, item.year)) {
                Some((_, n)) => *n += 1,
                None => shelf.push(((item.kind, item.year), 1)),
            }
        }
        Engine {
            items,
            index,
            names,
            name_order,
            kinds,
            years,
            shelf,
            matcher: SkimMatcherV2::default(),
            scratch: Mutex::default(),
            vocabulary: OnceLock::new(),
            fallback: OnceLock::new(),
        }
    }

    /// Lets the sentence model back the decision where it is unsure (`fallback.rs`), once the
    /// story vectors it starts computing in the background are ready. `false` when the catalog is
    /// too large for it (`fallback::MAX_ITEMS`) or a model is already in use.
    pub fn use_sentence_model(&self, model: Arc<crate::semantic::SentenceModel>) -> bool {
        self.items.len() <= fallback::MAX_ITEMS
            && self.fallback.get().is_none()
            && self.fallback.set(fallback::Fallback::start(model, &self.items)).is_ok()
    }

    /// Blocks until the sentence model's story vectors are ready (at once without a model).
    pub fn wait_for_sentence_model(&self) {
        if let Some(f) = self.fallback.get() {
            f.wait();
        }
    }

    /// The sentence model's vector of `query`, as the second opinion reads it: for fitting it
    /// (`tools/fit_decision.rs`). `None` without a model.
    #[doc(hidden)]
    pub fn query_vector(&self, query: &str) -> Option<Arc<Vec<f32>>> {
        Some(self.fallback.get()?.query_vector(query::truncate(query)))
    }

    /// What the sentence model makes of a query's vector `q` beside the item `id` (for the fit).
    /// `None` without a model or while its story vectors are computed.
    #[doc(hidden)]
    pub fn meaning_of(&self, q: &[f32], id: &str) -> Option<Meaning> {
        self.fallback.get()?.meaning_of(q, self.doc(id)?)
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// What in `related` (the catalog's `[[related]]` tables, as loaded) can never match, for
    /// `marquee check`: a table whose word no item holds in any form, and a member with chat
    /// filler in it, which queries drop before matching ("went down"). The index leaves both out
    /// without a word; an editor should hear of it.
    pub fn unread_related(&self, related: &[(String, Vec<String>)]) -> Vec<String> {
        let mut out = Vec::new();
        for (word, members) in related {
            if self.index.forms_of(word).is_empty() {
                out.push(format!(
                    "related word {word:?} is held by no item in any form: its members find nothing"
                ));
            }
            for m in members {
                let filler: Vec<String> =
                    text::words(m).into_iter().filter(|w| intent::is_filler(&w.raw)).map(|w| w.raw).collect();
                if !filler.is_empty() {
                    out.push(format!(
                        "member {m:?} of related word {word:?} holds chat filler ({}), which queries drop: it never matches",
                        filler.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// What tells the languages of this catalog apart (`locale::written`), read once.
    pub fn vocabulary(&self) -> &Vocabulary {
        self.vocabulary.get_or_init(|| Vocabulary::of(&self.items))
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.doc(id).map(|d| &self.items[d as usize])
    }

    /// The document number of the item `id` (items are sorted by id).
    fn doc(&self, id: &str) -> Option<u32> {
        self.items.binary_search_by(|i| i.id.as_str().cmp(id)).ok().map(|d| d as u32)
    }

    /// The answer to `query`: gather → score → re-rank → decide (see the module docs).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Outcome<'_> {
        let limit = options.limit.max(1);
        let begun = self.begun_name(query).filter(|&doc| self.allowed(options, doc));
        let Some(ranking) = self.rank(query, options, limit) else {
            let hits = begun.map(|doc| Hit { item: &self.items[doc as usize], score: 0.0 });
            return Outcome { hits: hits.into_iter().collect(), suggestions: Vec::new() };
        };
        let Ranking { parsed, mut ranked, full_matches } = ranking;
        let unseen = self.index.unseen_idf();
        // Filters the member chose that leave only items matching every word: the words ask
        // nothing the filters did not ("netflix" among 2020 talks), so the filtered list is the
        // answer.
        let browsing_filtered = full_matches > 0 && self.passing(options) == Some(full_matches);
        let mut verdicts = decide::verdicts(&parsed, &ranked, unseen);
        // Where the decision is unsure, the sentence model's second opinion has the last word
        // on its model's verdict; the rules below then read what stands.
        match self.second_opinion(query, &ranked, &verdicts) {
            Some((k, true)) => verdicts[k].answer = true,
            Some((_, false)) => verdicts.iter_mut().for_each(|v| v.answer = false),
            None => {}
        }
        for (v, r) in verdicts.iter_mut().zip(&ranked) {
            v.answer |= browsing_filtered && r.candidate.tier() == 2;
        }
        // Only theme words ("netflix", "aws"; see `held_by_most`): every story matches, so
        // "Nothing matches" would be untrue; the story the words name (they are much of its
        // name: "Netflix on AWS") answers. A word most items merely mention names none, and a
        // message of it stays with the decision ("is the server down again?").
        // The query's words, read once for the readings below.
        let words = query::content_words(query::truncate(query));
        let named = ranked.first().is_some_and(|r| r.candidate.focus >= decide::MIN_FOCUS);
        if named && !verdicts.iter().any(|v| v.answer) && self.only_theme_words(query, &words) {
            if let Some(v) = verdicts.first_mut() {
                v.answer = true;
            }
        }
        // A candidate that matches the query just as the answer does (the same words, in the
        // same kind of place, as much of its name) and scores within a hair of it is as much
        // the answer: the model reads the second of two equals as a runner-up ("reinvent 2019"
        // names two talks).
        if let Some(first) = verdicts.iter().position(|v| v.answer) {
            let a = ranked[first];
            for (r, v) in ranked.iter().zip(verdicts.iter_mut()).skip(first + 1) {
                v.answer |= v.clear && r.score >= TIED * a.score && matches_alike(r, &a);
            }
        }
        let answered = verdicts.iter().any(|v| v.answer);
        let misspelt: Vec<&[Kind]> = words.iter().map(|w| query::misspelt_kinds(&self.index, w)).collect();
        if let Some(asked) = browsed_kinds(&words, &misspelt, &parsed, answered, |w| self.held_by_most(w)) {
            // The kind the word names first ("talks": talks, then keynotes, then videos).
            let place = |r: &Ranked| asked.iter().position(|&k| k == self.kinds[r.candidate.doc as usize]);
            let mut both: Vec<(Ranked, decide::Verdict)> = ranked.into_iter().zip(verdicts).collect();
            both.sort_by_key(|(r, _)| place(r).unwrap_or(usize::MAX));
            for (r, v) in &mut both {
                v.answer = place(r).is_some();
                v.offer = v.answer;
            }
            (ranked, verdicts) = both.into_iter().unzip();
        }
        // A topic with a noun for a kind ("re:invent talks", "security talks") lists, after the
        // answer, every item of that kind that matches every word: the member asked for those
        // stories, not for the best one alone.
        if let Some(first) = verdicts.iter().position(|v| v.answer) {
            let kinds = named_kinds(&words, &misspelt);
            if !kinds.is_empty() {
                for (r, v) in ranked.iter().zip(verdicts.iter_mut()).skip(first + 1) {
                    v.answer |=
                        r.candidate.tier() == 2 && kinds.contains(&self.kinds[r.candidate.doc as usize]);
                }
            }
        }
        let item = |r: &Ranked| &self.items[r.candidate.doc as usize];
        let hit = |r: &Ranked| Hit { item: item(r), score: r.score };
        // The item whose name the query begins comes first, then what the decision answers.
        let mut hits: Vec<Hit> = begun
            .map(|doc| Hit {
                item: &self.items[doc as usize],
                score: ranked.iter().find(|r| r.candidate.doc == doc).map_or(0.0, |r| r.score),
            })
            .into_iter()
            .collect();
        let not_begun = |r: &&Ranked| Some(r.candidate.doc) != begun;
        match verdicts.iter().position(|v| v.answer) {
            // The answer, then as "more matches" the candidates after it that may be answered
            // or offered.
            Some(first) => hits.extend(
                ranked[first..]
                    .iter()
                    .zip(&verdicts[first..])
                    .enumerate()
                    .filter(|(i, (_, v))| *i == 0 || v.answer || v.offer)
                    .map(|(_, (r, _))| r)
                    .filter(not_begun)
                    .map(hit),
            ),
            None if !hits.is_empty() => hits.extend(
                ranked
                    .iter()
                    .zip(&verdicts)
                    .filter(|(_, v)| v.offer)
                    .map(|(r, _)| r)
                    .filter(not_begun)
                    .map(hit),
            ),
            None => {
                let suggestions = ranked
                    .iter()
                    .zip(&verdicts)
                    .filter(|(_, v)| v.offer)
                    .take(SUGGESTIONS)
                    .map(|(r, _)| item(r));
                return Outcome { hits, suggestions: suggestions.collect() };
            }
        }
        hits.truncate(limit);
        Outcome { hits, suggestions: Vec::new() }
    }

    /// The sentence model's second opinion (`fallback.rs`) where the decision is unsure: of the
    /// candidate it answers with p under `weights::SECOND_UNTIL` (not sure by its words), or with
    /// nothing answered of the likeliest candidate clear of any crowd at `weights::FALLBACK_FROM`
    /// or more. `(k, true)`: answer candidate `k`; `(k, false)`: leave the query unanswered.
    /// `None`: the decision's verdict stands (no model, story vectors not ready, sure or too
    /// unlikely a candidate, or an answer to a story no labelled message asks for).
    fn second_opinion(
        &self,
        query: &str,
        ranked: &[Ranked],
        verdicts: &[decide::Verdict],
    ) -> Option<(usize, bool)> {
        let fallback = self.fallback.get()?;
        let answered = verdicts.iter().position(|v| v.answer);
        let k = match answered {
            Some(k) if verdicts[k].sure || verdicts[k].probability >= weights::SECOND_UNTIL => return None,
            Some(k) => k,
            None => {
                let (k, v) = verdicts
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.clear)
                    .max_by(|a, b| a.1.probability.total_cmp(&b.1.probability))?;
                if v.probability < weights::FALLBACK_FROM {
                    return None;
                }
                k
            }
        };
        let doc = ranked[k].candidate.doc;
        let reading = fallback.reading(query::truncate(query), doc, &self.items[doc as usize].id)?;
        if answered.is_some() && reading.neighbours.is_none() {
            return None;
        }
        let p = fallback::probability(verdicts[k].probability, reading);
        Some((k, p >= weights::FALLBACK_ANSWER_AT))
    }

    /// Every ranked candidate for `query` with the decision's view of it, best first.
    #[doc(hidden)]
    pub fn judge(&self, query: &str, options: &SearchOptions) -> Vec<Judged<'_>> {
        let Some(Ranking { parsed, ranked, .. }) = self.rank(query, options, options.limit.max(1)) else {
            return Vec::new();
        };
        let unseen = self.index.unseen_idf();
        ranked
            .iter()
            .zip(decide::verdicts(&parsed, &ranked, unseen))
            .map(|(r, v)| Judged {
                item: &self.items[r.candidate.doc as usize],
                features: v.features,
                probability: v.probability,
                answer: v.answer,
                offer: v.offer,
                clear: v.clear,
                sure: v.sure,
                suggestible: r.candidate.may_suggest(),
                crowded: r.crowded,
            })
            .collect()
    }

    /// The one item a name of which begins with the typed text ("the cr" → "The Crown in the
    /// Cloud"), when the text asks something and is long enough to tell; `None` when several
    /// items' names begin with it.
    fn begun_name(&self, query: &str) -> Option<u32> {
        let typed = text::folded(query::truncate_for_rerank(query));
        if typed.chars().count() < MIN_BEGUN_NAME_CHARS || !asks_something(&typed) {
            return None;
        }
        let name = |&(doc, i): &(u32, u16)| self.names[doc as usize].folded[i as usize].as_str();
        let start = self.name_order.partition_point(|e| name(e) < typed.as_str());
        let mut begun = self.name_order[start..].iter().take_while(|e| name(e).starts_with(typed.as_str()));
        let doc = begun.next()?.0;
        begun.all(|e| e.0 == doc).then_some(doc)
    }

    /// Whether most items hold the word as typed (at least `EVERYWHERE` of a catalog of
    /// `MIN_ITEMS_FOR_EVERYWHERE` or more): the catalog's theme, not a topic.
    fn held_by_most(&self, w: &text::Word) -> bool {
        let n = self.index.doc_count();
        n as usize >= MIN_ITEMS_FOR_EVERYWHERE
            && self
                .index
                .lookup(w.stem())
                .is_some_and(|t| self.index.doc_freq(t) as f32 >= EVERYWHERE * n as f32)
    }

    /// Whether `query` is theme words typed as keywords ("netflix", "aws?"): no kind named
    /// ("netflix talks" browses) and no chat around them ("is netflix down right now?" asks
    /// something no story answers).
    /// `words`: its `query::content_words`.
    fn only_theme_words(&self, query: &str, words: &[text::Word]) -> bool {
        !words.is_empty()
            && words.len() == text::words(query::truncate(query)).len()
            && words.iter().all(|w| !intent::is_kind_noun(&w.raw) && self.held_by_most(w))
    }

    /// With a kind or year filter, how many items pass it (from the per-(kind, year) counts made
    /// at load: no scan of the catalog per query); `None` without a filter.
    fn passing(&self, options: &SearchOptions) -> Option<usize> {
        (!options.kinds.is_empty() || options.year.is_some()).then(|| {
            self.shelf
                .iter()
                .filter(|((kind, year), _)| {
                    (options.kinds.is_empty() || options.kinds.contains(kind))
                        && options.year.is_none_or(|y| *year == Some(y))
                })
                .map(|(_, n)| n)
                .sum()
        })
    }

    fn allowed(&self, options: &SearchOptions, doc: u32) -> bool {
        (options.kinds.is_empty() || options.kinds.contains(&self.kinds[doc as usize]))
            && options.year.is_none_or(|y| self.years[doc as usize] == Some(y))
    }

    /// Phases 1–3: the query read, and its candidates in their final order.
    fn rank(&self, query: &str, options: &SearchOptions, limit: usize) -> Option<Ranking> {
        let parsed = Parsed::new(&self.index, &self.matcher, query)?;
        let filtered = !options.kinds.is_empty() || options.year.is_some();
        let allowed = |doc: u32| !filtered || self.allowed(options, doc);
        let mut scratch = self.take_scratch();
        let candidates = gather::gather(&self.index, &parsed, &mut scratch, allowed);
        self.put_scratch(scratch);
        let full_matches = candidates.iter().filter(|c| c.tier() == 2).count();
        let figure_stated = |c: &gather::Candidate| {
            parsed.figure.map_or(0.0, |f| gather::together(&parsed, self.index.passages_stating(c.doc, f)))
        };
        let mut ranked = rerank::rerank(&self.matcher, &self.names, query, candidates, limit, figure_stated);
        for r in &mut ranked {
            r.together = gather::together(&parsed, self.index.passages(r.candidate.doc));
        }
        Some(Ranking { parsed, ranked, full_matches })
    }

    fn take_scratch(&self) -> Scratch {
        let s = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        s.sized(self.items.len())
    }

    fn put_scratch(&self, mut s: Scratch) {
        s.reset();
        self.scratch.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

/// Whether `text` holds any word that could match something: not only stopwords, chat filler
/// and lone letters ("hey", "is there a"). Autocomplete shows its featured list for such text.
pub fn asks_something(text: &str) -> bool {
    !query::content_words(query::truncate(text)).is_empty()
}

/// A candidate matching the query as the answer does and scoring at least this share of its
/// score is answered beside it (see `Engine::search`).
const TIED: f32 = 0.97;

/// Whether two candidates match the query in the same way: the same share of it, as much of a
/// name, as typed, as rare, as much in one passage.
fn matches_alike(a: &Ranked, b: &Ranked) -> bool {
    let same = |x: f32, y: f32| (x - y).abs() <= 1e-3;
    let (x, y) = (&a.candidate, &b.candidate);
    same(x.coverage, y.coverage)
        && same(x.named, y.named)
        && same(x.focus, y.focus)
        && same(x.typed, y.typed)
        && same(x.rarest, y.rarest)
        && same(a.together, b.together)
}

/// Catalogs at least this large build their names beside their index, on another thread
/// (`Engine::new`); below it, starting a thread costs about what it saves.
const PARALLEL_ITEMS: usize = 2_000;

/// Each item's names, and every (item, name) in the order of its folded text.
fn names_of(items: &[Item]) -> (Vec<Names>, Vec<(u32, u16)>) {
    let names: Vec<Names> = items.iter().map(Names::of).collect();
    let mut name_order: Vec<(u32, u16)> = names
        .iter()
        .enumerate()
        .flat_map(|(doc, n)| (0..n.folded.len()).map(move |i| (doc as u32, i as u16)))
        .collect();
    name_order.sort_by(|a, b| {
        names[a.0 as usize].folded[a.1 as usize].cmp(&names[b.0 as usize].folded[b.1 as usize])
    });
    (names, name_order)
}

/// A name or query reduced to its search words, for exact-name comparison.
fn name_key(text: &str) -> String {
    query::content_words(text).iter().map(|w| w.stem()).collect::<Vec<_>>().join(" ")
}

/// The kinds a query of `words` (its `query::content_words`) browses, the kind named first, if it asks only for kinds: the items of
/// those kinds are then the answer, and items that only use the word ("video transcoding") are
/// not. A message of nouns for kinds ("any podcasts?", "blog posts", "case studies") is a
/// request to browse; with a verb ("what should i watch tonight") or words no item holds, the
/// decision (`answered`) says whether it is a request at all.
fn browsed_kinds(
    words: &[text::Word],
    misspelt: &[&[Kind]],
    parsed: &Parsed,
    answered: bool,
    theme: impl Fn(&text::Word) -> bool,
) -> Option<Vec<Kind>> {
    let mut asked: Vec<Kind> = words.iter().zip(misspelt).flat_map(|(w, m)| kinds_of_word(w, m)).collect();
    let (phrased, nouns) = kind_nouns(words, misspelt);
    asked.extend(phrased);
    // A word most items hold ("netflix", "aws" in a catalog about Netflix on AWS) is the
    // catalog's theme: "netflix talks" asks for the talks.
    let request = nouns.iter().any(|&n| n) && words.iter().zip(&nouns).all(|(w, &n)| n || theme(w));
    // A phrase for a kind ("case studies") is a topic slot to the model, so `parsed` does not
    // count it as browsing.
    let browsing = parsed.browsing || request;
    (browsing && !asked.is_empty() && (request || answered)).then_some(asked)
}

/// The kinds a word asks for as typed, or as a noun for a kind with one slip in it ("vidoes";
/// `misspelt`, its entry of `query::misspelt_kinds`).
fn kinds_of_word<'a>(w: &text::Word, misspelt: &'a [Kind]) -> impl Iterator<Item = Kind> + 'a {
    intent::kinds_asked(&w.raw).iter().chain(misspelt).copied()
}

/// Which of `words` are nouns for kinds of items ("talks", "case studies"), and the kinds the
/// two-word phrases among them ask for (a one-word noun's kinds are `intent::kinds_asked`).
fn kind_nouns(words: &[text::Word], misspelt: &[&[Kind]]) -> (Vec<Kind>, Vec<bool>) {
    let mut phrased = Vec::new();
    let mut nouns: Vec<bool> =
        words.iter().zip(misspelt).map(|(w, m)| intent::is_kind_noun(&w.raw) || !m.is_empty()).collect();
    for (i, pair) in words.windows(2).enumerate() {
        let kinds = intent::kinds_of_phrase(&pair[0].raw, &pair[1].raw);
        if !kinds.is_empty() {
            phrased.extend(kinds);
            nouns[i..i + 2].fill(true);
        }
    }
    (phrased, nouns)
}

/// The kinds a query of `words` names with a noun ("re:invent talks", "security case studies"), in the
/// order named; empty when it names none. A verb that asks for a kind ("watch") names none: it
/// prefers the kind, it does not ask for a list of it.
fn named_kinds(words: &[text::Word], misspelt: &[&[Kind]]) -> Vec<Kind> {
    let (phrased, nouns) = kind_nouns(words, misspelt);
    let of_nouns = words
        .iter()
        .zip(misspelt)
        .zip(&nouns)
        .filter(|(_, &n)| n)
        .flat_map(|((w, m), _)| kinds_of_word(w, m));
    let mut kinds = Vec::new();
    for k in phrased.into_iter().chain(of_nouns) {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds
}
