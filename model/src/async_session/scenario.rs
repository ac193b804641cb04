//! The registered scenario: sends and scrapes at once under their callers' 30 s deadlines, a
//! supervisor waiting for all of them, then a send and a scrape of every session at rest.

use super::manager::{AsyncSessionManager, Bugs, Config, RequestError, Scraped};
use super::supervisor::{Cancelled, Progress};
use super::{BUSY_FLAG_ACROSS_AWAIT, HALF_WRITTEN_ON_TIMEOUT, NOTIFY_WAITERS_BEFORE_WAIT};
use lockstep::scenario::{size, Scenario, Variant};
use lockstep::sync::Arc;
use lockstep::time::{Duration, Instant};
use lockstep::tokio::{block_on, task, time};

/// The flow's timings and size, in one unit: the simulated scenario runs it in seconds of
/// virtual time, the std test in milliseconds of real time.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The caller's deadline on every request (30 units), and every acquisition's timeout.
    pub deadline: Duration,
    /// The sends started at once: (session, transfer time), message `i + 1` for the i-th.
    pub sends: Vec<(usize, Duration)>,
    /// Scrapes started with them, scrape `i + 1` on session `i % sessions`.
    pub scrapes: usize,
    /// How long the supervisor waits for the next request to finish before it gives up.
    pub patience: Duration,
}

impl Workload {
    /// Session 0 gets a 10-unit send and a 45-unit one (longer than its 30-unit deadline, so
    /// it is always cancelled: mid-transfer, or while it waits); session 1 a 5-unit send;
    /// `scrapes` scrapes run meanwhile. Two operation permits serve the three sends.
    ///
    /// ```
    /// use lockstep::time::Duration;
    /// use model::async_session::scenario::Workload;
    ///
    /// let w = Workload::new(Duration::from_secs(1), 2);
    /// assert_eq!(w.deadline, Duration::from_secs(30));
    /// assert_eq!(w.sends.len() + w.scrapes, 5);
    /// ```
    pub fn new(unit: Duration, scrapes: usize) -> Self {
        Workload {
            deadline: unit * 30,
            sends: vec![(0, unit * 10), (0, unit * 45), (1, unit * 5)],
            scrapes,
            patience: unit * 60,
        }
    }

    fn requests(&self) -> usize {
        self.sends.len() + self.scrapes
    }
}

/// How one request ended.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// It did its work.
    Done,
    /// It gave up with an error (an acquisition timeout, or a refusal).
    Failed(RequestError),
    /// Its caller's deadline fired first and dropped it.
    Cancelled,
}

/// How and when one request ended.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finished {
    /// The request, e.g. `send 2 (session 0)`.
    pub request: String,
    /// How it ended.
    pub outcome: Outcome,
    /// When it ended: virtual time since the start under simulation (under std only
    /// differences mean anything).
    pub at: Duration,
}

/// What one run of the flow ended with.
#[derive(Clone, Debug)]
pub struct Summary {
    /// How each request ended, sends first, in start order.
    pub finished: Vec<Finished>,
    /// The requests cancelled by their deadline.
    pub cancelled: Vec<Cancelled>,
    /// Each session's final send at rest.
    pub sends_at_rest: Vec<Result<(), RequestError>>,
    /// Each session's final scrape at rest (after its final send).
    pub at_rest: Vec<Scraped>,
    /// Free operation permits at the end.
    pub free_permits: usize,
}

