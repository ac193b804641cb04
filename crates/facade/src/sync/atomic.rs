//! Atomic types of the active backend.
//!
//! Under std they are std's; under loom, loom's (which model weak memory). Under shuttle they
//! are shuttle's atomics (each access a scheduling point) wrapped so that every access first
//! records the thread's pending operation (a read, or a write for stores and read-modify-writes)
//! for partial-order-aware scheduling (`lockstep::schedule`).

pub use std::sync::atomic::Ordering;

#[cfg(not(feature = "shuttle"))]
pub use crate::backend::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize};

#[cfg(feature = "shuttle")]
pub use recorded::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize};

#[cfg(feature = "shuttle")]
mod recorded {
    use crate::backend::atomic as native;
    use lockstep_engine::op::{ObjectId, OpKind};
    use std::fmt;
    use std::sync::atomic::Ordering;

    /// Defines a wrapper around a shuttle atomic with the methods shared by every atomic type.
    macro_rules! atomic {
        ($(#[$doc:meta])* $name:ident, $value:ty) => {
            $(#[$doc])*
            #[derive(Default)]
            pub struct $name(native::$name);

            impl $name {
                /// A new atomic holding `value`.
                pub const fn new(value: $value) -> Self {
                    $name(native::$name::new(value))
                }

                fn pending(&self, kind: OpKind) {
                    lockstep_engine::kernel::set_pending(kind, Some(ObjectId::address(self)));
                }

                /// Loads the value.
                pub fn load(&self, order: Ordering) -> $value {
                    self.pending(OpKind::Read);
                    self.0.load(order)
                }

                /// Stores `value`.
                pub fn store(&self, value: $value, order: Ordering) {
                    self.pending(OpKind::Write);
                    self.0.store(value, order)
                }

                /// Stores `value`, returning the previous value.
                pub fn swap(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.swap(value, order)
                }

                /// Stores `new` if the value is `current`; returns the previous value, `Ok` if
                /// it was `current`.
                pub fn compare_exchange(
                    &self,
                    current: $value,
                    new: $value,
                    success: Ordering,
                    failure: Ordering,
                ) -> Result<$value, $value> {
                    self.pending(OpKind::Write);
                    self.0.compare_exchange(current, new, success, failure)
                }

                /// As [`Self::compare_exchange`] (a simulated weak exchange never fails
                /// spuriously).
                pub fn compare_exchange_weak(
                    &self,
                    current: $value,
                    new: $value,
                    success: Ordering,
                    failure: Ordering,
                ) -> Result<$value, $value> {
                    self.pending(OpKind::Write);
                    self.0.compare_exchange_weak(current, new, success, failure)
                }

                /// Applies `f` until it returns `None` or its result is stored; returns the
                /// previous value, `Ok` if one was stored.
                pub fn fetch_update<F>(
                    &self,
                    set_order: Ordering,
                    fetch_order: Ordering,
                    f: F,
                ) -> Result<$value, $value>
                where
                    F: FnMut($value) -> Option<$value>,
                {
                    self.pending(OpKind::Write);
                    self.0.fetch_update(set_order, fetch_order, f)
                }

                /// Bitwise and with `value`, returning the previous value.
                pub fn fetch_and(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_and(value, order)
                }

                /// Bitwise or with `value`, returning the previous value.
                pub fn fetch_or(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_or(value, order)
                }

                /// Bitwise xor with `value`, returning the previous value.
                pub fn fetch_xor(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_xor(value, order)
                }

                /// The value, from an exclusive reference (no other thread can see it).
                pub fn get_mut(&mut self) -> &mut $value {
                    self.0.get_mut()
                }

                /// Consumes the atomic, returning its value.
                pub fn into_inner(self) -> $value {
                    self.0.into_inner()
                }
            }

            impl From<$value> for $name {
                fn from(value: $value) -> Self {
                    $name::new(value)
                }
            }

            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Debug::fmt(&self.0, f)
                }
            }
        };
    }

    /// Defines the arithmetic methods of an integer atomic.
    macro_rules! arithmetic {
        ($name:ident, $value:ty) => {
            impl $name {
                /// Adds `value` (wrapping), returning the previous value.
                pub fn fetch_add(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_add(value, order)
                }

                /// Subtracts `value` (wrapping), returning the previous value.
                pub fn fetch_sub(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_sub(value, order)
                }

                /// Stores the maximum of the value and `value`, returning the previous value.
                pub fn fetch_max(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_max(value, order)
                }

                /// Stores the minimum of the value and `value`, returning the previous value.
                pub fn fetch_min(&self, value: $value, order: Ordering) -> $value {
                    self.pending(OpKind::Write);
                    self.0.fetch_min(value, order)
                }
            }
        };
    }

    atomic!(
        /// A boolean shared between threads (shuttle's, with pending operations recorded).
        AtomicBool,
        bool
    );
    atomic!(
        /// An `i64` shared between threads (shuttle's, with pending operations recorded).
        AtomicI64,
        i64
    );
    atomic!(
        /// A `u64` shared between threads (shuttle's, with pending operations recorded).
        AtomicU64,
        u64
    );
    atomic!(
        /// A `usize` shared between threads (shuttle's, with pending operations recorded).
        AtomicUsize,
        usize
    );
    arithmetic!(AtomicI64, i64);
    arithmetic!(AtomicU64, u64);
    arithmetic!(AtomicUsize, usize);
}
