import Foundation
import MsvcCore

/// Severity read from a log line, for the level filter and colouring.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, warn, error, fatal

    /// Orders levels by severity.
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// How the dashboard labels it.
    public var label: String {
        switch self {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warn: return "WARN"
        case .error: return "ERROR"
        case .fatal: return "FATAL"
        }
    }

    /// Reads a level word (`warning`, `ERR`, `Info`…).
    public init?(word: Substring) {
        switch word.lowercased() {
        case "trace": self = .trace
        case "debug", "dbg": self = .debug
        case "info", "information", "notice": self = .info
        case "warn", "warning": self = .warn
        case "error", "err": self = .error
        case "fatal", "critical", "crit", "panic", "emerg", "alert": self = .fatal
        default: return nil
        }
    }

    /// A cheap guess at a line's level without parsing it: a `"level": "…"`-style key in a
    /// JSON line, or an upper-case level word near the start of a plain line. It runs on
    /// every line received, so it scans bytes and allocates only for candidate words.
    public static func sniff(_ text: String) -> LogLevel? {
        var text = text
        return text.withUTF8 { sniff(bytes: $0) }
    }

    static func sniff(bytes b: UnsafeBufferPointer<UInt8>) -> LogLevel? {
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
        func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        func word(_ r: Range<Int>) -> LogLevel? {
            LogLevel(word: Substring(String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)))
        }
        if b.first == UInt8(ascii: "{") {
            let n = min(b.count, 400)
            var i = 1
            while i < n {
                guard b[i] == UInt8(ascii: "\"") else { i += 1; continue }
                var j = i + 1
                while j < n && b[j] != UInt8(ascii: "\"") { j += 1 }
                let keyLength = j - i - 1
                if [3, 5, 8, 9].contains(keyLength), isLevelKey(b, (i + 1)..<j) {
                    var k = j + 1
                    while k < n && (b[k] == UInt8(ascii: " ") || b[k] == UInt8(ascii: ":")) { k += 1 }
                    if k < n && b[k] == UInt8(ascii: "\"") {
                        let start = k + 1
                        var end = start
                        while end < n && isLetter(b[end]) { end += 1 }
                        if let l = word(start..<end) { return l }
                    }
                }
                i = j + 1
            }
            return nil
        }
        let m = min(b.count, 48)
        var i = 0
        while i < m {
            guard isUpper(b[i]) else { i += 1; continue }
            let start = i
            while i < m && isUpper(b[i]) { i += 1 }
            let boundary = (i >= m || !isLetter(b[i])) && (start == 0 || !isLetter(b[start - 1]))
            if boundary, (2...8).contains(i - start), let l = word(start..<i) { return l }
        }
        return nil
    }

    /// Whether the bytes are one of the keys JSON loggers put the level under.
    static func isLevelKey(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        let key = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self).lowercased()
        return ["level", "lvl", "severity", "levelname"].contains(key)
    }
}

/// One log line as the dashboard keeps it.
public struct LogEntry: Sendable, Equatable {
    /// The record from the supervisor.
    public var record: LogRecord
    /// Its level, if one could be read.
    public var level: LogLevel?

    /// Wraps a record, reading its level.
    public init(_ record: LogRecord) {
        self.record = record
        level = record.stream == .system ? .info : LogLevel.sniff(record.text)
    }
}

/// The newest log lines across the stack, bounded.
public struct LogBuffer: Sendable {
    /// Lines kept.
    public let capacity: Int
    /// The lines, oldest first (up to a quarter more than `capacity` between trims, so
    /// trimming is amortised rather than done on every append).
    public private(set) var entries: [LogEntry] = []
    /// Lines dropped from the front so far.
    public private(set) var dropped = 0

    /// Creates an empty buffer.
    public init(capacity: Int = 20_000) { self.capacity = capacity }

    /// Appends records in order, dropping the oldest beyond capacity.
    public mutating func append(_ records: [LogRecord]) {
        var records = records[...]
        if records.count > capacity { dropped += records.count - capacity; records = records.suffix(capacity) }
        if entries.count + records.count > capacity + capacity / 4 {
            let overflow = entries.count + records.count - capacity
            entries.removeFirst(overflow)
            dropped += overflow
        }
        entries.reserveCapacity(capacity + capacity / 4)
        for r in records { entries.append(LogEntry(r)) }
    }
}

