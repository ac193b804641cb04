//! What model code marks during an execution (coverage points, size knobs, fault draws, model
//! events, its failure) and what a runner reads back once the execution is over (`last_*`).
//!
//! Every function here does nothing (or returns its "none" value) outside a running execution,
//! so model code can call the facade's wrappers from plain std tests too.

use super::{try_kernel, Caller};
use crate::fault_plan::{fires, random_stream, thread_stream, FaultSite};
use crate::op::{ObjectId, OpKind};
use crate::trace::{self, Event};
use rand_chacha::rand_core::RngCore;
use std::time::Duration;

/// Appends a model event to the trace (not progress: see the kernel's `spin` module); does
/// nothing outside a running execution.
pub fn record_if_running(event: impl FnOnce() -> Event) {
    if let Some(caller) = Caller::try_current() {
        caller.record_only(event);
    }
}

/// Records the operation the calling thread is about to perform, if it is a simulated thread
/// (see [`Caller::set_pending`]).
#[inline]
pub fn set_pending(kind: OpKind, object: Option<ObjectId>) {
    if let Some(caller) = Caller::try_current() {
        caller.set_pending(kind, object);
    }
}

/// Draws whether fault `site` fires for the calling thread; `Some(latency)` if it does.
pub fn draw_fault(site: &FaultSite) -> Option<Duration> {
    let kernel = try_kernel()?;
    let plan = kernel.setup.faults.as_ref()?;
    let rate = plan.rate(site);
    if rate <= 0.0 {
        return None;
    }
    let mut state = kernel.state.borrow_mut();
    let index = state.me();
    let seed = state.fault_seed;
    let rng = state.threads[index]
        .faults
        .get_or_insert_with(|| thread_stream(seed, index));
    if !fires(rng, rate) || plan.muted.contains(site.name) {
        return None;
    }
    if kernel.setup.trace {
        let event = Event::Fault {
            site: site.name,
            kind: site.kind,
        };
        state.push_record(index, event);
    }
    Some(Duration::from_millis(plan.latency_ms))
}

/// Draws 64 random bits from the calling thread's `lockstep::random` stream (seeded by the
/// execution's fault seed, so a seed file replays the same draws; traced); `None` outside a
/// running execution.
pub fn draw_random() -> Option<u64> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    let index = state.try_me()?;
    let seed = state.fault_seed;
    let value = state.threads[index]
        .random
        .get_or_insert_with(|| random_stream(seed, index))
        .next_u64();
    state.random_draws += 1;
    if kernel.setup.trace {
        state.push_record(index, Event::Random { value });
    }
    Some(value)
}

/// How many `lockstep::random` draws the last execution on this OS thread made.
pub fn last_random_draws() -> usize {
    try_kernel().map_or(0, |kernel| kernel.state.borrow().random_draws)
}

/// Marks a coverage point as reached.
pub fn cover(point: &str) {
    if let Some(kernel) = try_kernel() {
        let mut points = kernel
            .setup
            .coverage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !points.contains(point) {
            points.insert(point.to_owned());
        }
    }
}

/// The value of size knob `name` in the running execution (its override, else `default`),
/// recorded at its first read; `None` outside a running execution.
pub fn size(name: &'static str, default: usize) -> Option<usize> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    if let Some(&(_, value)) = state.sizes.iter().find(|(read, _)| *read == name) {
        return Some(value);
    }
    let value = kernel.setup.sizes.get(name).copied().unwrap_or(default);
    state.sizes.push((name, value));
    Some(value)
}

/// Notes that a thread of the running execution begins to panic (called from a panic hook,
/// before the unwinding drops anything): if this panic becomes the execution's failure, the
/// rendered trace ends here, with the failing request, not with the guards the unwinding
/// releases. Does nothing outside an execution or while the kernel is busy (a panic inside
/// it). It asks the backend nothing (not even which thread runs): a panic inside the backend's
/// own bookkeeping may leave it unable to answer.
pub fn note_panic() {
    let Some(kernel) = try_kernel() else { return };
    if let Ok(mut state) = kernel.state.try_borrow_mut() {
        state.last_panic_at = Some(state.trace.len());
    };
}

/// Records the first panic of the execution (later ones are consequences); the trace is cut
/// where the failing thread began to panic (see [`note_panic`]).
pub fn record_failure(message: String) {
    if let Some(kernel) = try_kernel() {
        let mut slot = kernel
            .setup
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            if let Ok(mut state) = kernel.state.try_borrow_mut() {
                state.failure_end = state.last_panic_at;
            }
        }
        slot.get_or_insert(message);
    }
}

/// The size knobs the last execution on this OS thread read, in first-read order, with their
/// values.
pub fn last_sizes() -> Vec<(&'static str, usize)> {
    try_kernel().map_or_else(Vec::new, |kernel| kernel.state.borrow().sizes.clone())
}

/// The fault seed of the last execution on this OS thread (0 if none ran).
pub fn last_fault_seed() -> u64 {
    try_kernel().map_or(0, |kernel| kernel.state.borrow().fault_seed)
}

/// The fault sites that fired in the execution that ran last on this OS thread, in order.
pub fn last_faults() -> Vec<&'static str> {
    let Some(kernel) = try_kernel() else {
        return Vec::new();
    };
    let state = kernel.state.borrow();
    state
        .trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Fault { site, .. } => Some(site),
            _ => None,
        })
        .collect()
}

/// The threads of the execution that ran last on this OS thread that had not finished, one
/// line each with what it waits for (`is not blocked`: it was running, e.g. in a spin loop);
/// empty if none ran.
pub fn last_live_threads() -> String {
    try_kernel().map_or_else(String::new, |kernel| kernel.state.borrow().live_threads())
}

/// The trace of the execution that ran last on this OS thread, rendered.
pub fn last_trace() -> Option<String> {
    let kernel = try_kernel()?;
    let state = kernel.state.borrow();
    let names: Vec<String> = state.threads.iter().map(|t| t.name.clone()).collect();
    let end = state.failure_end.unwrap_or(state.trace.len());
    Some(trace::render(&state.trace[..end], &names))
}
