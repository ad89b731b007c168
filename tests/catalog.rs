//! The bundled catalog and catalog validation: every problem reported, located, nothing loaded.

mod support;

use marquee::catalog::{Catalog, Kind, LoadError};
use support::{bundled, marquee, TempDir};

#[test]
fn bundled_catalog_has_every_reference_item_with_working_links() {
    let catalog = bundled();
    assert_eq!(catalog.items.len(), 25);
    for item in &catalog.items {
        assert!(!item.links.is_empty(), "{} has no link", item.id);
        for link in &item.links {
            assert!(link.url.starts_with("https://"), "{}: {}", item.id, link.url);
            assert!(!link.label.is_empty() && link.label.chars().count() <= 80);
        }
        assert!(!item.tags.is_empty(), "{} has no tags", item.id);
    }
    assert!(catalog.synonyms.len() >= 20, "synonyms.toml is bundled");

    // Ids, titles and kinds are the reference's, where the shared folder is beside the repo.
    let reference = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/catalog-reference.json");
    let Ok(text) = std::fs::read_to_string(reference) else {
        eprintln!("skipping the reference comparison: {reference} is absent");
        return;
    };
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), catalog.items.len());
    for r in items {
        let id = r["id"].as_str().unwrap();
        let item = catalog.get(id).unwrap_or_else(|| panic!("reference item {id} missing"));
        assert_eq!(item.title, r["title"].as_str().unwrap());
        assert_eq!(item.kind.as_str(), r["kind"].as_str().unwrap());
        assert_eq!(item.year.map(i64::from), r["year"].as_i64());
        // The reference's verified links come first, in order.
        let urls: Vec<&str> =
            r["links"].as_array().unwrap().iter().map(|l| l["url"].as_str().unwrap()).collect();
        let ours: Vec<&str> = item.links.iter().map(|l| l.url.as_str()).collect();
        assert!(ours.starts_with(&urls), "{id}: {ours:?} does not start with {urls:?}");
        if urls.is_empty() {
            assert_eq!(ours[0], json["source_page"].as_str().unwrap(), "{id}: source page first");
            if matches!(item.kind, Kind::Video | Kind::Talk | Kind::Keynote | Kind::Podcast) {
                assert!(ours.iter().any(|u| u.starts_with("https://www.youtube.com/results?search_query=")));
            }
        }
    }
}

const GOOD: &str = r#"
[[item]]
id = "good-one"
title = "A good item"
kind = "video"
summary = "Fine."
links = [{ label = "Watch", url = "https://example.com/v" }]
"#;

const BAD: &str = r#"[[item]]
id = "Bad_Id"
title = ""
kind = "movie"
year = 1850
summary = "ok"
colour = "red"
links = [{ label = "", url = "ftp://example.com" }, { label = "x", url = "https://example.com", extra = 1 }]

[[item]]
id = "no-links"
kind = "talk"
summary = "s"

[[item]]
id = "good-one"
title = "Duplicate"
kind = "video"
summary = "s"
links = [{ label = "ok", url = "https://example.com" }]
"#;

#[test]
fn every_problem_is_reported_with_file_line_and_column() {
    let dir = TempDir::new("bad");
    let good = dir.write("a-good.toml", GOOD);
    let bad = dir.write("nested/b-bad.toml", BAD);
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else {
        panic!("a bad catalog was accepted");
    };
    let lines: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
    let (g, b) = (good.display(), bad.display());
    let expected = [
        format!("{b}:2:6: id `Bad_Id` must be lowercase kebab-case (a-z, 0-9, single dashes)"),
        format!("{b}:3:9: title is empty"),
        format!("{b}:4:8: unknown kind \"movie\" (expected one of: overview, case-study, video, talk, keynote, podcast, blog, quote)"),
        format!("{b}:5:8: year 1850 is outside 1990..=2100"),
        format!("{b}:7:1: unknown field `colour` in item (expected one of: id, title, kind, year, summary, people, services, tags, aliases, links)"),
        format!("{b}:8:10: link label is empty"),
        format!("{b}:8:10: link url \"ftp://example.com\" is not an absolute http(s) URL"),
        format!("{b}:8:97: unknown field `extra` in link (expected `label` or `url`)"),
        format!("{b}:16:6: duplicate id `good-one` (first defined at {g}:3:6)"),
    ];
    let missing: Vec<&String> = expected.iter().filter(|e| !lines.contains(e)).collect();
    assert!(missing.is_empty(), "missing {missing:#?}\nin {lines:#?}");
    // The item without title and links is reported at its own header.
    assert!(lines.contains(&format!("{b}:10:1: item is missing required field `title`")), "{lines:#?}");
    assert!(lines.contains(&format!(
        "{b}:10:1: item has no links: add at least one [[item.links]] with a label and an http(s) url"
    )));
    assert_eq!(lines.len(), 11, "{lines:#?}");
}

