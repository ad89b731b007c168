//! What each word of a chat message does: most words are content to match, but people also
//! write greetings, question words and requests ("hey, anyone got that story about…"), and
//! words that ask for a kind of story ("anything to listen to?"). Filler is dropped before
//! matching, so it neither finds items nor counts against them; a kind word becomes a slot that
//! items of that kind satisfy, so it prefers the kind without excluding the rest.
//!
//! These are lists of general English chat vocabulary, nothing about any catalog entry. A word
//! that names something in the catalog (a title, tag, alias, person or service word) must not be
//! filler; `tests` checks that against the bundled catalog.

use crate::catalog::Kind;
use std::sync::LazyLock;

/// Whether a folded word (before stemming) carries nothing to match in a chat message.
pub fn is_filler(word: &str) -> bool {
    matches!(
        word,
        // Greetings, reactions and chat shorthand.
        "hey" | "hi" | "hello" | "hiya" | "yo" | "sup" | "gm" | "gn" | "morning" | "evening"
            | "everyone" | "everybody" | "guys" | "folks" | "yall" | "lol" | "lmao" | "lmfao"
            | "rofl" | "haha" | "hahaha" | "hehe" | "ok" | "okay" | "kk" | "thx" | "thanks"
            | "thank" | "ty" | "tysm" | "pls" | "plz" | "cheers" | "cool" | "great" | "awesome"
            | "wow" | "omg" | "btw" | "imo" | "imho" | "idk" | "tbh" | "nvm" | "brb" | "afk"
            | "np" | "yes" | "yeah" | "yep" | "yup" | "no" | "nope" | "nah" | "sure" | "hmm"
            | "um" | "uh" | "oh" | "ah" | "welp" | "oops"
            // Question words, auxiliaries and contractions' pieces.
            | "whats" | "whos" | "hows" | "whose" | "were" | "been" | "being" | "did" | "done"
            | "doing" | "has" | "have" | "had" | "having" | "could" | "would" | "should" | "will"
            | "shall" | "may" | "might" | "must" | "isnt" | "wasnt" | "arent" | "dont" | "doesnt"
            | "didnt" | "cant" | "wont" | "s" | "t" | "ll" | "ve" | "d" | "m"
            // Pronouns and vague nouns.
            | "mine" | "yours" | "us" | "they" | "them" | "he" | "him" | "his" | "she" | "her"
            | "these" | "those" | "someone" | "somebody" | "anyone" | "anybody" | "something"
            | "anything" | "everything" | "nothing" | "one" | "ones" | "thing" | "things"
            | "stuff" | "story" | "stories" | "link" | "links" | "url" | "info" | "details"
            | "mention" | "mentions" | "mentioned" | "mentioning"
            // Adverbs and hedges.
            | "just" | "really" | "actually" | "like" | "also" | "too" | "very" | "so" | "then"
            | "here" | "again" | "still" | "even" | "maybe" | "perhaps" | "probably" | "ever"
            | "already" | "right" | "kinda" | "sorta" | "lot" | "lots" | "bit" | "much" | "only"
            | "other" | "another" | "else" | "many" | "whole" | "time" | "up" | "down" | "out" | "good" | "bad" | "big"
            | "next" | "new" | "old" | "last" | "exactly" | "basically" | "pretty" | "quite"
            | "today" | "tonight" | "yesterday" | "tomorrow" | "now" | "later" | "soon" | "ago"
            // Requests and general verbs.
            | "want" | "wanna" | "need" | "looking" | "look" | "search" | "searching" | "give"
            | "get" | "got" | "gotta" | "know" | "knows" | "remember" | "recall" | "think"
            | "recommend" | "suggest" | "share" | "mean" | "means" | "meant" | "see" | "saw"
            | "seen" | "check" | "try" | "go" | "goes" | "went" | "gone" | "come" | "came"
            | "take" | "took" | "put" | "keep" | "let" | "make" | "makes" | "made" | "making"
            | "use" | "uses" | "used" | "using" | "ask" | "asked" | "leave" | "left" | "happen"
            | "happened" | "help" | "helps" | "while" | "during" | "without" | "since" | "because"
            | "than" | "over" | "between" | "under" | "after" | "before" | "through" | "via"
            | "among" | "within" | "against" | "across"
    )
}

