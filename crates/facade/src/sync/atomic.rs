//! Atomic types of the active backend: every std width (`AtomicBool`, `AtomicI8` to
//! `AtomicI64`, `AtomicU8` to `AtomicU64`, `AtomicIsize`, `AtomicUsize`, `AtomicPtr<T>`) with
//! std's methods, and [`fence`] / [`compiler_fence`].
//!
//! Under std they are std's. Under shuttle and loom they are the backend's atomics (each
//! access a scheduling point; loom's model weak memory) wrapped so that every access
//!
//! * first records the thread's pending operation (a read for loads, a write for stores and
//!   read-modify-writes) for partial-order-aware scheduling (`lockstep::schedule`, shuttle);
//! * then appears in the trace, when the trace is on, with its values: `atomic load` of
//!   `AtomicUsize#1` (atomics are numbered in first-access order) with the value read, a
//!   store with the value written, a read-modify-write with its operand and the value before
//!   and after, a compare-exchange with the expected and new values and whether it stored (else
//!   the value found); pointers show only as `null` or `non-null`;
//! * and counts as progress (it changed the value; a store counts unless it writes the value
//!   the last write left) or as a retry for the livelock detector (see the README's liveness
//!   section).
//!
//! The wrapper adds no scheduling point and no access to the backend's atomic: the values come
//! from the one operation the program asked for, so loom explores exactly the executions raw
//! loom does (`tests/loom_vs_raw.rs`). With the trace off only the livelock bookkeeping runs.
//! Under loom the constructors are not `const` (loom's are not) and `#[track_caller]` passes
//! the program's own location to loom's diagnostics.
//!
//! Deliberate differences from std, on the simulated backends:
//!
//! * `compare_exchange_weak` never fails spuriously: loom's and shuttle's are their strong
//!   `compare_exchange`. std allows a spurious failure (and LL/SC machines such as ARM produce
//!   them); a loop around the weak exchange, the only correct use, behaves the same either way,
//!   but a program that treats one failed weak exchange as "someone else won" is not caught.
//! * loom keeps an atomic's value in its execution state, so under loom the atomics have no
//!   `get_mut`; the integer and pointer ones offer `with_mut(|v| ..)` instead, as loom's do.
//!   `into_inner`, `load` and `store` work everywhere.
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
//!
//! std 1.95's newer methods are here on every backend: `update` and `try_update` (the names
//! that replace `fetch_update`), `AtomicBool::fetch_not`, and `AtomicPtr`'s strict-provenance
//! arithmetic (`fetch_ptr_add`, `fetch_ptr_sub`, `fetch_byte_add`, `fetch_byte_sub`,
//! `fetch_or`, `fetch_and`, `fetch_xor`). Loom has no pointer arithmetic of its own: under loom
//! it is a `try_update` loop (a load, then a compare-exchange), one scheduling point more than
//! a hardware read-modify-write, with the same outcomes.
//!
//! ```
//! use lockstep::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering::SeqCst};
//!
//! let hits = AtomicU32::new(1);
//! assert_eq!(hits.update(SeqCst, SeqCst, |n| n * 10), 1);
//! assert_eq!(hits.try_update(SeqCst, SeqCst, |n| n.checked_sub(11)), Err(10));
//! assert_eq!(hits.try_update(SeqCst, SeqCst, |n| n.checked_sub(3)), Ok(10));
//! let open = AtomicBool::new(true);
//! assert!(open.fetch_not(SeqCst));
//! assert!(!open.load(SeqCst));
//! let mut slots = [10u64, 20, 30];
//! let cursor = AtomicPtr::new(slots.as_mut_ptr());
//! let first = cursor.fetch_ptr_add(2, SeqCst);
//! assert_eq!(unsafe { *cursor.load(SeqCst) }, 30);
//! assert_eq!(cursor.fetch_byte_sub(8, SeqCst), first.wrapping_add(2));
//! let tagged = cursor.fetch_or(1, SeqCst); // a tag in the low bit
//! assert_eq!(cursor.fetch_and(!1, SeqCst), tagged.map_addr(|a| a | 1));
//! assert_eq!(cursor.fetch_xor(0, SeqCst), first.wrapping_add(1));
//! assert_eq!(cursor.fetch_ptr_sub(1, SeqCst), first.wrapping_add(1));
//! ```

pub use crate::backend::atomic::fence;
pub use std::sync::atomic::{compiler_fence, Ordering};

#[cfg(not(any(loom, feature = "shuttle")))]
pub use crate::backend::atomic::{
    AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr, AtomicU16,
    AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};

#[cfg(any(loom, feature = "shuttle"))]
pub use recorded::{
    AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr, AtomicU16,
    AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};

