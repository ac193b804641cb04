//! A simulated barrier: arrivals counted behind the backend mutex, waiters parked in the
//! barrier's queue until the arrival that completes their generation (the leader's) wakes
//! them. Only the leader wakes the queue, and a waiter's ticket belongs to one generation, so
//! a woken waiter is through without locking again.

use super::{park_on, Guarded};
use crate::ghost::Holder;
use crate::sync::holds;
use lockstep_engine::object::{Kind, Mode};
use lockstep_engine::op::OpKind;
use lockstep_engine::trace::Event;
use std::fmt;
use std::sync::Arc;

/// A barrier for `parties` threads (0 behaves as 1, as std's does).
pub(crate) struct Barrier {
    /// Arrivals in the current generation.
    arrived: Guarded<usize>,
    parties: usize,
}

impl Barrier {
    pub(crate) fn new(name: Option<&str>, parties: usize) -> Self {
        Barrier {
            arrived: Guarded::new(holds::object(Kind::Barrier, name), 0),
            parties: parties.max(1),
        }
    }

    /// Arrives and waits for the rest of the generation; `true` for its leader (the last to
    /// arrive).
    pub(crate) fn wait(&self) -> bool {
        let holder = Holder::current();
        let info = &self.arrived.info;
        let mut arrived = self.arrived.lock(&holder, OpKind::Write);
        *arrived += 1;
        debug_assert!(
            *arrived <= self.parties,
            "{info}: more arrivals than parties"
        );
        let leader = *arrived == self.parties;
        holder.record(|| Event::Arrived {
            object: Arc::clone(info),
            leader,
        });
        if leader {
            *arrived = 0;
            drop(arrived);
            info.waiters.wake_all();
        } else {
            let parties = self.parties;
            park_on(&info.waiters, arrived, info, Mode::Arrive { parties }, None);
        }
        leader
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.arrived.info)
    }
}
