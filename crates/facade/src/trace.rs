//! Execution traces: every facade operation and every model event of a simulated execution, in
//! order, with the thread, the object, and the virtual time.
//!
//! Recording is a push of a small record (no formatting) into the execution's kernel; text is
//! made only when a trace is rendered, for a failure or a replay. Names are canonical (threads
//! by given name or spawn order, objects by name or creation order), so the same schedule always
//! renders the byte-identical text.
//!
//! Model code adds its own events with [`event`]:
//!
//! ```
//! lockstep::trace::event("session 1", "Connecting -> Connected");
//! ```

use std::fmt;

/// Records a model event (a state transition, an operation's start or end) in the running
/// execution's trace. `subject` names what it is about; `detail` says what happened. Outside a
/// simulated execution (and under std) it does nothing.
pub fn event(subject: &str, detail: impl fmt::Display) {
    crate::ghost::model_event(subject, &detail);
}
