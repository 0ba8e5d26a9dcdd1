import Foundation

/// Regular expressions from pacts, compiled once and matched against the whole value, as the
/// Pact specification (and Pact-JVM's `matches()`) reads a regex matcher.
enum PactRegex {
    // NSRegularExpression is immutable and thread-safe once made; the cache is behind a lock.
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var compiled: [String: NSRegularExpression] = [:]
        var failed: [String: String] = [:]
    }

    private static let cache = Cache()

    /// Compiles `pattern` anchored at both ends, or returns why it is invalid.
    static func compile(_ pattern: String) -> Result<NSRegularExpression, PactFormatError> {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let re = cache.compiled[pattern] { return .success(re) }
        if let why = cache.failed[pattern] { return .failure(PactFormatError(why)) }
        do {
            let re = try NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z", options: [])
            if cache.compiled.count > 4096 { cache.compiled.removeAll() }
            cache.compiled[pattern] = re
            return .success(re)
        } catch {
            let why = "'\(pattern)' is not a valid regular expression"
            cache.failed[pattern] = why
            return .failure(PactFormatError(why))
        }
    }

    /// Whether `text` matches `pattern` as a whole; nil when the pattern is invalid.
    static func wholeMatch(_ pattern: String, _ text: String) -> Bool? {
        guard case .success(let re) = compile(pattern) else { return nil }
        let ns = text as NSString
        return re.firstMatch(in: text, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }
}
