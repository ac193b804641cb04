//! `select!`: waits on several futures at once, runs the handler of the first to complete and
//! drops (cancels) the others, like `tokio::select!`.
//!
//! Branches are polled in a random order at every poll, as tokio's are, unless the first
//! token is `biased;` (then in the order written). Under simulation the order is a draw from
//! the execution's `lockstep::random` stream: part of the seed, so a failing order replays
//! exactly, and fresh in every execution under random, PCT and POS (DFS keeps one fault seed
//! for the run, so it sees one order per draw). Under std it is a draw from the thread's
//! entropy stream. One macro serves both backends, so a program that compiles on one
//! compiles on the other.
//!
//! Supported: `pattern = future => handler` branches (a handler is an expression or a block),
//! `biased;`, and a final `else => handler`. A branch whose output does not match its
//! pattern is disabled and the others go on; once every branch is disabled the `else`
//! handler runs (without one, it panics, as tokio's does). Not yet: `, if condition`
//! preconditions, more than 8 branches, and `mut` bindings in a refutable pattern (the
//! pattern is tried on a reference to the output: bind without `mut` and rebind in the
//! handler).

/// The index of the branch polled first, out of `branches` (random unless `biased`).
#[doc(hidden)]
pub fn __select_start(branches: usize, biased: bool) -> usize {
    if biased || branches < 2 {
        0
    } else {
        crate::random::gen_range(0..branches)
    }
}

/// Where the polling task's registrations stand before a `select!` polls its branches: the
/// waits its losing branches register in that poll are withdrawn when it completes
/// ([`__select_done`]), since those futures are dropped and await nothing.
#[doc(hidden)]
pub struct __SelectMark(crate::ghost::AwaitsMark);

/// Marks where the polling task's registrations stand (see [`__SelectMark`]).
#[doc(hidden)]
pub fn __select_mark() -> __SelectMark {
    __SelectMark(crate::ghost::awaits_mark())
}

/// A `select!` completes in this poll: what its branches registered since `mark` is withdrawn.
#[doc(hidden)]
pub fn __select_done(mark: __SelectMark) {
    crate::ghost::withdraw_awaits(mark.0);
}

/// The branch polled at `turn` (0, 1, ...) of a poll that starts at `start`.
#[doc(hidden)]
pub fn __select_turn(start: usize, turn: usize, branches: usize) -> usize {
    (start + turn) % branches
}

/// Waits on several futures at once, runs the handler of the first to complete, and drops
/// the others: `lockstep::tokio::select!`, shaped like `tokio::select!` (see the module's
/// notes for what is supported). Branches are polled in an order the explorer draws from the
/// seed, so both orders of two ready branches are explored; `biased;` polls them in order.
///
/// ```
/// use lockstep::tokio::{block_on, select, sync::mpsc, time};
///
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// tx.send(3).unwrap();
/// let got = block_on(async {
///     select! {
///         biased;
///         Some(n) = rx.recv() => n,
///         _ = time::sleep(time::Duration::from_secs(1)) => 0,
///     }
/// });
/// assert_eq!(got, 3);
/// ```
#[macro_export]
macro_rules! __lockstep_select {
    (biased; $($branches:tt)*) => {
        $crate::__lockstep_select_munch!(
            @biased(true) @done() @slots((_0 0) (_1 1) (_2 2) (_3 3) (_4 4) (_5 5) (_6 6) (_7 7))
            $($branches)*
        )
    };
    ($($branches:tt)*) => {
        $crate::__lockstep_select_munch!(
            @biased(false) @done() @slots((_0 0) (_1 1) (_2 2) (_3 3) (_4 4) (_5 5) (_6 6) (_7 7))
            $($branches)*
        )
    };
}

