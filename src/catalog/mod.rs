//! The catalog: items loaded from TOML content files, validated as a whole.
//!
//! A content folder holds item files (`*.toml`, any depth, each only `[[item]]` tables) and an
//! optional `synonyms.toml` at its top. The folder in the repository is compiled into the binary;
//! `--content DIR` loads another one through the same code.

pub mod lint;
mod model;
mod parse;
mod problem;
mod synonyms;

pub use model::{locale_key, Item, Kind, Link, LinkRole, LocalText, Person, LOCALES};
pub use parse::{CUT_TITLE, MAX_LABEL, MAX_SUMMARY, MAX_TITLE, MAX_URL};
pub use problem::{Problem, Problems, Source};
pub use synonyms::SYNONYMS_FILE;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The content folder of the repository, as compiled in: (path relative to `content/`, text).
const BUNDLED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled_content.rs"));

/// Content at least this large is parsed on every core (see `Catalog::from_files_noting`); the
/// bundled folder (200 KB) is read on one.
const PARALLEL_BYTES: usize = 4 << 20;

/// What one content file holds, once parsed.
enum Read {
    Vocabulary(synonyms::Vocabulary),
    Items(Vec<parse::Located>),
}

/// One file of a content folder.
pub struct ContentFile {
    /// The name problems are reported under.
    pub path: String,
    pub text: String,
    /// The folder's top-level `synonyms.toml` rather than an item file.
    pub synonyms: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub items: Vec<Item>,
    /// Groups of interchangeable search terms ("ses", "simple email service", "email").
    pub synonyms: Vec<Vec<String>>,
    /// Everyday words members use for a word of the catalog: (catalog word, members' words).
    pub related: Vec<(String, Vec<String>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read content folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("content folder {0} holds no .toml item files")]
    Empty(PathBuf),
    #[error("{0}")]
    Invalid(#[from] Problems),
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn bundled() -> Result<Catalog, Problems> {
        Catalog::bundled_noting(&mut Vec::new())
    }

    /// The catalog compiled into the binary, adding its warnings to `warnings`.
    pub fn bundled_noting(warnings: &mut Vec<Problem>) -> Result<Catalog, Problems> {
        let files: Vec<ContentFile> = BUNDLED
            .iter()
            .map(|(p, t)| ContentFile {
                path: format!("content/{p}"),
                text: t.to_string(),
                synonyms: *p == SYNONYMS_FILE,
            })
            .collect();
        Catalog::from_files_noting(&files, warnings)
    }

    /// Loads every `.toml` file below `dir`. Nothing is returned unless all of it is valid.
    pub fn load_dir(dir: &Path) -> Result<Catalog, LoadError> {
        Catalog::load_dir_noting(dir, &mut Vec::new())
    }

    /// `load_dir`, adding to `warnings` what an editor should fix but does not refuse the
    /// catalog (see `bundled_noting`).
    pub fn load_dir_noting(dir: &Path, warnings: &mut Vec<Problem>) -> Result<Catalog, LoadError> {
        let mut paths = Vec::new();
        walk(dir, &mut paths).map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| LoadError::Io { path: path.clone(), source })?;
            let synonyms = path == dir.join(SYNONYMS_FILE);
            files.push(ContentFile { path: path.display().to_string(), text, synonyms });
        }
        if files.iter().all(|f| f.synonyms) {
            return Err(LoadError::Empty(dir.to_path_buf()));
        }
        Ok(Catalog::from_files_noting(&files, warnings)?)
    }

    /// Builds a catalog from content files, refusing it whole if any file has a problem.
    pub fn from_files(files: &[ContentFile]) -> Result<Catalog, Problems> {
        Catalog::from_files_noting(files, &mut Vec::new())
    }

    /// `from_files`, adding warnings (sorted, located like problems) to `warnings`: a locale
    /// block lacking a title, summary or keywords, a title autocomplete has to cut.
    pub fn from_files_noting(
        files: &[ContentFile],
        warnings: &mut Vec<Problem>,
    ) -> Result<Catalog, Problems> {
        let start = warnings.len();
        let mut problems = Vec::new();
        let mut catalog = Catalog::default();
        let mut first_seen: HashMap<String, Problem> = HashMap::new();
        // Aliases are what members call an item: one name must not stand for two items.
        let mut alias_owner: HashMap<String, (String, Problem)> = HashMap::new();
        // Files are parsed apart (on every core when there is much to read: 100 000 items are
        // 60 MB of TOML), then merged in order, where ids and aliases are checked across files.
        let large = files.iter().map(|f| f.text.len()).sum::<usize>() >= PARALLEL_BYTES;
        let parsed = crate::parallel::map(files, large, |file| {
            let src = Source::new(&file.path, &file.text);
            let (mut problems, mut warnings) = (Vec::new(), Vec::new());
            let read = if file.synonyms {
                Read::Vocabulary(synonyms::parse(&src, &mut problems))
            } else {
                Read::Items(parse::items(
                    &src,
                    parse::Findings { problems: &mut problems, warnings: &mut warnings },
                ))
            };
            (read, problems, warnings)
        });
        for (read, file_problems, file_warnings) in parsed {
            problems.extend(file_problems);
            warnings.extend(file_warnings);
            let items = match read {
                Read::Vocabulary(vocabulary) => {
                    catalog.synonyms.extend(vocabulary.groups);
                    catalog.related.extend(vocabulary.related);
                    continue;
                }
                Read::Items(items) => items,
            };
            for located in items {
                let id = located.id.clone();
                if let Some(first) = first_seen.get(&id) {
                    let at = &located.id_problem_anchor;
                    problems.push(Problem {
                        message: format!(
                            "duplicate id `{id}` (first defined at {}:{}:{})",
                            first.path, first.line, first.column
                        ),
                        ..at.clone()
                    });
                    continue;
                }
                if let Some(item) = &located.item {
                    check_aliases(item, &located.id_problem_anchor, &mut alias_owner, &mut problems);
                }
                first_seen.insert(id, located.id_problem_anchor);
                // An item with problems (already reported) still claimed its id above.
                if let Some(item) = located.item {
                    catalog.items.push(item);
                }
            }
        }
        warnings[start..].sort();
        if problems.is_empty() {
            Ok(catalog)
        } else {
            problems.sort();
            Err(Problems(problems))
        }
    }

    /// Items per kind, in `Kind::ALL` order, leaving out kinds with none.
    pub fn count_by_kind(&self) -> Vec<(Kind, usize)> {
        count_by_kind(&self.items)
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// Most aliases one item may carry: a few names members use, not a keyword list (tags are for
/// topics), so the search weight of an alias stays meaningful.
pub const MAX_ALIASES: usize = 8;

/// Cross-item alias rules: no alias (compared as words, ignoring case, accents and punctuation)
/// on two items, none repeated within an item, and at most `MAX_ALIASES` per item. Each
/// alias's own length is checked with the item's other strings.
fn check_aliases(
    item: &Item,
    at: &Problem,
    owners: &mut HashMap<String, (String, Problem)>,
    problems: &mut Vec<Problem>,
) {
    if item.aliases.len() > MAX_ALIASES {
        problems.push(Problem {
            message: format!("`{}` has {} aliases; at most {MAX_ALIASES}", item.id, item.aliases.len()),
            ..at.clone()
        });
    }
    for alias in &item.aliases {
        let key = crate::text::folded(alias);
        if key.is_empty() {
            continue;
        }
        match owners.get(&key) {
            Some((owner, first)) if *owner == item.id => problems.push(Problem {
                message: format!("alias `{alias}` is listed twice for `{}`", item.id),
                ..first.clone()
            }),
            Some((owner, first)) => problems.push(Problem {
                message: format!(
                    "alias `{alias}` of `{}` is already an alias of `{owner}` (at {}:{}:{})",
                    item.id, first.path, first.line, first.column
                ),
                ..at.clone()
            }),
            None => {
                owners.insert(key, (item.id.clone(), at.clone()));
            }
        }
    }
}

/// Items per kind, in `Kind::ALL` order, leaving out kinds with none.
pub fn count_by_kind(items: &[Item]) -> Vec<(Kind, usize)> {
    Kind::ALL
        .into_iter()
        .map(|k| (k, items.iter().filter(|i| i.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// How often a content folder is looked at for changes (`run --watch`, `serve --watch`, the
/// playground): a change shows in the next reply within two looks.
pub const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// What the content folder looks like on disk: every `.toml` file below `dir` with its size
/// and modification time. Two equal fingerprints mean nothing a reload would read has changed
/// (a file watch polls this; it needs no platform notification API and works on any mount).
pub fn fingerprint(dir: &Path) -> std::io::Result<Vec<(PathBuf, u64, std::time::SystemTime)>> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(&p)?;
            Ok((p, meta.len(), meta.modified()?))
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> ContentFile {
        ContentFile { path: path.into(), text: text.into(), synonyms: false }
    }

    fn item(id: &str, aliases: &str) -> String {
        format!(
            "[[item]]\nid = \"{id}\"\ntitle = \"T {id}\"\nkind = \"talk\"\nsummary = \"S\"\naliases = [{aliases}]\n\
             links = [{{ label = \"L\", url = \"https://example.com/{id}\" }}]\n\n"
        )
    }

    #[test]
    fn an_alias_names_one_item_only() {
        let a = file("a.toml", &item("first", "\"The Crown\", \"Fix This\""));
        let b = file("b.toml", &(item("second", "\"the  CROWN!\"") + &item("third", "\"Other\", \"other\"")));
        let Err(problems) = Catalog::from_files(&[a, b]) else { panic!("duplicate aliases were accepted") };
        let lines: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(
            lines.contains(
                &"b.toml:2:6: alias `the  CROWN!` of `second` is already an alias of `first` (at a.toml:2:6)"
                    .to_string()
            ),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l.contains("alias `other` is listed twice for `third`")), "{lines:#?}");
    }

    #[test]
    fn aliases_per_item_are_bounded() {
        let many: Vec<String> = (0..=MAX_ALIASES).map(|i| format!("\"name {i}\"")).collect();
        let Err(problems) = Catalog::from_files(&[file("a.toml", &item("many", &many.join(", ")))]) else {
            panic!("too many aliases were accepted")
        };
        assert!(problems.0[0].message.contains(&format!("at most {MAX_ALIASES}")), "{problems}");
        assert!(Catalog::from_files(&[file("a.toml", &item("few", "\"One\", \"Two\""))]).is_ok());
    }

    fn load(text: &str) -> (Result<Catalog, Problems>, Vec<String>) {
        let mut warnings = Vec::new();
        let catalog = Catalog::from_files_noting(&[file("l.toml", text)], &mut warnings);
        (catalog, warnings.iter().map(|w| w.to_string()).collect())
    }

    fn problem_lines(result: Result<Catalog, Problems>) -> Vec<String> {
        match result {
            Ok(_) => panic!("the catalog was accepted"),
            Err(problems) => problems.0.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn locale_blocks_are_read_into_the_item() {
        let text = item("crown", "")
            + "[item.locales.de]\ntitle = \"Die Krone\"\nsummary = \"Eine Serie.\"\n\
             keywords = [\"Krone\", \" Serie \"]\n\n[item.locales.\"pt-BR\"]\ntitle = \"A Coroa\"\n\
             summary = \"Uma série.\"\nkeywords = [\"coroa\"]\n";
        let (catalog, warnings) = load(&text);
        let catalog = catalog.unwrap();
        assert!(warnings.is_empty(), "{warnings:#?}");
        let item = &catalog.items[0];
        assert_eq!(item.locales.len(), 2);
        let de = &item.locales["de"];
        assert_eq!(de.title.as_deref(), Some("Die Krone"));
        assert_eq!(de.summary.as_deref(), Some("Eine Serie."));
        assert_eq!(de.keywords, ["Krone", "Serie"]);
        assert_eq!(item.title_in("pt-BR"), "A Coroa");
        // Discord's other Portuguese reads the Brazilian text; a language without any reads English.
        assert_eq!(item.title_in("pt-PT"), "A Coroa");
        assert_eq!(item.title_in("es-419"), "T crown");
        assert_eq!(item.summary_in("en-US"), "S");
    }

    #[test]
    fn an_unknown_locale_code_is_a_located_problem() {
        let text = item("crown", "")
            + "[item.locales.es]\ntitle = \"La corona\"\n\n[item.locales.xx]\ntitle = \"?\"\n";
        let lines = problem_lines(load(&text).0);
        assert_eq!(
            lines,
            [
                "l.toml:9:15: unknown locale `es` (did you mean `es-ES`?): expected one of de, fr, es-ES, pt-BR, ja",
                "l.toml:12:15: unknown locale `xx`: expected one of de, fr, es-ES, pt-BR, ja",
            ]
        );
    }

    #[test]
    fn an_unknown_key_in_a_locale_is_a_located_problem() {
        let text = item("crown", "")
            + "[item.locales.fr]\ntitle = \"La Couronne\"\n  titre = \"x\"\nsummary = 3\nkeywords = [\"couronne\"]\n";
        let lines = problem_lines(load(&text).0);
        assert_eq!(
            lines,
            [
                "l.toml:11:3: unknown field `titre` in locale `fr` (expected one of: title, summary, keywords)",
                "l.toml:12:11: `summary` must be a string, found integer",
            ]
        );
    }

    /// What `marquee check` says of a locale block: fields that cannot be shown refuse the
    /// catalog; fields that fall back to English, or are cut in autocomplete, are warnings.
    #[test]
    fn missing_and_over_limit_locale_fields() {
        let long_title = "T".repeat(CUT_TITLE + 1);
        let text = item("crown", "")
            + &format!("[item.locales.ja]\ntitle = \"{long_title}\"\nkeywords = []\n\n[item.locales.de]\nsummary = \"S\"\nkeywords = [\"k\"]\n");
        let (catalog, warnings) = load(&text);
        catalog.unwrap();
        assert_eq!(
            warnings,
            [
                "l.toml:9:15: locale `ja` has no keywords: add the words a member reading ja would search with",
                "l.toml:9:15: locale `ja` has no summary: members reading ja see the English one",
                "l.toml:10:9: `ja` title is 101 characters: autocomplete and menus show only 100",
                "l.toml:13:15: locale `de` has no title: members reading de see the English one",
            ]
        );

        let too_long = item("crown", "")
            + &format!(
                "[item.locales.fr]\ntitle = \"{}\"\nsummary = \"{}\"\nkeywords = [\"\"]\n",
                "T".repeat(MAX_TITLE + 1),
                "S".repeat(MAX_SUMMARY + 1)
            );
        assert_eq!(
            problem_lines(load(&too_long).0),
            [
                "l.toml:10:9: title is 257 characters, more than 256",
                "l.toml:11:11: summary is 4097 characters, more than 4096",
                "l.toml:12:13: `keywords` has an empty entry",
            ]
        );
    }

    #[test]
    fn the_bundled_catalog_passes_the_alias_rules() {
        Catalog::bundled().unwrap();
    }
}
