import Synchronization

/// A value set once by a dedicated thread and awaited by any number of tasks.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
        var nextID = 0
    }

    private enum Immediate { case value(Value), cancelled, waiting }

    private let state = Mutex(State())

    /// Creates an empty one-shot.
    init() {}

    /// The value, if it has been set.
    var value: Value? { state.withLock { $0.value } }

    /// Sets the value and wakes every waiter; later calls are ignored. Returns whether it was set now.
    @discardableResult
    func fulfill(_ value: Value) -> Bool {
        let waiters: [CheckedContinuation<Value?, Never>]? = state.withLock { s in
            guard s.value == nil else { return nil }
            s.value = value
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: value) }
        return true
    }

    /// Waits for the value; returns nil if the task is cancelled first.
    func wait() async -> Value? {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let immediate: Immediate = state.withLock { s in
                    if let v = s.value { return .value(v) }
                    if Task.isCancelled { return .cancelled }
                    s.waiters[id] = continuation
                    return .waiting
                }
                switch immediate {
                case .value(let v): continuation.resume(returning: v)
                case .cancelled: continuation.resume(returning: nil)
                case .waiting: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits for the value however long it takes, even when the task is cancelled.
    func waitIgnoringCancellation() async -> Value {
        if let v = value { return v }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            let ready: Value? = state.withLock { s in
                if let v = s.value { return v }
                s.nextID += 1
                s.waiters[s.nextID] = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }!
    }

    /// Waits at most `timeout`; nil on timeout or cancellation.
    func wait(timeout: Duration) async -> Value? {
        if let v = value { return v }
        return await withTaskGroup(of: Value?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.value
        }
    }
}
