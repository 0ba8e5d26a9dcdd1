import Foundation
import Synchronization

/// Runs user-supplied log matching (`--grep`) on a few threads of its own, never on Swift's
/// cooperative pool or the supervisor's actor: a slow pattern then costs one of these threads
/// for at most its time budget, while probes, restarts and `ps` run on as usual.
///
/// Shared by every stack in the process, as NIO's event loops are.
final class QueryRunner: Sendable {
    /// The runner for the process.
    static let shared = QueryRunner(threads: 2, queueLimit: 16)

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var started = 0
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let threads: Int
    private let queueLimit: Int

    /// A runner that starts up to `threads` threads as work arrives and queues up to `queueLimit` jobs.
    init(threads: Int, queueLimit: Int) {
        self.threads = threads
        self.queueLimit = queueLimit
    }

    /// Runs `work` on a runner thread and returns its result, or throws `timeout` once
    /// `deadline` has passed, whether or not the work has noticed (`work` checks the deadline
    /// itself between lines; an engine that cannot be interrupted finishes in the background).
    /// Throws `busy` when too many queries are waiting already.
    func run<T: Sendable>(until deadline: ContinuousClock.Instant, busy: ControlError, timeout: ControlError,
                          _ work: @escaping @Sendable () throws(ControlError) -> T) async throws(ControlError) -> T {
        let once = Once<Result<T, ControlError>>()
        let result: Result<T, ControlError> = await withTaskGroup(of: Result<T, ControlError>?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Result<T, ControlError>, Never>) in
                        once.arm(c)
                        let accepted = self.submit {
                            let r: Result<T, ControlError>
                            do throws(ControlError) { r = .success(try work()) } catch { r = .failure(error) }
                            once.resume(r)
                        }
                        if !accepted { once.resume(.failure(busy)) }
                    }
                } onCancel: {
                    once.resume(.failure(timeout))
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline + .milliseconds(100), clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(timeout)
        }
        return try result.get()
    }

    private func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, startThread) = state.withLock { s -> (Bool, Bool) in
            guard s.jobs.count < queueLimit else { return (false, false) }
            s.jobs.append(job)
            guard s.started < threads else { return (true, false) }
            s.started += 1
            return (true, true)
        }
        guard accepted else { return false }
        if startThread {
            let thread = Thread { [self] in loop() }
            thread.name = "msvc-log-query"
            thread.stackSize = 1 << 20
            thread.start()
        }
        wake.signal()
        return true
    }

    private func loop() {
        // A user's query yields the CPU to the supervisor's own threads (probes, restarts,
        // answers): nice 10. On Linux the nice value belongs to the thread, and `who` 0 is the
        // calling one, so the rest of the supervisor keeps its priority.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        while true {
            wake.wait()
            let job = state.withLock { s -> (@Sendable () -> Void)? in s.jobs.isEmpty ? nil : s.jobs.removeFirst() }
            job?()
        }
    }
}

/// A continuation resumed by whichever of several parties comes first (the others are ignored).
final class Once<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, Never>?, early: T?, done: Bool)>((nil, nil, false))

    /// Sets the continuation; resumes it at once if a value came first.
    func arm(_ c: CheckedContinuation<T, Never>) {
        let early = state.withLock { s -> T? in
            if let e = s.early { s.done = true; s.early = nil; return e }
            s.continuation = c
            return nil
        }
        if let early { c.resume(returning: early) }
    }

    /// Resumes with `value` unless resumed already.
    func resume(_ value: T) {
        let c = state.withLock { s -> CheckedContinuation<T, Never>? in
            guard !s.done else { return nil }
            guard let c = s.continuation else {
                if s.early == nil { s.early = value }
                return nil
            }
            s.done = true
            s.continuation = nil
            return c
        }
        c?.resume(returning: value)
    }
}