/// Whether a folded word asks about something a catalog of engineering stories does not hold:
/// another company or service as the subject ("how does hulu stream…"), a viewer's question
/// about a show ("who plays…", "the actors"), an account, a bill or a price, a job or pay. Such a
/// word beside words a story holds ("the crown", "streaming", "aws") is how a near-topic
/// question differs from a paraphrase, and the decision weighs it (`Parsed::elsewhere`). It
/// counts only where the catalog holds no form of the word (`Index::forms_of`), so a catalog
/// that tells of Oracle or of AWS accounts still finds them. General English, nothing about
/// any catalog entry or query; `tests` checks that no word of the bundled catalog or of
/// content/synonyms.toml is here.
pub fn is_elsewhere(word: &str) -> bool {
    matches!(
        word,
        // Other media, tech and cloud companies and services.
        "disney" | "hulu" | "hbo" | "peacock" | "paramount" | "crunchyroll" | "roku" | "spotify"
            | "twitch" | "tiktok" | "airbnb" | "lyft" | "doordash" | "pinterest"
            | "snapchat" | "instagram" | "facebook" | "whatsapp" | "google" | "microsoft"
            | "azure" | "gcp" | "ibm" | "alibaba" | "tencent" | "samsung" | "apple" | "tesla"
            | "twitter" | "reddit" | "linkedin" | "slack" | "zoom" | "dropbox" | "salesforce"
            | "shopify" | "cloudflare" | "akamai" | "fastly" | "digitalocean" | "heroku"
            | "vercel" | "linode" | "hetzner" | "hotstar" | "primevideo"
            // A viewer's questions about shows.
            | "actor" | "actors" | "actress" | "actresses" | "starring" | "starred"
            | "plays" | "played" | "trailer" | "trailers" | "spoiler" | "spoilers" | "renewed"
            | "imdb" | "emmy" | "emmys" | "oscar" | "oscars"
            // Accounts, bills and prices.
            | "password" | "billing" | "refund" | "invoice"
            | "charged" | "payment" | "cheapest"
            | "coupon" | "discount"
            // Jobs and pay, the company's shares.
            | "salary" | "salaries"
            | "recruiter" | "internship" | "intern" | "layoffs"
            | "stock" | "ceo" | "cfo" | "headcount"
            // The same in German, French, Spanish and Portuguese.
            | "schauspieler" | "gehalt" | "preis" | "passwort" | "acteur" | "actrice" | "salaire"
            | "prix" | "salario" | "precio" | "contrasena" | "ator" | "atriz"
            | "preco" | "senha"
    )
}

/// Phrases that ask about the present moment or what is to come ("best series on netflix right
/// now", "when is the next season out", "is netflix hiring this year"). The catalog is an
/// archive of stories told at one time; what holds tonight, or will next season, is news it
/// cannot answer, however many of its words the question shares. Only phrases that mean nothing
/// else: "today" and "currently" also ask how things stand ("what does netflix use aws for
/// today", which the overview answers), "latest" asks for the newest story, "so far" and a
/// member's own plans ("a game day next week") frame a request for one, and "when did it come
/// out" asks a story's year. Folded words, stopwords kept; English, German, French, Spanish and
/// Portuguese.
const NOW: &[&[&str]] = &[
    &["right", "now"],
    &["tonight"],
    &["this", "year"],
    &["this", "weekend"],
    &["next", "season"],
    &["next", "year"],
    &["upcoming"],
    &["coming", "out"],
    &["nachste", "staffel"],
    &["en", "ce", "moment"],
    &["prochaine", "saison"],
    &["ahora", "mismo"],
    &["agora", "mesmo"],
    &["proxima", "temporada"],
];

/// Whether a message, as folded words with stopwords kept (`text::raw_words`), asks about the
/// present or the future (see `NOW`).
pub fn asks_now(words: &[String]) -> bool {
    (0..words.len()).any(|i| NOW.iter().any(|phrase| phrase_at(words, i, phrase)))
}

