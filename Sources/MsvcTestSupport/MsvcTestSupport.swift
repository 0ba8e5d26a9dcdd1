import Foundation
import Glibc
import MsvcCore

/// What a finished command printed and returned.
public struct CommandResult: Sendable {
    /// Exit status (or 128 + signal).
    public var status: Int32
    /// Everything written to stdout.
    public var stdout: String
    /// Everything written to stderr.
    public var stderr: String
}

/// Runs the built `msvc` executable, as users do.
public enum MsvcBinary {
    /// The `msvc` executable next to the running test bundle (SwiftPM puts both in one folder).
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["MSVC_BINARY"] { return explicit }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        // The bundle may be a folder (…/msvcPackageTests.xctest/…) on some layouts.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("msvc").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return me.deletingLastPathComponent().appendingPathComponent("msvc").path
    }

    /// Runs `msvc` with `arguments` in `cwd`; `environment` is added to a clean copy of ours.
    @discardableResult
    public static func run(
        _ arguments: [String], cwd: String, environment: [String: String] = [:], stdin: String? = nil,
        timeout: Double = 60
    ) throws -> CommandResult {
        try Shell.run(path, arguments, cwd: cwd, environment: environment, stdin: stdin, timeout: timeout)
    }
}

/// Runs any program and collects its output.
public enum Shell {
    /// Runs `program` with `arguments`; kills it after `timeout` seconds.
    public static func run(
        _ program: String, _ arguments: [String], cwd: String, environment: [String: String] = [:],
        stdin: String? = nil, timeout: Double = 60
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        process.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "MSVC_FILE")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Other tests spawn processes concurrently, and a child forked at the same moment can
        // inherit our pipes' write ends; so stop reading once the process has exited and the
        // pipes are drained, instead of waiting for an end-of-file that may come much later.
        let fds = [out.fileHandleForReading.fileDescriptor, err.fileHandleForReading.fileDescriptor]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var data = [Data(), Data()]
        var open = [true, true]
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var exitedAt: Date?
        while open.contains(true) {
            var pfds = fds.enumerated().map { pollfd(fd: open[$0.offset] ? $0.element : -1, events: Int16(POLLIN), revents: 0) }
            _ = poll(&pfds, 2, 20)
            var progressed = false
            for i in 0..<2 where open[i] {
                while true {
                    let n = read(fds[i], &buffer, buffer.count)
                    if n > 0 { data[i].append(contentsOf: buffer[0..<n]); progressed = true; continue }
                    if n == 0 { open[i] = false }
                    break
                }
            }
            if !process.isRunning {
                if exitedAt == nil { exitedAt = Date() }
                if !progressed && Date().timeIntervalSince(exitedAt!) > 0.2 { break }
            } else if Date() > deadline {
                process.terminate()
            }
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(status: status, stdout: String(decoding: data[0], as: UTF8.self), stderr: String(decoding: data[1], as: UTF8.self))
    }
}

