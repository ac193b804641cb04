//! The session state machine, as an explicit transition table.
//!
//! ```text
//!   Created ──connect──▶ Connecting ──ok──▶ Connected ◀──done── Busy
//!                            │                 │  ──start──▶     │
//!                            │                 │                 │ error
//!                            ▼ error           ▼ error           ▼
//!                          Failed ◀──give up── Recovering ──ok──▶ Connected
//!   any of Created, Connecting, Connected, Busy, Recovering, Failed ──close──▶ Closing ──▶ Closed
//! ```
//!
//! Only the pairs in [`SessionState::can_become`] are legal; everything else is rejected with
//! [`IllegalTransition`], recorded in the trace, and fails an exploration.

use std::fmt;
use thiserror::Error;

/// Where a session is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SessionState {
    /// Made, not yet connecting.
    Created,
    /// Connecting to its client.
    Connecting,
    /// Idle and healthy: ready for an operation.
    Connected,
    /// Running an operation (one at a time).
    Busy,
    /// An operation failed; reconnecting.
    Recovering,
    /// Recovery gave up.
    Failed,
    /// Shutting down.
    Closing,
    /// Gone for good.
    Closed,
}

/// A transition the table does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("illegal session transition {from:?} -> {to:?}")]
pub struct IllegalTransition {
    /// The state the session was in.
    pub from: SessionState,
    /// The state it was asked to enter.
    pub to: SessionState,
}

impl SessionState {
    /// Whether `self -> to` is in the transition table.
    pub fn can_become(self, to: SessionState) -> bool {
        use SessionState::*;
        matches!(
            (self, to),
            (Created, Connecting)
                | (Connecting, Connected)
                | (Connecting, Failed)
                | (Connected, Busy)
                | (Busy, Connected)
                | (Connected | Busy, Recovering)
                | (Recovering, Connected)
                | (Recovering, Failed)
                | (
                    Created | Connecting | Connected | Busy | Recovering | Failed,
                    Closing
                )
                | (Closing, Closed)
        )
    }

    /// Moves to `to` if the table allows it.
    pub fn become_(self, to: SessionState) -> Result<SessionState, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Whether a session may end an execution in this state (nothing half-done).
    pub fn is_resting(self) -> bool {
        matches!(
            self,
            SessionState::Created
                | SessionState::Connected
                | SessionState::Failed
                | SessionState::Closed
        )
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::SessionState::*;
    use super::*;

    #[test]
    fn the_table_allows_the_documented_paths_and_nothing_else() {
        let path = [
            Created, Connecting, Connected, Busy, Connected, Recovering, Connected, Closing, Closed,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].become_(pair[1]), Ok(pair[1]));
        }
        assert_eq!(
            Busy.become_(Busy),
            Err(IllegalTransition {
                from: Busy,
                to: Busy
            })
        );
        assert_eq!(
            Closed.become_(Connecting).unwrap_err().to_string(),
            "illegal session transition Closed -> Connecting"
        );
        assert!(!Closing.can_become(Busy));
        assert!(!Failed.can_become(Connected));
    }
}
