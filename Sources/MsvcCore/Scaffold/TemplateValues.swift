import Foundation

/// The values a template is rendered with: built-ins plus the template's variables.
public struct TemplateValues: Sendable, Equatable {
    /// Variables every template gets.
    public static let builtinNames: Set<String> = [
        "service", "service_upper", "service_title", "service_snake", "service_pascal", "port", "project",
    ]

    /// Strings by name.
    public private(set) var strings: [String: String]
    /// Yes/no switches by name (rendered as Mustache booleans).
    public private(set) var bools: [String: Bool]

    /// Built-ins for `service` in `project` on `port` (`auto` or a number).
    public init(service: String, project: String, port: String) {
        let words = service.split(separator: "-").map(String.init)
        strings = [
            "service": service,
            "service_upper": Naming.envPrefix(service),
            "service_title": words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "),
            "service_snake": words.joined(separator: "_"),
            "service_pascal": words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
            "port": port,
            "project": project,
        ]
        bools = [:]
    }

    /// Adds a variable's value (booleans become Mustache booleans).
    public mutating func set(_ variable: TemplateVariable, _ value: String) {
        if variable.isBool { bools[variable.name] = TemplateVariable.boolValue(value) ?? false } else { strings[variable.name] = value }
    }

    /// Whether a variable counts as true for `conditional:`.
    public func isTruthy(_ name: String) -> Bool {
        if let b = bools[name] { return b }
        guard let s = strings[name] else { return false }
        return TemplateVariable.boolValue(s) ?? true
    }

    /// The Mustache context.
    var context: [String: Any] {
        var out: [String: Any] = strings
        for (k, v) in bools { out[k] = v }
        return out
    }

    /// Validates `--set` values against `manifest` and fills in defaults (or `answers`).
    /// Every unknown name and bad value is reported, the first one thrown.
    public static func resolve(
        manifest: TemplateManifest, service: String, project: String, port: String, set: [String: String]
    ) throws(ScaffoldError) -> TemplateValues {
        var values = TemplateValues(service: service, project: project, port: port)
        let known = manifest.variables.map(\.name)
        for name in set.keys.sorted() where !known.contains(name) {
            throw .unknownVariable(name: name, template: manifest.name, known: known)
        }
        for v in manifest.variables {
            guard let value = set[v.name] ?? v.defaultValue else { throw .missingValue(variable: v.name) }
            if let problem = v.problem(with: value) { throw .invalidValue(variable: v.name, value: value, reason: problem) }
            values.set(v, value)
        }
        return values
    }
}
