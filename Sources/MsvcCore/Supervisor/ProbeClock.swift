import Synchronization

/// One timer for the probes of every stack in the process: a probe waits here for its slot
/// (`StackSupervisor.probeSlot`), and the probes due at one slot wake together from one timer
/// instead of one each (docs/DECISIONS.md, "Probe timers share slots").
final class ProbeClock: Sendable {
    /// The clock every supervisor's probes use.
    static let shared = ProbeClock()

    private struct Waiter {
        var slot: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        /// The slot the running timer waits for, and its generation (a newer timer retires it).
        var target: ContinuousClock.Instant?
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Returns at `slot` (or at once when it has passed, or when the task is cancelled).
    func sleep(until slot: ContinuousClock.Instant) async {
        if slot <= ContinuousClock.now || Task.isCancelled { return }
        let id = state.withLock { s in
            s.nextID &+= 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let (cancelled, start) = state.withLock { s -> (Bool, UInt64?) in
                    if Task.isCancelled { return (true, nil) }
                    s.waiters[id] = Waiter(slot: slot, continuation: c)
                    guard s.target.map({ slot < $0 }) ?? true else { return (false, nil) }
                    s.target = slot
                    s.generation &+= 1
                    return (false, s.generation)
                }
                if cancelled { c.resume() }
                if let start { startTimer(start, until: slot) }
            }
        } onCancel: {
            let w = state.withLock { $0.waiters.removeValue(forKey: id) }
            w?.continuation.resume()
        }
    }

    /// Sleeps until `slot`, then wakes every waiter due and waits for the next slot, for as
    /// long as it is the newest timer and someone waits.
    private func startTimer(_ generation: UInt64, until slot: ContinuousClock.Instant) {
        Task.detached { [self] in
            var next = slot
            while true {
                try? await Task.sleep(until: next, clock: .continuous)
                let now = ContinuousClock.now
                let (due, following) = state.withLock { s -> ([CheckedContinuation<Void, Never>], ContinuousClock.Instant?) in
                    guard s.generation == generation else { return ([], nil) }
                    var due: [CheckedContinuation<Void, Never>] = []
                    var following: ContinuousClock.Instant?
                    for (id, w) in s.waiters {
                        if w.slot <= now {
                            due.append(w.continuation)
                            s.waiters[id] = nil
                        } else if following.map({ w.slot < $0 }) ?? true {
                            following = w.slot
                        }
                    }
                    s.target = following
                    return (due, following)
                }
                for c in due { c.resume() }
                guard let following else { return }
                next = following
            }
        }
    }
}
