import Foundation
import Testing

@testable import MsvcCore

/// The wire types keep the JSON shapes `--json` users and the socket depend on.
@Suite struct WireCodingTests {
    static let t0 = Date(timeIntervalSince1970: 1_714_400_000.123)

    static var snapshot: StackSnapshot {
        var r1 = ReplicaSnapshot(service: "orders", replica: 1)
        r1.state = .running
        r1.health = .healthy
        r1.lastProbe = ProbeResult(ok: true, detail: "200 OK in 3ms", at: t0)
        r1.pid = 4102
        r1.ports = ["": 41001, "admin": 41010]
        r1.restarts = 2
        r1.startedAt = t0
        r1.lastExit = .signaled(15)
        r1.cpuPercent = 12.345
        r1.rssBytes = 30_000_000
        r1.lastLines = ["a", "b \"quoted\""]
        r1.successorPID = 4200
        r1.logFileProblem = LogFileProblem(path: "/srv/shop/.msvc/logs/orders.1.log", missingLines: 7, since: t0, error: "No space left on device")
        var r2 = ReplicaSnapshot(service: "orders", replica: 2)
        r2.state = .backoff
        r2.lastExit = .exited(3)
        r2.nextRestartAt = t0
        r2.message = "exited with code 3; restarting in 2.4s"
        var r3 = ReplicaSnapshot(service: "migrate", replica: 1)
        r3.state = .exited
        r3.lastExit = .unknown
        var s = StackSnapshot(project: "shop", startedAt: t0, socketPath: "/srv/shop/.msvc/run/msvc.sock", pid: 4100, services: [
            ServiceSnapshot(name: "orders", port: 41000, namedPorts: ["admin": 41010], desiredReplicas: 2, replicas: [r1, r2],
                            dependsOn: [Dependency(service: "migrate", condition: .completed)],
                            watch: WatchSnapshot(state: .buildFailed, paths: ["/srv/shop/orders"], lastChange: t0, lastBuild: .exited(2),
                                                 buildLines: ["error: x"], problem: nil)),
            ServiceSnapshot(name: "migrate", port: nil, namedPorts: [:], desiredReplicas: 1, replicas: [r3]),
        ])
        s.containment = .cgroup(path: "/sys/fs/cgroup/msvc-4100")
        return s
    }

    /// The `ps --json` document as msvc 0.1 wrote it, field for field (order included), with the
    /// fields added since (containment, watch, log_file_problem) where they were added.
    static let psJSON = """
        {"project":"shop","pid":4100,"started_at":1714400000.123,"socket":"/srv/shop/.msvc/run/msvc.sock",\
        "containment":{"kind":"cgroup","cgroup":"/sys/fs/cgroup/msvc-4100"},"services":[\
        {"name":"orders","port":41000,"ports":{"admin":41010},"replicas_desired":2,"depends_on":[{"service":"migrate","condition":"completed"}],\
        "watch":{"state":"build-failed","paths":["/srv/shop/orders"],"last_change":1714400000.123,"last_build":{"code":2},\
        "build_lines":["error: x"],"problem":null},"replicas":[{"service":"orders","replica":1,"name":"orders.1","state":"running","health":"healthy",\
        "last_probe":{"ok":true,"detail":"200 OK in 3ms","at":1714400000.123},"pid":4102,"ports":{"main":41001,"admin":41010},\
        "restarts":2,"started_at":1714400000.123,"last_exit":{"signal":"SIGTERM"},"next_restart_at":null,"message":null,\
        "cpu_percent":12.3,"rss_bytes":30000000,"last_lines":["a","b \\"quoted\\""],"successor_pid":4200,\
        "log_file_problem":{"path":"/srv/shop/.msvc/logs/orders.1.log","missing_lines":7,"since":1714400000.123,"error":"No space left on device"}},\
        {"service":"orders","replica":2,"name":"orders.2","state":"backoff","health":"unknown","last_probe":null,"pid":null,\
        "ports":{},"restarts":0,"started_at":null,"last_exit":{"code":3},"next_restart_at":1714400000.123,\
        "message":"exited with code 3; restarting in 2.4s","cpu_percent":null,"rss_bytes":null,"last_lines":[],"successor_pid":null,"log_file_problem":null}]},\
        {"name":"migrate","port":null,"ports":{},"replicas_desired":1,"depends_on":[],"watch":null,"replicas":[{"service":"migrate","replica":1,\
        "name":"migrate","state":"exited","health":"unknown","last_probe":null,"pid":null,"ports":{},"restarts":0,"started_at":null,\
        "last_exit":{"unknown":true},"next_restart_at":null,"message":null,"cpu_percent":null,"rss_bytes":null,"last_lines":[],\
        "successor_pid":null,"log_file_problem":null}]}]}
        """

