import Foundation
import Synchronization

/// A regular expression for log lines (`--grep`, `health: { log: ... }`), in RE2's syntax,
/// matched in time linear in the line whatever the pattern: there is no backtracking, so
/// `(a+)+$` costs what `a` costs. Backreferences and lookaround are refused when the pattern
/// is compiled. Validation and matching use this one type, so they always agree.
///
/// Safe to share between threads: the lazily built DFA is behind a lock.
public final class LinePattern: Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String
    /// The UTF-8 of the pattern when it is plain text, searched for directly.
    private let literal: [UInt8]?
    private let dfa: Mutex<PatternDFA>

    /// Compiles `source`, throwing the first problem with its column.
    public init(_ source: String) throws(PatternError) {
        self.source = source
        let node = try PatternParser.parse(source)
        let program = try PatternProgram(node)
        literal = Self.literalBytes(node)
        dfa = Mutex(PatternDFA(program))
    }

    /// Checks `source` without keeping the compiled form.
    public static func validate(_ source: String) throws(PatternError) {
        _ = try PatternProgram(try PatternParser.parse(source))
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) { return found }
        var copy = text
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the pattern matches anywhere in valid UTF-8 text.
    func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        if let literal { return Self.contains(text, literal) }
        return dfa.withLock { $0.matches(text) }
    }

    /// Times the DFA cache was dropped for lack of room (tests check the NFA fallback).
    var cacheResets: Int { dfa.withLock { $0.resets } }

    /// `/source/`.
    public var description: String { "/\(source)/" }

    /// The bytes of a pattern that is only literal scalars.
    private static func literalBytes(_ node: PatternNode) -> [UInt8]? {
        var scalars: [UInt32] = []
        switch node {
        case .empty: break
        case .scalar(let v): scalars = [v]
        case .concat(let items):
            for item in items {
                guard case .scalar(let v) = item else { return nil }
                scalars.append(v)
            }
        default: return nil
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars.compactMap(Unicode.Scalar.init))
        return Array(text.utf8)
    }

    /// Substring search: memchr for the first byte, then memcmp.
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count, let base = haystack.baseAddress else { return false }
        return needle.withUnsafeBufferPointer { n -> Bool in
            let first = Int32(n[0])
            let last = base + (haystack.count - n.count)
            var p = base
            while p <= last {
                guard let hit = memchr(p, first, last - p + 1) else { return false }
                let q = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(q, n.baseAddress!, n.count) == 0 { return true }
                p = q + 1
            }
            return false
        }
    }
}
