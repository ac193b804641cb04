//! Panic payloads as the messages failures report.

use std::any::Any;

/// The message of a panic payload (`&str` or `String`), or a placeholder.
///
/// ```
/// use lockstep_engine::panic::message;
///
/// let payload = std::panic::catch_unwind(|| panic!("lost update: {}", 1)).unwrap_err();
/// assert_eq!(message(&*payload), "lost update: 1");
/// ```
pub fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}