    @Test func snapshot_encodesAsPsJSONAlwaysDid() {
        #expect(Wire.json(Self.snapshot).serialized(pretty: false) == Self.psJSON)
    }

    /// Every stored property of the snapshot types has its key: a field added to a type but not
    /// to its `Codable` form would silently vanish from `ps --json` and the dashboard.
    @Test func snapshotTypes_encodeEveryProperty() throws {
        let renamed = ["namedPorts": "ports", "desiredReplicas": "replicas_desired", "socketPath": "socket", "successorPID": "successor_pid"]
        func key(_ property: String) -> String {
            renamed[property] ?? property.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
        }
        func check(_ value: Any, _ json: JSON?) {
            let keys = Set(json?.objectValue?.map(\.0) ?? [])
            for child in Mirror(reflecting: value).children {
                guard let label = child.label else { continue }
                #expect(keys.contains(key(label)), "\(type(of: value)).\(label) is not encoded (expected key \"\(key(label))\")")
            }
        }
        let s = Self.snapshot
        let json = Wire.json(s)
        check(s, json)
        check(s.services[0], json["services"]?.arrayValue?.first)
        check(s.services[0].replicas[0], json["services"]?.arrayValue?.first?["replicas"]?.arrayValue?.first)
    }

    /// The hand-built snapshot JSON (the socket's hot path) is the tree the Codable form encodes,
    /// answer line included, for the full fixture and for one with every optional left out.
    @Test func snapshot_handBuiltAndCodableAgree() throws {
        var bare = Self.snapshot
        bare.socketPath = nil
        bare.containment = nil
        bare.services[0].port = nil
        bare.services[0].watch = WatchSnapshot(state: .watching, paths: [])
        for s in [Self.snapshot, bare] {
            #expect(try JSONValueEncoder().encode(s) == Wire.json(s))
            let line = ControlAnswerLine(id: 7, body: ControlResponse<StackSnapshot>.success(s))
            #expect(try JSONValueEncoder().encode(line) == Wire.snapshotAnswer(id: 7, s))
            let anonymous = ControlAnswerLine(id: nil, body: ControlResponse<StackSnapshot>.success(s))
            #expect(try JSONValueEncoder().encode(anonymous) == Wire.snapshotAnswer(id: nil, s))
        }
    }

    @Test func snapshot_roundTrips() throws {
        var expected = Self.snapshot
        expected.services[0].replicas[0].cpuPercent = 12.3
        let back = try Wire.decode(StackSnapshot.self, from: try JSON.parse(Self.psJSON))
        #expect(back == expected)
    }