/// Runs the flow once on `manager` and returns what it ended with; panics if the supervisor
/// gives up, or if a timed-out request did not end at its deadline's virtual instant.
///
/// ```
/// use lockstep::time::Duration;
/// use model::async_session::scenario::{run_flow, Workload};
/// use model::async_session::supervisor::Progress;
/// use model::async_session::{AsyncSessionManager, Config};
///
/// let manager = AsyncSessionManager::new(Config {
///     lock_timeout: Duration::from_millis(30),
///     ..Config::default()
/// });
/// let workload = Workload::new(Duration::from_millis(1), 1);
/// let summary = lockstep::tokio::block_on(run_flow(manager, Progress::new(false), workload));
/// assert_eq!(summary.finished.len(), 4);
/// ```
pub async fn run_flow(
    manager: AsyncSessionManager,
    progress: Progress,
    workload: Workload,
) -> Summary {
    let manager = Arc::new(manager);
    let progress = Arc::new(progress);
    let supervisor = {
        let progress = Arc::clone(&progress);
        let (expected, patience) = (workload.requests(), workload.patience);
        task::spawn(async move { progress.supervise(expected, patience).await })
    };
    let mut requests = Vec::new();
    for (i, &(session, transfer)) in workload.sends.iter().enumerate() {
        let seq = i as u64 + 1;
        let m = Arc::clone(&manager);
        let work = async move { m.send(session, seq, transfer).await };
        let request = Request::new("send", seq, session);
        requests.push(spawn_request(request, &progress, workload.deadline, work));
    }
    for i in 0..workload.scrapes {
        let session = i % manager.sessions();
        let m = Arc::clone(&manager);
        let work = async move { m.scrape(session).await.map(drop) };
        let request = Request::new("scrape", i as u64 + 1, session);
        requests.push(spawn_request(request, &progress, workload.deadline, work));
    }
    let mut finished = Vec::new();
    for handle in requests {
        finished.push(handle.await.expect("a request task ended"));
    }
    if let Err(e) = supervisor.await.expect("the supervisor ended") {
        panic!("{e}");
    }
    let mut sends_at_rest = Vec::new();
    let mut at_rest = Vec::new();
    for session in 0..manager.sessions() {
        let seq = 100 + session as u64;
        sends_at_rest.push(manager.send(session, seq, workload.deadline / 30).await);
        at_rest.push(
            manager
                .scrape(session)
                .await
                .expect("a scrape at rest gets the lock"),
        );
    }
    Summary {
        finished,
        cancelled: progress.cancelled().await,
        sends_at_rest,
        at_rest,
        free_permits: manager.free_permits(),
    }
}

/// One request of the flow: its kind (`send`, `scrape`), session and name.
struct Request {
    kind: &'static str,
    session: usize,
    name: String,
}

impl Request {
    fn new(kind: &'static str, number: u64, session: usize) -> Self {
        Request {
            kind,
            session,
            name: format!("{kind} {number} (session {session})"),
        }
    }
}

/// Spawns a request under its caller's `deadline`: it records how it ended with `progress`
/// (which wakes the supervisor) and checks that a timeout ended it at the deadline's instant.
/// Each kind of ending is a coverage point (`send done`, `scrape cancelled`, ...).
fn spawn_request(
    request: Request,
    progress: &Arc<Progress>,
    deadline: Duration,
    work: impl std::future::Future<Output = Result<(), RequestError>> + Send + 'static,
) -> task::JoinHandle<Finished> {
    let progress = Arc::clone(progress);
    task::spawn(async move {
        let Request {
            kind,
            session,
            name,
        } = request;
        let started = Instant::now();
        let outcome = match time::timeout(deadline, work).await {
            Ok(Ok(())) => Outcome::Done,
            Ok(Err(e)) => Outcome::Failed(e),
            Err(_) => Outcome::Cancelled,
        };
        let timed_out = matches!(
            outcome,
            Outcome::Cancelled | Outcome::Failed(RequestError::Timeout { .. })
        );
        let took = started.elapsed();
        if lockstep::SIMULATED && timed_out {
            // Every request starts at once and every timeout is `deadline` long, so a timeout
            // ends the request at exactly `deadline` of virtual time, whichever fired.
            assert_eq!(
                took, deadline,
                "{name} timed out after {took:?} of virtual time, not at its {deadline:?} deadline"
            );
        }
        let at = Instant::now().since_start();
        lockstep::coverage::hit(&match &outcome {
            Outcome::Done => format!("{kind} done"),
            Outcome::Failed(RequestError::Timeout { what, .. }) => {
                format!("{kind} timed out on {what}")
            }
            Outcome::Failed(RequestError::Busy { .. }) => format!("{kind} refused: busy"),
            Outcome::Cancelled => format!("{kind} cancelled"),
        });
        let cancelled = (outcome == Outcome::Cancelled).then(|| {
            lockstep::trace::event(&name, format!("cancelled by its {deadline:?} deadline"));
            Cancelled {
                request: name.clone(),
                session,
                at,
            }
        });
        progress.finish(cancelled).await;
        Finished {
            request: name,
            outcome,
            at,
        }
    })
}

