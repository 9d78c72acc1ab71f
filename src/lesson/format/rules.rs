//! The rules of the lesson format that serde cannot know, applied to a file that has been
//! read: ids are slugs, step ids are unique, the isolation spec is valid, a step has no more
//! `try` entries than there are keys, and each check fits its step. Every broken rule is
//! recorded, so that `nslab check` can report them all at once.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use crate::lesson::check::{Check, Fact, RunCheck};
use crate::lesson::format::{FormatError, MAX_SUGGESTIONS, RawCheck, RawStep, locate};
use crate::lesson::{Side, Step};
use crate::spec::IsolationSpec;

/// The mistakes found so far in one file, each located by line and column.
pub(super) struct Errors<'a> {
    text: &'a str,
    file: &'a str,
    pub(super) found: Vec<FormatError>,
}

impl<'a> Errors<'a> {
    pub(super) fn new(text: &'a str, file: &'a str) -> Errors<'a> {
        Errors {
            text,
            file,
            found: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, span: Range<usize>, message: String) {
        self.found.push(locate(self.text, self.file, span, message));
    }

    fn line_of(&self, span: Range<usize>) -> usize {
        locate(self.text, self.file, span, String::new()).line
    }
}

/// Applies the rules for one step, recording each broken rule in `errors`. `seen` holds the
/// step ids before this one.
pub(super) fn build_step(
    step: RawStep,
    seen: &mut HashMap<String, Range<usize>>,
    errors: &mut Errors,
) -> Step {
    let id_span = step.id.span();
    if let Err(message) = check_slug(step.id.get_ref()) {
        errors.add(id_span.clone(), message);
    }
    match seen.get(step.id.get_ref()) {
        Some(first) => {
            let line = errors.line_of(first.clone());
            let message = format!(
                "step id '{}' is already used on line {line}",
                step.id.get_ref()
            );
            errors.add(id_span, message);
        }
        None => {
            seen.insert(step.id.get_ref().clone(), id_span);
        }
    }

    let spec_span = step.isolation.span();
    let isolation = step.isolation.into_inner().0;
    if let Err(e) = isolation.validate() {
        errors.add(spec_span, format!("invalid isolation: {e}"));
    }

    if let Some(extra) = step.suggestions.get(MAX_SUGGESTIONS) {
        let message = format!(
            "a step has at most {MAX_SUGGESTIONS} `try` entries, since the keys 1 to \
             {MAX_SUGGESTIONS} send them; this one has {}",
            step.suggestions.len()
        );
        errors.add(extra.span(), message);
    }

    let mut checks = Vec::new();
    for raw_check in step.checks {
        let span = raw_check.span();
        match build_check(raw_check.into_inner(), &isolation) {
            Ok(check) => checks.push(check),
            Err((inner, message)) => errors.add(inner.unwrap_or(span), message),
        }
    }

    Step {
        id: step.id.into_inner(),
        title: step.title,
        body: step.body,
        isolation,
        suggestions: step
            .suggestions
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        hints: step.hints,
        checks,
    }
}

/// An error from building a check: a narrower span if there is one, and the message.
type CheckError = (Option<Range<usize>>, String);

fn build_check(raw: RawCheck, spec: &IsolationSpec) -> Result<Check, CheckError> {
    match (raw.fact, raw.run) {
        (Some(_), Some(_)) => Err((None, "a check has either `fact` or `run`, not both".into())),
        (None, None) => Err((
            None,
            "a check needs `fact = \"...\"` or `run = \"...\"`".into(),
        )),
        (Some(name), None) => {
            let run_only = [
                ("side", raw.side.is_some()),
                ("exit", raw.exit.is_some()),
                ("output", raw.output.is_some()),
            ];
            if let Some((key, _)) = run_only.iter().find(|(_, present)| *present) {
                return Err((
                    None,
                    format!("`{key}` belongs to `run` checks, not to facts"),
                ));
            }
            let span = name.span();
            let fact = Fact::from_name(name.get_ref(), raw.namespace)
                .map_err(|m| (Some(span.clone()), m))?;
            fact.fits(spec).map_err(|m| {
                (
                    Some(span),
                    format!("the fact '{}' cannot hold: {m}", name.get_ref()),
                )
            })?;
            Ok(Check::Fact(fact))
        }
        (None, Some(command)) => {
            if raw.namespace.is_some() {
                return Err((
                    None,
                    "`namespace` belongs to facts, not to `run` checks".into(),
                ));
            }
            if command.trim().is_empty() {
                return Err((None, "the command to run is empty".into()));
            }
            if let Some(pattern) = &raw.output {
                regex::Regex::new(pattern.get_ref()).map_err(|e| {
                    let first = e.to_string().lines().last().unwrap_or_default().to_string();
                    (
                        Some(pattern.span()),
                        format!("`output` is not a valid pattern: {first}"),
                    )
                })?;
            }
            Ok(Check::Run(RunCheck {
                side: raw.side.unwrap_or(Side::Sandbox),
                command,
                exit: raw.exit.unwrap_or(0),
                output: raw.output.map(Spanned::into_inner),
            }))
        }
    }
}

/// Ids appear in commands and URLs: lowercase letters, digits and single dashes.
pub(super) fn check_slug(id: &str) -> Result<(), String> {
    let valid = !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        return Ok(());
    }
    Err(format!(
        "id '{id}' is not a slug: use lowercase letters, digits and '-'"
    ))
}