    @Test func logRecord_handBuiltAndCodableAgree_andRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        for i in 0..<200 {
            let text = String((0..<Int.random(in: 0...40, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 1...126, using: &rng))) })
            let r = LogRecord(seq: UInt64(i * 7919), time: Date(timeIntervalSince1970: 1_714_400_000 + Double(i) / 8),
                              service: "svc\(i % 3)", replica: i % 4 + 1, stream: [.stdout, .stderr, .system][i % 3], text: text + "é\u{1}\"")
            let codable = try JSONValueEncoder().encode(r)
            #expect(codable == Wire.json(r))
            #expect(Wire.record(Wire.json(r)) == r)
            #expect(try JSONValueDecoder().decode(LogRecord.self, from: codable) == r)
        }
        #expect(Wire.json(LogRecord(seq: 1, time: Self.t0, service: "a", replica: 1, stream: .stderr, text: "x")).serialized(pretty: false)
            == #"{"seq":1,"time":1714400000.123,"service":"a","replica":1,"stream":"stderr","text":"x"}"#)
    }

    @Test func recordsFrame_writtenByHand_isTheSameTextAsItsJSONValue() throws {
        var rng = SplitMix64(seed: 42)
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{1}", "\u{7F}", "é", "東", "🙂", "\u{2028}", "/"]
        var batch: [LogRecord] = []
        for i in 0..<500 {
            let text = String((0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let time = [0, 1_714_400_000, 1_714_400_000.5, 1_714_400_000.123456, -1.25][i % 5]
            batch.append(LogRecord(seq: rng.next() >> 1, time: Date(timeIntervalSince1970: time), service: i % 7 == 0 ? "we\"ird" : "svc-\(i % 3)",
                                   replica: i % 4 + 1, stream: [.stdout, .stderr, .system][i % 3], text: i % 2 == 0 ? "plain line \(i)" : text))
        }
        for id in [1, nil] as [Int?] {
            let expected = JSON.object([("id", id.map { .int($0) } ?? .null), ("records", .array(batch.map(Wire.json)))]).serialized(pretty: false)
            #expect(StreamFrame.records(batch).line(id: id) == expected)
            #expect(StreamFrame.records(batch).bytes(id: id) == Array((expected + "\n").utf8))
        }
        #expect(try StreamFrame.parse(JSON.parse(StreamFrame.records(batch).line(id: 1))) == .records(batch.map { r in
            var r = r
            r.time = Date(timeIntervalSince1970: (r.time.timeIntervalSince1970 * 1000).rounded() / 1000)
            return r
        }))
    }

    @Test func applyAndReady_keepTheirShapes() throws {
        let apply = ApplyResult(changes: [.started("catalog"), .restarted("orders", reason: "env changed"),
                                          .restartFailed("web", reason: "not ready"), .stopped("legacy"), .scaled("api", from: 1, to: 3)],
                                unchanged: ["db"])
        let json = Wire.json(apply).serialized(pretty: false)
        #expect(json.hasPrefix(#"{"ok":false,"summary":"#))
        #expect(json.contains(#"{"action":"restart_failed","service":"web","reason":"not ready"}"#))
        #expect(json.contains(#"{"action":"scaled","service":"api","from":1,"to":3}"#))
        #expect(try Wire.decode(ApplyResult.self, from: Wire.json(apply)) == apply)
        for outcome in [ReadyOutcome.ready, .failed(service: "orders", reason: "exit 3"), .timedOut(["orders starting"])] {
            #expect(try Wire.decode(ReadyOutcome.self, from: Wire.json(outcome)) == outcome)
        }
        #expect(Wire.json(ReadyOutcome.timedOut(["x"])).serialized(pretty: false) == #"{"ready":false,"timed_out":["x"]}"#)
    }

    @Test func everyRequest_roundTripsThroughItsLine() throws {
        let requests: [ControlRequest] = [
            .snapshot, .changes, .logs(LogQuery(services: ["a"], tail: 5, since: Self.t0, grep: "x+")), .follow(LogQuery()),
            .start(["a"]), .stop(["a", "b"]), .restart(["c"]), .scale(service: "a", replicas: 3), .shutdown(timeout: nil),
            .shutdown(timeout: .milliseconds(1500)), .wait(timeout: .seconds(30)),
            .apply(file: "/x/msvc.yaml", services: ["a"], profiles: ["debug"], environment: ["HOME": "/root", "A": "1"]),
        ]
        for r in requests {
            let text = Wire.json(ControlRequestLine(id: 7, request: r)).serialized(pretty: false)
            let parsed = try Array(text.utf8).withUnsafeBytes { raw throws(ControlError) in try ControlRequestLine.parse(raw) }
            #expect(parsed == ControlRequestLine(id: 7, request: r), "\(text)")
        }
        // The shape scripts may rely on: flat fields beside "op".
        #expect(Wire.json(ControlRequestLine(id: 1, request: .scale(service: "a", replicas: 2))).serialized(pretty: false)
            == #"{"id":1,"op":"scale","service":"a","replicas":2}"#)
    }

    static func parse(_ text: String) -> Result<ControlRequestLine, ControlError> {
        Array(text.utf8).withUnsafeBytes { raw in Result { () throws(ControlError) in try ControlRequestLine.parse(raw) } }
    }

    static func usage(_ text: String) -> String? {
        if case .failure(.usage(let m)) = parse(text) { return m }
        return nil
    }

    @Test func badRequests_areUsageErrorsSayingWhat() {
        #expect(Self.usage(#"{"op":"logs","tail":-5}"#)?.contains("must be 0 to 2147483647, not -5") == true)
        #expect(Self.usage(#"{"op":"logs","tail":99999999999999999999}"#)?.contains("tail") == true)
        #expect(Self.usage(#"{"op":"logs","tail":1e300}"#)?.contains("tail") == true)
        #expect(Self.usage(#"{"op":"logs","tail":"5"}"#) == "invalid request: tail: expected an integer, found a string")
        #expect(Self.usage(#"{"op":"logs","services":"orders"}"#) == "invalid request: services: expected an array, found a string")
        #expect(Self.usage(#"{"op":"logs","services":[1]}"#) == "invalid request: services[0]: expected a string, found an integer")
        #expect(Self.usage(#"{"op":"logs","since":1e999}"#) != nil)
        #expect(Self.usage(#"{"op":"scale","service":"a","replicas":-1}"#) == "replicas must be 0 to 256, not -1")
        #expect(Self.usage(#"{"op":"scale","service":"a","replicas":1000}"#) == "replicas must be 0 to 256, not 1000")
        #expect(Self.usage(#"{"op":"scale","service":"a"}"#) == "invalid request: replicas: missing")
        #expect(Self.usage(#"{"op":"wait","timeout_ms":-1}"#)?.hasPrefix("the wait timeout must be 0 to 24h") == true)
        #expect(Self.usage(#"{"op":"wait","timeout_ms":9223372036854775807}"#)?.hasPrefix("the wait timeout") == true)
        #expect(Self.usage(#"{"op":"shutdown","timeout_ms":1e18}"#)?.hasPrefix("the stop timeout") == true)
        #expect(Self.usage(#"{"op":"nope"}"#)?.contains("unknown operation \"nope\"") == true)
        #expect(Self.usage(#"{"tail":1}"#) == "invalid request: op: missing")
        #expect(Self.usage(#"[1,2]"#)?.contains("JSON object") == true)
        #expect(Self.usage(#"{"op":"logs""#)?.hasPrefix("the request is not JSON") == true)
        #expect(Self.usage(#"{"op":"stop","services":[]}"#) == "stop needs at least one service name")
        #expect(Self.usage(#"{"op":"logs","grep":"\#(String(repeating: "a", count: 5000))"}"#)?.contains("longer than 4096") == true)
        #expect(Self.usage(#"{"id":"x","op":"snapshot"}"#) == "invalid request: id: expected an integer, found a string")
        var nonUTF8 = Array(#"{"op":"logs","grep":"?"}"#.utf8)
        nonUTF8[20] = 0xFF
        let m = nonUTF8.withUnsafeBytes { raw in Result { () throws(ControlError) in try ControlRequestLine.parse(raw) } }
        #expect(m.failure == .usage("the request is not valid UTF-8"))
    }

    @Test func errors_keepTheirKindAcrossTheWire() throws {
        for e in [ControlError.unknownService("unknown service \"x\"; did you mean \"y\"?"), .usage("bad"), .invalid("no"),
                  .invalidConfig("msvc.yaml:1:1: error"), .protocolError("odd")] {
            let line = Wire.json(ControlAnswerLine(id: 3, body: ControlResponse<ActionResult>.failure(e)))
            #expect(line["kind"]?.stringValue == e.kind)
            let back = try Wire.decode(ControlAnswerLine<ControlResponse<ActionResult>>.self, from: line)
            #expect(back.id == 3)
            if case .failure(let got) = back.body { #expect(got == e) } else { Issue.record("not a failure") }
        }
    }

    @Test func streamFrames_roundTrip() throws {
        let records = [LogRecord(seq: 9, time: Self.t0, service: "a", replica: 2, stream: .stdout, text: "hi")]
        for f in [StreamFrame.started, .records(records), .missed(120), .snapshot(Self.snapshot), .end, .failure(.usage("bad"))] {
            var expected = f
            if case .snapshot = f {
                var s = Self.snapshot
                s.services[0].replicas[0].cpuPercent = 12.3
                expected = .snapshot(s)
            }
            #expect(try StreamFrame.parse(JSON.parse(f.line(id: 1))) == expected)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
