//! Which of Marquee's languages a question is written in, for replies that come with no
//! member locale (a mention is a channel message: Discord sends a locale only with
//! interactions).
//!
//! The evidence is the catalog's own text: a word counts for a language when that language's
//! translations use it and the English catalog does not ("Berechtigungen", "nuvem"); kana or
//! kanji mean Japanese. The reply is in a language only when it has strictly more such words
//! than every other, so an English question, a bare product name ("ConsoleMe") or a word two
//! languages share ("para") keeps the English reply.

use super::Lang;
use crate::catalog::Item;
use std::collections::{HashMap, HashSet};

/// The words that tell the languages apart, read once from a catalog (per engine, see
/// `search::Engine::vocabulary`): a mention is answered without walking the catalog's text.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Each word some translation uses and the English catalog does not, with the languages
    /// whose translations use it.
    tells: HashMap<String, Vec<Lang>>,
}

impl Vocabulary {
    pub fn of(items: &[Item]) -> Vocabulary {
        let mut english = HashSet::new();
        for item in items {
            let texts = [&item.title, &item.summary].into_iter().chain(&item.tags).chain(&item.aliases);
            for t in texts.chain(&item.services).chain(item.people.iter().map(|p| &p.name)) {
                english.extend(words(t));
            }
        }
        let mut tells: HashMap<String, Vec<Lang>> = HashMap::new();
        for lang in Lang::ALL {
            let Some(code) = lang.catalog_locale() else { continue };
            for local in items.iter().filter_map(|i| i.local(code)) {
                for t in local.title.iter().chain(&local.summary).chain(&local.keywords) {
                    for w in words(t).filter(|w| !english.contains(w)) {
                        let langs = tells.entry(w).or_default();
                        if !langs.contains(&lang) {
                            langs.push(lang);
                        }
                    }
                }
            }
        }
        Vocabulary { tells }
    }

    /// The language `text` is written in; English when unsure.
    pub fn written_in(&self, text: &str) -> Lang {
        if text.chars().any(is_japanese) {
            return Lang::Ja;
        }
        let asked: HashSet<String> = words(text).collect();
        let mut counts: HashMap<Lang, usize> = HashMap::new();
        for lang in asked.iter().filter_map(|w| self.tells.get(w)).flatten() {
            *counts.entry(*lang).or_default() += 1;
        }
        let best = counts.values().copied().max().unwrap_or(0);
        let mut leaders = counts.iter().filter(|(_, &n)| n == best);
        match (leaders.next(), leaders.next()) {
            (Some((&lang, _)), None) if best > 0 => lang,
            _ => Lang::En,
        }
    }
}

/// Hiragana, katakana (with the prolonged-sound mark) and CJK ideographs.
fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Lowercase words of letters (accents kept: they tell the languages apart).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() > 1).map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary::of(&crate::catalog::Catalog::bundled().unwrap().items)
    }

    #[test]
    fn questions_in_each_language() {
        let vocabulary = vocabulary();
        for (text, lang) in [
            ("how does netflix manage aws permissions", Lang::En),
            ("ConsoleMe", Lang::En),
            ("the crown lockdown", Lang::En),
            ("", Lang::En),
            ("wie verwaltet Netflix Berechtigungen für viele Konten", Lang::De),
            ("comment Netflix encode ses vidéos à grande échelle", Lang::Fr),
            ("cómo codifica Netflix sus vídeos", Lang::Es),
            ("como a Netflix fez a migração para a nuvem", Lang::PtBr),
            ("ザ・クラウン", Lang::Ja),
            ("機械学習", Lang::Ja),
        ] {
            assert_eq!(vocabulary.written_in(text), lang, "{text:?}");
        }
    }

    #[test]
    fn a_word_two_languages_share_decides_nothing() {
        // "para" is Spanish and Portuguese alike.
        assert_eq!(vocabulary().written_in("para"), Lang::En);
    }
}
