import Foundation
import MsvcCore
import Synchronization

/// Events from Swift tasks to the UI thread. Posting is cheap and never blocks: the queue is
/// a locked array, and the UI thread is woken by one byte on a pipe only when the queue goes
/// from empty to non-empty, so a flood of log lines costs one wake-up per frame, not per line.
final class EventQueue: Sendable {
    private struct State {
        var events: [DashboardEvent] = []
        var logs: [LogRecord] = []
        var signalled = false
        var droppedLogs = 0
    }

    private let state = Mutex(State())
    /// Read end: the UI loop polls it.
    let readFD: Int32
    private let writeFD: Int32
    /// At most this many log lines wait for the UI; older ones are dropped (the dashboard
    /// keeps fewer than this anyway).
    let logLimit: Int

    init(logLimit: Int = 20_000) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        readFD = fds[0]
        writeFD = fds[1]
        self.logLimit = logLimit
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Queues an event.
    func post(_ event: DashboardEvent) {
        let wake = state.withLock { s -> Bool in
            s.events.append(event)
            defer { s.signalled = true }
            return !s.signalled
        }
        if wake { poke() }
    }

    /// Queues a log line.
    func post(log record: LogRecord) { post(logs: [record]) }

    /// Adds log lines in one step: one lock and at most one wake-up per batch.
    func post(logs records: [LogRecord]) {
        guard !records.isEmpty else { return }
        let wake = state.withLock { s -> Bool in
            s.logs.append(contentsOf: records)
            if s.logs.count > logLimit + logLimit / 2 {
                let extra = s.logs.count - logLimit
                s.logs.removeFirst(extra)
                s.droppedLogs += extra
            }
            defer { s.signalled = true }
            return !s.signalled
        }
        if wake { poke() }
    }

    /// Everything queued, logs as one batch after the other events.
    func drain() -> (events: [DashboardEvent], logs: [LogRecord]) {
        var byte: UInt8 = 0
        while read(readFD, &byte, 1) == 1 {}
        return state.withLock { s in
            let out = (s.events, s.logs)
            s.events.removeAll(keepingCapacity: true)
            s.logs.removeAll(keepingCapacity: true)
            s.signalled = false
            return out
        }
    }

    private func poke() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}
