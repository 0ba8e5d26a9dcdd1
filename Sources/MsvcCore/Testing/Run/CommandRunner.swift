import Foundation
import Synchronization

/// How a suite command ended and what it printed.
public struct CommandOutcome: Sendable, Equatable {
    /// How it exited; nil when it could not be started.
    public var status: ExitStatus?
    /// Why it could not be started.
    public var launchError: String?
    /// stdout and stderr lines in the order msvc read them, the newest `CommandRunner.keptLines`.
    public var lines: [String]
    /// Older lines not kept.
    public var droppedLines: Int
    /// How long it ran.
    public var duration: Duration

    /// Whether it exited with code 0.
    public var succeeded: Bool { status == .exited(0) }

    /// Everything kept, one string, saying how much was left out.
    public var output: String {
        (droppedLines > 0 ? ["... \(droppedLines) earlier lines not kept"] : []).joined() + (droppedLines > 0 ? "\n" : "")
            + lines.joined(separator: "\n")
    }

    /// The last `count` lines.
    public func tail(_ count: Int) -> [String] { Array(lines.suffix(count)) }

    /// `exited with code 1`, `killed by SIGTERM`, or why it could not start.
    public var summary: String { launchError.map { "could not start: \($0)" } ?? status?.description ?? "did not finish" }
}

/// Runs suite commands (`run:`, unit `test:`, scenario `run:` steps) through `/bin/sh -c`, each
/// in its own process group with its output captured, and stops them when the calling task
/// is cancelled. One per `msvc test` run: one launcher thread, one watchdog (so nothing
/// outlives msvc, even after SIGKILL) and one output thread for every command.
public final class CommandRunner: Sendable {
    /// Lines kept per command.
    public static let keptLines = 5_000

    private let launcher: ProcessLauncher
    private let capture: OutputCapture
    private let buffers: OutputBuffers
    private let counter = Atomic<Int>(0)

    /// Starts the launcher and output threads.
    public init() throws(LaunchError) {
        let buffers = OutputBuffers()
        self.buffers = buffers
        capture = try OutputCapture { lines in buffers.append(lines) }
        launcher = try ProcessLauncher(capture: capture)
    }

    /// Runs `script` with exactly `environment` in `cwd` until it exits, or until the calling
    /// task is cancelled (then its group gets SIGTERM, and SIGKILL 3 s later). Anything it
    /// left running in its process group is killed when it exits. `echo` hears each line live.
    public func run(_ script: String, environment: [String: String], cwd: String,
                    echo: (@Sendable (String) -> Void)? = nil) async -> CommandOutcome {
        let source = LogSource(service: "command-\(counter.add(1, ordering: .relaxed).newValue)")
        buffers.open(source, echo: echo)
        defer { buffers.close(source) }
        let spec = LaunchSpec(arguments: ["/bin/sh", "-c", script], environment: environment, cwd: cwd, source: source)
        let started = ContinuousClock.now
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(spec)
        } catch {
            return CommandOutcome(status: nil, launchError: error.description, lines: [], droppedLines: 0,
                                  duration: ContinuousClock.now - started)
        }
        let status = await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await process.waitForExit() }
            group.addTask {
                // Parked until the command exits (then it clears up the group) or the caller is
                // cancelled (then it stops the command, which ends the wait above).
                try? await Task.sleep(for: .seconds(366 * 86_400))
                if !process.isGroupGone { _ = await process.stop(signal: SIGTERM, timeout: .seconds(3)) }
                return nil
            }
            var result = ExitStatus.unknown
            while let next = await group.next() {
                if let status = next {
                    result = status
                    group.cancelAll()
                }
            }
            return result
        }
        _ = await process.waitForOutputClosed(timeout: .seconds(2))
        if !process.isGroupGone { process.killGroup() }
        let (lines, dropped) = buffers.take(source)
        return CommandOutcome(status: status, launchError: nil, lines: lines, droppedLines: dropped,
                              duration: ContinuousClock.now - started)
    }

    /// Kills every command still running, waits for them, and stops the threads.
    public func shutdown() async {
        await launcher.shutdown()
        await capture.shutdown()
    }
}

/// Output of running commands, by command, fed by the capture thread.
final class OutputBuffers: Sendable {
    private struct Buffer {
        var lines: [String] = []
        var dropped = 0
        var echo: (@Sendable (String) -> Void)?
    }

    private let state = Mutex<[LogSource: Buffer]>([:])

    /// Starts collecting the output of one command.
    func open(_ source: LogSource, echo: (@Sendable (String) -> Void)?) {
        state.withLock { $0[source] = Buffer(echo: echo) }
    }

    /// Forgets a finished command.
    func close(_ source: LogSource) {
        _ = state.withLock { $0.removeValue(forKey: source) }
    }

    /// Runs on the capture thread: must not wait for anything but the lock.
    func append(_ lines: [LogLine]) {
        let echoes: [(@Sendable (String) -> Void, String)] = state.withLock { s in
            var echoes: [(@Sendable (String) -> Void, String)] = []
            for line in lines where s[line.source] != nil {
                // In place: copying the buffer out and back would copy its lines every time.
                s[line.source]!.lines.append(line.text)
                if s[line.source]!.lines.count > CommandRunner.keptLines * 2 {
                    let extra = s[line.source]!.lines.count - CommandRunner.keptLines
                    s[line.source]!.lines.removeFirst(extra)
                    s[line.source]!.dropped += extra
                }
                if let e = s[line.source]!.echo { echoes.append((e, line.text)) }
            }
            return echoes
        }
        for (echo, text) in echoes { echo(text) }
    }

    /// The newest kept lines of a command, and how many were dropped.
    func take(_ source: LogSource) -> (lines: [String], dropped: Int) {
        state.withLock { s in
            guard let b = s[source] else { return ([], 0) }
            let extra = max(0, b.lines.count - CommandRunner.keptLines)
            return (Array(b.lines.dropFirst(extra)), b.dropped + extra)
        }
    }
}
