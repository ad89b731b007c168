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
}
