//! Feeds the panels: a worker thread that collects panel data for the current step about
//! twice a second, and at once when the step or its sandbox changes.
//!
//! The run loop only says what to watch ([`PanelFeed::watch`]) and receives
//! [`Event::Panels`]; what the panels read and how is entirely [`panels::collect`]'s business.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use crate::tui::event::{Event, EventSender};
use crate::tui::panels::{self, PanelInput};

/// How often the panels are refreshed while a step is open.
const PERIOD: Duration = Duration::from_millis(500);

/// The handle the run loop keeps.
pub struct PanelFeed {
    watch: Sender<(u64, PanelInput)>,
}

impl PanelFeed {
    /// Starts the worker.
    pub fn start(events: EventSender) -> std::io::Result<PanelFeed> {
        let (watch, requests) = mpsc::channel::<(u64, PanelInput)>();
        thread::Builder::new()
            .name("panels".into())
            .spawn(move || {
                let mut current = None;
                loop {
                    // With nothing to watch, sleep until there is; otherwise refresh on time.
                    let request = match &current {
                        None => requests.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        Some(_) => requests.recv_timeout(PERIOD),
                    };
                    match request {
                        Ok(next) => current = Some(next),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    if let Some((generation, input)) = &current {
                        let data = Box::new(panels::collect(input));
                        if events.send(Event::Panels(*generation, data)).is_err() {
                            break;
                        }
                    }
                }
            })?;
        Ok(PanelFeed { watch })
    }

    /// From now on, collect for `input`; its data comes back tagged with `generation`.
    pub fn watch(&self, generation: u64, input: PanelInput) {
        let _ = self.watch.send((generation, input));
    }
}
