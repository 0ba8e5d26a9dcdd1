import Foundation

/// Name rules shared by the loader, scaffolding and discovery.
public enum Naming {
    /// `[a-z][a-z0-9-]{0,62}`.
    public static func isValidServiceName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 63, first.isASCII, first.isLowercase else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// Lowercase letters, digits, `-` and `_`, starting with a letter or digit.
    public static func isValidProjectName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 63, first.isASCII, first.isLowercase || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// `[a-z][a-z0-9_-]*`.
    public static func isValidPortName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 63, first.isASCII, first.isLowercase else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A project name made from a folder name: lowercased, other characters turned into `-`.
    public static func projectName(fromDirectory name: String) -> String {
        var out = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        while out.first == "-" || out.first == "_" { out.removeFirst() }
        if out.isEmpty { out = "stack" }
        return String(out.prefix(63))
    }

    /// The environment-variable prefix of a service: upper-cased, `-` to `_` (`order-db` → `ORDER_DB`).
    public static func envPrefix(_ name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}