/// Whether `phrase` stands in `words` from word `i`.
fn phrase_at(words: &[String], i: usize, phrase: &[&str]) -> bool {
    words.get(i..i + phrase.len()).is_some_and(|at| at.iter().zip(phrase).all(|(w, p)| w == p))
}

/// Chat idioms whose words ask nothing ("why did netflix move to the cloud in the first
/// place", "how many members does netflix have these days"): each word alone may mean something
/// ("day" is in a title), the phrase never does. Folded words, stopwords kept.
const IDIOMS: &[&[&str]] = &[
    &["in", "the", "first", "place"],
    &["these", "days"],
    &["this", "days"],
    &["nowadays"],
    &["the", "other", "day"],
    &["back", "in", "the", "day"],
    &["at", "the", "end", "of", "the", "day"],
    &["by", "the", "way"],
    &["out", "of", "curiosity"],
    &["just", "wondering"],
    &["any", "chance"],
    &["in", "general"],
    &["for", "example"],
    &["at", "some", "point"],
    &["a", "while", "ago"],
    &["some", "time", "ago"],
    &["off", "the", "top", "of", "my", "head"],
    // Reactions to someone else's message: "nice" alone may ask for NICE DCV, "nice one" never.
    &["nice", "one"],
    &["nice", "catch"],
    &["nice", "job"],
    &["good", "one"],
    &["good", "catch"],
    &["good", "point"],
    &["well", "done"],
    &["fair", "enough"],
    &["no", "worries"],
    &["same", "here"],
    &["me", "too"],
];

/// `text` without the chat idioms in it (see `IDIOMS`), as folded words; `None` when it has
/// none, so the common query is read as typed.
pub fn without_idioms(text: &str) -> Option<String> {
    let words = crate::text::raw_words(text);
    let mut keep = vec![true; words.len()];
    let mut found = false;
    for i in 0..words.len() {
        for idiom in IDIOMS {
            if phrase_at(&words, i, idiom) {
                keep[i..i + idiom.len()].iter_mut().for_each(|k| *k = false);
                found = true;
            }
        }
    }
    found.then(|| {
        words.iter().zip(&keep).filter(|(_, k)| **k).map(|(w, _)| w.as_str()).collect::<Vec<_>>().join(" ")
    })
}

/// Verbs that report speech. Alone they ask for a quote ("what did the ses lead say about
/// email"); beside a noun for the item ("which story says how many members…", "the talk where
/// netflix said…") they only introduce what the item says, and are filler.
pub fn reports_speech(word: &str) -> bool {
    matches!(word, "say" | "says" | "said" | "saying")
}

/// Whether a folded word is a noun for an item: a kind ("talk", "blog", "quote") or any kind
/// ("story", "page", "post", "one").
pub fn names_an_item(word: &str) -> bool {
    matches!(word, "story" | "stories" | "page" | "pages" | "post" | "posts" | "piece" | "pieces" | "one")
        || (!reports_speech(word) && !kinds_asked(word).is_empty())
}

/// Verbs that ask for a kind ("watch", "listen", "read"): a message of them may be chat ("what
/// should i watch tonight"), not a request to browse.
fn asks_kind_as_verb(word: &str) -> bool {
    matches!(
        word,
        "listen"
            | "listening"
            | "listened"
            | "watch"
            | "watching"
            | "watched"
            | "recorded"
            | "talked"
            | "talking"
            | "presented"
            | "spoke"
            | "read"
            | "reading"
            | "quoted"
    )
}

/// Whether a folded word is a noun for items ("talks", "podcast", "blog posts"), not a verb that
/// may ask for a kind: a message of such nouns alone is a request to browse.
pub fn is_kind_noun(word: &str) -> bool {
    names_an_item(word) && !asks_kind_as_verb(word)
}

/// The kinds a two-word noun phrase for items asks for ("case studies"), whose words alone ask
/// for none.
pub fn kinds_of_phrase(first: &str, second: &str) -> &'static [Kind] {
    match (first, second) {
        ("case", "study" | "studies") => &[Kind::CaseStudy],
        _ => &[],
    }
}

