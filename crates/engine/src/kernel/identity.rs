//! Which thread record the running task is: the one lookup on every operation's path, and the
//! one place in the kernel where loom and shuttle differ.
//!
//! Under loom, a loom thread-local holds the index. Under shuttle, whose thread-locals are a
//! hash map per task, a table from shuttle's dense task ids to thread indices instead.

pub(super) use imp::Identity;

#[cfg(loom)]
mod imp {
    use std::cell::Cell;

    loom::thread_local! {
        static CURRENT: Cell<usize> = Cell::new(0);
    }

    /// Loom: the index lives in the running loom thread's own thread-local (0 on the thread
    /// that installed the kernel, which is `main`).
    pub(in crate::kernel) struct Identity;

    impl Identity {
        /// The identity table of an execution whose calling task is `main`.
        pub(in crate::kernel) fn main() -> Identity {
            Identity
        }

        /// The running task is thread `index`, which starts now.
        pub(in crate::kernel) fn started(&mut self, index: usize) {
            CURRENT.with(|c| c.set(index));
        }

        /// The running task's thread index, if it is one of the `threads` threads.
        #[inline]
        pub(in crate::kernel) fn current(&self, threads: usize) -> Option<usize> {
            Some(CURRENT.with(Cell::get)).filter(|&index| index < threads)
        }
    }
}

#[cfg(feature = "shuttle")]
mod imp {
    /// Shuttle: task id → thread index (`usize::MAX`: a task that is not a lockstep thread).
    pub(in crate::kernel) struct Identity {
        task_threads: Vec<usize>,
    }

    fn task() -> usize {
        usize::from(shuttle::current::me())
    }

    impl Identity {
        /// The identity table of an execution whose calling task is `main`.
        pub(in crate::kernel) fn main() -> Identity {
            let mut task_threads = vec![usize::MAX; task()];
            task_threads.push(0);
            Identity { task_threads }
        }

        /// The running task is thread `index`, which starts now.
        pub(in crate::kernel) fn started(&mut self, index: usize) {
            let task = task();
            if self.task_threads.len() <= task {
                self.task_threads.resize(task + 1, usize::MAX);
            }
            debug_assert_eq!(
                self.task_threads[task],
                usize::MAX,
                "lockstep: task {task} started a second thread"
            );
            self.task_threads[task] = index;
        }

        /// The running task's thread index, if it is one of the `threads` threads.
        #[inline]
        pub(in crate::kernel) fn current(&self, threads: usize) -> Option<usize> {
            let index = *self.task_threads.get(task())?;
            debug_assert!(
                index == usize::MAX || index < threads,
                "lockstep: task {} maps to thread {index} of {threads}",
                task()
            );
            Some(index).filter(|&index| index != usize::MAX)
        }

        /// Thread index by task id (`usize::MAX`: not a lockstep thread).
        pub(in crate::kernel) fn by_task(&self) -> &[usize] {
            &self.task_threads
        }
    }
}
