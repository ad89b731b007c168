//! English given names and the short forms people call them by: "steve kowalski" is Stephen
//! Kowalski. A short form is often no typo and no sound-alike of the name ("bob", "robert"), so
//! only a table knows them. It is general English usage, nothing about any catalog entry; like
//! the sound of a first name, it is read only beside the rest of the person's name.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Each row: the forms of one name, full forms first. A form may stand in several rows ("sam":
/// Samuel, Samantha).
const NAMES: &[&[&str]] = &[
    &["stephen", "steven", "stefan", "steve", "stevie"],
    &["robert", "rob", "bob", "bobby", "robbie", "bert"],
    &["william", "will", "bill", "billy", "liam"],
    &["michael", "mike", "mikey", "mick"],
    &["david", "dave", "davey"],
    &["james", "jim", "jimmy", "jamie"],
    &["joseph", "joe", "joey"],
    &["thomas", "tom", "tommy"],
    &["richard", "rick", "rich", "richie", "dick"],
    &["christopher", "chris", "kit"],
    &["christine", "christina", "chris", "tina"],
    &["daniel", "dan", "danny"],
    &["matthew", "matt"],
    &["anthony", "tony"],
    &["nicholas", "nick", "nicky"],
    &["alexander", "alex", "xander", "sasha"],
    &["alexandra", "alex", "sasha", "sandra"],
    &["andrew", "andy", "drew"],
    &["benjamin", "ben", "benny"],
    &["jonathan", "jon", "jonny"],
    &["edward", "ed", "eddie", "ted", "ned"],
    &["elizabeth", "liz", "lizzie", "beth", "betty", "eliza"],
    &["katherine", "catherine", "kathryn", "kate", "katie", "kathy", "cathy"],
    &["jennifer", "jen", "jenny"],
    &["margaret", "maggie", "meg", "peggy"],
    &["patricia", "pat", "patty", "trish"],
    &["patrick", "pat", "paddy"],
    &["susan", "sue", "susie"],
    &["deborah", "deb", "debbie"],
    &["rebecca", "becky", "becca"],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammy"],
    &["gregory", "greg"],
    &["timothy", "tim", "timmy"],
    &["kenneth", "ken", "kenny"],
    &["ronald", "ron", "ronnie"],
    &["donald", "don", "donnie"],
    &["lawrence", "laurence", "larry"],
    &["laura", "laurie"],
    &["victoria", "vicky", "tori"],
    &["jacob", "jake"],
    &["joshua", "josh"],
    &["zachary", "zach", "zack"],
    &["nathaniel", "nathan", "nate"],
    &["frederick", "fred", "freddie"],
    &["charles", "charlie", "chuck"],
    &["peter", "pete"],
    &["philip", "phillip", "phil"],
    &["raymond", "ray"],
    &["douglas", "doug"],
    &["gerald", "gerry", "jerry"],
];

/// Each form with the rows of `NAMES` it stands in, built once: every word of every query is
/// looked up here, so a lookup is one hash probe rather than a scan of the table.
static ROWS_OF: LazyLock<HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
    let mut rows: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (row, forms) in NAMES.iter().enumerate() {
        for &form in *forms {
            rows.entry(form).or_default().push(row);
        }
    }
    rows
});

/// Whether a folded word is a form of some given name in the table.
pub fn is_given_name(word: &str) -> bool {
    ROWS_OF.contains_key(word)
}

/// Whether two different folded words are forms of one given name ("steve", "stephen").
pub fn same_name(a: &str, b: &str) -> bool {
    let (Some(rows_a), Some(rows_b)) = (ROWS_OF.get(a), ROWS_OF.get(b)) else {
        return false;
    };
    a != b && rows_a.iter().any(|r| rows_b.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_are_the_names_they_stand_for_and_nothing_else() {
        assert!(same_name("steve", "stephen"));
        assert!(same_name("stephen", "steve"));
        assert!(same_name("bob", "robert"));
        assert!(!same_name("steve", "robert"));
        assert!(!same_name("steve", "steve"));
        assert!(!same_name("kowalski", "stephen"));
        assert!(is_given_name("steve") && !is_given_name("kowalski"));
    }

    #[test]
    fn every_form_is_a_folded_word() {
        for form in NAMES.iter().flat_map(|forms| forms.iter()) {
            assert!(form.chars().all(|c| c.is_ascii_lowercase()), "{form}");
        }
    }
}
