import Foundation
import Glibc
import MsvcCore
import MsvcTestSupport
import Testing

/// A stack folder with msvc.yaml and a small HTTP server script, for runtime tests.
struct RuntimeFixture {
    let dir: TemporaryDirectory

    init(_ yaml: String) throws {
        dir = try TemporaryDirectory(prefix: "msvc-runtime")
        try dir.write("server.py", httpServerScript)
        try dir.write("msvc.yaml", yaml)
    }

    /// Loads msvc.yaml as it is now.
    func load() throws -> LoadedStack { try ConfigLoader.load(path: dir.path + "/msvc.yaml") }

    /// A runtime on this folder's own state directory.
    func runtime(services: [String] = [], socket: Bool = false) throws -> StackRuntime {
        var options = SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: dir.path))
        options.services = services
        options.controlSocket = socket
        return StackRuntime(try load(), options: options)
    }
}

extension StackRuntime {
    /// The pid of a replica now (nil when it has no process).
    func pid(_ service: String, _ replica: Int = 1) async -> Int32? {
        try? await supervisor.snapshot().replica(service, replica)?.pid
    }

    /// Polls the snapshot until `condition` holds (true) or `seconds` pass (false).
    /// On a timeout it records what the stack looked like last, for the failure message.
    func waitFor(_ seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: @escaping (StackSnapshot) -> Bool) async -> Bool {
        PoolLag.start()
        var last: StackSnapshot?
        let held = await eventually(seconds, interval: 0.02) {
            guard let s = try? await supervisor.snapshot() else { return false }
            last = s
            return condition(s)
        }
        if !held {
            let replicas = last?.services.flatMap(\.replicas).map { r in
                "\(r.name) \(r.state) \(r.health) pid \(r.pid.map(String.init) ?? "-") restarts \(r.restarts) \(r.message ?? "")"
            }
            Issue.record("not met in \(seconds) s; last snapshot: \(replicas ?? ["none"]); \(PoolLag.report())", sourceLocation: sourceLocation)
        }
        return held
    }
}
