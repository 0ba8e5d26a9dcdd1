import Foundation

/// A parsed `Content-Type` value (`application/hal+json; charset=utf-8`), classified the way
/// Pact verifiers choose a body matcher.
public struct MediaType: Sendable, Equatable, CustomStringConvertible {
    /// `application` in `application/json`.
    public var type: String
    /// `hal` in `application/hal+json`, `json` in `application/json`.
    public var subtype: String
    /// `json` in `application/hal+json`.
    public var suffix: String?
    /// Parameters, names lower-cased, in the order written.
    public var parameters: [(String, String)]

    /// Parses `text`; nil when it has no `type/subtype`.
    public init?(_ text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        let essence = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        let halves = essence.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty,
              !essence.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        type = String(halves[0])
        let sub = String(halves[1])
        if let plus = sub.lastIndex(of: "+") {
            subtype = String(sub[..<plus])
            suffix = String(sub[sub.index(after: plus)...])
        } else {
            subtype = sub
            suffix = nil
        }
        parameters = parts.dropFirst().compactMap { p in
            let kv = p.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            var value = kv[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (kv[0].trimmingCharacters(in: .whitespaces).lowercased(), value)
        }
    }

    /// Creates a type from its parts.
    public init(type: String, subtype: String, suffix: String? = nil) {
        self.type = type
        self.subtype = subtype
        self.suffix = suffix
        self.parameters = []
    }

    public static func == (a: MediaType, b: MediaType) -> Bool {
        a.type == b.type && a.subtype == b.subtype && a.suffix == b.suffix
            && a.parameters.sorted { $0.0 < $1.0 }.elementsEqual(b.parameters.sorted { $0.0 < $1.0 }, by: ==)
    }

    /// `type/subtype[+suffix]` without parameters.
    public var essence: String { "\(type)/\(subtype)" + (suffix.map { "+\($0)" } ?? "") }

    public var description: String {
        parameters.isEmpty ? essence : essence + ";" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    }

    /// JSON: `application/json`, `application/*+json`, `application/json-*`, GraphQL.
    public var isJSON: Bool {
        type == "application" && (subtype.hasPrefix("json") || suffix == "json" || subtype == "graphql")
    }

    /// XML: `application/xml`, `text/xml` and `+xml` types.
    public var isXML: Bool { (type == "application" || type == "text") && (subtype == "xml" || suffix == "xml") }

    /// Plain `application/xml` or `text/xml`, without a suffix.
    var isStrictXML: Bool { (type == "application" || type == "text") && subtype == "xml" && suffix == nil }

    /// Any textual type.
    public var isText: Bool { type == "text" || isXML || isJSON || (type == "application" && subtype == "x-www-form-urlencoded") }

    /// Binary: images, audio, video, fonts, and anything that is not text.
    public var isBinary: Bool {
        switch type {
        case "audio", "font", "image", "video": return true
        case "text": return false
        default: return !isText
        }
    }

    /// The type without parameters, with a suffix promoted (`application/hal+json` → `application/json`).
    public var base: MediaType { MediaType(type: type, subtype: suffix ?? subtype) }

    /// Equal when `self` names no parameters, or all of them are the same.
    public func isEquivalent(to other: MediaType) -> Bool {
        if isStrictXML && other.isStrictXML { return parameters.isEmpty || self == other }
        if parameters.isEmpty { return type == other.type && subtype == other.subtype && suffix == other.suffix }
        return self == other
    }

    /// `application/json`.
    static let json = MediaType(type: "application", subtype: "json")
    /// `application/xml`.
    static let xml = MediaType(type: "application", subtype: "xml")
    /// `text/html`.
    static let html = MediaType(type: "text", subtype: "html")
    /// `text/plain`.
    static let text = MediaType(type: "text", subtype: "plain")

    /// Guesses the type of a body from its first characters, as Pact does when no header says.
    public static func sniff(_ text: Substring) -> MediaType {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        if trimmed.hasPrefix("<?xml") { return .xml }
        let upper = trimmed.prefix(16).uppercased()
        if upper.hasPrefix("<!DOCTYPE") || upper.hasPrefix("<HTML>") { return .html }
        if trimmed.hasPrefix("<"), let next = trimmed.dropFirst().first, next.isLetter || next == "_" { return .xml }
        if let first = trimmed.first {
            if first == "{" || first == "[" || first == "\"" || first.isNumber { return .json }
            if trimmed.hasPrefix("true") || trimmed.hasPrefix("false") || trimmed.hasPrefix("null") { return .json }
        }
        return .text
    }
}