/// A temporary folder removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    // Immutable after init; removal happens once in deinit.
    /// The folder's absolute path.
    public let path: String

    /// Creates a fresh folder under the system temporary folder.
    public init(prefix: String = "msvc-test") throws {
        PoolLag.start()  // nearly every test makes a folder: the run's pool lag is then measured
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// Writes `contents` to `relative`, creating folders.
    @discardableResult
    public func write(_ relative: String, _ contents: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// Reads `relative` as text.
    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: (path as NSString).appendingPathComponent(relative), encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Golden files: compare, or re-record with `RECORD_SNAPSHOTS=1`.
public enum Golden {
    /// Whether this run records instead of comparing.
    public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// Returns nil when `actual` matches the file at `path` (or was just recorded), else a message.
    public static func check(_ actual: String, against path: String, rerun: String) -> String? {
        if recording {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "\(path) is missing; record it with: RECORD_SNAPSHOTS=1 \(rerun)"
        }
        guard expected != actual else { return nil }
        return "\(path) is out of date; if the change is intended, run: RECORD_SNAPSHOTS=1 \(rerun)\n" + diff(expected, actual)
    }

    /// A short line diff for failure messages.
    public static func diff(_ expected: String, _ actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(e.count, a.count) where out.count < 40 {
            let l = i < e.count ? String(e[i]) : nil
            let r = i < a.count ? String(a[i]) : nil
            if l != r {
                if let l { out.append("-\(i + 1): \(l)") }
                if let r { out.append("+\(i + 1): \(r)") }
            }
        }
        return out.joined(separator: "\n")
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
public func waitUntil(_ seconds: Double, interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(UInt32(interval * 1_000_000))
    }
    return try condition()
}

/// The package root (the folder holding Package.swift), found from a source file path.
public func packageRoot(from filePath: String = #filePath) -> String {
    var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        url = url.deletingLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath
}

// MARK: - Waiting without holding a pool thread

/// Runs blocking work (waiting for a process, polling a terminal) on a thread of its own.
/// Swift's cooperative pool has one thread per core, two on the CI machine: a test that blocks
/// there stalls every async test and in-process supervisor of the run until it is done.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// `offPool` for work that cannot fail.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

extension MsvcBinary {
    /// `run`, awaited off the cooperative pool.
    @discardableResult
    public static func run(
        _ arguments: [String], cwd: String, environment: [String: String] = [:], stdin: String? = nil,
        timeout: Double = 60
    ) async throws -> CommandResult {
        try await Shell.run(path, arguments, cwd: cwd, environment: environment, stdin: stdin, timeout: timeout)
    }
}

extension Shell {
    /// `run`, awaited off the cooperative pool.
    public static func run(
        _ program: String, _ arguments: [String], cwd: String, environment: [String: String] = [:],
        stdin: String? = nil, timeout: Double = 60
    ) async throws -> CommandResult {
        try await offPool { try Shell.run(program, arguments, cwd: cwd, environment: environment, stdin: stdin, timeout: timeout) }
    }
}

/// Polls `condition` until it holds or `seconds` pass, sleeping without holding a thread;
/// checks once more at the end. The async form of `waitUntil`.
public func eventually(_ seconds: Double, interval: Double = 0.05, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
    }
    return try await condition()
}

// MARK: - Leftovers

/// What a test can observe of "left behind": processes, listeners and threads.
public enum Leftovers {
    /// Pids of live processes whose command line or working folder contains `marker`
    /// (zombies excluded).
    public static func processes(containing marker: String) -> [Int32] {
        var out: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid(),
                  let data = ProcFile.data("/proc/\(entry)/cmdline"), !data.isEmpty,
                  let stat = ProcFile.text("/proc/\(entry)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            let state = stat[stat.index(close, offsetBy: 2)]
            if state == "Z" || state == "X" { continue }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")) ?? ""
            if line.contains(marker) || cwd.contains(marker) { out.append(pid) }
        }
        return out
    }

    /// Names of this process's threads that msvc starts itself (launcher, output, sampler).
    public static func msvcThreads() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { tid in
            (ProcFile.text("/proc/self/task/\(tid)/comm"))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }.filter { $0.hasPrefix("msvc-") }.sorted()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}


extension StackSnapshot {
    /// Replica `index` of `service`, if the snapshot has it.
    public func replica(_ service: String, _ index: Int = 1) -> ReplicaSnapshot? {
        services.first { $0.name == service }?.replicas.first { $0.replica == index }
    }
}

// MARK: - Cooperative pool lag

/// How late Swift's cooperative pool has been in running a task that asked to wake up: a
/// test that times out can say whether the pool (shared by every test and every in-process
/// stack) was held up at the time. Started by the first `report` call's process, once.
public enum PoolLag {
    private static let samples = PoolLagSamples()

    /// Starts sampling (every 100 ms) if it has not started yet.
    public static func start() { samples.startOnce() }

    /// The whole run's figures so far.
    public static func summary() -> String { samples.summary() }

    /// The worst lateness seen in the last `seconds`, and when, for a failure message.
    public static func report(last seconds: Double = 60) -> String {
        samples.startOnce()
        return samples.report(last: seconds)
    }
}

final class PoolLagSamples: @unchecked Sendable {
    private let lock = NSLock()
    private var started = false
    private var ring: [(at: Date, lag: Double)] = []

    func startOnce() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        started = true
        atexit { FileHandle.standardError.write(Data((PoolLag.summary() + "\n").utf8)) }
        if let dump = ProcessInfo.processInfo.environment["MSVC_TEST_POOL_DUMP"] { startDumper(to: dump) }
        Task.detached { [self] in
            while true {
                let asked = Date()
                try? await Task.sleep(for: .milliseconds(100))
                record(Date().timeIntervalSince(asked) - 0.1)
            }
        }
    }

    /// Over the whole run: wake-ups, those later than 0.5 s and 2 s, and the worst.
    private var total = (count: 0, late: 0, veryLate: 0, worst: 0.0)

    /// The whole run's figures, printed at exit so a run shows whether its pool was held up.
    func summary() -> String {
        lock.withLock {
            String(format: "cooperative pool lag over the run: %d wake-ups, %d later than 0.5 s, %d later than 2 s, worst %.2f s",
                   total.count, total.late, total.veryLate, total.worst)
        }
    }

    private var lastWake = Date()

    /// Diagnosis (MSVC_TEST_POOL_DUMP=file): when the pool has not woken the sampler for 3 s, a
    /// thread of its own has gdb print every thread's stack to `file` (at most 5 times).
    private func startDumper(to file: String) {
        let thread = Thread { [self] in
            var dumps = 0
            while dumps < 5 {
                Thread.sleep(forTimeInterval: 0.5)
                let stalled = lock.withLock { Date().timeIntervalSince(lastWake) > 3 }
                guard stalled else { continue }
                dumps += 1
                let gdb = Process()
                gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
                gdb.arguments = ["-p", "\(getpid())", "-batch", "-ex", "thread apply all bt 25"]
                let out = FileHandle(forWritingAtPath: file) ?? {
                    FileManager.default.createFile(atPath: file, contents: nil)
                    return FileHandle(forWritingAtPath: file)!
                }()
                out.seekToEndOfFile()
                out.write(Data("==== dump \(dumps) at \(Date())\n".utf8))
                gdb.standardOutput = out
                gdb.standardError = out
                try? gdb.run()
                gdb.waitUntilExit()
                lock.withLock { lastWake = Date() }
            }
        }
        thread.start()
    }

    private func record(_ lag: Double) {
        lock.withLock {
            lastWake = Date()
            total.count += 1
            if lag > 0.5 { total.late += 1 }
            if lag > 2 { total.veryLate += 1 }
            total.worst = max(total.worst, lag)
            ring.append((Date(), lag))
            if ring.count > 2_000 { ring.removeFirst(1_000) }
        }
    }

    func report(last seconds: Double) -> String {
        lock.lock()
        defer { lock.unlock() }
        let recent = ring.filter { $0.at.timeIntervalSinceNow > -seconds }
        guard let worst = recent.max(by: { $0.lag < $1.lag }) else { return "pool lag: no samples yet" }
        let over = recent.filter { $0.lag > 0.5 }.count
        return String(format: "pool lag over the last %.0f s: worst %.2f s (%.1f s ago), %d of %d wake-ups later than 0.5 s",
                      seconds, worst.lag, -worst.at.timeIntervalSinceNow, over, recent.count)
    }
}

// MARK: - Teardown off the test's thread

/// Clean-up that must finish before the test process exits but must not hold the test's
/// thread: a `defer` cannot await, and a blocking call there holds one of the few threads of
/// Swift's cooperative pool, which every test and every in-process stack share (two such
/// calls at once on a two-core machine stall them all). The work runs on its own thread; the
/// process waits for it at exit (up to a minute).
public enum Teardown {
    /// Runs `work` on its own thread; whatever it captures lives until it has run.
    public static func inBackground(_ work: @escaping @Sendable () -> Void) {
        TeardownWork.shared.run(work)
    }
}

final class TeardownWork: @unchecked Sendable {
    static let shared = TeardownWork()
    private let condition = NSCondition()
    private var running = 0
    private var registered = false

    func run(_ work: @escaping @Sendable () -> Void) {
        condition.withLock {
            running += 1
            if !registered {
                registered = true
                atexit { TeardownWork.shared.waitForAll(seconds: 60) }
            }
        }
        let thread = Thread { [self] in
            work()
            condition.withLock {
                running -= 1
                condition.broadcast()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func waitForAll(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.withLock {
            while running > 0 && condition.wait(until: deadline) {}
        }
    }
}
