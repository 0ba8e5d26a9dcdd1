import Foundation
import MsvcCore
import Testing

/// The log stream's hot path, hand-built JSON against the Codable forms (docs/DECISIONS.md,
/// "Log records skip Codable on the socket"). A measurement, not a check: it runs only with
/// MSVC_BENCH=1, in a release build:
///   swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path .build-bench
///   MSVC_BENCH=1 .build-bench/release/msvcPackageTests.xctest --testing-library swift-testing --filter WireBenchmark
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MSVC_BENCH"] == "1")) struct WireBenchmark {
    static let batch: [LogRecord] = (0..<1000).map { (i: Int) -> LogRecord in
        let json: String = #"{"level":"info","msg":"request handled","n":\#(i),"svc":"flood1"}"#
        let plain: String = "INFO flood\(i % 8) line \(i) lorem ipsum dolor sit amet"
        let time = Date(timeIntervalSince1970: 1_714_400_000 + Double(i) / 1000)
        return LogRecord(seq: UInt64(1_000_000 + i), time: time, service: "flood\(i % 8)", replica: 1, stream: .stdout,
                         text: i % 3 == 0 ? json : plain)
    }

    static func time(_ label: String, rounds: Int = 200, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<5 { try body() }
        let t0 = ContinuousClock.now
        for _ in 0..<rounds { try body() }
        let elapsed = ContinuousClock.now - t0
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perLine = seconds / Double(rounds * batch.count) * 1e9
        print("\(label): \(String(format: "%.0f", perLine)) ns per line")
        return perLine
    }

    @Test func encodeAndDecode_handBuiltVersusCodable() throws {
        let frame = StreamFrame.records(Self.batch)
        let text = frame.line(id: 1)
        let encodeBytes = Self.time("encode, written as bytes") { _ = frame.bytes(id: 1) }
        let encodeValue = Self.time("encode, as JSON values") {
            _ = JSON.object([("id", .int(1)), ("records", .array(Self.batch.map(Wire.json)))]).serialized(pretty: false)
        }
        let encodeCodable = Self.time("encode, Codable") { _ = Wire.json(frame).serialized(pretty: false) }
        let parsed = try JSON.parse(text)
        let decodeHand = try Self.time("decode, by hand") { _ = try StreamFrame.parse(parsed) }
        let decodeCodable = try Self.time("decode, Codable") { _ = try JSONValueDecoder().decode(StreamFrame.self, from: parsed) }
        let parse = try Self.time("parse the line") { _ = try JSON.parse(text) }
        print("per line, encode + decode: bytes/by hand \(Int(encodeBytes + decodeHand)) ns, JSON values/by hand \(Int(encodeValue + decodeHand)) ns, "
              + "Codable \(Int(encodeCodable + decodeCodable)) ns; parsing the text \(Int(parse)) ns")
    }
}
