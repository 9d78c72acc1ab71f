//! One test per kind of mistake, each pinning the exact line and column reported.

use proptest::prelude::*;

use super::*;
use crate::lesson::{Check, Fact};

/// A valid lesson with one step, to which each test adds one mistake.
const VALID: &str = r#"id = "demo"
title = "Demo"
summary = "A demo."

[[steps]]
id = "one"
title = "One"
body = "Text."
isolation = { namespaces = ["pid"] }
checks = [
    { fact = "pid-one" },
]
"#;

fn error(text: &str) -> FormatError {
    parse(text, "demo.toml").unwrap_err()
}

fn at(err: &FormatError) -> (usize, usize) {
    (err.line, err.column)
}

#[test]
fn the_valid_lesson_loads() {
    let lesson = parse(VALID, "demo.toml").unwrap();
    assert_eq!(lesson.steps[0].checks, vec![Check::Fact(Fact::PidOne)]);
}

#[test]
fn unknown_key_points_at_the_key() {
    let err = error(&VALID.replace("title = \"One\"", "title = \"One\"\ntitel = \"x\""));
    assert_eq!(at(&err), (8, 1), "{err}");
    assert!(err.message.contains("unknown key `titel`"), "{err}");
}

#[test]
fn unknown_key_in_the_isolation_points_at_the_key() {
    let err = error(&VALID.replace("[\"pid\"] }", "[\"pid\"], hostnme = \"x\" }"));
    assert_eq!(at(&err), (9, 37), "{err}");
    assert!(err.message.contains("hostnme"), "{err}");
}

#[test]
fn missing_key_points_at_the_table_that_lacks_it() {
    let err = error(&VALID.replace("body = \"Text.\"\n", ""));
    assert_eq!(at(&err), (5, 1), "{err}");
    assert!(err.message.contains("missing key `body`"), "{err}");
}

#[test]
fn invalid_isolation_points_at_the_spec_and_states_the_rule() {
    let err = error(&VALID.replace("[\"pid\"] }", "[\"pid\"], hostname = \"box\" }"));
    assert_eq!(at(&err), (9, 13), "{err}");
    assert!(err.message.contains("needs the uts namespace"), "{err}");
}

#[test]
fn a_check_about_something_the_step_lacks_points_at_the_fact() {
    let err = error(&VALID.replace("{ fact = \"pid-one\" }", "{ fact = \"same-pids\" }"));
    assert_eq!(at(&err), (11, 14), "{err}");
    assert!(err.message.contains("has a pid namespace"), "{err}");
}

#[test]
fn a_check_naming_a_missing_namespace_is_refused() {
    let check = "{ fact = \"new-namespace\", namespace = \"uts\" }";
    let err = error(&VALID.replace("{ fact = \"pid-one\" }", check));
    assert_eq!(at(&err), (11, 14), "{err}");
    assert!(err.message.contains("no uts namespace"), "{err}");
}

#[test]
fn an_unknown_fact_is_refused() {
    let err = error(&VALID.replace("pid-one", "pid-two"));
    assert_eq!(at(&err), (11, 14), "{err}");
    assert!(err.message.contains("unknown fact 'pid-two'"), "{err}");
}

#[test]
fn a_check_with_both_fact_and_run_points_at_the_check() {
    let err = error(&VALID.replace("\"pid-one\" }", "\"pid-one\", run = \"true\" }"));
    assert_eq!(at(&err), (11, 5), "{err}");
}

#[test]
fn a_bad_output_pattern_points_at_the_pattern() {
    let check = "{ run = \"echo\", output = \"(\" }";
    let err = error(&VALID.replace("{ fact = \"pid-one\" }", check));
    assert_eq!(at(&err), (11, 30), "{err}");
    assert!(err.message.contains("not a valid pattern"), "{err}");
}

#[test]
fn a_duplicate_step_id_points_at_the_second_one() {
    let second = "\n[[steps]]\nid = \"one\"\ntitle = \"Two\"\nbody = \"\"\nisolation = {}\n";
    let err = error(&format!("{VALID}{second}"));
    assert_eq!(at(&err), (15, 6), "{err}");
    assert!(err.message.contains("already used on line 6"), "{err}");
}

#[test]
fn an_id_that_is_not_a_slug_is_refused() {
    let err = error(&VALID.replace("id = \"one\"", "id = \"Step One\""));
    assert_eq!(at(&err), (6, 6), "{err}");
}

