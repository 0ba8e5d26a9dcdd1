import Foundation
import Synchronization
import Testing

@testable import MsvcCore

/// Collects every line a capture emits, per source and stream.
final class LineCollector: Sendable {
    private let lines = Mutex<[LogSource: [LogStream: [LogLine]]]>([:])

    /// The sink to hand to `OutputCapture`.
    var sink: OutputCapture.Sink {
        { [self] batch in
            // A batch always comes from one stream of one source.
            guard let first = batch.first else { return }
            lines.withLock { all in all[first.source, default: [:]][first.stream, default: []].append(contentsOf: batch) }
        }
    }

    /// The lines of one stream so far.
    func lines(_ source: LogSource, _ stream: LogStream = .stdout) -> [LogLine] {
        lines.withLock { $0[source]?[stream] ?? [] }
    }

    /// The texts of one stream so far.
    func texts(_ source: LogSource, _ stream: LogStream = .stdout) -> [String] {
        lines(source, stream).map(\.text)
    }
}

/// A launcher with its capture and collector, torn down however the test ends.
struct LauncherFixture {
    let launcher: ProcessLauncher
    let capture: OutputCapture
    let collector: LineCollector

    /// Launches with the test PATH and the given cwd.
    func launch(_ arguments: [String], env: [String: String] = [:], cwd: String = "/",
                source: LogSource = LogSource(service: "svc")) async throws -> LaunchedProcess {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        environment.merge(env) { $1 }
        return try await launcher.launch(
            LaunchSpec(arguments: arguments, environment: environment, cwd: cwd, source: source))
    }

    /// Launches, waits for exit and for the output to end.
    func run(_ arguments: [String], env: [String: String] = [:], cwd: String = "/",
             source: LogSource = LogSource(service: "svc")) async throws -> (MsvcCore.ExitStatus?, LaunchedProcess) {
        let process = try await launch(arguments, env: env, cwd: cwd, source: source)
        let status = await process.waitForExit(timeout: .seconds(20))
        #expect(await process.waitForOutputClosed(timeout: .seconds(20)))
        return (status, process)
    }
}

/// Runs `body` with a fresh launcher; every process it started is killed afterwards, even when
/// `body` throws.
/// `sinkDelay` (microseconds) makes the sink slow on purpose.
func withLauncher<R>(
    watchdog: Bool = true, sinkDelay: UInt32 = 0, _ body: (LauncherFixture) async throws -> R
) async throws -> R {
    let collector = LineCollector()
    let collect = collector.sink
    let capture = try OutputCapture(sink: { batch in
        if sinkDelay > 0 { usleep(sinkDelay) }
        collect(batch)
    })
    var options = ProcessLauncher.Options()
    options.watchdog = watchdog
    let launcher = try ProcessLauncher(capture: capture, options: options)
    let fixture = LauncherFixture(launcher: launcher, capture: capture, collector: collector)
    do {
        let result = try await body(fixture)
        await launcher.shutdown()
        await capture.shutdown()
        return result
    } catch {
        await launcher.shutdown()
        await capture.shutdown()
        throw error
    }
}

/// A process seen in /proc.
struct ProcStat: Equatable {
    var pid: Int32
    var ppid: Int32
    var pgid: Int32
    var state: Character

    /// The command name, read when asked (most polls never look at it).
    var command: String { ProcInfo.command(of: pid) ?? "" }
}

/// Every process in /proc, through the supervisor's own C scanner: these tests poll it often,
/// on the cooperative pool that every test and in-process stack shares, so it must be cheap.
func scanProc() -> [ProcStat] {
    ProcInfo.scan().map { ProcStat(pid: $0.pid, ppid: $0.ppid, pgid: $0.pgrp, state: $0.state) }
}

/// Live members of process group `pgid` (zombies excluded: they are already dead).
func liveMembers(of pgid: Int32) -> [ProcStat] {
    scanProc().filter { $0.pgid == pgid && $0.state != "Z" && $0.state != "X" }
}

/// Live `sleep` processes in group `pgid` (whether sh execs its last command varies by version).
func sleepers(in pgid: Int32) -> Int { liveMembers(of: pgid).filter { $0.command == "sleep" }.count }

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func pollUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return true
}

/// A fresh temporary folder, removed by the caller.
func makeSupervisorTempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("msvc-sup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
