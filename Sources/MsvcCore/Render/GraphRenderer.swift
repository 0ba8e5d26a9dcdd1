import Foundation

/// The dependency graph as text, Graphviz dot or Mermaid.
public enum GraphRenderer {
    /// Output formats of `msvc graph`.
    public enum Format: String, Sendable, CaseIterable { case text, dot, mermaid }

    /// Renders the graph of `stack` in `format`.
    public static func render(_ stack: StackConfig, format: Format) -> String {
        switch format {
        case .text: return text(stack)
        case .dot: return dot(stack)
        case .mermaid: return mermaid(stack)
        }
    }

    /// Start levels, then each service with its dependencies.
    static func text(_ stack: StackConfig) -> String {
        let graph = StackGraph(stack)
        var out = ""
        for (i, level) in graph.levels().enumerated() {
            out += "level \(i): \(level.joined(separator: ", "))\n"
        }
        out += "\n"
        for (name, s) in stack.services {
            let deps = s.dependsOn.map { "\($0.service) (\($0.condition.rawValue))" }
            out += deps.isEmpty ? "\(name)\n" : "\(name) -> \(deps.joined(separator: ", "))\n"
        }
        return out
    }

    static func dot(_ stack: StackConfig) -> String {
        var out = "digraph \(dotID(stack.name)) {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
        for (name, s) in stack.services {
            var label = name
            if s.replicas > 1 { label += " ×\(s.replicas)" }
            out += "  \(dotID(name)) [label=\(dotID(label))\(s.disabled ? ", style=\"rounded,dashed\"" : "")];\n"
        }
        for (name, s) in stack.services {
            for d in s.dependsOn {
                let style = d.condition == .started ? "" : ", style=\(d.condition == .healthy ? "bold" : "dashed")"
                out += "  \(dotID(name)) -> \(dotID(d.service)) [label=\(dotID(d.condition.rawValue))\(style)];\n"
            }
        }
        return out + "}\n"
    }

    static func mermaid(_ stack: StackConfig) -> String {
        var out = "flowchart LR\n"
        for (name, s) in stack.services {
            let label = s.replicas > 1 ? "\(name) ×\(s.replicas)" : name
            out += "  \(mermaidID(name))[\"\(label)\"]\n"
        }
        for (name, s) in stack.services {
            for d in s.dependsOn {
                let arrow = d.condition == .started ? "-->" : d.condition == .healthy ? "==>" : "-.->"
                out += "  \(mermaidID(name)) \(arrow)|\(d.condition.rawValue)| \(mermaidID(d.service))\n"
            }
        }
        return out
    }

    /// A double-quoted dot ID.
    static func dotID(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Mermaid node IDs: `-` is not allowed in every renderer, and `end` is a keyword.
    static func mermaidID(_ s: String) -> String {
        "svc_" + s.replacingOccurrences(of: "-", with: "_")
    }
}