/// The kinds a folded word (before stemming) asks for, if it is a word for a kind of story.
pub fn kinds_asked(word: &str) -> &'static [Kind] {
    // The kind a word names comes first: browsing lists it first.
    const SPOKEN: &[Kind] = &[Kind::Talk, Kind::Keynote, Kind::Video];
    const WATCHED: &[Kind] = &[Kind::Video, Kind::Talk, Kind::Keynote];
    match word {
        "listen" | "listening" | "listened" | "audio" | "podcast" | "podcasts" => &[Kind::Podcast],
        "watch" | "watching" | "watched" | "video" | "videos" | "youtube" | "recording" | "recordings"
        | "recorded" | "clip" | "clips" => WATCHED,
        "talk" | "talks" | "talked" | "talking" | "session" | "sessions" | "presentation"
        | "presentations" | "presented" | "speaker" | "speakers" | "speech" | "spoke" | "lecture" => SPOKEN,
        "keynote" | "keynotes" => &[Kind::Keynote],
        "read" | "reading" | "article" | "articles" | "blog" | "blogs" | "writeup" => {
            &[Kind::Blog, Kind::CaseStudy]
        }
        "quote" | "quotes" | "quoted" | "said" | "say" | "says" | "saying" => &[Kind::Quote],
        "overview" | "intro" | "introduction" => &[Kind::Overview],
        _ => &[],
    }
}

/// Nouns for a kind of story that a misspelling may still be read as (`kinds_misspelt`).
const KIND_NOUNS: [&str; 17] = [
    "podcast",
    "podcasts",
    "video",
    "videos",
    "recording",
    "recordings",
    "session",
    "sessions",
    "presentation",
    "presentations",
    "lecture",
    "keynote",
    "keynotes",
    "article",
    "articles",
    "overview",
    "introduction",
];
/// A word shorter than this is not read as a misspelt noun for a kind: four letters are one
/// edit from too many words.
const MIN_MISSPELT_KIND_CHARS: usize = 5;

/// The kinds a word asks for when it is one slip (a letter added, dropped, changed or two
/// swapped) from a noun for a kind of story: "podcst", "sesion", "overveiw". Only a noun: the
/// verbs ("watch", "read") are one letter from everyday words ("match", "real"). Called for a
/// word no item holds as typed, which a misspelling usually is.
pub fn kinds_misspelt(word: &str) -> &'static [Kind] {
    // The nouns' letters, spelt out once rather than on every query.
    static NOUNS: LazyLock<Vec<(&str, Vec<char>)>> =
        LazyLock::new(|| KIND_NOUNS.iter().map(|n| (*n, n.chars().collect())).collect());
    let typed: Vec<char> = word.chars().collect();
    if typed.len() < MIN_MISSPELT_KIND_CHARS {
        return &[];
    }
    NOUNS
        .iter()
        .find(|(_, letters)| super::typo::distance(&typed, letters, 1) == Some(1))
        .map_or(&[], |(noun, _)| kinds_asked(noun))
}

/// What a fact question asks for, when the answer is a figure: "how many members…", "when did
/// netflix start producing…". A sentence that states a figure beside the words asked about is
/// more likely the answer than one that only uses those words ("a member of the performance
/// team" is not how many members there are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// A number of any kind: a count, an amount, a duration, a ratio ("3x"), a year.
    Number,
    /// A year.
    Year,
}

