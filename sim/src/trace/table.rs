//! The records of a trace and their rendering as an aligned table (simulation only).

use crate::object::{Mode, ObjectInfo};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

/// What happened at one step.
pub(crate) enum Event {
    Spawn {
        child: usize,
    },
    Exit,
    Joined {
        child: usize,
    },
    Blocked {
        object: Arc<ObjectInfo>,
        mode: Mode,
    },
    Acquired {
        object: Arc<ObjectInfo>,
        mode: Mode,
    },
    Released {
        object: Arc<ObjectInfo>,
        mode: Mode,
    },
    TimedOut {
        object: Arc<ObjectInfo>,
        mode: Mode,
    },
    Notify {
        object: Arc<ObjectInfo>,
        all: bool,
    },
    Sleep {
        until: Duration,
    },
    Woke,
    Clock {
        to: Duration,
    },
    Model {
        subject: String,
        detail: String,
    },
    Fault {
        site: &'static str,
        kind: crate::fault::FaultKind,
    },
}

/// One step of a trace.
pub(crate) struct Record {
    pub(crate) thread: usize,
    pub(crate) time: Duration,
    pub(crate) event: Event,
}

fn mode_word(mode: Mode) -> &'static str {
    match mode {
        Mode::Exclusive => "lock",
        Mode::Shared => "read",
        Mode::Permit => "permit",
        Mode::Notify => "notify",
    }
}

impl Record {
    /// (event, object, detail) columns.
    fn columns(&self, names: &[String]) -> (String, String, String) {
        let name = |t: usize| {
            names
                .get(t)
                .cloned()
                .unwrap_or_else(|| format!("thread-{t}"))
        };
        match &self.event {
            Event::Spawn { child } => ("spawn".into(), name(*child), String::new()),
            Event::Exit => ("exit".into(), String::new(), String::new()),
            Event::Joined { child } => ("joined".into(), name(*child), String::new()),
            Event::Blocked { object, mode } => (
                format!("wait {}", mode_word(*mode)),
                object.to_string(),
                String::new(),
            ),
            Event::Acquired { object, mode } => (
                format!("{} acquired", mode_word(*mode)),
                object.to_string(),
                String::new(),
            ),
            Event::Released { object, mode } => (
                format!("{} released", mode_word(*mode)),
                object.to_string(),
                String::new(),
            ),
            Event::TimedOut { object, mode } => (
                format!("{} timed out", mode_word(*mode)),
                object.to_string(),
                String::new(),
            ),
            Event::Notify { object, all } => (
                if *all { "notify all" } else { "notify one" }.into(),
                object.to_string(),
                String::new(),
            ),
            Event::Sleep { until } => ("sleep".into(), String::new(), format!("until {until:?}")),
            Event::Woke => ("woke".into(), String::new(), String::new()),
            Event::Clock { to } => ("clock".into(), String::new(), format!("jumps to {to:?}")),
            Event::Model { subject, detail } => ("event".into(), subject.clone(), detail.clone()),
            Event::Fault { site, kind } => ("fault".into(), (*site).to_owned(), kind.to_string()),
        }
    }
}

/// Renders records as an aligned table. `names` are the canonical thread names by index.
pub(crate) fn render(records: &[Record], names: &[String]) -> String {
    let rows: Vec<[String; 6]> = records
        .iter()
        .enumerate()
        .map(|(step, record)| {
            let (event, object, detail) = record.columns(names);
            [
                (step + 1).to_string(),
                format!("{:?}", record.time),
                names.get(record.thread).cloned().unwrap_or_default(),
                event,
                object,
                detail,
            ]
        })
        .collect();
    let header = ["step", "time", "thread", "event", "object", "detail"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i == 0 {
                let _ = write!(line, "{cell:>width$}");
            } else {
                let _ = write!(line, "  {cell:<width$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