#[test]
fn malformed_toml_names_file_line_and_column() {
    let dir = TempDir::new("syntax");
    let path = dir.write("items.toml", "[[item]]\nid = \"x\"\ntitle = \"unterminated\nkind = \"talk\"\n");
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else {
        panic!("malformed TOML was accepted");
    };
    let first = problems.0[0].to_string();
    assert!(first.starts_with(&format!("{}:3:", path.display())), "{first}");
    assert!(first.contains("invalid TOML"), "{first}");
}

#[test]
fn wrong_types_and_bad_urls_are_named() {
    let dir = TempDir::new("types");
    let path = dir.write(
        "t.toml",
        "[[item]]\nid = 7\ntitle = \"T\"\nkind = \"talk\"\nsummary = \"S\"\ntags = \"one\"\n\
         links = [{ label = \"L\", url = \"https://exa mple.com\" }]\n",
    );
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else { panic!("accepted") };
    let text = problems.to_string();
    let p = path.display();
    assert!(text.contains(&format!("{p}:2:6: `id` must be a string, found integer")), "{text}");
    assert!(text.contains(&format!("{p}:6:8: `tags` must be an array of strings, found string")), "{text}");
    assert!(text.contains("contains whitespace"), "{text}");
    assert!(text.ends_with("problems in the catalog; nothing was loaded"), "{text}");
}

#[test]
fn a_folder_of_only_item_files_is_valid_and_an_empty_one_is_not() {
    let dir = TempDir::new("only-items");
    dir.write("x.toml", GOOD);
    let catalog = Catalog::load_dir(&dir.0).unwrap();
    assert_eq!(catalog.items.len(), 1);
    assert!(catalog.synonyms.is_empty());

    let empty = TempDir::new("empty");
    assert!(matches!(Catalog::load_dir(&empty.0), Err(LoadError::Empty(_))));
    assert!(matches!(Catalog::load_dir(&empty.0.join("nope")), Err(LoadError::Io { .. })));
}

#[test]
fn synonyms_file_is_validated_too() {
    let dir = TempDir::new("synonyms");
    dir.write("x.toml", GOOD);
    let path = dir.write("synonyms.toml", "[[group]]\nterms = [\"one\"]\nwords = 1\n");
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else { panic!("accepted") };
    let text = problems.to_string();
    let p = path.display();
    assert!(text.contains(&format!("{p}:2:9: a group needs at least two terms")), "{text}");
    assert!(text.contains(&format!("{p}:3:1: unknown field `words` in group")), "{text}");
}

#[test]
fn check_command_reports_and_exits_1_on_problems_0_when_clean() {
    let (code, out, err) = marquee(&["check"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: 25 items (1 overview, 4 case-study,"), "{out}");

    let dir = TempDir::new("cli-check");
    dir.write("bad.toml", BAD);
    let (code, out, err) = marquee(&["check", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.lines().filter(|l| l.contains("bad.toml:")).count() >= 10, "{err}");

    // Every command refuses a bad catalog the same way.
    let (code, _, err2) = marquee(&["search", "x", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert_eq!(err, err2);
}
