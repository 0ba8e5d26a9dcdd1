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
    var command: String
}

/// Every process in /proc, parsed from `/proc/PID/stat`.
func scanProc() -> [ProcStat] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { name -> ProcStat? in
        guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state ppid pgrp ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let ppid = Int32(fields[1]), let pgid = Int32(fields[2]) else { return nil }
        let command = String(stat[stat.index(after: open)..<close])
        return ProcStat(pid: pid, ppid: ppid, pgid: pgid, state: fields[0].first ?? "?", command: command)
    }
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
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// A fresh temporary folder, removed by the caller.
func makeSupervisorTempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("msvc-sup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
