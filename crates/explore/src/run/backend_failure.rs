//! A failure the backend raised itself, in lockstep's words: what it means, which threads it
//! concerns and what to do. Shuttle's and loom's own panics ("deadlock! task .. tried to
//! acquire a RwLock it already holds", "invalid internal loom state", their deadlock checks)
//! would otherwise reach the user as the backend wrote them, naming its internals and nothing
//! of the program. The backends' bounds on an execution's length (shuttle's max_steps, loom's
//! branches) are not translated here: the harness reports them as a livelock, with what each
//! thread retried (`spin_bound_report`), before this translation is asked.
//!
//! The backend's own words are kept on the last line, so nothing is lost; a message lockstep
//! wrote (or the program's own panic) passes unchanged.

/// `message`, the first panic of a failing execution, translated if the backend wrote it.
/// `threads` lists the execution's live threads, one line each with what it waits for (see
/// `lockstep_engine::kernel::last_live_threads`).
pub(crate) fn translate(message: String, threads: &str) -> String {
    let Some((meaning, advice)) = explain(&message) else {
        return message;
    };
    let threads = if threads.is_empty() {
        String::new()
    } else {
        format!("\n  threads still running when it stopped:{threads}")
    };
    format!("{meaning}{threads}\n  what to do: {advice}\n  (the backend said: {message})")
}

/// What a backend message means and what to do about it, if it is one lockstep knows.
fn explain(message: &str) -> Option<(String, &'static str)> {
    if let Some(rest) = message.strip_prefix("deadlock! task ") {
        let (task, kind) = rest.split_once(" tried to acquire a ")?;
        let kind = kind.split_whitespace().next().unwrap_or("lock");
        return Some((
            format!(
                "deadlock: thread {task} asked for a {kind} it already holds (shuttle's \
                 re-entrance check); on a real machine it would wait for itself forever"
            ),
            "release the first guard before locking again, or take the lock once and pass the \
             guard (or the data) down",
        ));
    }
    if message.starts_with("deadlock! blocked tasks") || message.starts_with("deadlock; threads") {
        return Some((
            "deadlock: every thread is blocked in the backend (found by the backend's own \
             check, outside any lockstep primitive)"
                .to_owned(),
            "look for a raw std, shuttle or loom primitive the threads block on, and use the \
             lockstep one, which names the object and its holder",
        ));
    }
    if message.starts_with("invalid internal loom state") {
        return Some((
            "loom's books disagree with the program: a lock was released by a thread that \
             loom does not see holding it, usually after an earlier panic unwound through a \
             guard, or a loom object used outside the execution that made it"
                .to_owned(),
            "look for an earlier panic in this execution (it is the real failure), and make \
             every lockstep object inside the test body",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::translate;

    const THREADS: &str = "\n  main      waits to join reader\n  reader    is not blocked";

    #[test]
    fn shuttle_re_entrance_names_the_thread_and_the_kind() {
        let text = translate(
            "deadlock! task reader(1) tried to acquire a RwLock it already holds".into(),
            THREADS,
        );
        assert!(
            text.starts_with("deadlock: thread reader(1) asked for a RwLock it already holds"),
            "{text}"
        );
        assert!(
            text.contains("threads still running when it stopped:\n  main"),
            "{text}"
        );
        assert!(
            text.contains("what to do: release the first guard"),
            "{text}"
        );
        assert!(text.ends_with("(the backend said: deadlock! task reader(1) tried to acquire a RwLock it already holds)"));
    }

    #[test]
    fn loom_messages_are_explained() {
        let state = translate("invalid internal loom state".into(), "");
        assert!(state.starts_with("loom's books disagree"), "{state}");
        let deadlock = translate("deadlock; threads = [(0, Blocked)]".into(), THREADS);
        assert!(
            deadlock.starts_with("deadlock: every thread is blocked in the backend"),
            "{deadlock}"
        );
    }

    #[test]
    fn lockstep_and_program_messages_pass_unchanged() {
        for message in [
            "deadlock: every thread is blocked",
            "assertion failed: x == 2",
        ] {
            assert_eq!(translate(message.into(), THREADS), message);
        }
    }

    /// The bounds are the livelock report's (the harness's `spin_bound_report`), one path only.
    #[test]
    fn the_backends_length_bounds_are_left_to_the_livelock_report() {
        for message in [
            "exceeded max_steps bound 1000000. this might be caused by an unfair schedule (e.g., a spin loop)?",
            "Model exceeded maximum number of branches. This is often caused by an algorithm requiring the processor to make progress, e.g. spin locks.",
        ] {
            assert_eq!(translate(message.into(), THREADS), message);
        }
    }
}
