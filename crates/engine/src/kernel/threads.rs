//! Threads of an execution: registered at spawn, started on their own task, finished when
//! their body returns or unwinds; and the numbering of the objects they create.

use super::{kernel, try_kernel, Caller, ThreadRecord};
use crate::backend::thread::current;
use crate::trace::Event;

/// Registers a thread about to be spawned at the caller's location; returns its index and
/// canonical name (`name`, or `thread-N` by spawn order).
#[track_caller]
pub fn register_thread(name: Option<String>) -> (usize, String) {
    let site = std::panic::Location::caller();
    let kernel = kernel();
    let (index, name) = {
        let mut state = kernel.state.borrow_mut();
        let index = state.threads.len();
        let name = name.unwrap_or_else(|| format!("thread-{index}"));
        state
            .threads
            .push(ThreadRecord::new(name.clone(), Some(site)));
        (index, name)
    };
    kernel
        .setup
        .max_threads
        .fetch_max(index + 1, std::sync::atomic::Ordering::Relaxed);
    Caller::current().record(|| Event::Spawn { child: index });
    (index, name)
}

/// Called first thing on a spawned thread, with the index [`register_thread`] gave it.
pub fn thread_started(index: usize) {
    let kernel = kernel();
    let mut state = kernel.state.borrow_mut();
    state.identity.started(index);
    let record = &mut state.threads[index];
    debug_assert!(
        record.handle.is_none() && !record.finished,
        "lockstep: thread {index} started twice"
    );
    record.handle = Some(current());
}

/// Called when a thread's body returns (or unwinds): it no longer counts as live, which may
/// leave every remaining thread blocked.
pub fn thread_finished() {
    let caller = Caller::current();
    {
        let mut state = caller.kernel.state.borrow_mut();
        let record = &mut state.threads[caller.index];
        debug_assert!(!record.finished, "lockstep: {} finished twice", record.name);
        record.finished = true;
        record.wait = None;
    }
    caller.record(|| Event::Exit);
    caller.kernel.settle();
}

/// The canonical name of the calling thread.
pub fn current_thread_name() -> String {
    let kernel = kernel();
    let state = kernel.state.borrow();
    state.threads[state.me()].name.clone()
}

/// The next object number of the running execution, if one is running: unnamed objects are
/// named by it, so the same program always names its objects the same way.
pub fn next_object_seq() -> Option<usize> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    state.next_object += 1;
    Some(state.next_object - 1)
}