/// The figure a message asks for, read from its folded words with stopwords kept
/// (`text::raw_words`): a quantity question in English, German, French, Spanish or Portuguese
/// ("how many", "wie viele", "combien", "cuántos", "quantos"), or a question of when. "When" in
/// the middle of a sentence ("smooth when the artist lives far away") joins clauses and asks
/// nothing; it asks when it opens the message or a question ("when did…", "so when was…").
pub fn figure_asked(words: &[String]) -> Option<Figure> {
    let mut asked = None;
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map_or("", String::as_str);
        let number = match w.as_str() {
            "how" => matches!(
                next,
                "many"
                    | "much"
                    | "long"
                    | "fast"
                    | "big"
                    | "large"
                    | "often"
                    | "far"
                    | "quickly"
                    | "quick"
                    | "soon"
            ),
            "percent" | "percentage" => true,
            "wie" => matches!(next, "viele" | "viel" | "lange" | "schnell" | "oft" | "gross"),
            "combien" | "cuantos" | "cuantas" | "cuanto" | "cuanta" | "quantos" | "quantas" | "quanto"
            | "quanta" => true,
            _ => false,
        };
        if number {
            return Some(Figure::Number);
        }
        let opens =
            i == 0 || matches!(words[i - 1].as_str(), "so" | "and" | "but" | "ok" | "hey" | "hi" | "also");
        let year = match w.as_str() {
            "when" | "wann" | "quand" | "cuando" | "quando" => {
                opens && matches!(next, "did" | "was" | "were" | "is" | "does" | "do" | "has" | "had" | "")
                    || matches!(next, "did" | "was" | "were") && i + 2 < words.len()
            }
            "year" | "jahr" | "annee" | "ano" => {
                i > 0
                    && matches!(
                        words[i - 1].as_str(),
                        "what" | "which" | "welchem" | "quelle" | "que" | "qual"
                    )
            }
            _ => false,
        };
        if year {
            asked = Some(Figure::Year);
        }
    }
    asked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::search::text::raw_words;

    /// Filler is dropped from queries: it must never be a word that names something.
    #[test]
    fn no_name_word_of_the_bundled_catalog_is_filler() {
        let catalog = Catalog::bundled().unwrap();
        for item in &catalog.items {
            let names = std::iter::once(&item.title)
                .chain(&item.aliases)
                .chain(&item.tags)
                .chain(&item.services)
                .chain(item.people.iter().map(|p| &p.name));
            for name in names {
                for w in raw_words(name) {
                    let allowed = ["uses", "using", "used"];
                    assert!(
                        !is_filler(&w) || allowed.contains(&w.as_str()),
                        "{w:?} in {name:?} ({})",
                        item.id
                    );
                }
            }
        }
    }

    /// A question about now or what is to come is told from a story's words, in each language,
    /// and a member's own plans or a story's past are not.
    #[test]
    fn questions_about_now_are_told_from_plans_and_stories() {
        let now = |q: &str| asks_now(&raw_words(q));
        for q in [
            "best sci-fi series on netflix right now",
            "when is the next season of the crown coming out?",
            "is netflix hiring this year",
            "any trailer for the upcoming season?",
            "quand sort la prochaine saison de the crown ?",
            "wann kommt die nächste Staffel von The Crown",
        ] {
            assert!(now(q), "{q:?}");
        }
        for q in [
            "we're doing a dr game day next week and want the netflix region failover talk",
            "how did netflix produce the crown during the pandemic",
            "the podcast about creative talent working from anywhere",
            "far from the main region, remote artists still need fast desktops",
            "what does netflix use aws for today",
            "latest netflix talk on ml infrastructure",
            "how is netflix currently handling email with ses",
            "so far my favourite is the spinnaker talk, got the link?",
            "when did that podcast episode about artists working from anywhere come out?",
        ] {
            assert!(!now(q), "{q:?}");
        }
    }

    /// A word that asks about something no story holds must not be one the bundled catalog
    /// tells of, in any language, nor one its vocabulary relates to a catalog word: there it
    /// would mark a member's own words for a story as a question about something else.
    #[test]
    fn no_word_of_the_bundled_catalog_or_its_vocabulary_asks_elsewhere() {
        let catalog = Catalog::bundled().unwrap();
        let mut texts: Vec<&String> = Vec::new();
        for item in &catalog.items {
            texts.extend([&item.title, &item.summary]);
            texts.extend(item.aliases.iter().chain(&item.tags).chain(&item.services));
            texts.extend(item.people.iter().flat_map(|p| std::iter::once(&p.name).chain(&p.role)));
            for locale in item.locales.values() {
                texts.extend(locale.title.iter().chain(&locale.summary).chain(&locale.keywords));
            }
        }
        texts.extend(catalog.synonyms.iter().flatten());
        for (word, members) in &catalog.related {
            texts.push(word);
            texts.extend(members);
        }
        for text in texts {
            for w in raw_words(text) {
                assert!(!is_elsewhere(&w), "{w:?} in {text:?}");
            }
        }
    }

    /// The other languages' stopwords are dropped from the English text too: none may be a word
    /// of it ("ses" is French for "his" and Amazon SES).
    #[test]
    fn no_word_of_the_english_catalog_is_another_languages_stopword() {
        let catalog = Catalog::bundled().unwrap();
        for item in &catalog.items {
            let people = item.people.iter().flat_map(|p| std::iter::once(&p.name).chain(&p.role));
            let texts = [&item.title, &item.summary]
                .into_iter()
                .chain(&item.aliases)
                .chain(&item.tags)
                .chain(&item.services)
                .chain(people);
            for text in texts {
                for w in raw_words(text) {
                    assert!(!crate::search::text::is_other_stopword(&w), "{w:?} in {text:?} ({})", item.id);
                }
            }
        }
    }

    #[test]
    fn kind_words() {
        assert_eq!(kinds_asked("listen"), [Kind::Podcast]);
        assert!(kinds_asked("watch").contains(&Kind::Video));
        assert!(kinds_asked("crown").is_empty());
        assert!(!is_filler("crown") && is_filler("lol") && is_filler("anyone"));
        assert!(names_an_item("story") && names_an_item("talk") && !names_an_item("says"));
        // Every kind noun asks for a kind or names an item.
        for noun in ["podcasts", "talks", "blog", "posts", "keynote", "quotes", "overview"] {
            assert!(is_kind_noun(noun) && names_an_item(noun), "{noun}");
        }
        assert!(!is_kind_noun("watch") && !is_kind_noun("listen"));
        assert_eq!(kinds_of_phrase("case", "studies"), [Kind::CaseStudy]);
        assert!(kinds_of_phrase("case", "closed").is_empty());
    }

    #[test]
    fn a_slip_in_a_noun_for_a_kind() {
        assert_eq!(kinds_misspelt("podcst"), [Kind::Podcast]);
        assert_eq!(kinds_misspelt("overveiw"), [Kind::Overview]);
        assert_eq!(kinds_misspelt("vidoe"), kinds_asked("video"));
        // Two slips ("speaker", "recording"), a verb's neighbour ("match" is not "watch"), too
        // short.
        for word in ["spinaker", "according", "match", "vide"] {
            assert!(kinds_misspelt(word).is_empty(), "{word}");
        }
        // Every noun a slip may be read as asks for a kind as spelt.
        for noun in KIND_NOUNS {
            assert!(!kinds_asked(noun).is_empty() && is_kind_noun(noun), "{noun}");
        }
    }

    #[test]
    fn idioms_are_dropped_and_their_words_kept_elsewhere() {
        assert_eq!(
            without_idioms("Why did Netflix move to the cloud in the first place?").as_deref(),
            Some("why did netflix move to the cloud")
        );
        assert_eq!(
            without_idioms("how many members does netflix have these days").as_deref(),
            Some("how many members does netflix have")
        );
        assert_eq!(without_idioms("a day in the life of a netflix engineer"), None);
        assert_eq!(without_idioms("first place"), None);
    }

    #[test]
    fn figures_asked() {
        let asked = |q: &str| figure_asked(&raw_words(q));
        assert_eq!(asked("how many members does netflix have"), Some(Figure::Number));
        assert_eq!(asked("netflix is available in how many languages?"), Some(Figure::Number));
        assert_eq!(asked("wie viele Mitglieder hat Netflix?"), Some(Figure::Number));
        assert_eq!(asked("¿Cuántos servidores usa Netflix?"), Some(Figure::Number));
        assert_eq!(asked("when did netflix start producing its own content"), Some(Figure::Year));
        assert_eq!(asked("what year did netflix open source metaflow"), Some(Figure::Year));
        assert_eq!(asked("how netflix encodes video"), None);
        assert_eq!(asked("keeping artist machines smooth when the artist lives far away"), None);
        assert_eq!(asked("the talk about chaos engineering"), None);
    }
}
