//! The async surface's tests that hold on every simulation backend: the full outcome set of
//! an exploration, or the failure a program must produce. `surface_tests!(outcomes, failure)`
//! expands them in a test file that includes the programs (`mpsc`, `rwlock`, `interval`,
//! `select` from tests/async_programs/) and has `BTreeSet` and `Duration` in scope:
//! `outcomes(body)` collects every outcome of an exploration, `failure(body)` returns the
//! failure one finds (tests/shuttle_async_surface.rs: random search; tests/loom_async_surface.rs:
//! exhaustive).

macro_rules! surface_tests {
    ($outcomes:path, $failure:path) => {
        #[test]
        fn two_senders_reach_both_orders() {
            assert_eq!(
                $outcomes(mpsc::two_senders),
                BTreeSet::from([vec![1, 2], vec![2, 1]])
            );
        }

        #[test]
        fn one_senders_messages_arrive_in_order_among_anothers() {
            assert_eq!(
                $outcomes(mpsc::fifo_per_sender),
                BTreeSet::from([
                    vec![10, 1, 2, 3],
                    vec![1, 10, 2, 3],
                    vec![1, 2, 10, 3],
                    vec![1, 2, 3, 10]
                ])
            );
        }

        #[test]
        fn a_send_racing_the_receivers_drop_succeeds_or_gets_its_message_back() {
            assert_eq!(
                $outcomes(mpsc::send_races_the_receivers_drop),
                BTreeSet::from([Ok(()), Err(7)])
            );
        }

        #[test]
        fn a_cancelled_send_passes_the_slot_set_aside_for_it_to_the_next_sender() {
            // `first` was aborted before it took its slot (its 1 never sent) or after it sent.
            assert_eq!(
                $outcomes(mpsc::a_cancelled_send_passes_its_slot_on),
                BTreeSet::from([vec![0, 1, 2], vec![0, 2]])
            );
        }

        #[test]
        fn a_receiver_nobody_sends_to_is_a_deadlock_that_names_the_channel() {
            let failure = $failure(mpsc::a_receiver_nobody_sends_to);
            assert!(
                failure
                    .message
                    .contains(r#"main  awaits to recv on Channel "jobs""#),
                "{failure}"
            );
        }

        #[test]
        fn readers_share_the_rwlock_and_see_the_write_before_or_after() {
            let seen = $outcomes(rwlock::readers_share_and_a_writer_excludes);
            // Overlapping readers read the same value; the writer can come before, between or after.
            assert_eq!(
                seen,
                BTreeSet::from([
                    (0, 0, false),
                    (0, 0, true),
                    (0, 1, false),
                    (1, 0, false),
                    (1, 1, false),
                    (1, 1, true),
                ])
            );
        }

        #[test]
        fn a_queued_writer_holds_up_later_readers() {
            assert_eq!(
                $outcomes(rwlock::a_queued_writer_holds_up_later_readers),
                BTreeSet::from([(false, 1)])
            );
        }

        #[test]
        fn an_aborted_writer_hands_the_lock_granted_to_it_on() {
            // The writer was aborted before it took its grant (0) or after it wrote (1).
            assert_eq!(
                $outcomes(rwlock::an_aborted_granted_writer_hands_the_lock_on),
                BTreeSet::from([0, 1])
            );
        }

        #[test]
        fn try_lock_is_refused_while_the_mutex_is_held_or_handed_on() {
            assert_eq!(
                $outcomes(rwlock::try_lock_refuses_while_held),
                BTreeSet::from([(true, true, true)])
            );
        }

        #[test]
        fn a_forgotten_permit_is_not_given_back() {
            assert_eq!(
                $outcomes(rwlock::a_forgotten_permit_is_gone_for_good),
                BTreeSet::from([(1, true)])
            );
        }

        #[test]
        fn missed_interval_ticks_come_in_a_burst() {
            assert_eq!(
                $outcomes(interval::missed_ticks_burst),
                BTreeSet::from([vec![(0, 0), (10, 25), (20, 25), (30, 30)]])
            );
        }

        #[test]
        fn a_timeout_cuts_an_interval_at_its_deadline() {
            assert_eq!(
                $outcomes(interval::a_timeout_cuts_an_interval),
                BTreeSet::from([(3, 25)])
            );
        }

        #[test]
        fn interval_ticks_are_due_one_period_apart() {
            let ms = Duration::from_millis;
            assert_eq!(
                $outcomes(interval::ticks_are_due_one_period_apart),
                BTreeSet::from([vec![ms(0), ms(10), ms(20)]])
            );
        }

        #[test]
        fn a_biased_select_takes_the_first_ready_branch() {
            assert_eq!(
                $outcomes(select::biased_takes_the_first_ready),
                BTreeSet::from(["first"])
            );
        }

        #[test]
        fn a_message_beats_a_later_timer_in_select() {
            assert_eq!(
                $outcomes(select::a_message_beats_a_timer),
                BTreeSet::from([("message", 5)])
            );
        }

        #[test]
        fn a_select_on_two_silent_channels_is_a_deadlock_naming_both() {
            let failure = $failure(select::a_select_on_two_silent_channels);
            assert!(
                failure
                    .message
                    .contains(r#"main  awaits to recv on Channel "a" or to recv on Channel "b""#),
                "{failure}"
            );
        }
    };
}
