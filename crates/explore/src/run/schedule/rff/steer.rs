//! Steering one execution toward an abstract schedule's constraints, on top of POS priorities
//! (as RFF steers its POS-based scheduler): a runnable thread whose next event helps an open
//! constraint is preferred, one whose next event would break it is held back, and POS
//! priorities order the threads within each of the three bands.

use super::corpus::Constraint;
use super::events::{Access, Event, Observer, Source};

/// Preferred, neutral and held back, as [`Steering::band`] ranks a thread's next event.
pub(crate) const PREFERRED: u8 = 2;
pub(crate) const NEUTRAL: u8 = 1;
pub(crate) const HELD_BACK: u8 = 0;

/// How many yields an execution's constraints survive: a thread that spins while the thread
/// it waits for is held back must not spin forever, so past this the execution runs as plain
/// POS.
const PATIENCE: usize = 64;

#[derive(Default)]
pub(crate) struct Steering {
    constraints: Vec<Constraint>,
    /// Whether each constraint is still to be met: it closes when its read happens.
    open: Vec<bool>,
    patience: usize,
}

impl Steering {
    /// A new execution, steered by `constraints`.
    pub(crate) fn start(&mut self, constraints: &[Constraint]) {
        self.constraints.clear();
        self.constraints.extend_from_slice(constraints);
        self.open.clear();
        self.open.resize(constraints.len(), true);
        self.patience = PATIENCE;
    }

    /// The band of a thread whose next event is `event`, given what ran so far.
    pub(crate) fn band(&self, event: Option<Event>, observer: &Observer) -> u8 {
        let Some(event) = event else {
            return NEUTRAL;
        };
        let (mut prefer, mut hold) = (false, false);
        for (constraint, _) in self
            .constraints
            .iter()
            .zip(&self.open)
            .filter(|(_, open)| **open)
        {
            let read = constraint.read;
            if event.object != read.object {
                continue;
            }
            let last = observer.last_write(read.object);
            if event == read {
                // The read itself: now if it sees what it must, later otherwise.
                if (last == constraint.from) == constraint.must {
                    prefer = true;
                } else {
                    hold = true;
                }
            } else if let Some(write) = write_ahead(event) {
                let is_source = match constraint.from {
                    Source::Write(source) => write.leads_to(source),
                    Source::Initial => false,
                };
                match (constraint.must, is_source) {
                    // The write the read must see: now.
                    (true, true) => prefer = true,
                    // Another write would hide it (or the initial value) from the read.
                    (true, false)
                        if last == constraint.from || constraint.from == Source::Initial =>
                    {
                        hold = true
                    }
                    (true, false) => {}
                    // The write the read must not see: later.
                    (false, true) => hold = true,
                    // Another write hides the forbidden one: now.
                    (false, false) if last == constraint.from => prefer = true,
                    (false, false) => {}
                }
            }
        }
        match (prefer, hold) {
            (true, false) => PREFERRED,
            (false, true) => HELD_BACK,
            _ => NEUTRAL,
        }
    }

    /// `event` ran: the constraints on it are met or broken, and close.
    pub(crate) fn performed(&mut self, event: Event) {
        for (constraint, open) in self.constraints.iter().zip(&mut self.open) {
            if constraint.read == event {
                *open = false;
            }
        }
    }

    /// A thread yielded; past [`PATIENCE`] yields every constraint closes.
    pub(crate) fn yielded(&mut self) {
        self.patience = self.patience.saturating_sub(1);
        if self.patience == 0 {
            self.open.iter_mut().for_each(|open| *open = false);
        }
    }
}

/// The write `event` makes, or for an acquire the release it leads to: to keep a lock's last
/// release from changing, the acquire must wait, since once a thread holds the lock its
/// release can only be delayed by blocking everyone else.
fn write_ahead(event: Event) -> Option<WriteAhead> {
    match event.access {
        Access::Acquire => Some(WriteAhead::ReleaseAfter(event)),
        access if access.writes() => Some(WriteAhead::Write(event)),
        _ => None,
    }
}

/// A write a thread is about to make, now or (after an acquire) once it releases.
#[derive(Clone, Copy)]
enum WriteAhead {
    Write(Event),
    /// The release that follows this acquire: the same thread's, of the same lock, with the
    /// same ordinal (its context is not known yet).
    ReleaseAfter(Event),
}

impl WriteAhead {
    /// Whether this is (or leads to) `write`.
    fn leads_to(self, write: Event) -> bool {
        match self {
            WriteAhead::Write(event) => event == write,
            WriteAhead::ReleaseAfter(acquire) => {
                write.access == Access::Release
                    && (write.class, write.object, write.ordinal)
                        == (acquire.class, acquire.object, acquire.ordinal)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(class: u32, access: Access) -> Event {
        Event {
            class,
            object: 0,
            access,
            ordinal: 0,
            context: Default::default(),
        }
    }

    #[test]
    fn a_read_that_must_not_see_a_write_waits_until_another_write_hides_it() {
        let (forbidden, other, read) = (
            event(1, Access::Update),
            event(3, Access::Update),
            event(2, Access::Read),
        );
        let mut steering = Steering::default();
        steering.start(&[Constraint {
            read,
            from: Source::Write(forbidden),
            must: false,
        }]);
        let mut observer = Observer::default();
        assert_eq!(steering.band(Some(forbidden), &observer), HELD_BACK);
        assert_eq!(steering.band(Some(read), &observer), PREFERRED);
        observer.performed(0, forbidden);
        assert_eq!(
            steering.band(Some(read), &observer),
            HELD_BACK,
            "now it would see the forbidden write"
        );
        assert_eq!(
            steering.band(Some(other), &observer),
            PREFERRED,
            "another write hides the forbidden one"
        );
        observer.performed(1, other);
        assert_eq!(steering.band(Some(read), &observer), PREFERRED);
        steering.performed(read);
        assert_eq!(steering.band(Some(forbidden), &observer), NEUTRAL, "met");
    }
}
