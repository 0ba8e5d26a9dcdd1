import Foundation
import MsvcTestSupport
import MsvcCore

/// Where the test fixtures live and how they are loaded, so every test sees the same
/// environment, folder and file system and golden output stays stable across machines.
enum Fixtures {
    /// `Tests/MsvcCoreTests/Fixtures`, found from this source file.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The folder msvc.yaml pretends to live in.
    static let directory = "/home/u/shop"

    /// The fixed OS environment every fixture is loaded with.
    static let environment = ["HOME": "/home/u", "USER": "u"]

    /// A context whose files come from `Fixtures/files/` (`/home/u/shop/X` reads `files/X`).
    static var context: LoadContext {
        let files = root.appendingPathComponent("files")
        return LoadContext(environment: environment, directory: directory) { path in
            let prefix = directory + "/"
            guard path.hasPrefix(prefix) else { return nil }
            let url = files.appendingPathComponent(String(path.dropFirst(prefix.count)))
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The `.yaml` files of a fixture folder, sorted by name.
    static func yamlFiles(in folder: String) -> [URL] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The bytes of a fixture file.
    static func bytes(_ url: URL) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: url.path) ?? Data())
    }

    /// What loading `bytes` as `msvc.yaml` prints: the error text, or a one-line success summary.
    static func outcome(_ bytes: [UInt8]) -> String {
        do {
            let stack = try ConfigLoader.load(bytes: bytes, file: "msvc.yaml", context: context)
            return "ok: \(stack.config.services.count) services"
        } catch {
            return error.description
        }
    }

    /// Loads a valid fixture, or returns the error for the failure message.
    static func loadValid(_ name: String) throws -> LoadedStack {
        let url = root.appendingPathComponent("valid").appendingPathComponent(name)
        return try ConfigLoader.load(bytes: bytes(url), file: "msvc.yaml", context: context)
    }

    /// Heavy test threads leave one core free, so the supervisor tests running beside them
    /// (real processes, probes on deadlines) are not starved.
    private static let gate = DispatchSemaphore(value: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// Runs CPU-bound work off Swift's cooperative pool (`offPool`), at idle priority and at
    /// most one such thread per spare core.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await MsvcTestSupport.offPool {
            // SCHED_IDLE (5 on Linux): these tests measure CPU time, so they lose nothing by
            // running only when a core is otherwise idle; a failure leaves the policy as is.
            var param = sched_param()
            _ = pthread_setschedparam(pthread_self(), 5, &param)
            gate.wait()
            defer { gate.signal() }
            return work()
        }
    }

    /// CPU time used so far by the calling thread: unlike wall time, it does not grow
    /// when other processes share the machine, so it measures the loader, not the load.
    static func threadCPUTime() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    /// Whether golden files should be rewritten instead of compared (`RECORD_SNAPSHOTS=1`).
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }
}

/// A tiny deterministic PRNG (SplitMix64), so generated and fuzzed inputs repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator from a seed.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
