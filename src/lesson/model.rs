//! What a lesson is made of, as the TUI and `nslab verify` see it.

use serde::{Deserialize, Serialize};

use crate::lesson::check::Check;
use crate::spec::IsolationSpec;

/// A lesson: an ordered walk through steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// A slug such as `containers-from-scratch`.
    pub id: String,
    /// Shown in the title bar.
    pub title: String,
    /// One or two sentences for `nslab lessons`.
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Lesson {
    /// The step with this id and its position, counting from 0.
    pub fn step(&self, id: &str) -> Option<(usize, &Step)> {
        self.steps
            .iter()
            .enumerate()
            .find(|(_, step)| step.id == id)
    }
}

/// One step: text, the isolation it switches on, things to try, checks and hints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A slug such as `pid-namespace`.
    pub id: String,
    /// Shown above the text.
    pub title: String,
    /// The step's text, in Markdown.
    pub body: String,
    /// The isolation the learner's shell runs under.
    pub isolation: IsolationSpec,
    /// Commands the learner can send to a shell with one key.
    #[serde(default, rename = "try")]
    pub suggestions: Vec<Suggestion>,
    /// Hints, revealed one at a time.
    #[serde(default)]
    pub hints: Vec<String>,
    /// The claims of the text, which `nslab verify` proves on the live kernel.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// Which shell a suggested command is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The sandboxed shell.
    Sandbox,
    /// The shell on the host side (the tutorial's second terminal).
    Host,
}

/// A command the learner is invited to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suggestion {
    /// Where it runs.
    pub side: Side,
    /// The command line, sent as typed followed by Enter.
    pub command: String,
}
