import Synchronization

extension HTTPClient {
    /// `send` that returns nil as soon as the calling task is cancelled (a suite timeout or
    /// Ctrl-C) instead of waiting for the exchange's own timeout, which then ends it in the
    /// background. The shared client's `send` does not observe cancellation.
    func sendUnlessCancelled(_ request: HTTPRequest, timeout: Duration) async -> Result<HTTPResponse, HTTPClientError>? {
        let gate = ResumeOnce<Result<HTTPResponse, HTTPClientError>?>()
        let client = self
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                gate.arm(continuation)
                // Unstructured on purpose: the exchange must be able to outlive a cancelled caller,
                // and it ends by itself within `timeout`.
                Task {
                    do throws(HTTPClientError) {
                        gate.resume(.success(try await client.send(request, timeout: timeout)))
                    } catch {
                        gate.resume(.failure(error))
                    }
                }
            }
        } onCancel: {
            gate.resume(nil)
        }
    }
}

/// Resumes a continuation once, with whichever value comes first; values that come before the
/// continuation is armed are kept for it.
final class ResumeOnce<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, Never>?
        var early: Value?
        var done = false
    }

    private let state = Mutex(State())

    /// Hands over the continuation; resumes it at once if a value came first.
    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        let early: Value? = state.withLock { s in
            if let v = s.early {
                s.early = nil
                s.done = true
                return v
            }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Resumes with `value` unless something already did.
    func resume(_ value: Value) {
        let c: CheckedContinuation<Value, Never>? = state.withLock { s in
            guard !s.done else { return nil }
            guard let c = s.continuation else {
                if s.early == nil { s.early = value }
                return nil
            }
            s.continuation = nil
            s.done = true
            return c
        }
        c?.resume(returning: value)
    }
}
