import Foundation

/// The ports `auto` services got last time, kept in `.msvc/ports.json` so the next `up`
/// gives them the same numbers when those are free.
enum PortMemory {
    static func path(_ dir: StateDirectory) -> String { dir.root + "/ports.json" }

    /// Service → port name (`""` the main one) → number; empty when there is no file.
    static func read(_ dir: StateDirectory) -> [String: [String: Int]] {
        guard let text = try? String(contentsOfFile: path(dir), encoding: .utf8), let json = try? JSON.parse(text),
              let services = json.objectValue else { return [:] }
        var out: [String: [String: Int]] = [:]
        for (service, ports) in services {
            for (name, number) in ports.objectValue ?? [] {
                if let n = number.intValue, (1...65535).contains(n) { out[service, default: [:]][name == "main" ? "" : name] = n }
            }
        }
        return out
    }

    /// Writes the map (best effort: a read-only folder only costs the reuse).
    static func write(_ ports: [String: [String: Int]], to dir: StateDirectory) {
        let json = JSON.object(ports.sorted { $0.key < $1.key }.map { service, named in
            (service, JSON.object(named.sorted { $0.key < $1.key }.map { ($0.key.isEmpty ? "main" : $0.key, JSON.int($0.value)) }))
        })
        try? StateFile.replace(path(dir), with: Array((json.serialized() + "\n").utf8))
    }
}
