import Foundation
import MsvcCore

/// A key press, decoded by the backend (or made up by tests).
public enum Key: Sendable, Equatable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab
    /// Ctrl-C (the terminal is in raw mode, so it arrives as a key, not a signal).
    case interrupt
}

/// Everything that can change the dashboard.
public enum DashboardEvent: Sendable {
    case key(Key)
    case snapshot(StackSnapshot)
    case snapshotFailed(String)
    case logs([LogRecord])
    case logsEnded(String?)
    /// The log stream fell behind the stack: this many lines were skipped (the files keep them).
    case logsMissed(Int)
    case resize(width: Int, height: Int)
    case tick(Date)
    case actionDone(ActionResult)
    /// SIGINT/SIGTERM/SIGHUP from outside.
    case terminate
}

/// An action on the stack the dashboard asked for.
public enum StackAction: Sendable, Equatable {
    case restart(String), stop(String), start(String)
    case scale(String, Int)
    /// Turn watch mode on (true) or off for a watched service.
    case watch(String, Bool)
}

/// What the reducer asks the loop to do.
public enum DashboardEffect: Sendable, Equatable {
    case perform(StackAction)
    case openPager
    case quit(DashboardExit)
}

/// How the dashboard ended.
public enum DashboardExit: Sendable, Equatable {
    /// The user left; the stack keeps running (`msvc dash`, or `d` when quitting `msvc up`).
    case detached
    /// The user asked to stop the stack it owns; the caller stops it.
    case stopStack
    /// The stack went away underneath it.
    case stackGone
}

/// Table columns that can be sorted on.
public enum SortKey: String, Sendable, CaseIterable {
    case file, name, state, cpu, memory, restarts
}

/// A line of text being typed at the bottom.
public enum InputMode: Sendable, Equatable {
    case filter(String)
    case search(String)
}

/// A box drawn over the dashboard.
public enum Overlay: Sendable, Equatable {
    case help, graph, probe, confirmQuit
}

/// The dashboard's whole state: what the stack looks like and what the user is looking at.
/// A plain value changed only by `reduce`, so it can be rendered and tested without a terminal.
public struct DashboardState: Sendable {
    // What the stack said.
    /// Project name.
    public var project: String
    /// Whether quitting asks to stop the stack or detach (msvc up), or just detaches (msvc dash).
    public var ownsStack: Bool
    /// The latest snapshot.
    public var snapshot: StackSnapshot?
    /// Why the last snapshot failed, if it did.
    public var connectionError: String?
    /// Dependencies by service, with file order, for the dependency view (from the running
    /// stack's snapshot).
    public var dependencies: [(service: String, needs: [Dependency])]
    /// Log lines received.
    public var logs = LogBuffer()

    // The screen.
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The clock used for uptimes and countdowns.
    public var now: Date
    /// Whether colours are used (off for NO_COLOR and monochrome terminals).
    public var color = true
    /// Offset from UTC for log timestamps, seconds.
    public var utcOffset = 0

    // What the user chose.
    /// The selected service.
    public var selected: String?
    /// Table order.
    public var sort: SortKey = .file
    /// Reverse the table order.
    public var sortDescending = false
    /// Only services whose name contains this.
    public var filter = ""
    /// Logs of every service merged, instead of the selected one (the first view: the first
    /// service is often a one-shot like `migrate`, and the merged view shows what is going on).
    public var merged = true
    /// Keep the newest line at the bottom.
    public var follow = true
    /// Matching lines hidden below the view when not following.
    public var scroll = 0
    /// Wrap long lines.
    public var wrap = false
    /// Show every field of JSON lines, not just level and message.
    public var jsonFields = false
    /// Only lines at or above this level.
    public var minLevel: LogLevel?
    /// Search text, highlighted in the log pane.
    public var search = ""
    /// The line the search is at.
    public var searchCursor: UInt64?
    /// Text being typed.
    public var input: InputMode?
    /// The box on top, if any.
    public var overlay: Overlay?
    /// Services whose crash or build-failed panel the user closed.
    public var crashPanelHidden: Set<String> = []
    /// The last action's result and when it came.
    public var status: (text: String, ok: Bool, at: Date)?
    /// Actions sent and not yet answered.
    public var pending = 0
    /// Snapshots that failed in a row.
    public var snapshotFailures = 0

    /// Creates the state for a stack.
    public init(project: String, ownsStack: Bool, dependencies: [(service: String, needs: [Dependency])] = [],
                width: Int = 120, height: Int = 34, now: Date = Date()) {
        self.project = project
        self.ownsStack = ownsStack
        self.dependencies = dependencies
        self.width = width
        self.height = height
        self.now = now
    }