/// A JSON log line split for display: level, message, the request fields people scan for
/// (method, path, status, duration) inline, and every other field to fold.
public struct StructuredLine: Sendable, Equatable {
    /// The level word, if any.
    public var level: String?
    /// The message.
    public var message: String
    /// The request fields found, in the order method, path, status, duration: `GET`,
    /// `/orders/7`, `200`, `12ms` (a duration of unknown unit stays `duration=0.012`).
    public var request: [String]
    /// Every other field as `key=value`, in order.
    public var fields: [String]

    /// The request fields: each slot's keys (lower-cased), as common loggers name them.
    static let requestKeys: [[String]] = [
        ["method", "http_method", "http.method", "req.method", "request.method", "verb"],
        ["path", "url", "uri", "route", "http.path", "http.url", "http.target", "req.url", "request.path", "request.url", "url.path"],
        ["status", "status_code", "statuscode", "http.status_code", "http_status", "res.statuscode", "response.status", "res.status"],
        ["duration_ms", "elapsed_ms", "latency_ms", "took_ms", "time_ms", "response_time_ms", "responsetime", "ms",
         "duration", "elapsed", "latency", "took", "response_time"],
    ]
    /// Objects whose members are looked at for request fields (pino's `req` and `res`).
    static let requestObjects: Set<String> = ["req", "request", "res", "response", "http"]

    /// Parses `text` when it is a JSON object with a message; nil otherwise.
    public init?(_ text: String) {
        guard text.utf8.first == UInt8(ascii: "{"), let json = try? JSON.parse(text), let object = json.objectValue else { return nil }
        var level: String?
        var message: String?
        var fields: [String] = []
        var slots: [(rank: Int, text: String)?] = Array(repeating: nil, count: Self.requestKeys.count)
        // Fills a slot; an earlier key in a slot's list wins over a later one.
        func offer(_ key: String, _ value: JSON) -> Bool {
            guard Self.isScalar(value) else { return false }
            for (slot, keys) in Self.requestKeys.enumerated() {
                guard let rank = keys.firstIndex(of: key) else { continue }
                if let taken = slots[slot], taken.rank <= rank { return false }
                slots[slot] = (rank, slot == 3 ? Self.duration(key, value) : Self.bare(value))
                return true
            }
            return false
        }
        for (k, v) in object {
            let lower = k.lowercased()
            if level == nil, ["level", "lvl", "severity", "levelname"].contains(lower), let s = v.stringValue {
                level = s.uppercased()
            } else if message == nil, ["msg", "message", "text", "event"].contains(lower), let s = v.stringValue {
                message = s
            } else if offer(lower, v) {
                continue
            } else {
                if Self.requestObjects.contains(lower), let inner = v.objectValue {
                    for (ik, iv) in inner { _ = offer(lower + "." + ik.lowercased(), iv) }
                }
                fields.append("\(k)=\(Self.scalar(v))")
            }
        }
        guard let message else { return nil }
        self.level = level
        self.message = message
        self.request = slots.compactMap { $0?.text }
        self.fields = fields
    }

    private static func isScalar(_ v: JSON) -> Bool {
        switch v {
        case .string, .int, .double: return true
        default: return false
        }
    }

    private static func bare(_ v: JSON) -> String {
        if case .string(let s) = v { return s }
        return v.serialized(pretty: false)
    }

    /// `12ms` when the key says the unit, the text when it is one (`"12.3ms"`), else `key=value`.
    private static func duration(_ key: String, _ v: JSON) -> String {
        if case .string(let s) = v { return s }
        let number = v.serialized(pretty: false)
        if key.hasSuffix("ms") || key == "responsetime" { return number + "ms" }
        return "\(key)=\(number)"
    }

    private static func scalar(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s.contains(" ") ? "\"\(s)\"" : s
        default: return v.serialized(pretty: false)
        }
    }
}
