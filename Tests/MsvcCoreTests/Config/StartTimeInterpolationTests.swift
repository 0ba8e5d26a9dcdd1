import Foundation
import MsvcCore
import Testing

/// References to start-time variables (`${PORT}`, `${ORDERS_URL}`) are kept by the loader and
/// expanded per replica; everything else in the string must come out exactly as written.
@Suite struct StartTimeInterpolationTests {
    static let names = Discovery.names(services: [(name: "orders", ports: ["admin"])])

    /// Load-time expansion (OS environment known, start-time names deferred), then start time.
    func twoStage(_ text: String, env: [String: String] = ["HOME": "/home/u"], start: [String: String]) throws -> String {
        let loaded = try Interpolation.expand(text) { name in
            Self.names.contains(name) ? .deferred : env[name].map { .value($0) } ?? .unset
        }
        return Discovery.resolveDeferred(loaded, known: start, names: Self.names)
    }

    @Test(arguments: [
        ("port=${PORT} home=${HOME}", "port=4100 home=/home/u"),
        ("literal=$${HOME} port=${PORT}", "literal=${HOME} port=4100"),
        ("pid=$$$$ port=${PORT}", "pid=$$ port=4100"),
        ("cost $5 at ${ORDERS_URL}/v1", "cost $5 at http://127.0.0.1:4000/v1"),
        ("${ORDERS_PORT_ADMIN:-none}", "4001"),
        ("${MISSING:-$$x} ${PORT}", "$x 4100"),
        ("value=${WITH_DOLLAR} ${PORT}", "value=a$b 4100"),
    ])
    func loadThenStart_givesExactlyWhatWasWritten(text: String, expected: String) throws {
        let start = ["PORT": "4100", "ORDERS_URL": "http://127.0.0.1:4000", "ORDERS_PORT_ADMIN": "4001"]
        #expect(try twoStage(text, env: ["HOME": "/home/u", "WITH_DOLLAR": "a$b"], start: start) == expected)
    }

    @Test func stringsWithoutStartTimeReferences_areLeftExactlyAsLoaded() throws {
        // `$${HOME}` and `$$$$` load as `${HOME}` and `$$`: start time must not touch them.
        let loaded = try Interpolation.expand("echo $${HOME} $$$$") { _ in .unset }
        #expect(loaded == "echo ${HOME} $$")
        #expect(Discovery.resolveDeferred(loaded, known: ["HOME": "/x", "PORT": "1"], names: Self.names) == loaded)
    }

    @Test func startTimeNameWithoutAValue_expandsEmptyOrToItsDefault() {
        #expect(Discovery.resolveDeferred("a${PORT}b", known: [:], names: Self.names) == "ab")
        #expect(Discovery.resolveDeferred("${PORT:-9}", known: [:], names: Self.names) == "9")
    }
}
