import Foundation

/// Which output stream a line came from.
public enum LogStream: String, Sendable, Hashable, CaseIterable {
    /// Standard output.
    case stdout
    /// Standard error.
    case stderr
}

/// One line (or one piece of an over-long line) written by a process.
public struct LogLine: Sendable, Equatable {
    /// The service and replica that wrote it.
    public var source: LogSource
    /// stdout or stderr.
    public var stream: LogStream
    /// The text without its newline; invalid UTF-8 is replaced by U+FFFD, never dropped.
    public var text: String
    /// When msvc read it.
    public var timestamp: Date
    /// Increases by one for every line an `OutputCapture` emits, across all sources; lines of one
    /// stream always arrive in increasing order.
    public var seq: UInt64
    /// True when the line was longer than the piece limit and the next piece of the same stream
    /// continues it.
    public var continues: Bool

    /// Creates a line.
    public init(source: LogSource, stream: LogStream, text: String, timestamp: Date, seq: UInt64, continues: Bool = false) {
        self.source = source
        self.stream = stream
        self.text = text
        self.timestamp = timestamp
        self.seq = seq
        self.continues = continues
    }
}

/// Splits a byte stream into lines: on `\n`, with lines longer than `maxPiece` bytes cut into
/// pieces (at a UTF-8 character boundary when there is one), and the unterminated tail kept
/// until `finish()`.
struct LineSplitter {
    /// 64 KiB, the piece limit the README promises ("No lost lines").
    static let defaultMaxPiece = 64 * 1024

    /// Largest piece in bytes.
    let maxPiece: Int
    private var pending: [UInt8] = []

    /// Creates a splitter.
    init(maxPiece: Int = LineSplitter.defaultMaxPiece) {
        precondition(maxPiece >= 4, "a piece must hold one UTF-8 character")
        self.maxPiece = maxPiece
    }

    /// Bytes held back waiting for a newline.
    var pendingCount: Int { pending.count }

    /// Consumes `chunk`, calling `emit(bytes, continues)` for every complete line or piece.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        guard var cursor = chunk.baseAddress else { return }
        var remaining = chunk.count
        while remaining > 0 {
            guard let found = memchr(cursor, 0x0A, remaining) else {
                pending.append(contentsOf: UnsafeBufferPointer(start: cursor, count: remaining))
                flushOversized(emit)
                return
            }
            let length = UnsafeRawPointer(found) - UnsafeRawPointer(cursor)
            let line = UnsafeBufferPointer(start: cursor, count: length)
            if pending.isEmpty {
                emitLine(line, emit)
            } else {
                pending.append(contentsOf: line)
                pending.withUnsafeBufferPointer { emitLine($0, emit) }
                pending.removeAll(keepingCapacity: pending.capacity <= 4 * maxPiece)
            }
            cursor += length + 1
            remaining -= length + 1
        }
    }

    /// Emits the unterminated last line, if any (call at end of file).
    mutating func finish(_ emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBufferPointer { emitLine($0, emit) }
        pending = []
    }

    private func emitLine(_ line: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        var rest = line
        while rest.count > maxPiece {
            let cut = Self.cut(rest, limit: maxPiece)
            emit(UnsafeBufferPointer(rebasing: rest[..<cut]), true)
            rest = UnsafeBufferPointer(rebasing: rest[cut...])
        }
        emit(rest, false)
    }

    /// Emits full pieces of a line still missing its newline, keeping at most `maxPiece` bytes.
    /// A line of exactly `maxPiece` bytes stays whole, because the newline may be next.
    private mutating func flushOversized(_ emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        guard pending.count > maxPiece else { return }
        let consumed = pending.withUnsafeBufferPointer { all -> Int in
            var done = 0
            while all.count - done > maxPiece {
                let rest = UnsafeBufferPointer(rebasing: all[done...])
                let cut = Self.cut(rest, limit: maxPiece)
                emit(UnsafeBufferPointer(rebasing: rest[..<cut]), true)
                done += cut
            }
            return done
        }
        pending.removeFirst(consumed)
    }

    /// Where to cut `bytes` (longer than `limit`): at `limit`, moved back over up to three UTF-8
    /// continuation bytes so a character is not split.
    static func cut(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Int {
        var cut = limit
        while cut > limit - 3, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return bytes[cut] & 0xC0 == 0x80 ? limit : cut
    }
}
