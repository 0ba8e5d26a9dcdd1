import Foundation
import MsvcCore

/// The live dashboard: a full-screen view of a running stack, driven only through
/// `StackControl`, so it works in-process (`msvc up`) and over the socket (`msvc dash`).
public enum Dashboard {
    /// How to run the dashboard.
    public struct Options: Sendable {
        /// Whether quitting asks to stop the stack or detach (`msvc up`), or just detaches (`msvc dash`).
        public var ownsStack: Bool
        /// The project name shown until the first snapshot arrives.
        public var project: String
        /// Plain output without colour (`--no-color`; NO_COLOR is honoured too).
        public var noColor: Bool
        /// Stored lines fetched at start.
        public var initialLines: Int

        /// Creates options.
        public init(ownsStack: Bool, project: String, noColor: Bool = false, initialLines: Int = 2_000) {
            self.ownsStack = ownsStack
            self.project = project
            self.noColor = noColor
            self.initialLines = initialLines
        }
    }

    /// Whether stdin and stdout are a terminal the dashboard can use.
    public static var canRun: Bool {
        isatty(0) == 1 && isatty(1) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" && !$0.isEmpty } == true
    }

    /// Runs the dashboard on the terminal until the user quits, then restores the terminal.
    /// Returns `.stopStack` when the user asked to stop a stack it owns (the caller stops it),
    /// `.detached` when the user left it running, `.stackGone` when the stack went away. The
    /// state and the dependency graph come from the running stack (`StackControl.changes`).
    public static func run(control: any StackControl, ownsStack: Bool, project: String, noColor: Bool = false) async -> DashboardExit {
        await run(control: control, options: Options(ownsStack: ownsStack, project: project, noColor: noColor))
    }

    /// Runs the dashboard with `options`.
    public static func run(control: any StackControl, options: Options) async -> DashboardExit {
        let noColor = options.noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let queue = EventQueue()
        let (actions, actionSink) = AsyncStream.makeStream(of: StackAction.self)
        let state = DashboardState(project: options.project, ownsStack: options.ownsStack)

        return await withTaskGroup(of: DashboardExit?.self) { group in
            group.addTask {
                // Cancelling the caller's task closes the dashboard as SIGTERM would.
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (done: CheckedContinuation<DashboardExit, Never>) in
                        let thread = Thread {
                            let loop = UILoop(state: state, queue: queue, actions: actionSink, noColor: noColor)
                            done.resume(returning: loop.run())
                        }
                        thread.name = "msvc-dashboard-ui"
                        thread.stackSize = 8 << 20
                        thread.start()
                    }
                } onCancel: {
                    queue.post(.terminate)
                }
            }
            group.addTask {
                await watchChanges(control, into: queue)
                return nil
            }
            group.addTask {
                await followLogs(control, lines: options.initialLines, into: queue)
                return nil
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { running in
                    for await action in actions {
                        running.addTask { await perform(action, on: control, into: queue) }
                    }
                }
                return nil
            }
            var exit = DashboardExit.detached
            for await result in group {
                if let result {
                    exit = result
                    actionSink.finish()
                    group.cancelAll()
                }
            }
            return exit
        }
    }

    /// Posts the stack's state as it changes (the supervisor paces it: at most about ten a
    /// second, and once a second for CPU and memory); reconnects when the stream ends.
    static func watchChanges(_ control: any StackControl, into queue: EventQueue) async {
        while !Task.isCancelled {
            do {
                for try await snapshot in try await control.changes() { queue.post(.snapshot(snapshot)) }
                if Task.isCancelled { return }
                queue.post(.snapshotFailed("the stack stopped"))
            } catch {
                if Task.isCancelled { return }
                queue.post(.snapshotFailed(String(describing: error)))
            }
            // The stack may be restarting its socket; try again shortly.
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Streams log lines to the UI, reconnecting quietly if the stream ends.
    static func followLogs(_ control: any StackControl, lines: Int, into queue: EventQueue) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let stream = try await control.follow(LogQuery(tail: attempt == 0 ? lines : 0))
                for try await event in stream {
                    switch event {
                    case .records(let batch): queue.post(logs: batch)
                    case .missed(let n): queue.post(.logsMissed(n))
                    }
                }
                if Task.isCancelled { return }
                if attempt == 0 { queue.post(.logsEnded(nil)) }
            } catch {
                if Task.isCancelled { return }
                if attempt == 0 { queue.post(.logsEnded(String(describing: error))) }
            }
            // The stack may be restarting its socket; try again quietly.
            attempt += 1
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Runs one action and posts its result, then a fresh snapshot.
    static func perform(_ action: StackAction, on control: any StackControl, into queue: EventQueue) async {
        let result: ActionResult
        do {
            switch action {
            case .restart(let s): result = try await control.restart([s])
            case .stop(let s): result = try await control.stop([s])
            case .start(let s): result = try await control.start([s])
            case .scale(let s, let n): result = try await control.scale(s, to: n)
            case .watch(let s, let on): result = try await control.watch(s, enabled: on)
            }
        } catch {
            result = ActionResult(ok: false, message: String(describing: error))
        }
        queue.post(.actionDone(result))
    }
}
