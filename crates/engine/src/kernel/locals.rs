//! Thread-local values of simulated threads (the facade's `thread_local!`): one set per thread
//! record, so each simulated thread has its own, and a fresh kernel per execution, so no value
//! outlives its execution.
//!
//! Slots are found by key (the address of the key's `static`) and kept in first-use order;
//! nothing iterates them by address, so an execution does the same thing on every run. A
//! thread's values are dropped at its end, as that thread, last first ([`drop_thread_locals`]);
//! a destructor may still use the other keys (one that was never used is initialized and then
//! dropped too) but not its own or an already dropped one. The values of a thread that never
//! ended (its execution failed) are leaked with the kernel, never dropped outside their
//! execution: dropping a loom object after loom's model ended aborts the process.

use super::Caller;
use std::any::Any;
use std::ptr::NonNull;

/// What a thread has for one key.
///
/// ```
/// use lockstep_engine::kernel::LocalSlot;
///
/// let slot = LocalSlot::Vacant;
/// assert!(matches!(slot, LocalSlot::Vacant));
/// ```
pub enum LocalSlot {
    /// Nothing yet: the key was never used on this thread.
    Vacant,
    /// Its value, which stays at this address until the thread ends.
    Value(NonNull<dyn Any>),
    /// It was dropped at the thread's end (a destructor uses it).
    Destroyed,
}

/// One thread's thread-local values.
#[derive(Default)]
pub(super) struct Locals {
    /// By first use: the key and its value (`None` once dropped).
    slots: Vec<(usize, Option<Box<dyn Any>>)>,
}

impl Locals {
    fn slot(&self, key: usize) -> LocalSlot {
        match self.slots.iter().find(|(k, _)| *k == key) {
            None => LocalSlot::Vacant,
            Some((_, Some(value))) => LocalSlot::Value(NonNull::from(&**value)),
            Some((_, None)) => LocalSlot::Destroyed,
        }
    }

    /// Takes the value used last that is still there, leaving its slot destroyed.
    fn take_last(&mut self) -> Option<Box<dyn Any>> {
        self.slots
            .iter_mut()
            .rev()
            .find_map(|(_, value)| value.take())
    }
}

impl Drop for Locals {
    /// Leaks what is left: the thread never ended, and its values may hold objects of an
    /// execution that is over (see the module docs).
    fn drop(&mut self) {
        for (_, value) in self.slots.drain(..) {
            std::mem::forget(value);
        }
    }
}

impl Caller {
    /// This thread's slot for `key`.
    ///
    /// ```
    /// use lockstep_engine::kernel::Caller;
    ///
    /// // Thread-locals belong to the threads of a running execution.
    /// assert!(Caller::try_current().map(|me| me.thread_local(1)).is_none());
    /// ```
    pub fn thread_local(&self, key: usize) -> LocalSlot {
        self.kernel.state.borrow().threads[self.index]
            .locals
            .slot(key)
    }

    /// Gives this thread's key `key` its first value; returns where it lives. If the key got a
    /// slot meanwhile (its initializer used it), that slot is kept and `value` is handed back
    /// to be dropped, which the caller does once the kernel is let go.
    ///
    /// ```
    /// use lockstep_engine::kernel::Caller;
    ///
    /// // Outside an execution there is no thread to give a value to.
    /// assert!(Caller::try_current().is_none());
    /// ```
    pub fn init_thread_local(
        &self,
        key: usize,
        value: Box<dyn Any>,
    ) -> (LocalSlot, Option<Box<dyn Any>>) {
        let mut state = self.kernel.state.borrow_mut();
        let locals = &mut state.threads[self.index].locals;
        match locals.slot(key) {
            LocalSlot::Vacant => {
                let at = NonNull::from(&*value);
                locals.slots.push((key, Some(value)));
                (LocalSlot::Value(at), None)
            }
            slot => (slot, Some(value)),
        }
    }
}

/// Drops the calling thread's thread-local values, last used first, each with the kernel let
/// go (a destructor may use lockstep primitives and other keys). Called at the thread's end,
/// before it counts as finished; a second call finds nothing left. Panics outside a running
/// execution.
///
/// ```
/// use lockstep_engine::kernel;
///
/// // Only a simulated thread has thread-locals to drop.
/// assert!(std::panic::catch_unwind(kernel::drop_thread_locals).is_err());
/// ```
pub fn drop_thread_locals() {
    let caller = Caller::current();
    loop {
        let value = caller.kernel.state.borrow_mut().threads[caller.index]
            .locals
            .take_last();
        match value {
            Some(value) => drop(value),
            None => break,
        }
    }
}
