//! Feeds the panels: a worker thread that collects panel data for the current step about
//! twice a second while the panels are on screen, and at once when the step or its sandbox
//! changes.
//!
//! The run loop only says what to watch ([`PanelFeed::watch`]) and whether the panels are
//! visible ([`PanelFeed::set_visible`]), and receives [`Event::Panels`]; what the panels read
//! and how is entirely [`panels::collect`]'s business.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use crate::tui::event::{Event, EventSender};
use crate::tui::panels::{self, PanelInput};

/// How often the panels are refreshed while they are shown.
const PERIOD: Duration = Duration::from_millis(500);

/// Whether anyone can see the panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// On screen: refresh on time.
    Shown,
    /// Not on screen (another tab is): do not read anything.
    Hidden,
}

enum Request {
    Watch(u64, Box<PanelInput>),
    Show(Visibility),
}

/// The handle the run loop keeps.
pub struct PanelFeed {
    requests: Sender<Request>,
    visibility: Visibility,
}

impl PanelFeed {
    /// Starts the worker.
    pub fn start(events: EventSender) -> std::io::Result<PanelFeed> {
        let (requests, queue) = mpsc::channel::<Request>();
        thread::Builder::new()
            .name("panels".into())
            .spawn(move || {
                let mut current = None;
                let mut visibility = Visibility::Shown;
                loop {
                    // With nothing to show, sleep until that changes; otherwise refresh on time.
                    let request = match (&current, visibility) {
                        (Some(_), Visibility::Shown) => queue.recv_timeout(PERIOD),
                        _ => queue.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match request {
                        Ok(Request::Watch(generation, input)) => {
                            current = Some((generation, input))
                        }
                        Ok(Request::Show(shown)) => visibility = shown,
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    let Some((generation, input)) = &current else {
                        continue;
                    };
                    if visibility == Visibility::Hidden {
                        continue;
                    }
                    let data = Box::new(panels::collect(input));
                    if events.send(Event::Panels(*generation, data)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(PanelFeed {
            requests,
            visibility: Visibility::Shown,
        })
    }

    /// From now on, collect for `input`; its data comes back tagged with `generation`.
    pub fn watch(&self, generation: u64, input: PanelInput) {
        let _ = self
            .requests
            .send(Request::Watch(generation, Box::new(input)));
    }

    /// Pauses or resumes collecting; resuming collects at once.
    pub fn set_visible(&mut self, visibility: Visibility) {
        if visibility != self.visibility {
            self.visibility = visibility;
            let _ = self.requests.send(Request::Show(visibility));
        }
    }
}
