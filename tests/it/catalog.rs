//! The bundled catalog and catalog validation: every problem reported, located, nothing loaded.

use crate::support::{bundled, marquee, TempDir};
use marquee::catalog::{Catalog, Kind, LinkRole, LoadError};
use marquee::locale::Lang;

#[test]
fn bundled_catalog_has_every_reference_item_with_working_links() {
    let catalog = bundled();
    assert_eq!(catalog.items.len(), 25);
    for item in &catalog.items {
        assert!(!item.links.is_empty(), "{} has no link", item.id);
        for link in &item.links {
            assert!(link.url.starts_with("https://"), "{}: {}", item.id, link.url);
            assert!(!link.label.is_empty() && link.label.chars().count() <= 80);
            assert!(link.role.is_some(), "{}: every bundled link says what it is ({})", item.id, link.label);
        }
        // Every story on the page has a headline: the story itself, or the page that lists it.
        let headline = item.headline().unwrap_or_else(|| panic!("{} has no headline link", item.id));
        assert!(headline.role.is_some_and(LinkRole::may_headline));
        assert!(!item.tags.is_empty(), "{} has no tags", item.id);
    }
    assert!(catalog.synonyms.len() >= 20, "synonyms.toml is bundled");

    // Ids, titles, kinds, services and links are the reference's.
    let Some(text) = marquee_testkit::shared::read("catalog-reference.json", "the reference comparison")
    else {
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
        let services: Vec<&str> =
            r["services"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(item.services, services, "{id}: services");
        // The reference's verified links come first, in order.
        let urls: Vec<&str> =
            r["links"].as_array().unwrap().iter().map(|l| l["url"].as_str().unwrap()).collect();
        let ours: Vec<&str> = item.links.iter().map(|l| l.url.as_str()).collect();
        assert!(ours.starts_with(&urls), "{id}: {ours:?} does not start with {urls:?}");
        // A link the reference could only tie loosely ("low": related, not the page's own link)
        // is never the headline; one it verified is the story itself.
        for (l, ours) in r["links"].as_array().unwrap().iter().zip(&item.links) {
            let role = ours.role.unwrap();
            match l["verified"].as_str().unwrap() {
                "low" => assert!(!role.may_headline(), "{id}: {} is {role:?}", ours.url),
                _ => assert_eq!(role, LinkRole::Story, "{id}: {}", ours.url),
            }
        }
        // Without a verified link, the title opens the page the story is listed on.
        if item.headline().unwrap().role != Some(LinkRole::Story) {
            let headline = item.headline().unwrap();
            assert_eq!(headline.role, Some(LinkRole::Source), "{id}");
            assert_eq!(headline.url, json["source_page"].as_str().unwrap(), "{id}");
        }
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
        format!("{b}:7:1: unknown field `colour` in item (expected one of: id, title, kind, year, summary, people, services, tags, aliases, links, locales)"),
        format!("{b}:8:10: link label is empty"),
        format!("{b}:8:10: link url \"ftp://example.com\" is not an absolute http(s) URL"),
        format!("{b}:8:97: unknown field `extra` in link (expected `label`, `url` or `role`)"),
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
fn related_words_are_read_and_validated() {
    let dir = TempDir::new("related");
    dir.write("x.toml", GOOD);
    dir.write("synonyms.toml", "[[related]]\nword = \"outage\"\nmembers = [\"crash\", \"went down\"]\n");
    let catalog = Catalog::load_dir(&dir.0).unwrap();
    assert_eq!(
        catalog.related,
        vec![("outage".to_string(), vec!["crash".to_string(), "went down".to_string()])]
    );

    let bad = TempDir::new("related-bad");
    bad.write("x.toml", GOOD);
    let path = bad.write(
        "synonyms.toml",
        "[[related]]\nword = \"outage\"\nmembers = []\n[[related]]\nword = 3\nmembers = [\"a\"]\n",
    );
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&bad.0) else { panic!("accepted") };
    let text = problems.to_string();
    let p = path.display();
    assert!(text.contains(&format!("{p}:3:11: `members` must be a non-empty array of strings")), "{text}");
    assert!(text.contains(&format!("{p}:5:8: a term must be a string of 1 to")), "{text}");
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

    // Every command refuses a bad catalog the same way; `check` first says which it checked.
    let (code, _, err2) = marquee(&["search", "x", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 1);
    let (which, problems) = err.split_once('\n').unwrap();
    assert_eq!(which, format!("marquee check: catalog {}:", dir.0.display()));
    assert_eq!(problems, err2);
}

/// Every bundled story can be read in each of the five languages: a title, a summary and the
/// words a member would search with, all where Discord shows them whole, in files that say
/// they are translations.
#[test]
fn every_bundled_item_has_all_five_locales() {
    use marquee::catalog::{CUT_TITLE, LOCALES};
    let catalog = bundled();
    for item in &catalog.items {
        let codes: Vec<&str> = item.locales.keys().map(String::as_str).collect();
        let mut want = LOCALES.to_vec();
        want.sort_unstable();
        assert_eq!(codes, want, "{}", item.id);
        for (code, text) in &item.locales {
            let at = format!("{} [{code}]", item.id);
            let title = text.title.as_deref().unwrap_or_else(|| panic!("{at}: no title"));
            let summary = text.summary.as_deref().unwrap_or_else(|| panic!("{at}: no summary"));
            assert!(title.chars().count() <= CUT_TITLE, "{at}: title cut in autocomplete");
            assert_ne!(summary, item.summary.as_str(), "{at}: summary untranslated");
            assert!((4..=10).contains(&text.keywords.len()), "{at}: {} keywords", text.keywords.len());
            if code == "ja" {
                assert!(!summary.contains("。 "), "{at}: a space after 。");
            }
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/items");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let blocks = text.matches("[item.locales.").count();
        let notes = text.matches("# Translation (written for Marquee from the English text above").count();
        assert_eq!(
            blocks,
            notes * LOCALES.len(),
            "{}: each item's translations say what they are",
            path.display()
        );
    }
}

/// `check` names what a translation lacks or what Discord would cut, as warnings that leave
/// the catalog loadable; a locale code Marquee does not know refuses it like any problem.
#[test]
fn check_warns_about_incomplete_or_long_locale_blocks() {
    let (code, out, err) = marquee(&["check"], None);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("warning") && !err.contains("warning"), "the bundled catalog is complete: {err}");

    let dir = TempDir::new("cli-check-locales");
    let item = |locales: &str| {
        format!(
            "[[item]]\nid = \"x\"\ntitle = \"T\"\nkind = \"talk\"\nsummary = \"S\"\n\
             links = [{{ label = \"L\", url = \"https://example.com/x\" }}]\n{locales}"
        )
    };
    let path = dir.write(
        "l.toml",
        &item(&format!(
            "[item.locales.de]\ntitle = \"{}\"\nkeywords = []\n[item.locales.ja]\nsummary = \"要約\"\nkeywords = [\"k\"]\n",
            "T".repeat(120)
        )),
    );
    let (code, out, err) = marquee(&["check", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: 1 items (1 talk), 0 synonym groups, 0 related words, 4 warnings"), "{out}");
    let p = path.display();
    for line in [
        format!("{p}:7:15: warning: locale `de` has no keywords"),
        format!("{p}:7:15: warning: locale `de` has no summary: members reading de see the English one"),
        format!("{p}:8:9: warning: `de` title is 120 characters: autocomplete and menus show only 100"),
        format!("{p}:10:15: warning: locale `ja` has no title: members reading ja see the English one"),
    ] {
        assert!(err.lines().any(|l| l.starts_with(&line)), "no {line:?} in\n{err}");
    }

    dir.write("l.toml", &item("[item.locales.pt]\ntitle = \"T\"\n"));
    let (code, out, err) = marquee(&["check", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains(":7:15: unknown locale `pt` (did you mean `pt-BR`?)"), "{err}");
}

#[test]
fn a_duplicate_id_is_reported_even_when_the_item_has_other_problems() {
    let dir = TempDir::new("dup-bad");
    let path = dir.write(
        "d.toml",
        r#"[[item]]
id = "same"
title = "First"
kind = "video"
summary = "s"
links = [{ label = "L", url = "https://example.com/1", role = "story" }]

[[item]]
id = "same"
title = "Second"
kind = "movie"
colour = "red"
summary = "s"
links = [{ label = "L", url = "https://example.com/2", role = "story" }]

[[item]]
id = "other"
kind = "talk"
summary = "s"
links = [{ label = "L", url = "https://example.com/3" }]

[[item]]
id = "other"
title = "Clean, but its id was claimed by a broken item above"
kind = "talk"
summary = "s"
links = [{ label = "L", url = "https://example.com/4" }]
"#,
    );
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else { panic!("accepted") };
    let lines: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
    let p = path.display();
    for expected in [
        format!("{p}:9:6: duplicate id `same` (first defined at {p}:2:6)"),
        format!("{p}:11:8: unknown kind \"movie\" (expected one of: overview, case-study, video, talk, keynote, podcast, blog, quote)"),
        format!("{p}:12:1: unknown field `colour` in item (expected one of: id, title, kind, year, summary, people, services, tags, aliases, links, locales)"),
        format!("{p}:16:1: item is missing required field `title`"),
        format!("{p}:23:6: duplicate id `other` (first defined at {p}:17:6)"),
    ] {
        assert!(lines.contains(&expected), "missing {expected}\nin {lines:#?}");
    }
    assert_eq!(lines.len(), 5, "{lines:#?}");
}

/// An item with links of several roles, in an order that is not the headline's.
const MIXED_ROLES: &str = r#"[[item]]
id = "a"
title = "A"
kind = "talk"
summary = "s"
links = [
  { label = "Later", url = "https://example.com/later", role = "later-edition" },
  { label = "Page", url = "https://example.com/page", role = "source" },
  { label = "Talk", url = "https://example.com/talk", role = "story" },
]
"#;

#[test]
fn link_roles_are_validated_and_decide_the_headline() {
    let dir = TempDir::new("roles");
    let bad = r#"
[[item]]
id = "b"
title = "B"
kind = "talk"
summary = "s"
links = [{ label = "X", url = "https://example.com/x", role = "headline" }]
"#;
    let path = dir.write("r.toml", &format!("{MIXED_ROLES}{bad}"));
    let Err(LoadError::Invalid(problems)) = Catalog::load_dir(&dir.0) else { panic!("accepted") };
    assert_eq!(
        problems.0.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        [format!(
            "{}:17:10: unknown link role \"headline\" (expected one of: story, source, search, earlier-edition, later-edition, related)",
            path.display()
        )]
    );

    let unheadlined = r#"
[[item]]
id = "only-related"
title = "B"
kind = "talk"
summary = "s"
links = [
  { label = "Elsewhere", url = "https://example.com/elsewhere", role = "related" },
  { label = "Unsaid", url = "https://example.com/unsaid" },
]
"#;
    dir.write("r.toml", &format!("{MIXED_ROLES}{unheadlined}"));
    let catalog = Catalog::load_dir(&dir.0).unwrap();
    assert_eq!(catalog.get("a").unwrap().headline().unwrap().url, "https://example.com/talk");
    // Neither a related page nor a link of no stated role is ever the headline.
    assert!(catalog.get("only-related").unwrap().headline().is_none());
}

/// What a member sees for the items whose only links are not the story itself.
#[test]
fn embeds_never_headline_another_year_or_a_related_page() {
    use marquee::reply::{render, Row};
    const SOURCE: &str = "https://aws.amazon.com/solutions/case-studies/innovators/netflix/";
    let catalog = bundled();
    let buttons = |id: &str| -> Vec<(String, String)> {
        let reply = render::item_reply(Lang::En, catalog.get(id).unwrap(), &[]);
        match &reply.rows[0] {
            Row::Links(b) => b.iter().map(|b| (b.label.clone(), b.url.clone())).collect(),
            other => panic!("{other:?}"),
        }
    };
    let embed = |id: &str| render::item_embed(Lang::En, catalog.get(id).unwrap());

    let day = embed("reinvent-2019-day-in-life");
    assert_eq!(day.url.as_deref(), Some(SOURCE));
    assert_eq!(day.image, None, "a picture of the 2015 or 2017 talk would pass for the 2019 one");
    let labels: Vec<String> = buttons("reinvent-2019-day-in-life").into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        [
            "Netflix on AWS (source page)",
            "Search: YouTube (exact title)",
            "Earlier edition: re:Invent 2015 (DVO203)",
            "Earlier edition: re:Invent 2017 (ARC209)",
        ]
    );

    let ml = embed("reinvent-2020-ml-systems");
    assert_eq!(ml.url.as_deref(), Some(SOURCE));
    assert!(buttons("reinvent-2020-ml-systems").contains(&(
        "Related: QCon Plus talk (another event)".into(),
        "https://www.infoq.com/presentations/designing-ml-systems-netflix/".into()
    )));

    assert_eq!(embed("quote-chawla-ses").url.as_deref(), Some(SOURCE));
    assert_eq!(buttons("quote-chawla-ses")[1].0, "Related: Amazon SES case study");
    assert!(embed("netflix-on-aws").fields.iter().all(|f| f.name != "Services"));

    // The story's own video gives the picture; its first link stays the title link.
    let tuning = embed("reinvent-2017-ec2-tuning");
    assert_eq!(tuning.url.as_deref(), Some("https://www.youtube.com/watch?v=89fYOo1V2pA"));
    assert_eq!(tuning.image.as_deref(), Some("https://i.ytimg.com/vi/89fYOo1V2pA/mqdefault.jpg"));
    let consoleme = embed("reinvent-2020-consoleme");
    assert_eq!(
        consoleme.url.as_deref(),
        Some("https://aws.amazon.com/solutions/case-studies/netflix-aws-reinvent2020-video/")
    );
    assert_eq!(consoleme.image.as_deref(), Some("https://i.ytimg.com/vi/fXNRYcNyw0c/mqdefault.jpg"));

    // Exactly the items whose story is a YouTube video have a picture; a search is not a video.
    let with_picture: Vec<&str> = catalog
        .items
        .iter()
        .filter(|i| render::item_embed(Lang::En, i).image.is_some())
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        with_picture,
        [
            "reinvent-2020-consoleme",
            "reinvent-2017-ec2-tuning",
            "cybersecurity-conversation",
            "route53-multi-region"
        ]
    );
}

/// What `marquee check` warns about: quote marks that do not pair up, a summary that says a
/// sentence twice. The bundled catalog reads as edited: no warning.
#[test]
fn check_warns_about_unpaired_quotes_and_repeated_sentences() {
    let (code, out, err) = marquee(&["check"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: ") && !out.contains("warning"), "the bundled catalog: {out}");
    assert!(!err.contains("warning"), "the bundled catalog: {err}");

    let dir = TempDir::new("cli-check-warnings");
    dir.write(
        "items.toml",
        r#"
[[item]]
id = "slips"
title = 'Producing “The Crown" in The Cloud'
kind = "case-study"
summary = """
By adopting a cloud-based workflow on AWS, the in-house VFX team of 10 artists completed more than 600 VFX shots in just 8 months.

By adopting a cloud-based workflow on AWS, the in-house VFX team completed more than 600 VFX shots, in just 8 months."""
links = [{ label = "Case study", url = "https://example.com/", role = "story" }]

[[item]]
id = "quote"
title = "A quote"
kind = "quote"
summary = "With G5 instances, content creators have the freedom to create more.”"
links = [{ label = "Case study", url = "https://example.com/", role = "story" }]
"#,
    );
    let (code, out, err) = marquee(&["check", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 0, "warnings do not fail the check: {err}");
    assert!(out.starts_with("ok: 2 items") && out.contains("3 warnings"), "{out}");
    assert!(err.contains("warning: slips: title: quote marks that do not match (“…\")"), "{err}");
    assert!(err.contains("warning: slips: summary: sentence 2 says again what sentence 1 said"), "{err}");
    assert!(err.contains("warning: quote: summary: a closing ” that never opened"), "{err}");
}

/// Typography may be normalised (quote pairs, stray spaces); the words stay the page's. Each
/// summary, compared word for word, is a passage of the seed page.
#[test]
fn summaries_keep_the_seed_pages_words() {
    let Some(page) = marquee_testkit::shared::read("seed/netflix-on-aws.txt", "the seed page comparison")
    else {
        return;
    };
    let words = |text: &str| -> Vec<String> {
        text.replace("- ", "-")
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let page = format!(" {} ", words(&page).join(" "));
    for id in ["the-crown-in-the-cloud", "quote-chawla-ses", "quote-kowalski-g5", "reinvent-2017-ec2-tuning"]
    {
        let item = bundled().get(id).cloned().unwrap_or_else(|| panic!("{id}"));
        let summary = format!(" {} ", words(&item.summary).join(" "));
        assert!(page.contains(&summary), "{id}: the summary is not the page's words");
    }
}

/// `marquee check` in a folder with `content/` checks that folder — an editor who just broke it
/// must not read "ok" about the catalog built into the binary — and always says which it checked.
#[test]
fn check_in_a_folder_with_content_checks_that_content() {
    let run = |dir: &TempDir| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
            .arg("check")
            .current_dir(&dir.0)
            .env_remove("DISCORD_TOKEN")
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let dir = TempDir::new("cli-check-here");
    dir.write("content/items/bad.toml", BAD);
    let (code, out, err) = run(&dir);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("content/items/bad.toml:"), "{err}");
    assert!(err.contains("catalog content"), "says which catalog: {err}");

    dir.write("content/items/bad.toml", GOOD);
    let (code, out, _) = run(&dir);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("ok: ") && out.trim_end().ends_with("catalog content"), "{out}");

    let empty = TempDir::new("cli-check-bundled");
    let (code, out, _) = run(&empty);
    assert_eq!(code, Some(0));
    assert!(out.contains("the catalog built into the binary"), "{out}");
}

/// `check` names the related words that can never match, which the index leaves out without a
/// word: a word no item holds, and a member with chat filler in it (queries drop filler).
#[test]
fn check_warns_about_related_words_that_never_match() {
    let dir = TempDir::new("cli-check-related");
    dir.write(
        "l.toml",
        "[[item]]\nid = \"x\"\ntitle = \"Outage drills\"\nkind = \"talk\"\nsummary = \"S\"\n\
         links = [{ label = \"L\", url = \"https://example.com/x\" }]\n",
    );
    dir.write(
        "synonyms.toml",
        "[[related]]\nword = \"outage\"\nmembers = [\"crash\", \"went down\"]\n\n\
         [[related]]\nword = \"zeppelin\"\nmembers = [\"airship\"]\n",
    );
    let (code, out, err) = marquee(&["check", "--content", dir.0.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: 1 items (1 talk), 0 synonym groups, 2 related words, 2 warnings"), "{out}");
    assert!(err.contains("related word \"zeppelin\" is held by no item"), "{err}");
    assert!(
        err.contains("member \"went down\" of related word \"outage\" holds chat filler (went, down)"),
        "{err}"
    );
    assert!(!err.contains("\"crash\""), "{err}");
}
