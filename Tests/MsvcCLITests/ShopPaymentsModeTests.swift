import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The shop's failure switch, as its README shows it: `PAYMENTS_MODE=fail`.
@Suite("examples/shop with PAYMENTS_MODE=fail")
struct ShopPaymentsModeTests {
    /// A fresh copy of examples/shop, without run state.
    static func shopCopy() async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory(prefix: "msvc-shop-fail")
        let source = packageRoot() + "/examples/shop"
        let copy = try await Shell.run("/bin/sh", ["-c", "tar -C '\(source)' --exclude=.msvc --exclude=__pycache__ -cf - . | tar -C '\(dir.path)' -xf -"],
                                       cwd: dir.path)
        #expect(copy.status == 0, "\(copy.stderr)")
        return dir
    }

    /// Replica `name`'s object in a `ps --json` document.
    static func replica(_ ps: String, _ name: String) -> JSON? {
        guard let services = (try? JSON.parse(ps))?["services"]?.arrayValue else { return nil }
        return services.lazy.compactMap { $0["replicas"]?.arrayValue }.joined().first { $0["name"]?.stringValue == name }
    }

    @Test func e2e_failsNamingPayments() async throws {
        let dir = try await Self.shopCopy()
        let token = UUID().uuidString
        let e2e = try await MsvcBinary.run(["test", "e2e"], cwd: dir.path,
                                           environment: ["PAYMENTS_MODE": "fail", "MSVC_TEST_TOKEN": token], timeout: 180)
        #expect(e2e.status == 1, "\(e2e.stdout)\(e2e.stderr)")
        #expect(e2e.stdout.contains("e2e checkout  FAILED"), "\(e2e.stdout)")
        #expect(e2e.stdout.contains("✗ start services"), "\(e2e.stdout)")
        #expect(e2e.stdout.contains("payments failed: exited with code 1 after 5 restarts"), "\(e2e.stdout)")
        #expect(e2e.stdout.contains("PAYMENTS_MODE=fail: crashing on purpose"), "\(e2e.stdout)")
        #expect(e2e.stdout.contains("not started: dependency failed: payments is crash-loop"), "\(e2e.stdout)")
        #expect(Leftovers.processes(containing: dir.path).isEmpty)
    }

    @Test func psAndLogs_showPaymentsRestarting_thenCrashLooping() async throws {
        let dir = try await Self.shopCopy()
        // Spawn, not MsvcBinary.run: Foundation's Process can miss an exit once `up -d` left a
        // detached supervisor behind (see Spawn).
        let msvc = { (args: [String]) async in await Spawn.msvc(args, cwd: dir.path) }
        defer { _ = Spawn.msvc(["down"], cwd: dir.path) }
        let up = await Spawn.run([MsvcBinary.path, "up", "-d", "payments", "inventory"], cwd: dir.path,
                                 environment: ["PAYMENTS_MODE": "fail"], timeout: 60)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")

        // Left stopped in crash-loop, with its restarts, exit code and last lines; inventory
        // unaffected. (Sampling ps for the restarts in between misses them on a loaded machine;
        // the log below keeps every one.)
        var seen = ""
        let looping = await eventually(120, interval: 0.2) {
            seen = await msvc(["ps", "--json"]).stdout
            return Self.replica(seen, "payments")?["state"]?.stringValue == "crash-loop"
        }
        #expect(looping, "\(seen)")
        let payments = Self.replica(seen, "payments")
        #expect(payments?["restarts"]?.intValue == 5, "\(seen)")
        #expect(payments?["last_exit"]?["code"]?.intValue == 1, "\(seen)")
        #expect(payments?["last_lines"]?.arrayValue?.contains { $0.stringValue?.contains("crashing on purpose") == true } == true, "\(seen)")
        #expect(Self.replica(seen, "inventory")?["state"]?.stringValue == "running", "\(seen)")

        // Each exit was followed by a restart after the backoff of msvc.yaml (250ms doubled,
        // up to 4s), until max_restarts.
        let logs = await msvc(["logs", "payments"])
        for note in ["exited with code 1; restarting in 250ms", "exited with code 1; restarting in 500ms", "exited with code 1; restarting in 1s", "exited with code 1; restarting in 2s",
                     "exited with code 1; restarting in 4s", "crash-loop: exited with code 1; 5 restarts used"] {
            #expect(logs.stdout.contains(note), "\(note): \(logs.stdout)")
        }
        #expect(logs.stdout.components(separatedBy: "PAYMENTS_MODE=fail: crashing on purpose").count - 1 == 6, "\(logs.stdout)")

        let table = await msvc(["ps"])
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("payments") && $0.contains("crash-loop") }, "\(table.stdout)")
        let down = await msvc(["down"])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(Leftovers.processes(containing: dir.path).isEmpty)
    }
}
