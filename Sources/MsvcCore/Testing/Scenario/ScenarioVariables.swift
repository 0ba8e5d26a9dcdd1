/// The values `${VAR}` expands to in a scenario: the suite's environment (discovery,
/// `MSVC_SUITE`, msvc's own) and the values earlier steps captured, which win.
struct ScenarioVariables: Sendable {
    /// The suite's environment.
    var environment: [String: String]
    /// Captured values by name.
    var captures: [String: JSON] = [:]

    /// The value of `name` for interpolation.
    func lookup(_ name: String) -> Interpolation.Lookup {
        if let c = captures[name] { return .value(Self.text(of: c)) }
        if let v = environment[name] { return .value(v) }
        return .unset
    }

    /// A captured value as text: strings as they are, anything else as compact JSON.
    static func text(of json: JSON) -> String {
        if case .string(let s) = json { return s }
        return json.serialized(pretty: false)
    }

    /// `text` with `${VAR}` expanded.
    func expand(_ text: String) throws(Interpolation.Failure) -> String {
        try Interpolation.expand(text, lookup: lookup)
    }

    /// `json` with `${VAR}` expanded in every string. A string that is exactly `${name}` of a
    /// captured number, boolean, array or object becomes that value, so `{qty: "${qty}"}`
    /// sends and expects the number. `$type` and `$match` values are kept as written.
    func expand(_ json: JSON) throws(Interpolation.Failure) -> JSON {
        switch json {
        case .string(let s):
            if let name = Self.wholeReference(s), let captured = captures[name] { return captured }
            return .string(try expand(s))
        case .array(let items):
            var out: [JSON] = []
            for item in items { out.append(try expand(item)) }
            return .array(out)
        case .object(let members):
            if JSONMatcher.special(json) != nil { return json }
            var out: [(String, JSON)] = []
            for (k, v) in members { out.append((k, try expand(v))) }
            return .object(out)
        default:
            return json
        }
    }

    /// `name` when `text` is exactly `${name}`.
    static func wholeReference(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        return EnvFile.isValidName(String(name)) ? String(name) : nil
    }
}