#[cfg(any(loom, feature = "shuttle"))]
mod recorded {
    use crate::backend::atomic as native;
    use lockstep_engine::access::{AtomicOp, AtomicValue};
    use lockstep_engine::kernel::Caller;
    use lockstep_engine::op::{ObjectId, OpKind};
    use std::fmt;
    use std::sync::atomic::Ordering;

    /// The atomic at `address` is changed in place: the kernel no longer knows the value last
    /// written to it.
    fn forget_value(address: usize) {
        if let Some(caller) = Caller::try_current() {
            caller.atomic_forgotten(address);
        }
    }

    /// A value an atomic holds, as the trace shows it.
    trait Traced: Copy {
        fn traced(self) -> AtomicValue;
    }

    impl Traced for bool {
        fn traced(self) -> AtomicValue {
            AtomicValue::Bool(self)
        }
    }

    impl<T> Traced for *mut T {
        fn traced(self) -> AtomicValue {
            AtomicValue::Ptr {
                null: self.is_null(),
            }
        }
    }

    macro_rules! traced_int {
        ($($int:ty),*) => {$(
            impl Traced for $int {
                fn traced(self) -> AtomicValue {
                    AtomicValue::Int(self as i128)
                }
            }
        )*};
    }
    traced_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

    /// A read-modify-write `$method(value)` whose new value is `$new(previous, value)`.
    macro_rules! read_modify_write {
        ($value:ty, $(#[$doc:meta])* $method:ident, $new:expr) => {
            $(#[$doc])*
            #[track_caller]
            pub fn $method(&self, value: $value, order: Ordering) -> $value {
                let caller = self.pending(OpKind::Write);
                let previous = self.0.$method(value, order);
                self.accessed(caller, || AtomicOp::ReadModifyWrite {
                    method: stringify!($method),
                    operand: value.traced(),
                    previous: previous.traced(),
                    new: ($new)(previous, value).traced(),
                });
                previous
            }
        };
    }

    /// A pointer read-modify-write `$method(value)` whose new pointer is `$new(previous, value)`:
    /// shuttle's own; loom has none, so under loom a `try_update` loop computes it (a load,
    /// then a compare-exchange per attempt: one more scheduling point than a hardware
    /// read-modify-write, and the same outcomes).
    macro_rules! pointer_arithmetic {
        ($(#[$doc:meta])* $method:ident, $new:expr) => {
            $(#[$doc])*
            #[track_caller]
            pub fn $method(&self, value: usize, order: Ordering) -> *mut T {
                let caller = self.pending(OpKind::Write);
                #[cfg(not(loom))]
                let previous = self.0.$method(value, order);
                #[cfg(loom)]
                let previous = match self.0.try_update(order, failure_order(order), |previous| {
                    Some(($new)(previous, value))
                }) {
                    Ok(previous) | Err(previous) => previous,
                };
                self.accessed(caller, || AtomicOp::ReadModifyWrite {
                    method: stringify!($method),
                    operand: value.traced(),
                    previous: previous.traced(),
                    new: ($new)(previous, value).traced(),
                });
                previous
            }
        };
    }

    /// The ordering of a failed compare-exchange inside a read-modify-write of `order` (a
    /// failure only loads: no release part).
    #[cfg(loom)]
    fn failure_order(order: Ordering) -> Ordering {
        match order {
            Ordering::Release => Ordering::Relaxed,
            Ordering::AcqRel => Ordering::Acquire,
            other => other,
        }
    }

    /// Loom's `with_mut` (its atomics have no `get_mut`): `f` gets the value in place.
    #[cfg(loom)]
    macro_rules! with_mut {
        ($value:ty) => {
            /// Runs `f` on the value, from an exclusive reference (loom's stand-in for
            /// `get_mut`).
            #[track_caller]
            #[cfg_attr(docsrs, doc(cfg(loom)))]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $value) -> R) -> R {
                forget_value(std::ptr::from_ref(self) as usize);
                self.0.with_mut(f)
            }
        };
    }

    /// The methods every atomic has.
    macro_rules! common_methods {
        ($name:ident, $value:ty) => {
            /// Records the pending operation of the calling thread, which it returns (`None`
            /// outside a simulated thread).
            fn pending(&self, kind: OpKind) -> Option<Caller> {
                let caller = Caller::try_current()?;
                caller.set_pending(kind, Some(ObjectId::address(self)));
                Some(caller)
            }

            /// Traces the access and counts it as progress or a retry.
            fn accessed(&self, caller: Option<Caller>, op: impl FnOnce() -> AtomicOp) {
                if let Some(caller) = caller {
                    let address = std::ptr::from_ref(self) as usize;
                    caller.atomic(address, stringify!($name), op());
                }
            }

            /// Loads the value.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $value {
                let caller = self.pending(OpKind::Read);
                let value = self.0.load(order);
                self.accessed(caller, || AtomicOp::Load {
                    value: value.traced(),
                });
                value
            }

            /// Stores `value`.
            #[track_caller]
            pub fn store(&self, value: $value, order: Ordering) {
                let caller = self.pending(OpKind::Write);
                self.0.store(value, order);
                self.accessed(caller, || AtomicOp::Store {
                    value: value.traced(),
                });
            }

            read_modify_write!(
                $value,
                /// Stores `value`, returning the previous value.
                swap,
                |_, value: $value| value
            );

            /// Stores `new` if the value is `current`; returns the previous value, `Ok` if it
            /// was `current`.
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                let caller = self.pending(OpKind::Write);
                let result = self.0.compare_exchange(current, new, success, failure);
                self.accessed(caller, || AtomicOp::CompareExchange {
                    current: current.traced(),
                    new: new.traced(),
                    result: result.map(Traced::traced).map_err(Traced::traced),
                });
                result
            }

            /// As [`Self::compare_exchange`]: a simulated weak exchange never fails
            /// spuriously (see the module docs).
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                self.compare_exchange(current, new, success, failure)
            }

            /// Applies `f` until it returns `None` or its result is stored; returns the previous
            /// value, `Ok` if one was stored (std's older name of [`Self::try_update`]).
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                self.traced_update(
                    "fetch_update",
                    |f| self.0.fetch_update(set_order, fetch_order, f),
                    f,
                )
            }

            /// Applies `f` until it returns `None` or its result is stored; returns the previous
            /// value, `Ok` if one was stored.
            #[track_caller]
            pub fn try_update(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: impl FnMut($value) -> Option<$value>,
            ) -> Result<$value, $value> {
                self.traced_update(
                    "try_update",
                    |f| self.0.try_update(set_order, fetch_order, f),
                    f,
                )
            }

            /// Applies `f` until its result is stored; returns the previous value.
            #[track_caller]
            pub fn update(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: impl FnMut($value) -> $value,
            ) -> $value {
                let stored = self.traced_update(
                    "update",
                    |f| {
                        Ok(self.0.update(set_order, fetch_order, |value| {
                            f(value).expect("`update`'s function always gives a value")
                        }))
                    },
                    |value| Some(f(value)),
                );
                match stored {
                    Ok(previous) | Err(previous) => previous,
                }
            }

            /// Runs one of the update loops (`run`, the backend's, on `f`) and traces it as
            /// `method`: the previous value and the one `f` gave last, if stored.
            #[track_caller]
            fn traced_update(
                &self,
                method: &'static str,
                run: impl FnOnce(&mut dyn FnMut($value) -> Option<$value>) -> Result<$value, $value>,
                mut f: impl FnMut($value) -> Option<$value>,
            ) -> Result<$value, $value> {
                let caller = self.pending(OpKind::Write);
                let mut last = None;
                let result = run(&mut |value| {
                    last = f(value);
                    last
                });
                self.accessed(caller, || AtomicOp::FetchUpdate {
                    method,
                    result: match (result, last) {
                        (Ok(previous), Some(new)) => Ok((previous.traced(), new.traced())),
                        (Ok(previous) | Err(previous), _) => Err(previous.traced()),
                    },
                });
                result
            }

            /// The value, from an exclusive reference (no other thread can see it). Not under
            /// loom, whose atomics keep their value in loom's execution state: use `with_mut`.
            #[cfg(not(loom))]
            #[cfg_attr(docsrs, doc(cfg(not(loom))))]
            pub fn get_mut(&mut self) -> &mut $value {
                forget_value(std::ptr::from_ref(self) as usize);
                self.0.get_mut()
            }

            /// Consumes the atomic, returning its value.
            #[track_caller]
            pub fn into_inner(self) -> $value {
                self.0.into_inner()
            }
        };
    }

    /// The bitwise read-modify-writes of `bool` and the integers.
    macro_rules! bitwise_methods {
        ($value:ty) => {
            read_modify_write!(
                $value,
                /// Bitwise and with `value`, returning the previous value.
                fetch_and,
                |previous: $value, value: $value| previous & value
            );
            read_modify_write!(
                $value,
                /// Bitwise nand with `value`, returning the previous value.
                fetch_nand,
                |previous: $value, value: $value| !(previous & value)
            );
            read_modify_write!(
                $value,
                /// Bitwise or with `value`, returning the previous value.
                fetch_or,
                |previous: $value, value: $value| previous | value
            );
            read_modify_write!(
                $value,
                /// Bitwise xor with `value`, returning the previous value.
                fetch_xor,
                |previous: $value, value: $value| previous ^ value
            );
        };
    }

    /// Defines the wrapper of shuttle's `$name`, holding a `$value`; `int` adds the arithmetic.
    macro_rules! atomic {
        ($name:ident, $value:ty) => {
            #[doc = concat!("A `", stringify!($value), "` shared between threads (shuttle's, with pending operations recorded and accesses traced).")]
            #[derive(Default)]
            pub struct $name(native::$name);

            impl $name {
                /// A new atomic holding `value`.
                #[cfg(not(loom))]
                pub const fn new(value: $value) -> Self {
                    $name(native::$name::new(value))
                }

                /// A new atomic holding `value` (loom's constructor is not `const`).
                #[cfg(loom)]
                #[track_caller]
                pub fn new(value: $value) -> Self {
                    $name(native::$name::new(value))
                }

                common_methods!($name, $value);
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

            #[cfg(loom)]
            impl $name {
                with_mut!($value);
            }

            impl $name {
                read_modify_write!(
                    $value,
                    /// Adds `value` (wrapping), returning the previous value.
                    fetch_add,
                    |previous: $value, value: $value| previous.wrapping_add(value)
                );
                read_modify_write!(
                    $value,
                    /// Subtracts `value` (wrapping), returning the previous value.
                    fetch_sub,
                    |previous: $value, value: $value| previous.wrapping_sub(value)
                );
                read_modify_write!(
                    $value,
                    /// Stores the maximum of the value and `value`, returning the previous value.
                    fetch_max,
                    |previous: $value, value: $value| previous.max(value)
                );
                read_modify_write!(
                    $value,
                    /// Stores the minimum of the value and `value`, returning the previous value.
                    fetch_min,
                    |previous: $value, value: $value| previous.min(value)
                );
            }
        };
    }

    atomic!(AtomicBool, bool);

    impl AtomicBool {
        /// Negates the value, returning the previous value.
        #[track_caller]
        pub fn fetch_not(&self, order: Ordering) -> bool {
            let caller = self.pending(OpKind::Write);
            #[cfg(not(loom))]
            let previous = self.0.fetch_not(order);
            // loom has no `fetch_not`: the same one read-modify-write, as an xor with `true`.
            #[cfg(loom)]
            let previous = self.0.fetch_xor(true, order);
            self.accessed(caller, || AtomicOp::ReadModifyWrite {
                method: "fetch_not",
                operand: true.traced(),
                previous: previous.traced(),
                new: (!previous).traced(),
            });
            previous
        }
    }
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

    /// A raw pointer shared between threads (shuttle's, with pending operations recorded and
    /// accesses traced).
    #[derive(Default)]
    pub struct AtomicPtr<T>(native::AtomicPtr<T>);

    impl<T> AtomicPtr<T> {
        /// A new atomic holding `value`.
        #[cfg(not(loom))]
        pub const fn new(value: *mut T) -> Self {
            AtomicPtr(native::AtomicPtr::new(value))
        }

        /// A new atomic holding `value` (loom's constructor is not `const`).
        #[cfg(loom)]
        #[track_caller]
        pub fn new(value: *mut T) -> Self {
            AtomicPtr(native::AtomicPtr::new(value))
        }

        common_methods!(AtomicPtr, *mut T);

        pointer_arithmetic!(
            /// Offsets the pointer by `value` elements of `T` (wrapping), returning the
            /// previous pointer.
            fetch_ptr_add,
            |previous: *mut T, value| previous.wrapping_add(value)
        );
        pointer_arithmetic!(
            /// Offsets the pointer back by `value` elements of `T` (wrapping), returning the
            /// previous pointer.
            fetch_ptr_sub,
            |previous: *mut T, value| previous.wrapping_sub(value)
        );
        pointer_arithmetic!(
            /// Offsets the pointer by `value` bytes (wrapping), returning the previous pointer.
            fetch_byte_add,
            |previous: *mut T, value| previous.wrapping_byte_add(value)
        );
        pointer_arithmetic!(
            /// Offsets the pointer back by `value` bytes (wrapping), returning the previous
            /// pointer.
            fetch_byte_sub,
            |previous: *mut T, value| previous.wrapping_byte_sub(value)
        );
        pointer_arithmetic!(
            /// Bitwise or of the pointer's address with `value` (keeping its provenance),
            /// returning the previous pointer.
            fetch_or,
            |previous: *mut T, value| previous.map_addr(|address| address | value)
        );
        pointer_arithmetic!(
            /// Bitwise and of the pointer's address with `value` (keeping its provenance),
            /// returning the previous pointer.
            fetch_and,
            |previous: *mut T, value| previous.map_addr(|address| address & value)
        );
        pointer_arithmetic!(
            /// Bitwise xor of the pointer's address with `value` (keeping its provenance),
            /// returning the previous pointer.
            fetch_xor,
            |previous: *mut T, value| previous.map_addr(|address| address ^ value)
        );

        #[cfg(loom)]
        with_mut!(*mut T);
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
