import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The example stack's own suites, run as its README says.
@Suite("msvc test on examples/shop")
struct TestExampleShopTests {
    @Test func contractAndAll_pass() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-shop-test")
        let source = packageRoot() + "/examples/shop"
        let copy = try await Shell.run("/bin/sh", ["-c", "tar -C '\(source)' --exclude=.msvc --exclude=__pycache__ -cf - . | tar -C '\(dir.path)' -xf -"],
                                       cwd: dir.path)
        #expect(copy.status == 0, "\(copy.stderr)")
        let token = UUID().uuidString

        // The gateway -> orders pact (with its provider state) and orders' OpenAPI document,
        // against a real orders with its real inventory and payments.
        let contract = try await MsvcBinary.run(["test", "contract", "--parallel", "2"], cwd: dir.path,
                                                environment: ["MSVC_TEST_TOKEN": token], timeout: 240)
        #expect(contract.status == 0, "\(contract.stdout)\(contract.stderr)")
        #expect(contract.stdout.contains("contract gateway-orders  passed"))
        for interaction in ["a request to create an order", "a request for an existing order", "a request for an order that does not exist"] {
            #expect(contract.stdout.contains("✓ \(interaction)"), "\(contract.stdout)")
        }
        #expect(contract.stdout.contains("contract orders-openapi  passed"))
        for operation in ["POST /orders", "GET /orders", "GET /orders/{id}", "POST /orders/{id}/fulfilment", "GET /readyz", "GET /livez"] {
            #expect(contract.stdout.contains("✓ \(operation) "), "\(contract.stdout)")
        }
        #expect(contract.stdout.contains("2 suites, 9 cases: 9 passed, 0 failed, 0 skipped"))

        // Every kind, with a JUnit report CI systems read.
        let all = try await MsvcBinary.run(["test", "all", "--parallel", "4", "--junit", "reports/all.xml"], cwd: dir.path,
                                           environment: ["MSVC_TEST_TOKEN": token], timeout: 300)
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        for suite in ["unit payments", "unit inventory", "unit orders", "unit gateway", "unit worker", "contract gateway-orders",
                      "contract orders-openapi", "integration orders-http", "e2e checkout"] {
            #expect(all.stdout.contains("\(suite)  passed"), "\(suite): \(all.stdout)")
        }
        for step in ["create order", "read it back", "orders serves it as its OpenAPI document says", "worker fulfils it",
                     "an order over 100.00 EUR is declined"] {
            #expect(all.stdout.contains("✓ \(step)"), "\(all.stdout)")
        }
        #expect(all.stdout.contains("9 suites, 21 cases: 21 passed, 0 failed, 0 skipped"), "\(all.stdout)")
        let schema = packageRoot() + "/Tests/MsvcCoreTests/Fixtures/junit/junit-10.xsd"
        let lint = try await Shell.run("xmllint", ["--noout", "--schema", schema, "reports/all.xml"], cwd: dir.path)
        #expect(lint.status == 0, "\(lint.stderr)")

        let needle = Array("MSVC_TEST_TOKEN=\(token)".utf8)
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { return false }
            return [UInt8](data).split(separator: 0).contains { Array($0) == needle }
        }
        #expect(left.isEmpty, "left running: \(left)")
    }
}
