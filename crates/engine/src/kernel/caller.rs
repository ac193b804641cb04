//! What one facade operation records through its [`Caller`]: its pending operation, its trace
//! events, its held-lock stack, and the exploration's checks it must run.

use super::Caller;
use crate::held::Held;
use crate::lock_graph::SharedGraph;
use crate::object::{Mode, ObjectInfo};
use crate::op::{ObjectId, OpKind, PendingOp};
use crate::trace::Event;
use std::sync::Arc;

impl Caller {
    /// Records the operation this thread is about to perform (read by the POS scheduler).
    /// Under loom the thread first passes the try probe of each lock it holds that a plain
    /// try is stopped at (see [`pass_stopped_tries`](Caller::pass_stopped_tries)).
    #[inline]
    pub fn set_pending(&self, kind: OpKind, object: Option<ObjectId>) {
        self.pass_stopped_tries();
        self.kernel.state.borrow_mut().threads[self.index].pending =
            Some(PendingOp::new(kind, object));
    }

    /// Records the operation this thread is about to perform on a facade object.
    #[inline]
    pub fn set_pending_on(&self, kind: OpKind, object: &Arc<ObjectInfo>) {
        self.set_pending(kind, Some(ObjectId::address(Arc::as_ptr(object))));
    }

    /// Under loom, before one of its operations: passes the try probe
    /// ([`TryWatch::pass_probe`](crate::try_watch::TryWatch::pass_probe)) of each lock this
    /// thread holds that some plain try is stopped at right now, so that loom can run the try
    /// right there, between the holder's previous step and this one (a try depends on nothing
    /// else the holder does inside its critical section). Where no try is stopped at a held
    /// lock (every program without tries) it passes nothing: loom explores what it did. Under
    /// shuttle, which may switch before every operation, it does nothing.
    ///
    /// Every operation that records its pending operation (every facade operation that
    /// reaches the backend: atomics, locks, state locks, waits, spawns, joins, parks, unparks)
    /// calls it, through [`set_pending`](Caller::set_pending).
    #[inline]
    fn pass_stopped_tries(&self) {
        #[cfg(loom)]
        {
            let stopped = self.with_held(|held| {
                let mut stopped: Vec<Arc<ObjectInfo>> = Vec::new();
                for hold in held.iter() {
                    if hold.object.tries.has_stopped_try()
                        && !stopped.iter().any(|seen| Arc::ptr_eq(seen, &hold.object))
                    {
                        stopped.push(Arc::clone(&hold.object));
                    }
                }
                stopped
            });
            // Outside the state's borrow: a pass is a loom operation, where other threads run.
            for object in stopped {
                object.tries.pass_probe();
            }
        }
    }

    /// Appends an event by this thread to the execution's trace (if it records one). Every
    /// event recorded this way is progress (see the kernel's `spin` module).
    #[inline]
    pub fn record(&self, event: impl FnOnce() -> Event) {
        self.kernel.progress();
        self.record_only(event);
    }

    /// Appends an event that is not progress (a model event) to the trace, if it records one.
    #[inline]
    pub(super) fn record_only(&self, event: impl FnOnce() -> Event) {
        if self.kernel.setup.trace {
            self.kernel
                .state
                .borrow_mut()
                .push_record(self.index, event());
        }
    }

    /// This thread took `hold` (pushed on its held stack, and traced).
    ///
    /// Asserts the exclusion the kernel's "blocked" rule relies on: nobody else holds the
    /// object in a mode that excludes this one (a release's ghost half runs before its backend
    /// half, so a hold the backend granted is never still held by another in ghost state).
    pub fn hold(&self, hold: Held) {
        let (object, mode) = (Arc::clone(&hold.object), hold.mode);
        {
            let mut state = self.kernel.state.borrow_mut();
            debug_assert!(
                !state
                    .threads
                    .iter()
                    .enumerate()
                    .any(|(t, thread)| t != self.index
                        && thread
                            .held
                            .iter()
                            .any(|h| Arc::ptr_eq(&h.object, &object) && h.mode.excludes(mode))),
                "lockstep: {} took {object} ({mode:?}) while another thread holds it",
                state.threads[self.index].name
            );
            state.threads[self.index].held.push(hold);
        }
        self.kernel.lock_progress();
        self.record_only(|| Event::Acquired { object, mode });
    }

    /// This thread gave back its most recent hold of `object` in `mode` (release order is
    /// free: any hold may go first). Asserts that the release matches a hold.
    #[inline]
    pub fn release(&self, object: &Arc<ObjectInfo>, mode: Mode) {
        self.release_for(self.index, object, mode);
    }

    /// This thread gave back, on behalf of thread `owner`, `owner`'s most recent hold of
    /// `object` in `mode`: an owned permit taken by `owner` and dropped here. Traced as this
    /// thread's release. Asserts that the release matches a hold.
    pub fn release_for(&self, owner: usize, object: &Arc<ObjectInfo>, mode: Mode) {
        self.set_pending_on(OpKind::Release, object);
        {
            let mut state = self.kernel.state.borrow_mut();
            let thread = &mut state.threads[owner];
            let found = thread
                .held
                .iter()
                .rposition(|h| Arc::ptr_eq(&h.object, object) && h.mode == mode);
            debug_assert!(
                found.is_some(),
                "lockstep: {} released {object} ({mode:?}) without holding it",
                thread.name
            );
            if let Some(pos) = found {
                thread.held.remove(pos);
            }
        }
        self.kernel.lock_progress();
        self.record_only(|| Event::Released {
            object: Arc::clone(object),
            mode,
        });
    }

    /// Runs `f` on this thread's held-lock stack.
    #[inline]
    pub fn with_held<R>(&self, f: impl FnOnce(&mut Vec<Held>) -> R) -> R {
        f(&mut self.kernel.state.borrow_mut().threads[self.index].held)
    }

    /// Like [`with_held`](Caller::with_held), with a function giving the thread's name.
    #[inline]
    pub fn with_held_named<R>(
        &self,
        f: impl FnOnce(&dyn Fn() -> String, &mut Vec<Held>) -> R,
    ) -> R {
        let mut state = self.kernel.state.borrow_mut();
        let super::ThreadRecord { name, held, .. } = &mut state.threads[self.index];
        f(&|| name.clone(), held)
    }

    /// The lock-order graph of the running exploration.
    #[inline]
    pub fn lock_graph(&self) -> Option<&SharedGraph> {
        self.kernel.setup.graph.as_ref()
    }

    /// This thread's identity in the lock-order graph: its index in the execution (the same
    /// code path gets the same index in every execution of a deterministic program).
    #[inline]
    pub fn thread_key(&self) -> usize {
        self.index
    }

    /// Whether the running exploration checks the lock hierarchy.
    #[inline]
    pub fn hierarchy_enabled(&self) -> bool {
        self.kernel.setup.hierarchy
    }
}
