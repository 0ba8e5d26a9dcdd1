import Foundation
import MsvcTestSupport
import Testing

@testable import MsvcCore

/// The `watch` operation (the dashboard's `w`): its wire form, its checks, and what it does
/// to a running stack over the socket.
@Suite struct WatchOperationTests {
    func parse(_ line: String) throws(ControlError) -> ControlRequestLine {
        let bytes = Array(line.utf8)
        let result: Result<ControlRequestLine, ControlError> = bytes.withUnsafeBytes { raw in
            do throws(ControlError) { return .success(try ControlRequestLine.parse(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func wireForm_roundTrips_andBadRequestsAreUsageErrors() throws {
        let line = try parse(#"{"id":3,"op":"watch","service":"api","enabled":false}"#)
        #expect(line == ControlRequestLine(id: 3, request: .watch(service: "api", enabled: false)))
        let encoded = Wire.json(ControlRequestLine(id: 4, request: .watch(service: "web", enabled: true))).serialized(pretty: false)
        #expect(try parse(encoded).request == .watch(service: "web", enabled: true))
        #expect(ControlRequest.operations.contains("watch"))
        for bad in [#"{"op":"watch","service":"api"}"#, #"{"op":"watch","enabled":true}"#, #"{"op":"watch","service":"","enabled":true}"#,
                    #"{"op":"watch","service":"api","enabled":"yes"}"#] {
            #expect(throws: ControlError.self, "\(bad)") { try parse(bad) }
            do { _ = try parse(bad) } catch { if case .usage = error {} else { Issue.record("\(bad): \(error)") } }
        }
    }

    @Test func overTheSocket_turnsWatchOffAndOn_andSaysWhenAServiceIsNotWatched() async throws {
        let stack = try await SocketStack("""
            services:
              api: { command: sleep 1000, cwd: api, watch: true }
              idle: { command: sleep 1001 }
            """, files: ["api/main.py": "1"])
        let client = stack.client
        func state() async throws -> WatchSnapshot.State? {
            try await client.snapshot().services.first { $0.name == "api" }?.watch?.state
        }
        #expect(try await state() == .watching)
        #expect(try await client.watch("api", enabled: false) == ActionResult(ok: true, message: "stopped watching api"))
        #expect(try await state() == .off)
        #expect(try await client.watch("api", enabled: true).ok)
        #expect(try await state() == .watching)
        await #expect { try await client.watch("idle", enabled: false) } throws: { error in
            if case .invalid(let m) = error as? ControlError { return m.hasPrefix("idle is not watched") }
            return false
        }
        await #expect { try await client.watch("apii", enabled: false) } throws: { error in
            if case .unknownService(let m) = error as? ControlError { return m.hasSuffix("did you mean \"api\"?") }
            return false
        }
        await stack.stop()
    }
}
