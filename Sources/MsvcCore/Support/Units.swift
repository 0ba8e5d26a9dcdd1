/// Strict parsing and printing of durations (`250ms`, `1m30s`) and sizes (`10MiB`).
public enum Units {
    // Checked in this order so that "ms" is not read as "m"; rank orders units large to small.
    private static let durationUnits: [(unit: String, millis: Double, rank: Int)] = [
        ("ms", 1, 3), ("h", 3_600_000, 0), ("m", 60_000, 1), ("s", 1_000, 2),
    ]

    /// Parses `250ms`, `2s`, `1m30s`, `1h`, `1.5s`; `0` alone is zero. Returns nil when invalid.
    /// Units must go from large to small, each at most once ("1m30s", not "30s1m").
    public static func parseDuration(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total: Double = 0
        var lastRank = -1
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, digits.count <= 15, digits.filter({ $0 == "." }).count <= 1,
                  digits.first != ".", digits.last != ".", let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = durationUnits.first(where: { rest.hasPrefix($0.unit) }), unit.rank > lastRank
            else { return nil }
            lastRank = unit.rank
            total += value * unit.millis
            rest = rest.dropFirst(unit.unit.count)
        }
        guard total.isFinite, total <= 366 * 24 * 3_600_000 else { return nil }
        return .milliseconds(Int64(total.rounded()))
    }

    /// Milliseconds in a duration, rounded down.
    public static func milliseconds(_ d: Duration) -> Int64 {
        let (s, attos) = d.components
        return s * 1000 + attos / 1_000_000_000_000_000
    }

    /// Seconds in a duration as a Double.
    public static func seconds(_ d: Duration) -> Double {
        Double(milliseconds(d)) / 1000
    }

    /// The shortest spelling of a duration in msvc.yaml's syntax (`1m30s`, `250ms`, `0s`).
    public static func format(_ d: Duration) -> String {
        var ms = milliseconds(d)
        if ms == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1_000), ("ms", 1)] where ms >= size {
            out += "\(ms / size)\(unit)"
            ms %= size
        }
        return out
    }

    private static let sizeUnits: [(String, Int64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]

    /// Parses `512B`, `64KiB`, `10MiB`, `1GB`. Returns nil when invalid.
    public static func parseSize(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = text.dropFirst(digits.count)
        if unit.isEmpty { return value }
        guard let size = sizeUnits.first(where: { $0.0 == unit })?.1 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: size)
        return overflow ? nil : product
    }
}
