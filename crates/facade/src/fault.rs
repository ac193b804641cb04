//! Deterministic fault injection.
//!
//! Model code declares named fault sites and passes through them with [`point`]; a
//! [`FaultPlan`] says how often each site (or each kind of fault) fires. Which ones fire is
//! drawn from the execution's fault seed with ChaCha8 (portable, stable streams), **one stream
//! per thread**, so a thread's draws never shift with how the other threads were scheduled. The
//! plan and the fault seed go into the seed file, so a failure replays with exactly the same
//! faults.
//!
//! Under shuttle a fresh fault seed is derived for every execution; under loom it is fixed for
//! the whole model run (set it with `Explorer::fault_seed`), and a test enumerates the seeds or
//! plans it cares about. Under std nothing fires unless `set_std_plan` (std builds only)
//! configures it.
//!
//! ```
//! use lockstep::fault::{self, FaultKind, FaultSite};
//!
//! const SEND: FaultSite = FaultSite::new("session.send", FaultKind::NetworkError);
//!
//! fn send() -> Result<(), fault::Fault> {
//!     fault::point(&SEND)?; // fails here when the plan says so
//!     Ok(())
//! }
//! assert!(send().is_ok()); // under std, with no plan set, nothing fires
//! ```

pub use lockstep_engine::fault_plan::{Fault, FaultKind, FaultPlan, FaultSite};

/// Configures fault injection on real threads (std builds only).
#[cfg(not(any(loom, feature = "shuttle")))]
#[cfg_attr(docsrs, doc(cfg(not(any(loom, feature = "shuttle")))))]
pub use crate::ghost::set_std_plan;

/// Passes through fault site `site`: `Err` if the plan fires an error here. A firing latency
/// site sleeps the plan's latency and returns `Ok`.
pub fn point(site: &FaultSite) -> Result<(), Fault> {
    let fired = crate::ghost::draw_fault(site);
    match fired {
        None => Ok(()),
        Some(latency) if site.kind == FaultKind::Latency => {
            crate::time::sleep(latency);
            Ok(())
        }
        Some(_) => Err(Fault {
            site: site.name,
            kind: site.kind,
        }),
    }
}
