//! The records of an execution's trace and their rendering as an aligned table.
//!
//! Recording is a push of a small record (no formatting); text is made only when a trace is
//! rendered, for a failure or a replay. Names are canonical (threads by given name or spawn
//! order, objects by name or creation order), so one schedule always renders the byte-identical
//! text.
//!
//! ```
//! use lockstep_engine::trace::{render, Event, Record};
//! use std::time::Duration;
//!
//! let records = [Record { thread: 0, time: Duration::ZERO, event: Event::Spawn { child: 1 } }];
//! let names = ["main".to_owned(), "thread-1".to_owned()];
//! assert_eq!(
//!     render(&records, &names),
//!     "step  time  thread  event  object    detail\n   1  0ns   main    spawn  thread-1\n"
//! );
//! ```

use crate::liveness::Hint;
use crate::object::{Kind, Mode, ObjectInfo};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

/// What happened at one step.
#[allow(missing_docs)] // the fields say what they are: the thread, object, mode or time named
pub enum Event {
    /// The thread spawned thread `child`.
    Spawn { child: usize },
    /// The thread's body returned or unwound.
    Exit,
    /// The thread joined thread `child`.
    Joined { child: usize },
    /// The thread asked whether `thread` had finished (`JoinHandle::is_finished`).
    IsFinished { thread: usize, finished: bool },
    /// The thread blocked waiting for `object` in `mode`.
    Blocked { object: Arc<ObjectInfo>, mode: Mode },
    /// The thread requested `object`, and the request was refused before it could wait for
    /// it (`why`: a lock-order violation, a potential deadlock, a re-entrant lock).
    Requested {
        object: Arc<ObjectInfo>,
        why: &'static str,
    },
    /// The thread took `object` in `mode`.
    Acquired { object: Arc<ObjectInfo>, mode: Mode },
    /// The thread gave `object` back.
    Released { object: Arc<ObjectInfo>, mode: Mode },
    /// The thread's timed wait for `object` expired; `hint` says why that looks like a lost
    /// wake-up, if it does (see [`crate::liveness`]).
    TimedOut {
        object: Arc<ObjectInfo>,
        mode: Mode,
        hint: Option<Hint>,
    },
    /// The thread notified one or all waiters of `object`.
    Notify { object: Arc<ObjectInfo>, all: bool },
    /// The thread went to sleep until virtual time `until`.
    Sleep { until: Duration },
    /// The thread woke from a sleep or parked wait.
    Woke,
    /// Every thread was blocked: the virtual clock jumped to `to`.
    Clock { to: Duration },
    /// A model event (`lockstep::trace::event`).
    Model { subject: String, detail: String },
    /// Fault site `site` fired.
    Fault {
        site: &'static str,
        kind: crate::fault_plan::FaultKind,
    },
    /// The thread parked on its park token (`thread::park`), until virtual time `until` if it
    /// is a `park_timeout`.
    Park { until: Option<Duration> },
    /// The thread's `park_timeout` timed out, with the liveness hint its timeout earned.
    ParkTimedOut { hint: Option<Hint> },
    /// The async task's poll returned `Pending` awaiting something other than an object (a
    /// task's end, a future lockstep does not know), until virtual time `until` at the latest.
    Pending { until: Option<Duration> },
    /// The thread made thread `target`'s park token available.
    Unpark { target: usize },
    /// The thread drew `value` from its `lockstep::random` stream.
    Random { value: u64 },
    /// The thread put a message on channel `object`.
    Sent { object: Arc<ObjectInfo> },
    /// The thread took a message off channel `object`.
    Received { object: Arc<ObjectInfo> },
    /// The last sender (`senders: true`) or the receiver of channel `object` went away.
    Disconnected {
        object: Arc<ObjectInfo>,
        senders: bool,
    },
    /// The thread arrived at barrier `object`; the leader is the one whose arrival opened it.
    Arrived {
        object: Arc<ObjectInfo>,
        leader: bool,
    },
    /// The thread ran the initializer of `object` to completion.
    Initialized { object: Arc<ObjectInfo> },
    /// The thread accessed atomic number `atomic` (numbered by first access in the
    /// execution), of type `kind` (`AtomicUsize`, ...).
    Atomic {
        atomic: usize,
        kind: &'static str,
        op: crate::access::AtomicOp,
    },
}

