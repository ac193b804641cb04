//! Fault plans: which named fault sites fire, how often, and the deterministic draws behind it.
//!
//! Which sites fire is drawn from the execution's fault seed with ChaCha8 (portable, stable
//! streams), **one stream per thread**, so a thread's draws never shift with how the other
//! threads were scheduled. Model code passes through sites with `lockstep::fault::point`; the
//! plan and the fault seed go into the seed file, so a failure replays with the same faults.
//!
//! ```
//! use lockstep_engine::fault_plan::{fires, thread_stream, FaultKind, FaultPlan, FaultSite};
//! use std::time::Duration;
//!
//! const SEND: FaultSite = FaultSite::new("session.send", FaultKind::NetworkError);
//! let plan = FaultPlan::every_kind(0.05, Duration::from_millis(100)).site("session.send", 1.0);
//! assert_eq!(plan.rate(&SEND), 1.0);
//! assert!(fires(&mut thread_stream(7, 1), plan.rate(&SEND)));
//! ```
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// The kinds of fault a site can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum FaultKind {
    /// The operation fails with an error.
    OperationError,
    /// The operation times out.
    Timeout,
    /// Acquiring a lock times out.
    LockTimeout,
    /// The network fails.
    NetworkError,
    /// Input fails validation.
    ValidationError,
    /// Extra latency: the site sleeps the plan's latency (virtual time) and goes on.
    Latency,
    /// An async task is cancelled at an await point: the pending future is dropped there
    /// (`lockstep::tokio::fault::cancellable`).
    Cancellation,
}

impl FaultKind {
    /// Every kind, in declaration order.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::OperationError,
        FaultKind::Timeout,
        FaultKind::LockTimeout,
        FaultKind::NetworkError,
        FaultKind::ValidationError,
        FaultKind::Latency,
        FaultKind::Cancellation,
    ];
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FaultKind::OperationError => "operation error",
            FaultKind::Timeout => "timeout",
            FaultKind::LockTimeout => "lock timeout",
            FaultKind::NetworkError => "network error",
            FaultKind::ValidationError => "validation error",
            FaultKind::Latency => "latency",
            FaultKind::Cancellation => "cancellation",
        })
    }
}

/// A named place in model code where a fault may be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultSite {
    /// Unique name, as plans and traces refer to it.
    pub name: &'static str,
    /// What it injects.
    pub kind: FaultKind,
}

impl FaultSite {
    /// A site called `name` injecting `kind`.
    pub const fn new(name: &'static str, kind: FaultKind) -> Self {
        FaultSite { name, kind }
    }
}

/// An injected fault, as `lockstep::fault::point` returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("injected {kind} at fault site `{site}`")]
pub struct Fault {
    /// The site's name.
    pub site: &'static str,
    /// What was injected.
    pub kind: FaultKind,
}

/// How often faults fire: per kind, overridden per site. Rates are probabilities in `[0, 1]`;
/// a site with rate 0 draws nothing, so adding sites never shifts the other draws.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct FaultPlan {
    /// Rate for every site of a kind.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub kinds: BTreeMap<FaultKind, f64>,
    /// Rate for one site, by name (wins over its kind's rate).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub sites: BTreeMap<String, f64>,
    /// How long a latency fault sleeps, in milliseconds of virtual time.
    #[cfg_attr(feature = "serde", serde(default))]
    pub latency_ms: u64,
    /// Sites that draw as usual but never fire: how the shrinker removes a fault without
    /// shifting the draws of the faults it keeps.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")
    )]
    pub muted: std::collections::BTreeSet<String>,
}

impl FaultPlan {
    /// A plan where nothing fires.
    pub fn none() -> Self {
        FaultPlan::default()
    }

    /// Every kind of fault at probability `rate`, latency faults sleeping `latency`: the plan
    /// `lockstep explore` injects by default (5 %, 100 ms).
    pub fn every_kind(rate: f64, latency: Duration) -> Self {
        FaultKind::ALL
            .into_iter()
            .fold(FaultPlan::none(), |plan, kind| plan.kind(kind, rate))
            .latency(latency)
    }

    /// Every site of `kind` fires with probability `rate`.
    pub fn kind(mut self, kind: FaultKind, rate: f64) -> Self {
        self.kinds.insert(kind, rate);
        self
    }

    /// The site `name` fires with probability `rate`.
    pub fn site(mut self, name: &str, rate: f64) -> Self {
        self.sites.insert(name.to_owned(), rate);
        self
    }

    /// Latency faults sleep `latency` (virtual time under simulation).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Site `name` keeps drawing but never fires.
    pub fn mute(mut self, name: &str) -> Self {
        self.muted.insert(name.to_owned());
        self
    }

    /// Whether no fault can fire.
    pub fn is_empty(&self) -> bool {
        self.kinds
            .values()
            .chain(self.sites.values())
            .all(|r| *r <= 0.0)
    }

    /// The probability that `site` fires.
    pub fn rate(&self, site: &FaultSite) -> f64 {
        self.sites
            .get(site.name)
            .or_else(|| self.kinds.get(&site.kind))
            .copied()
            .unwrap_or(0.0)
    }
}

/// One thread's stream of draws: the fault seed, with the thread's index as the ChaCha stream.
pub fn thread_stream(fault_seed: u64, thread: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(fault_seed);
    rng.set_stream(thread as u64);
    rng
}

/// One thread's stream of `lockstep::random` draws: the fault seed, with a stream of its own
/// beside the thread's fault stream, so random draws never shift which faults fire.
///
/// ```
/// use lockstep_engine::fault_plan::{random_stream, thread_stream};
/// use rand_chacha::rand_core::RngCore;
///
/// assert_eq!(random_stream(7, 1).next_u64(), random_stream(7, 1).next_u64());
/// assert_ne!(random_stream(7, 1).next_u64(), thread_stream(7, 1).next_u64());
/// ```
pub fn random_stream(fault_seed: u64, thread: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(fault_seed);
    rng.set_stream((1 << 32) | thread as u64);
    rng
}

/// Whether a draw from `rng` fires at `rate` (no draw at all for rate 0).
pub fn fires(rng: &mut ChaCha8Rng, rate: f64) -> bool {
    if rate <= 0.0 {
        return false;
    }
    // 53 random bits, as a uniform value in [0, 1).
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    unit < rate
}

/// The fault seed of execution `execution` of an exploration seeded `seed` (SplitMix64).
pub fn execution_seed(seed: u64, execution: usize) -> u64 {
    let mut z = seed ^ (execution as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
