//! Model coverage: which states and transitions an exploration reached.
//!
//! Model code marks points it reaches (a state entered, a transition taken, an error path);
//! the explorer counts the distinct points over all executions and reports them.
//!
//! ```
//! lockstep::coverage::hit("session: Connected -> Busy");
//! ```

/// Marks `point` as reached in the running exploration. Outside a simulated exploration (and
/// under std) it does nothing.
pub fn hit(point: &str) {
    crate::ghost::cover(point);
}
