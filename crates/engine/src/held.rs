//! One entry of a thread's held-lock stack: the locks and permits it holds now, oldest first,
//! which the hierarchy checks read and models query through `lockstep::sync::held`.
//!
//! Under simulation the stack lives in the kernel's thread record (the kernel derives "blocked"
//! from it); under std the facade keeps it thread-local.

use crate::object::{Mode, ObjectInfo};
use std::panic::Location;
use std::sync::Arc;

/// One hold: an object, how it is held, and where it was taken.
pub struct Held {
    /// The object held.
    pub object: Arc<ObjectInfo>,
    /// How it is held.
    pub mode: Mode,
    /// Where it was taken.
    pub site: &'static Location<'static>,
}