/// The invariants at rest: the final send on every session went through, every session's
/// outbox holds whole messages only and no busy mark, and every permit is back. Panics with
/// what broke, naming the cancelled request responsible.
///
/// ```
/// use lockstep::time::Duration;
/// use model::async_session::scenario::{check_at_rest, Summary};
/// use model::async_session::Scraped;
///
/// check_at_rest(&Summary {
///     finished: Vec::new(),
///     cancelled: Vec::new(),
///     sends_at_rest: vec![Ok(())],
///     at_rest: vec![Scraped { delivered: vec![100], ..Scraped::default() }],
///     free_permits: 2,
/// }, 2);
/// ```
pub fn check_at_rest(summary: &Summary, permits: usize) {
    let cancelled_on = |session: usize| -> String {
        let names: Vec<String> = summary
            .cancelled
            .iter()
            .filter(|c| c.session == session)
            .map(|c| format!("{}, cancelled at t = {:?}", c.request, c.at))
            .collect();
        if names.is_empty() {
            "no request on it was cancelled".to_owned()
        } else {
            names.join("; ")
        }
    };
    for (session, sent) in summary.sends_at_rest.iter().enumerate() {
        if let Err(e) = sent {
            panic!(
                "session {session} refused a send at rest, with no send in flight ({e}): {} at \
                 an await point and never cleared its busy mark",
                cancelled_on(session)
            );
        }
    }
    for (session, scraped) in summary.at_rest.iter().enumerate() {
        if let Some(seq) = scraped.half_written.first() {
            panic!(
                "session {session} holds message {seq} half-written at rest (its header without \
                 its body): {}; the timeout cancelled the send but not the write made before \
                 its await",
                cancelled_on(session)
            );
        }
        assert!(
            !scraped.busy,
            "session {session} is still marked busy at rest: {}",
            cancelled_on(session)
        );
        let last = 100 + session as u64;
        assert!(
            scraped.delivered.last() == Some(&last),
            "session {session}'s final send (message {last}) is not last in its outbox: {:?}",
            scraped.delivered
        );
    }
    assert!(
        summary.free_permits == permits,
        "{} of {permits} operation permits free at rest: a permit leaked",
        summary.free_permits
    );
}

/// One execution of the scenario for `variant`.
fn scrape_send(variant: Variant) {
    let scrapes = size("scrapes", 2);
    let config = Config {
        bugs: Bugs::from_variant(variant),
        ..Config::default()
    };
    let permits = config.operation_permits;
    let manager = AsyncSessionManager::new(config);
    let progress = Progress::new(variant.has_bug(NOTIFY_WAITERS_BEFORE_WAIT));
    let workload = Workload::new(Duration::from_secs(1), scrapes);
    // Boxed: the flow's future is large in debug builds, and `block_on` runs on a shuttle
    // coroutine's stack (60 KiB), which POS's random number generator alone takes 28 KiB of.
    let summary = block_on(Box::pin(run_flow(manager, progress, workload)));
    check_at_rest(&summary, permits);
}

/// The async session manager's scenario.
pub const SCENARIO: Scenario = Scenario {
    name: "async-session-scrape-send",
    about: "async sends and scrapes under 30 s deadlines: cancellation leaves no trace, the supervisor sees every finish",
    bugs: &[
        BUSY_FLAG_ACROSS_AWAIT,
        NOTIFY_WAITERS_BEFORE_WAIT,
        HALF_WRITTEN_ON_TIMEOUT,
    ],
    run: scrape_send,
};
