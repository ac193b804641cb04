//! A cancel-unsafe async program and its cancel-safe twin, for the cancellation fault site
//! (`lockstep::tokio::fault::cancellable`), shaped after the booking service's schedule
//! generation: a generation marks itself running, waits for the schedule, and unmarks itself.
//! The unsafe one unmarks itself only if it reaches the end, so a generation cancelled while it
//! waits leaves the service marked busy for ever; the safe one unmarks itself in a guard's
//! `Drop`, which runs when the future is dropped at its await point too.

use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::time::Duration;
use lockstep::tokio::fault::cancellable;
use lockstep::tokio::{block_on, task, time};
use std::sync::Arc;

/// The fault site that may cancel a generation.
pub const GENERATE: &str = "booking.generate";

/// How a generation restores its running flag.
#[derive(Clone, Copy, Debug)]
pub enum Restore {
    /// After its last await: skipped when it is cancelled at an await point in between.
    AtTheEnd,
    /// In a guard's `Drop`: also when it is cancelled.
    OnDrop,
}

/// The flag's guard of the cancel-safe generation.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// One generation: await point 1 before the flag is set, await point 2 while it is set.
async fn generate(running: Arc<AtomicBool>, restore: Restore) {
    task::yield_now().await;
    running.store(true, Ordering::SeqCst);
    let guard = matches!(restore, Restore::OnDrop).then(|| Running(&running));
    time::sleep(Duration::from_secs(1)).await;
    running.store(false, Ordering::SeqCst);
    drop(guard);
}

/// One cancellable generation, run as a task: how it ended (`Err(n)`: cancelled at its await
/// point `n`) and whether the service was left marked running.
pub async fn generation(restore: Restore) -> (Result<(), usize>, bool) {
    let running = Arc::new(AtomicBool::new(false));
    let generation = cancellable(GENERATE, generate(Arc::clone(&running), restore));
    let ended = task::spawn(generation)
        .await
        .expect("the generation task is not aborted");
    (
        ended.map_err(|cancelled| cancelled.await_point),
        running.load(Ordering::SeqCst),
    )
}

/// [`generation`] on its own runtime.
pub fn one_generation(restore: Restore) -> (Result<(), usize>, bool) {
    block_on(generation(restore))
}

/// Fails if the generation that ended with `ended` left the service marked running.
pub fn assert_left_idle((ended, left_running): (Result<(), usize>, bool)) {
    assert!(
        !left_running,
        "a generation that ended with {ended:?} left the service marked running"
    );
}

/// [`one_generation`], failing if it left the service marked running.
pub fn generation_leaves_the_service_idle(restore: Restore) {
    assert_left_idle(one_generation(restore));
}