/// `select!`'s parser: takes the branches one by one, giving each a slot (a name and an index).
#[doc(hidden)]
#[macro_export]
macro_rules! __lockstep_select_munch {
    // The end, with an `else` handler.
    (@biased($biased:tt) @done($($done:tt)*) @slots($($unused:tt)*) else => $else:expr $(,)?) => {
        $crate::__lockstep_select_expand!(@biased($biased) @else({ $else }) $($done)*)
    };
    // The end, without one.
    (@biased($biased:tt) @done($($done:tt)*) @slots($($unused:tt)*)) => {
        $crate::__lockstep_select_expand!(@biased($biased) @else({
            ::core::panic!("all branches are disabled and there is no else branch")
        }) $($done)*)
    };
    // A branch with a block handler and a comma.
    (@biased($biased:tt) @done($($done:tt)*) @slots(($slot:ident $index:tt) $($slots:tt)*)
        $pattern:pat = $future:expr => $handler:block, $($rest:tt)*) => {
        $crate::__lockstep_select_munch!(
            @biased($biased) @done($($done)* [$slot $index ($pattern) ($future) ($handler)])
            @slots($($slots)*) $($rest)*
        )
    };
    // A branch with a block handler and no comma (one is optional after a block).
    (@biased($biased:tt) @done($($done:tt)*) @slots(($slot:ident $index:tt) $($slots:tt)*)
        $pattern:pat = $future:expr => $handler:block $($rest:tt)*) => {
        $crate::__lockstep_select_munch!(
            @biased($biased) @done($($done)* [$slot $index ($pattern) ($future) ($handler)])
            @slots($($slots)*) $($rest)*
        )
    };
    // A branch with an expression handler, followed by more.
    (@biased($biased:tt) @done($($done:tt)*) @slots(($slot:ident $index:tt) $($slots:tt)*)
        $pattern:pat = $future:expr => $handler:expr, $($rest:tt)*) => {
        $crate::__lockstep_select_munch!(
            @biased($biased) @done($($done)* [$slot $index ($pattern) ($future) ($handler)])
            @slots($($slots)*) $($rest)*
        )
    };
    // The last branch, with an expression handler.
    (@biased($biased:tt) @done($($done:tt)*) @slots(($slot:ident $index:tt) $($slots:tt)*)
        $pattern:pat = $future:expr => $handler:expr) => {
        $crate::__lockstep_select_expand!(@biased($biased) @else({
            ::core::panic!("all branches are disabled and there is no else branch")
        }) $($done)* [$slot $index ($pattern) ($future) ($handler)])
    };
    (@biased($biased:tt) @done($($done:tt)*) @slots() $($rest:tt)+) => {
        ::core::compile_error!("lockstep::tokio::select! takes at most 8 branches")
    };
}

/// `select!`'s code: the futures pinned in slots, polled from a drawn start until one
/// completes with an output its pattern matches; the others are dropped before its handler.
#[doc(hidden)]
#[macro_export]
macro_rules! __lockstep_select_expand {
    (@biased($biased:tt) @else($else:expr)
        $([$slot:ident $index:tt ($pattern:pat) ($future:expr) ($handler:expr)])+) => {{
        #[allow(non_camel_case_types)]
        enum __Output<$($slot),+> {
            $($slot($slot),)+
            Disabled,
        }
        const __BRANCHES: usize = [$($index),+].len();
        let __output = {
            $(
                let mut $slot = ::core::pin::pin!(::core::future::IntoFuture::into_future($future));
            )+
            let mut __disabled = [false; __BRANCHES];
            ::core::future::poll_fn(|__cx| {
                let __mark = $crate::tokio::__select_mark();
                let __start = $crate::tokio::__select_start(__BRANCHES, $biased);
                for __turn in 0..__BRANCHES {
                    let __branch = $crate::tokio::__select_turn(__start, __turn, __BRANCHES);
                    $(
                        if __branch == $index && !__disabled[$index] {
                            if let ::core::task::Poll::Ready(__out) =
                                ::core::future::Future::poll($slot.as_mut(), __cx)
                            {
                                __disabled[$index] = true;
                                #[allow(unused_variables, irrefutable_let_patterns)]
                                if let $pattern = &__out {
                                    $crate::tokio::__select_done(__mark);
                                    return ::core::task::Poll::Ready(__Output::$slot(__out));
                                }
                            }
                        }
                    )+
                }
                if __disabled.iter().all(|d| *d) {
                    $crate::tokio::__select_done(__mark);
                    ::core::task::Poll::Ready(__Output::Disabled)
                } else {
                    ::core::task::Poll::Pending
                }
            })
            .await
        };
        match __output {
            $(
                __Output::$slot(__out) => {
                    #[allow(unreachable_patterns)]
                    match __out {
                        $pattern => $handler,
                        _ => ::core::unreachable!("a select! branch's pattern matched its output"),
                    }
                }
            )+
            __Output::Disabled => $else,
        }
    }};
}
