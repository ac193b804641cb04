//! Atomic types of the active backend: every std width (`AtomicBool`, `AtomicI8` to
//! `AtomicI64`, `AtomicU8` to `AtomicU64`, `AtomicIsize`, `AtomicUsize`, `AtomicPtr<T>`) with
//! std's methods, and [`fence`] / [`compiler_fence`].
//!
//! Under std they are std's; under loom, loom's (which model weak memory). Under shuttle they
//! are shuttle's atomics (each access a scheduling point) wrapped so that every access first
//! records the thread's pending operation (a read for loads, a write for stores and
//! read-modify-writes) for partial-order-aware scheduling (`lockstep::schedule`); the wrapper
//! adds no scheduling point.
//!
//! Deliberate differences from std, on the simulated backends:
//!
//! * `compare_exchange_weak` never fails spuriously: loom's and shuttle's are their strong
//!   `compare_exchange`. std allows a spurious failure (and LL/SC machines such as ARM produce
//!   them); a loop around the weak exchange, the only correct use, behaves the same either way,
//!   but a program that treats one failed weak exchange as "someone else won" is not caught.
//! * loom keeps an atomic's value in its execution state, so loom's atomics have no `get_mut`;
//!   they offer `with_mut(|v| ..)` instead. `into_inner`, `load` and `store` work everywhere.
//! * [`compiler_fence`] is std's on every backend: it orders nothing between threads, so there
//!   is nothing to simulate.
//!
//! ```
//! use lockstep::sync::atomic::{fence, AtomicI32, AtomicPtr, AtomicU8, Ordering};
//!
//! let flags = AtomicU8::new(0b01);
//! assert_eq!(flags.fetch_or(0b10, Ordering::AcqRel), 0b01);
//! assert_eq!(flags.fetch_nand(0b11, Ordering::AcqRel), 0b11);
//! let balance = AtomicI32::new(5);
//! assert_eq!(balance.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| (b >= 7).then(|| b - 7)), Err(5));
//! let mut slot = 7u32;
//! let ptr = AtomicPtr::new(std::ptr::null_mut());
//! ptr.store(&mut slot, Ordering::Release);
//! fence(Ordering::SeqCst);
//! assert_eq!(unsafe { *ptr.load(Ordering::Acquire) }, 7);
//! ```

pub use std::sync::atomic::{compiler_fence, Ordering};

#[cfg(not(feature = "shuttle"))]
pub use crate::backend::atomic::{
    fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr,
    AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};

#[cfg(feature = "shuttle")]
pub use crate::backend::atomic::fence;
#[cfg(feature = "shuttle")]
pub use recorded::{
    AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr, AtomicU16,
    AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};

#[cfg(feature = "shuttle")]
mod recorded {
    use crate::backend::atomic as native;
    use lockstep_engine::op::{ObjectId, OpKind};
    use std::fmt;
    use std::sync::atomic::Ordering;

