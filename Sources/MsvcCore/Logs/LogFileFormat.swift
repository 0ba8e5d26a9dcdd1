import Foundation
import Glibc

/// The line format of `.msvc/logs/SERVICE[.N].log`: `2026-12-01T10:04:05.123Z | text`, with
/// `|` for stdout, `!` for stderr and `*` for msvc's own notes, as merged output marks them.
/// The time makes `msvc logs --since` work on the files after the stack has stopped.
public enum LogFileFormat {
    /// Bytes before the text: 24 for the time, then ` | `.
    static let prefixLength = 27

    /// The prefix of a line read at `time` from `stream`.
    static func prefix(_ time: Date, _ stream: LogRecord.Stream) -> [UInt8] {
        var out = timestamp(time)
        out += [0x20, mark(stream), 0x20]
        return out
    }

    static func mark(_ stream: LogRecord.Stream) -> UInt8 {
        switch stream {
        case .stdout: return UInt8(ascii: "|")
        case .stderr: return UInt8(ascii: "!")
        case .system: return UInt8(ascii: "*")
        }
    }

    /// `2026-12-01T10:04:05.123Z`, UTC, without Foundation's formatters (this runs per pipe read).
    static func timestamp(_ time: Date) -> [UInt8] {
        let interval = time.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000) % 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var v = value
            var buffer = [UInt8](repeating: 0x30, count: width)
            for i in stride(from: width - 1, through: 0, by: -1) {
                buffer[i] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out += buffer
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(0x2D)
        digits(Int(parts.tm_mon) + 1, 2); out.append(0x2D)
        digits(Int(parts.tm_mday), 2); out.append(0x54)
        digits(Int(parts.tm_hour), 2); out.append(0x3A)
        digits(Int(parts.tm_min), 2); out.append(0x3A)
        digits(Int(parts.tm_sec), 2); out.append(0x2E)
        digits(millis, 3); out.append(0x5A)
        return out
    }

    /// Reads a line back: its time and stream when it has the prefix (older files and msvc's
    /// marker lines may not), and its text.
    public static func parse(_ line: Substring) -> (time: Date?, stream: LogRecord.Stream, text: String) {
        let u = Array(line.utf8.prefix(prefixLength))
        guard u.count >= prefixLength - 1, u[23] == UInt8(ascii: "Z"), u[24] == 0x20,
              let time = parseTime(u[0..<24]) else {
            let text = String(line)
            return (nil, text.hasPrefix("[msvc] ") ? .system : .stdout, text.hasPrefix("[msvc] ") ? String(text.dropFirst(7)) : text)
        }
        let stream: LogRecord.Stream = switch u[25] {
        case UInt8(ascii: "!"): .stderr
        case UInt8(ascii: "*"): .system
        default: .stdout
        }
        let text = line.utf8.count > prefixLength ? String(line.utf8.dropFirst(prefixLength))! : ""
        return (time, stream, text)
    }

    static func parseTime(_ b: ArraySlice<UInt8>) -> Date? {
        let a = Array(b)
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard a[i] >= 0x30 && a[i] <= 0x39 else { return nil }
                v = v * 10 + Int(a[i] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2), let ms = num(20, 3) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(y - 1900)
        parts.tm_mon = Int32(mo - 1)
        parts.tm_mday = Int32(d)
        parts.tm_hour = Int32(h)
        parts.tm_min = Int32(mi)
        parts.tm_sec = Int32(s)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + Double(ms) / 1000)
    }
}

/// `msvc logs` without a running stack: the lines stored in `.msvc/logs/`.
public enum StoredLogs {
    /// Every stored line matching `query` (services, `since`, `grep`, then `tail`), oldest first.
    /// `services` lists the stack's services, so `orders` never picks up `orders-api`'s files.
    public static func read(_ directory: StateDirectory, services known: [String], query: LogQuery) throws -> [LogRecord] {
        let filter = try LineFilter(LogQuery(services: query.services, since: query.since, grep: query.grep))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.logs)) ?? []
        var records: [LogRecord] = []
        var seq: UInt64 = 0
        let wanted = query.services.isEmpty ? known : query.services
        for service in wanted {
            for (replica, files) in files(of: service, in: names) {
                for file in files {
                    guard let data = FileManager.default.contents(atPath: directory.logs + "/" + file) else { continue }
                    var last = Date(timeIntervalSince1970: 0)
                    for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                        let parsed = LogFileFormat.parse(line)
                        if let t = parsed.time { last = t }
                        seq += 1
                        let r = LogRecord(seq: seq, time: parsed.time ?? last, service: service, replica: replica,
                                          stream: parsed.stream, text: parsed.text)
                        if filter.matches(r) { records.append(r) }
                    }
                }
            }
        }
        // Oldest first across files; lines of one file keep their order.
        records.sort { $0.time == $1.time ? $0.seq < $1.seq : $0.time < $1.time }
        if let tail = query.tail, tail >= 0, records.count > tail { records.removeFirst(records.count - tail) }
        return records
    }

    /// The files of one service by replica, rotated ones (oldest) first: `orders.log.2`,
    /// `orders.log.1`, `orders.log`; `orders.3.log` for replica 3.
    static func files(of service: String, in names: [String]) -> [(Int, [String])] {
        var byReplica: [Int: [(Int, String)]] = [:]
        for name in names {
            guard name.hasPrefix(service + ".") else { continue }
            var rest = name.dropFirst(service.count + 1)
            var replica = 1
            if let dot = rest.firstIndex(of: "."), let n = Int(rest[..<dot]) {
                replica = n
                rest = rest[rest.index(after: dot)...]
            }
            if rest == "log" {
                byReplica[replica, default: []].append((0, name))
            } else if rest.hasPrefix("log."), let generation = Int(rest.dropFirst(4)) {
                byReplica[replica, default: []].append((generation, name))
            }
        }
        return byReplica.keys.sorted().map { r in (r, byReplica[r]!.sorted { $0.0 > $1.0 }.map(\.1)) }
    }
}
