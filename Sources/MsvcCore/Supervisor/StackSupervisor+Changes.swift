import Foundation
import Synchronization

extension StackSupervisor {
    /// The least time between two snapshots of the change stream: changes closer together
    /// are coalesced into one.
    public static let changeInterval: Duration = .milliseconds(100)
    /// A snapshot comes at least this often, changed or not: CPU and memory move on their own.
    public static let refreshInterval: Duration = .seconds(1)

    /// Snapshots as the stack changes: one at once, then one after each change (at most one
    /// per `changeInterval`) and one per `refreshInterval` regardless; ends after the snapshot
    /// of the stopped stack. Pulled by the consumer: nothing is computed or queued ahead, so a
    /// slow consumer gets the newest state when it asks, not a backlog.
    public nonisolated func changes() async throws -> AsyncThrowingStream<StackSnapshot, any Error> {
        let pace = ChangePace()
        return AsyncThrowingStream(unfolding: { await self.nextChange(pace) })
    }

    /// Waits for the next change (or refresh) at the stream's pace and returns its snapshot.
    nonisolated func nextChange(_ pace: ChangePace) async -> StackSnapshot? {
        let last = pace.state.withLock { $0 }
        if last.ended { return nil }
        if let sent = last.sentAt {
            let now = ContinuousClock.now
            let refresh = sent + Self.refreshInterval
            if now < refresh { await signal.wait(after: last.version, limit: now.duration(to: refresh)) }
            let earliest = sent + Self.changeInterval
            if ContinuousClock.now < earliest { try? await Task.sleep(until: earliest, clock: .continuous) }
        }
        if Task.isCancelled { return nil }
        // The version is read before the snapshot: a change while it is taken is sent next time.
        let version = signal.version
        let (snapshot, finished) = await snapshotAndFinished()
        pace.state.withLock { $0 = (version, ContinuousClock.now, finished) }
        return snapshot
    }

    /// The snapshot now, and whether the stack has finished.
    func snapshotAndFinished() -> (StackSnapshot, Bool) {
        (currentSnapshot(), lifecycle == .finished)
    }
}

/// Where one change stream is: the change version and time of the last snapshot it sent.
final class ChangePace: Sendable {
    /// The change version, when it was sent, and whether the stream is over.
    let state = Mutex<(version: UInt64, sentAt: ContinuousClock.Instant?, ended: Bool)>((0, nil, false))
}