    /// The services shown in the table, filtered and sorted.
    public var visibleServices: [ServiceSnapshot] {
        guard let snapshot else { return [] }
        var list = snapshot.services
        if !filter.isEmpty { list = list.filter { $0.name.localizedCaseInsensitiveContains(filter) } }
        let order = Dictionary(uniqueKeysWithValues: snapshot.services.enumerated().map { ($1.name, $0) })
        func key(_ s: ServiceSnapshot) -> Double {
            switch sort {
            case .file: return Double(order[s.name] ?? 0)
            case .name: return 0
            case .state: return Double(ServiceSummary(s, now: now).category.rawValue)
            case .cpu: return -(s.replicas.compactMap(\.cpuPercent).reduce(0, +))
            case .memory: return -Double(s.replicas.compactMap(\.rssBytes).reduce(0, +))
            case .restarts: return -Double(s.replicas.map(\.restarts).reduce(0, +))
            }
        }
        list.sort { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return sortDescending ? ka > kb : ka < kb }
            return sortDescending ? a.name > b.name : a.name < b.name
        }
        return list
    }

    /// The selected service's snapshot.
    public var selectedService: ServiceSnapshot? {
        snapshot?.services.first { $0.name == selected }
    }

    /// Whether a log line is in the current view (service, level).
    public func shows(_ e: LogEntry) -> Bool {
        if !merged, let selected, e.record.service != selected { return false }
        if let minLevel {
            guard let l = e.level, l >= minLevel else { return false }
        }
        return true
    }

    /// The crash details to show for the selected service, if it is crashing.
    public var crashingReplica: ReplicaSnapshot? {
        guard !merged, let svc = selectedService, !crashPanelHidden.contains(svc.name) else { return nil }
        return svc.replicas.first { ServiceSummary.isCrashing($0) }
    }

    /// The selected service's failed watch-mode build, to show with its last lines (in every
    /// view: the previous version keeps serving, so nothing else would say the edit did not land).
    public var failedBuild: (service: String, watch: WatchSnapshot)? {
        guard let svc = selectedService, let w = svc.watch, w.state == .buildFailed, !crashPanelHidden.contains(svc.name),
              crashingReplica == nil else { return nil }
        return (svc.name, w)
    }

    /// Services whose last watch-mode build failed, in file order.
    public var failedBuilds: [String] {
        snapshot?.services.filter { $0.watch?.state == .buildFailed }.map(\.name) ?? []
    }

    /// Replicas whose log file cannot be written (a full disk), with the problem.
    public var logFileProblems: [(replica: String, problem: LogFileProblem)] {
        snapshot?.services.flatMap { $0.replicas.compactMap { r in r.logFileProblem.map { (r.name, $0) } } } ?? []
    }

    /// `name http://127.0.0.1:PORT` for each service with a port, in file order.
    public var serviceURLs: [(service: String, url: String)] {
        snapshot?.services.compactMap { s in s.port.map { (s.name, "\(Self.localBase):\($0)") } } ?? []
    }

    /// Where services listen.
    public static let localBase = "http://127.0.0.1"
}

/// How watch mode is doing for a service, as the table marks it.
public enum WatchMark {
    /// The glyph after the service's name, or nil when it is not watched.
    public static func glyph(_ w: WatchSnapshot?) -> String? {
        guard let w else { return nil }
        switch w.state {
        case .watching: return "◉"
        case .pending, .building, .restarting: return "↻"
        case .buildFailed: return "✖"
        case .off: return "○"
        }
    }

    /// A word for the status line and the legend.
    public static func word(_ state: WatchSnapshot.State) -> String {
        switch state {
        case .watching: return "watching"
        case .pending: return "change seen"
        case .building: return "building"
        case .buildFailed: return "build failed"
        case .restarting: return "restarting"
        case .off: return "watch off"
        }
    }
}

/// How a service is doing, in the header's five categories.
public struct ServiceSummary: Sendable {
    /// Header categories, worst last.
    public enum Category: Int, Sendable { case healthy, starting, stopped, unhealthy, crashed }

    /// The category.
    public var category: Category
    /// The state word for the table.
    public var stateText: String
    /// Replicas ready / desired.
    public var ready: Int

    /// Summarises a service.
    public init(_ s: ServiceSnapshot, now: Date) {
        var worst: Category = s.replicas.isEmpty ? .stopped : .healthy
        var text = s.replicas.first.map { Self.stateText($0, now: now) } ?? "stopped"
        var ready = 0
        for r in s.replicas {
            let c = Self.category(r)
            if c == .healthy { ready += 1 }
            if c.rawValue > worst.rawValue || (c == .starting && worst == .healthy) {
                worst = c
                text = Self.stateText(r, now: now)
            }
        }
        category = worst
        stateText = text
        self.ready = ready
    }

    /// Whether a replica is crashing: crash-looping, failed, or waiting to restart after a failure.
    public static func isCrashing(_ r: ReplicaSnapshot) -> Bool {
        switch r.state {
        case .crashLoop, .failed, .backoff: return true
        case .exited: return !(r.lastExit?.isSuccess ?? true)
        default: return false
        }
    }

    /// The header category of one replica.
    static func category(_ r: ReplicaSnapshot) -> Category {
        if isCrashing(r) { return .crashed }
        switch r.state {
        case .pending, .starting: return .starting
        case .running:
            switch r.health {
            case .healthy, .none: return .healthy
            case .unknown: return .starting
            case .unhealthy: return .unhealthy
            }
        case .stopping, .stopped, .exited: return .stopped
        case .crashLoop, .failed, .backoff: return .crashed
        }
    }

    /// `running`, `exited(3)`, `backoff 2s`, `crash-loop`.
    public static func stateText(_ r: ReplicaSnapshot, now: Date) -> String {
        if r.state == .backoff, let at = r.nextRestartAt {
            return "backoff \(max(0, Int(at.timeIntervalSince(now).rounded(.up))))s"
        }
        if r.state == .exited, let e = r.lastExit {
            switch e {
            case .exited(let c): return "exited(\(c))"
            case .signaled(let s): return "exited(\(ProcessSignal.name(of: s)))"
            case .unknown: return "exited(?)"
            }
        }
        return r.state.rawValue
    }
}