/// One step of a trace.
pub struct Record {
    /// The thread's index in the execution.
    pub thread: usize,
    /// The virtual time.
    pub time: Duration,
    /// What happened.
    pub event: Event,
}

/// How a thread holds or wants `object` in `mode`, in one word: an RwLock says read or write.
fn mode_word(object: &ObjectInfo, mode: Mode) -> &'static str {
    match mode {
        Mode::Exclusive if object.kind() == Kind::RwLock => "write",
        Mode::Exclusive => "lock",
        Mode::Shared => "read",
        Mode::Permits(1) => "permit",
        Mode::Permits(_) => "permits",
        Mode::Notify => "notify",
        Mode::Recv => "recv",
        Mode::Send { .. } => "send",
        Mode::Arrive { .. } => "barrier",
        Mode::Init => "init",
        Mode::Completion => "completion",
    }
}

/// The detail column of a hold or wait in `mode`: how many permits, when more than one.
fn mode_detail(mode: Mode) -> String {
    match mode {
        Mode::Permits(n) if n != 1 => format!("{n} permits"),
        _ => String::new(),
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
            Event::IsFinished { thread, finished } => {
                ("is_finished".into(), name(*thread), finished.to_string())
            }
            Event::Blocked { object, mode } => (
                format!("wait {}", mode_word(object, *mode)),
                object.to_string(),
                mode_detail(*mode),
            ),
            Event::Requested { object, why } => (
                "request".into(),
                object.to_string(),
                format!("refused: {why}"),
            ),
            Event::Acquired { object, mode } => (
                format!("{} acquired", mode_word(object, *mode)),
                object.to_string(),
                mode_detail(*mode),
            ),
            Event::Released { object, mode } => (
                format!("{} released", mode_word(object, *mode)),
                object.to_string(),
                mode_detail(*mode),
            ),
            Event::TimedOut { object, mode, hint } => (
                format!("{} timed out", mode_word(object, *mode)),
                object.to_string(),
                match (mode_detail(*mode), hint) {
                    (permits, Some(hint)) if !permits.is_empty() => {
                        format!("{permits}; {}", hint.detail())
                    }
                    (_, Some(hint)) => hint.detail().to_owned(),
                    (permits, None) => permits,
                },
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
            Event::Pending { until } => (
                "pending".into(),
                String::new(),
                until.map(|t| format!("until {t:?}")).unwrap_or_default(),
            ),
            Event::Park { until } => (
                "park".into(),
                String::new(),
                until.map_or_else(String::new, |until| format!("until {until:?}")),
            ),
            Event::ParkTimedOut { hint } => (
                "park timed out".into(),
                String::new(),
                hint.map_or_else(String::new, |hint| hint.detail().to_owned()),
            ),
            Event::Unpark { target } => ("unpark".into(), name(*target), String::new()),
            Event::Random { value } => ("random".into(), String::new(), format!("{value:#018x}")),
            Event::Sent { object } => ("send".into(), object.to_string(), String::new()),
            Event::Received { object } => ("recv".into(), object.to_string(), String::new()),
            Event::Disconnected { object, senders } => (
                "disconnect".into(),
                object.to_string(),
                if *senders {
                    "last sender gone"
                } else {
                    "receiver gone"
                }
                .into(),
            ),
            Event::Arrived { object, leader } => (
                "arrive".into(),
                object.to_string(),
                if *leader { "leader" } else { "" }.into(),
            ),
            Event::Initialized { object } => {
                ("initialized".into(), object.to_string(), String::new())
            }
            Event::Atomic { atomic, kind, op } => (
                format!("atomic {}", op.word()),
                format!("{kind}#{atomic}"),
                op.to_string(),
            ),
        }
    }
}

/// Renders records as an aligned table. `names` are the canonical thread names by index.
pub fn render(records: &[Record], names: &[String]) -> String {
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