#[test]
fn broken_toml_points_at_the_break() {
    let err = error(&VALID.replace("title = \"One\"", "title = \"One"));
    assert_eq!(err.line, 7, "{err}");
}

#[test]
fn columns_count_characters_not_bytes() {
    let err = error(&VALID.replace("title = \"One\"", "title = \"Éé\", x = 1"));
    assert_eq!(at(&err), (7, 13), "{err}");
}

proptest! {
    #[test]
    fn the_loader_never_panics(text in "\\PC*") {
        let _ = parse(&text, "fuzz.toml");
    }

    #[test]
    fn the_loader_never_panics_on_damaged_lessons(cut in 0usize..400, junk in "[\\[\\]{}=\"'a-z\n ,]{0,12}") {
        let mut text = VALID.to_string();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, &junk);
        if let Err(err) = parse(&text, "fuzz.toml") {
            prop_assert!(err.line >= 1 && err.column >= 1);
        }
    }
}

#[test]
fn a_namespace_fact_without_a_namespace_points_at_the_fact() {
    let err = error(&VALID.replace("pid-one", "new-namespace"));
    assert_eq!(at(&err), (11, 14), "{err}");
    assert!(err.message.contains("needs a namespace"), "{err}");
}

#[test]
fn a_run_key_on_a_fact_points_at_the_check() {
    let err = error(&VALID.replace("\"pid-one\" }", "\"pid-one\", exit = 1 }"));
    assert_eq!(at(&err), (11, 5), "{err}");
    assert!(
        err.message.contains("`exit` belongs to `run` checks"),
        "{err}"
    );
}

#[test]
fn a_value_of_the_wrong_type_points_at_the_value() {
    let check = "{ run = \"true\", exit = \"zero\" }";
    let err = error(&VALID.replace("{ fact = \"pid-one\" }", check));
    assert_eq!(at(&err), (11, 28), "{err}");
}

#[test]
fn a_lesson_without_steps_is_refused() {
    let head = VALID.split("[[steps]]").next().unwrap_or_default();
    let err = error(&format!("{head}steps = []\n"));
    assert_eq!(at(&err), (5, 9), "{err}");
    assert!(err.message.contains("at least one step"), "{err}");
}

#[test]
fn isolation_written_as_an_array_is_refused() {
    let err = error(&VALID.replace("{ namespaces = [\"pid\"] }", "[]"));
    assert_eq!(at(&err), (9, 13), "{err}");
    assert!(err.message.contains("expected a table"), "{err}");
}

/// Regression: the loader stopped at the first mistake, so `nslab check` showed one mistake
/// per file although it promises every one.
#[test]
fn every_mistake_after_the_file_is_read_is_reported() {
    let text = VALID
        .replace("id = \"one\"", "id = \"Step One\"")
        .replace("[\"pid\"] }", "[\"pid\"], hostname = \"box\" }")
        .replace("pid-one", "pid-two");
    let found = parse_all(&text, "demo.toml").unwrap_err();
    let places: Vec<(usize, usize)> = found.errors.iter().map(at).collect();
    assert_eq!(places, vec![(6, 6), (9, 13), (11, 14)], "{found:?}");
    assert!(!found.stopped_early);
}

#[test]
fn a_syntax_error_stops_reading_and_says_so() {
    let found = parse_all(
        &VALID.replace("title = \"One\"", "title = \"One"),
        "demo.toml",
    );
    let found = found.unwrap_err();
    assert_eq!(found.errors.len(), 1, "{found:?}");
    assert!(found.stopped_early);
}

/// Regression: a step could list more `try` commands than the TUI has keys (1 to 9) for.
#[test]
fn more_than_nine_suggestions_point_at_the_tenth() {
    let entries = ["{ side = \"sandbox\", command = \"true\" }"; 10].join(",\n");
    let text = VALID.replace("checks = [", &format!("try = [\n{entries},\n]\nchecks = ["));
    let err = error(&text);
    assert_eq!(at(&err), (20, 1), "{err}");
    assert!(err.message.contains("at most 9 `try` entries"), "{err}");
    assert!(err.message.contains("has 10"), "{err}");

    let nine = VALID.replace(
        "checks = [",
        &format!(
            "try = [\n{}]\nchecks = [",
            "{ side = \"host\", command = \"true\" },\n".repeat(9)
        ),
    );
    assert!(parse(&nine, "demo.toml").is_ok());
}
