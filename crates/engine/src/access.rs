//! Atomic accesses as the trace and the livelock detector see them: which operation, with
//! which values, and whether it changed the atomic (progress) or only looked at it (a retry).
//!
//! Values are kept as small enums, never formatted while recording. Pointers are rendered as
//! `null` or `non-null` only: an address differs between runs, and traces must not.
//!
//! ```
//! use lockstep_engine::access::{AtomicOp, AtomicValue};
//!
//! let failed = AtomicOp::CompareExchange {
//!     current: AtomicValue::Int(0),
//!     new: AtomicValue::Int(1),
//!     result: Err(AtomicValue::Int(5)),
//! };
//! assert!(!failed.changed(None));
//! assert_eq!(failed.to_string(), "0 -> 1 failed, found 5");
//! let store = AtomicOp::Store { value: AtomicValue::Bool(true) };
//! // A store changes the atomic unless the value last written was the same.
//! assert!(store.changed(None) && store.changed(Some(AtomicValue::Bool(false))));
//! assert!(!store.changed(Some(AtomicValue::Bool(true))));
//! assert_eq!(store.written(), Some(AtomicValue::Bool(true)));
//! assert_eq!((store.word(), store.to_string()), ("store", "true".to_owned()));
//! ```

use std::fmt;

/// The value of an atomic, as a trace shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicValue {
    /// An `AtomicBool`'s value.
    Bool(bool),
    /// An integer atomic's value (every width fits).
    Int(i128),
    /// An `AtomicPtr`'s value: only whether it is null (addresses differ between runs).
    Ptr {
        /// Whether the pointer is null.
        null: bool,
    },
}

impl fmt::Display for AtomicValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtomicValue::Bool(value) => write!(f, "{value}"),
            AtomicValue::Int(value) => write!(f, "{value}"),
            AtomicValue::Ptr { null: true } => f.write_str("null"),
            AtomicValue::Ptr { null: false } => f.write_str("non-null"),
        }
    }
}

/// One operation on an atomic, with its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicOp {
    /// A load that saw `value`.
    Load {
        /// The value read.
        value: AtomicValue,
    },
    /// A store of `value`.
    Store {
        /// The value written.
        value: AtomicValue,
    },
    /// A read-modify-write (`swap`, `fetch_add`, `fetch_or`, ...): `previous` became `new`.
    ReadModifyWrite {
        /// The method (`swap`, `fetch_add`, ...).
        method: &'static str,
        /// Its argument.
        operand: AtomicValue,
        /// The value before.
        previous: AtomicValue,
        /// The value after.
        new: AtomicValue,
    },
    /// A compare-exchange (strong or weak) of `current` for `new`: `Ok(previous)` if it
    /// stored, `Err(found)` if the value was not `current`.
    CompareExchange {
        /// The expected value.
        current: AtomicValue,
        /// The value to store.
        new: AtomicValue,
        /// What it returned.
        result: Result<AtomicValue, AtomicValue>,
    },
    /// A `fetch_update`: `Ok((previous, new))` if it stored, `Err(found)` if the function
    /// declined.
    FetchUpdate {
        /// The method (`fetch_update`, `try_update` or `update`).
        method: &'static str,
        /// What it did.
        result: Result<(AtomicValue, AtomicValue), AtomicValue>,
    },
}

impl AtomicOp {
    /// Whether the operation changed the atomic's value, given `latest`, the value the last
    /// write before it left (`None`: not known). A store counts unless it wrote `latest` again
    /// (reading the old value would take an extra scheduling point, so the kernel remembers
    /// what was written instead); a read-modify-write, compare-exchange or update counts if
    /// the new value differs from the one it read.
    pub fn changed(&self, latest: Option<AtomicValue>) -> bool {
        match self {
            AtomicOp::Load { .. } => false,
            AtomicOp::Store { value } => latest != Some(*value),
            AtomicOp::ReadModifyWrite { previous, new, .. } => previous != new,
            AtomicOp::CompareExchange {
                new,
                result: Ok(previous),
                ..
            } => previous != new,
            AtomicOp::CompareExchange { result: Err(_), .. } => false,
            AtomicOp::FetchUpdate {
                result: Ok((previous, new)),
                ..
            } => previous != new,
            AtomicOp::FetchUpdate { result: Err(_), .. } => false,
        }
    }

    /// The value this operation left as the atomic's latest, if it wrote one. A load says
    /// nothing (under loom it may read an older value than the latest); neither does a failed
    /// exchange or a declined update (they write nothing).
    pub fn written(&self) -> Option<AtomicValue> {
        match self {
            AtomicOp::Store { value } => Some(*value),
            AtomicOp::ReadModifyWrite { new, .. }
            | AtomicOp::CompareExchange {
                new, result: Ok(_), ..
            }
            | AtomicOp::FetchUpdate {
                result: Ok((_, new)),
                ..
            } => Some(*new),
            AtomicOp::Load { .. }
            | AtomicOp::CompareExchange { result: Err(_), .. }
            | AtomicOp::FetchUpdate { result: Err(_), .. } => None,
        }
    }

    /// The operation's name, as the trace's event column shows it.
    pub fn word(&self) -> &'static str {
        match self {
            AtomicOp::Load { .. } => "load",
            AtomicOp::Store { .. } => "store",
            AtomicOp::ReadModifyWrite { method, .. } => method,
            AtomicOp::CompareExchange { .. } => "compare_exchange",
            AtomicOp::FetchUpdate { method, .. } => method,
        }
    }
}

impl fmt::Display for AtomicOp {
    /// The values: `3` for a load or store, `1 (3 -> 4)` for `fetch_add(1)`, `3 -> 4 ok` or
    /// `3 -> 4 failed, found 5` for a compare-exchange, `3 -> 4` or `declined at 3` for an update.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtomicOp::Load { value } | AtomicOp::Store { value } => write!(f, "{value}"),
            AtomicOp::ReadModifyWrite {
                operand,
                previous,
                new,
                ..
            } => write!(f, "{operand} ({previous} -> {new})"),
            AtomicOp::CompareExchange {
                current,
                new,
                result: Ok(_),
            } => write!(f, "{current} -> {new} ok"),
            AtomicOp::CompareExchange {
                current,
                new,
                result: Err(found),
            } => write!(f, "{current} -> {new} failed, found {found}"),
            AtomicOp::FetchUpdate {
                result: Ok((previous, new)),
                ..
            } => write!(f, "{previous} -> {new}"),
            AtomicOp::FetchUpdate {
                result: Err(found), ..
            } => write!(f, "declined at {found}"),
        }
    }
}
