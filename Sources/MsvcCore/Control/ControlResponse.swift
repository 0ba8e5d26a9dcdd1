import Foundation

/// The answer to a one-shot request (`snapshot`, `start`, `scale`, `wait`, `apply`, …):
/// `{"id": 1, "ok": true, "result": …}` or `{"id": 1, "ok": false, "error": "…", "kind": "usage"}`.
public enum ControlResponse<Value: Codable & Sendable>: Sendable {
    /// The call's result.
    case success(Value)
    /// Why it failed; the kind survives the socket.
    case failure(ControlError)

    /// The result, or the error thrown.
    public func get() throws(ControlError) -> Value {
        switch self {
        case .success(let v): return v
        case .failure(let e): throw e
        }
    }
}

extension ControlResponse: Codable {
    enum CodingKeys: String, CodingKey { case ok, result }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if try c.decode(Bool.self, forKey: .ok) {
            self = .success(try c.decode(Value.self, forKey: .result))
        } else {
            self = .failure(try ControlError(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .success(let v):
            try c.encode(true, forKey: .ok)
            try c.encode(v, forKey: .result)
        case .failure(let e):
            try c.encode(false, forKey: .ok)
            try e.encode(to: encoder)
        }
    }
}

/// One line of a streamed answer (`logs`, `follow`, `changes`): `{"ok": true}` first, then
/// `{"records": […]}` or `{"missed": 120}` or `{"snapshot": {…}}` lines, and `{"end": true}`
/// when the stream is over. A failure at any point is `{"ok": false, "error": …, "kind": …}`.
public enum StreamFrame: Sendable, Equatable {
    /// The request was accepted; frames follow.
    case started
    /// A bounded batch of log lines.
    case records([LogRecord])
    /// The reader fell behind: this many lines were dropped from memory (not from the files).
    case missed(Int)
    /// The stack's state (the `changes` stream).
    case snapshot(StackSnapshot)
    /// Nothing more will come.
    case end
    /// The stream stopped with an error.
    case failure(ControlError)

    /// The frame as one JSON line (without the newline).
    public func line(id: Int?) -> String {
        String(decoding: bytes(id: id).dropLast(), as: UTF8.self)
    }

    /// The frame as one JSON line, newline included, ready to write. A records frame is
    /// written straight to bytes: this is the log stream's hot path (docs/DECISIONS.md, "Log
    /// records skip Codable on the socket"); the text is the same as the Codable form's.
    public func bytes(id: Int?) -> [UInt8] {
        switch self {
        case .records(let batch):
            var out = RecordWriter(capacity: batch.reduce(64) { $0 + $1.text.utf8.count + $1.service.utf8.count + 96 })
            out.raw("{\"id\":")
            if let id { out.raw(String(id)) } else { out.raw("null") }
            out.raw(",\"records\":[")
            for (i, r) in batch.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.record(r)
            }
            out.raw("]}\n")
            return out.bytes
        default:
            var frame = Wire.json(self)
            if case .object(let pairs) = frame { frame = .object([("id", id.map { .int($0) } ?? .null)] + pairs) }
            return Array((frame.serialized(pretty: false) + "\n").utf8)
        }
    }

    /// Reads a frame from its JSON line (records by hand, as they are written).
    public static func parse(_ json: JSON) throws(ControlError) -> StreamFrame {
        if let batch = json["records"] {
            guard case .array(let items) = batch else { throw .protocolError("unexpected answer: records: expected an array") }
            var records: [LogRecord] = []
            records.reserveCapacity(items.count)
            for item in items {
                guard let r = Wire.record(item) else { throw .protocolError("unexpected answer: unreadable log record") }
                records.append(r)
            }
            return .records(records)
        }
        return try Wire.decode(StreamFrame.self, from: json)
    }
}

extension StreamFrame: Codable {
    enum CodingKeys: String, CodingKey { case ok, records, missed, snapshot, end }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let ok = try c.decodeIfPresent(Bool.self, forKey: .ok) {
            self = ok ? .started : .failure(try ControlError(from: decoder))
        } else if let records = try c.decodeIfPresent([LogRecord].self, forKey: .records) {
            self = .records(records)
        } else if let n = try c.decodeIfPresent(Int.self, forKey: .missed) {
            self = .missed(n)
        } else if let s = try c.decodeIfPresent(StackSnapshot.self, forKey: .snapshot) {
            self = .snapshot(s)
        } else if try c.decodeIfPresent(Bool.self, forKey: .end) == true {
            self = .end
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a stream frame"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .started: try c.encode(true, forKey: .ok)
        case .records(let batch): try c.encode(batch, forKey: .records)
        case .missed(let n): try c.encode(n, forKey: .missed)
        case .snapshot(let s): try c.encode(s, forKey: .snapshot)
        case .end: try c.encode(true, forKey: .end)
        case .failure(let e):
            try c.encode(false, forKey: .ok)
            try e.encode(to: encoder)
        }
    }
}

/// `{"error": "unknown service \"nope\"; did you mean \"orders\"?", "kind": "unknownService"}`.
extension ControlError: Codable {
    enum CodingKeys: String, CodingKey { case error, kind }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self = .from(kind: try c.decodeIfPresent(String.self, forKey: .kind), message: try c.decodeIfPresent(String.self, forKey: .error) ?? "unknown error")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(message, forKey: .error)
        try c.encode(kind, forKey: .kind)
    }

    /// The message as it travels: `description` without the "control socket:" prefix.
    var message: String {
        if case .protocolError(let m) = self { return m }
        return description
    }
}

/// An answer line: `id` first, then the answer's own fields.
struct ControlAnswerLine<Body: Codable & Sendable>: Codable, Sendable {
    var id: Int?
    var body: Body

    enum CodingKeys: String, CodingKey { case id }

    init(id: Int?, body: Body) {
        self.id = id
        self.body = body
    }

    init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .id)
        body = try Body(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try body.encode(to: encoder)
    }
}

/// Writes log records as JSON bytes, exactly as `Wire.json(record).serialized(pretty: false)`
/// would, without building `JSON` values: strings without characters to escape (nearly all
/// log lines) are copied as they are.
struct RecordWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func string(_ s: String) {
        var s = s
        let plain = s.withUTF8 { b in !b.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
        if plain {
            bytes.append(0x22)
            s.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(0x22)
        } else {
            var quoted = ""
            JSON.quote(s, into: &quoted)
            bytes.append(contentsOf: quoted.utf8)
        }
    }

    mutating func record(_ r: LogRecord) {
        raw("{\"seq\":")
        raw(String(Int(truncatingIfNeeded: r.seq)))
        raw(",\"time\":")
        // As `JSON.double` prints `Wire.time`: whole numbers without a fraction.
        let t = (r.time.timeIntervalSince1970 * 1000).rounded() / 1000
        raw(t.isFinite ? (t == t.rounded() && abs(t) < 1e15 ? String(Int(t)) : String(t)) : "null")
        raw(",\"service\":")
        string(r.service)
        raw(",\"replica\":")
        raw(String(r.replica))
        raw(",\"stream\":\"")
        raw(r.stream.rawValue)
        raw("\",\"text\":")
        string(r.text)
        byte(UInt8(ascii: "}"))
    }
}