    /// One method that records its pending operation of `$kind`, then forwards to shuttle's.
    macro_rules! forward {
        ($(#[$doc:meta])* $kind:ident $method:ident($($arg:ident: $ty:ty),*) -> $ret:ty) => {
            $(#[$doc])*
            pub fn $method(&self, $($arg: $ty),*) -> $ret {
                self.pending(OpKind::$kind);
                self.0.$method($($arg),*)
            }
        };
    }

    /// The methods every atomic has, for a value of type `$value`.
    macro_rules! common_methods {
        ($value:ty) => {
            fn pending(&self, kind: OpKind) {
                lockstep_engine::kernel::set_pending(kind, Some(ObjectId::address(self)));
            }

            forward!(
                /// Loads the value.
                Read load(order: Ordering) -> $value
            );

            /// Stores `value`.
            pub fn store(&self, value: $value, order: Ordering) {
                self.pending(OpKind::Write);
                self.0.store(value, order)
            }

            forward!(
                /// Stores `value`, returning the previous value.
                Write swap(value: $value, order: Ordering) -> $value
            );
            forward!(
                /// Stores `new` if the value is `current`; returns the previous value, `Ok` if
                /// it was `current`.
                Write compare_exchange(
                    current: $value,
                    new: $value,
                    success: Ordering,
                    failure: Ordering
                ) -> Result<$value, $value>
            );
            forward!(
                /// As [`Self::compare_exchange`]: a simulated weak exchange never fails
                /// spuriously (see the module docs).
                Write compare_exchange_weak(
                    current: $value,
                    new: $value,
                    success: Ordering,
                    failure: Ordering
                ) -> Result<$value, $value>
            );

            /// Applies `f` until it returns `None` or its result is stored; returns the previous
            /// value, `Ok` if one was stored.
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

            /// The value, from an exclusive reference (no other thread can see it).
            pub fn get_mut(&mut self) -> &mut $value {
                self.0.get_mut()
            }

            /// Consumes the atomic, returning its value.
            pub fn into_inner(self) -> $value {
                self.0.into_inner()
            }
        };
    }

    /// The bitwise read-modify-writes of `bool` and the integers.
    macro_rules! bitwise_methods {
        ($value:ty) => {
            forward!(
                /// Bitwise and with `value`, returning the previous value.
                Write fetch_and(value: $value, order: Ordering) -> $value
            );
            forward!(
                /// Bitwise nand with `value`, returning the previous value.
                Write fetch_nand(value: $value, order: Ordering) -> $value
            );
            forward!(
                /// Bitwise or with `value`, returning the previous value.
                Write fetch_or(value: $value, order: Ordering) -> $value
            );
            forward!(
                /// Bitwise xor with `value`, returning the previous value.
                Write fetch_xor(value: $value, order: Ordering) -> $value
            );
        };
    }

    /// Defines the wrapper of shuttle's `$name`, holding a `$value`; `int` adds the arithmetic.
    macro_rules! atomic {
        ($name:ident, $value:ty) => {
            #[doc = concat!("A `", stringify!($value), "` shared between threads (shuttle's, with pending operations recorded).")]
            #[derive(Default)]
            pub struct $name(native::$name);

            impl $name {
                /// A new atomic holding `value`.
                pub const fn new(value: $value) -> Self {
                    $name(native::$name::new(value))
                }

                common_methods!($value);
                bitwise_methods!($value);
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
        ($name:ident, $value:ty, int) => {
            atomic!($name, $value);

            impl $name {
                forward!(
                    /// Adds `value` (wrapping), returning the previous value.
                    Write fetch_add(value: $value, order: Ordering) -> $value
                );
                forward!(
                    /// Subtracts `value` (wrapping), returning the previous value.
                    Write fetch_sub(value: $value, order: Ordering) -> $value
                );
                forward!(
                    /// Stores the maximum of the value and `value`, returning the previous value.
                    Write fetch_max(value: $value, order: Ordering) -> $value
                );
                forward!(
                    /// Stores the minimum of the value and `value`, returning the previous value.
                    Write fetch_min(value: $value, order: Ordering) -> $value
                );
            }
        };
    }

    atomic!(AtomicBool, bool);
    atomic!(AtomicI8, i8, int);
    atomic!(AtomicI16, i16, int);
    atomic!(AtomicI32, i32, int);
    atomic!(AtomicI64, i64, int);
    atomic!(AtomicIsize, isize, int);
    atomic!(AtomicU8, u8, int);
    atomic!(AtomicU16, u16, int);
    atomic!(AtomicU32, u32, int);
    atomic!(AtomicU64, u64, int);
    atomic!(AtomicUsize, usize, int);

    /// A raw pointer shared between threads (shuttle's, with pending operations recorded).
    #[derive(Default)]
    pub struct AtomicPtr<T>(native::AtomicPtr<T>);

    impl<T> AtomicPtr<T> {
        /// A new atomic holding `value`.
        pub const fn new(value: *mut T) -> Self {
            AtomicPtr(native::AtomicPtr::new(value))
        }

        common_methods!(*mut T);
    }

    impl<T> From<*mut T> for AtomicPtr<T> {
        fn from(value: *mut T) -> Self {
            AtomicPtr::new(value)
        }
    }

    impl<T> fmt::Debug for AtomicPtr<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(&self.0, f)
        }
    }
}
