import Synchronization

/// Tells waiting tasks that the stack changed. Waits are cancellable, and a waiter names the
/// services it cares about, so a change to one service wakes only the tasks watching it
/// (a dependency wait) and the ones watching everything (readiness, the change stream).
final class ChangeSignal: Sendable {
    private struct Waiter {
        var topics: Set<String>?
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var version: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Increases with every change; read it before checking a condition, then wait after it.
    var version: UInt64 { state.withLock { $0.version } }

    /// Records a change to `topic` (a service name; nil: the whole stack) and wakes its waiters.
    func notify(_ topic: String? = nil) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.version &+= 1
            var out: [CheckedContinuation<Void, Never>] = []
            for (id, w) in s.waiters where topic == nil || w.topics == nil || w.topics!.contains(topic!) {
                out.append(w.continuation)
                s.waiters[id] = nil
            }
            return out
        }
        for c in woken { c.resume() }
    }

    /// Returns once something changed after `version` (for `topics`, or anything when nil),
    /// or the task is cancelled.
    func wait(after version: UInt64, topics: Set<String>? = nil) async {
        let id = state.withLock { s in
            s.nextID &+= 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.version != version || Task.isCancelled { return true }
                    s.waiters[id] = Waiter(topics: topics, continuation: c)
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let w = state.withLock { $0.waiters.removeValue(forKey: id) }
            w?.continuation.resume()
        }
    }

    /// Like `wait(after:topics:)`, but returns after `limit` at the latest.
    func wait(after version: UInt64, topics: Set<String>? = nil, limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: version, topics: topics) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
