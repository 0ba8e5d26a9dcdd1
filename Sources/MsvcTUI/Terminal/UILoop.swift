import CNcurses
import Foundation
import MsvcCore

/// The dashboard's UI loop. It runs on one dedicated thread, owns curses and the state, and
/// sleeps in `poll` on stdin, the event queue and the signal pipe; it never spins. Frames are
/// coalesced: whatever arrives within 1/30 s is drawn in one frame.
final class UILoop {
    static let frameInterval = 1.0 / 30.0

    private var state: DashboardState
    private let queue: EventQueue
    private let actions: AsyncStream<StackAction>.Continuation
    private let noColor: Bool
    private var signalFDs: [Int32] = [0, 0]

    init(state: DashboardState, queue: EventQueue, actions: AsyncStream<StackAction>.Continuation, noColor: Bool) {
        self.state = state
        self.queue = queue
        self.actions = actions
        self.noColor = noColor
    }

    /// Runs until the user quits; restores the terminal before returning.
    func run() -> DashboardExit {
        pipe(&signalFDs)
        for fd in signalFDs { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(signalFDs[0]); close(signalFDs[1]) }
        let screen = CursesScreen(signalFD: signalFDs[1], noColor: noColor)
        defer { screen.stop() }
        state.color = screen.color
        (state.width, state.height) = screen.size
        state.now = Date()
        state.utcOffset = TimeZone.current.secondsFromGMT(for: state.now)
        var dirty = true
        var lastFrame = 0.0
        var wakePending = false
        var nextTick = Self.clock() + 1
        while true {
            let now = Self.clock()
            let frameDue = lastFrame + Self.frameInterval
            var timeout: Double
            if dirty || wakePending { timeout = max(0, frameDue - now) } else { timeout = max(0, nextTick - now) }
            timeout = min(timeout, 1)
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: signalFDs[0], events: Int16(POLLIN), revents: 0)]
            // While a frame is not yet due, leave the queue's pipe out: its byte stays unread
            // and the batch keeps growing until the next frame takes it in one go.
            if !wakePending { fds.append(pollfd(fd: queue.readFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32((timeout * 1000).rounded(.up)))
            var effects: [DashboardEffect] = []
            if ready > 0 {
                if fds[1].revents != 0 {
                    for sig in readSignals() {
                        switch sig {
                        case SIGWINCH:
                            let size = screen.resize()
                            effects += state.reduce(.resize(width: size.width, height: size.height))
                        case SIGCONT: screen.invalidate()
                        default: effects += state.reduce(.terminate)
                        }
                        dirty = true
                    }
                }
                if fds[0].revents != 0 {
                    for key in screen.readKeys() {
                        state.now = Date()
                        effects += state.reduce(.key(key))
                        dirty = true
                    }
                }
                if fds.count > 2, fds[2].revents != 0 { wakePending = true }
            }
            let t = Self.clock()
            if wakePending && t >= lastFrame + Self.frameInterval {
                wakePending = false
                let (events, logs) = queue.drain()
                for e in events { effects += state.reduce(e) }
                if !logs.isEmpty { effects += state.reduce(.logs(logs)) }
                dirty = true
            }
            if t >= nextTick {
                nextTick = t + 1
                effects += state.reduce(.tick(Date()))
                dirty = true
            }
            for effect in effects {
                switch effect {
                case .perform(let action): actions.yield(action)
                case .openPager:
                    openPager(screen)
                    dirty = true
                case .quit(let exit): return exit
                }
            }
            if dirty && t >= lastFrame + Self.frameInterval {
                state.now = Date()
                screen.draw(Renderer.render(state))
                lastFrame = Self.clock()
                dirty = false
            }
        }
    }

    private func readSignals() -> [Int32] {
        var out: [Int32] = []
        var byte: UInt8 = 0
        while read(signalFDs[0], &byte, 1) == 1 { out.append(Int32(byte)) }
        return out
    }

    /// Leaves curses, shows the current view in `$PAGER` (default `less -R`), and comes back.
    private func openPager(_ screen: CursesScreen) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("msvc-dash-\(getpid()).txt").path
        do { try PagerExport.text(state).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            _ = state.reduce(.actionDone(ActionResult(ok: false, message: "cannot write \(path): \(error.localizedDescription)")))
            return
        }
        defer { unlink(path) }
        let pager = ProcessInfo.processInfo.environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -R"
        screen.suspend()
        let status = Self.spawnAndWait(["/bin/sh", "-c", "\(pager) \"$1\"", "sh", path])
        screen.resume()
        // Ctrl-C inside the pager reached msvc too; it was meant for the pager.
        _ = readSignals().filter { $0 == SIGWINCH }
        let size = screen.size
        _ = state.reduce(.resize(width: size.width, height: size.height))
        if status != 0 {
            _ = state.reduce(.actionDone(ActionResult(ok: false, message: "\(pager) exited with status \(status)")))
        }
    }

    private static func spawnAndWait(_ args: [String]) -> Int32 {
        var pid: pid_t = 0
        var cargs = args.map { strdup($0) }
        cargs.append(nil)
        defer { cargs.forEach { free($0) } }
        let rc = posix_spawn(&pid, args[0], nil, nil, cargs, msvc_environ())
        guard rc == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Monotonic seconds.
    static func clock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// The text `$PAGER` shows: the services table and every line of the current log view.
enum PagerExport {
    /// The export for the pager.
    static func text(_ state: DashboardState) -> String {
        var wide = state
        wide.width = max(state.width, 80)
        wide.height = max(state.height, 12 + (state.snapshot?.services.count ?? 0) * 2)
        wide.overlay = nil
        wide.input = nil
        let grid = Renderer.render(wide)
        let layout = Layout(wide)
        let rows = grid.text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for y in 0..<layout.logTitle where y < rows.count {
            out += rows[y].replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        out += "\n"
        let counts = Dictionary((state.snapshot?.services ?? []).map { ($0.name, $0.replicas.count) }) { a, _ in a }
        for e in state.logs.entries where state.shows(e) {
            let r = e.record
            let mark = r.stream == .stderr ? "!" : r.stream == .system ? "*" : "|"
            let name = ReplicaID.label(service: r.service, replica: r.replica, replicas: counts[r.service] ?? 1)
            out += "\(Format.clock(r.time, offset: state.utcOffset)) \(name) \(mark) \(r.text)\n"
        }
        return out
    }
}
