import Foundation
import MsvcTestSupport
import Testing

@Suite struct GraphCommandTests {
    static let stack = """
        name: shop
        services:
          gateway: { command: x, depends_on: { orders: healthy, inventory: started } }
          orders: { command: x, port: auto, health: { tcp: true }, depends_on: { migrate: completed }, replicas: 2 }
          inventory: { command: x }
          migrate: { command: x, restart: "no" }
          end: { command: x }
        """

    @Test func text_listsStartLevels() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.stack)
        let r = try await MsvcBinary.run(["graph"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("level 0: inventory, migrate, end\nlevel 1: orders\nlevel 2: gateway\n"), "\(r.stdout)")
    }

    @Test func dot_isValidGraphviz() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.stack)
        let r = try await MsvcBinary.run(["graph", "--format", "dot"], cwd: dir.path)
        #expect(r.status == 0)
        try dir.write("graph.dot", r.stdout)
        // Graphviz (Debian's graphviz, installed by .ci/run) is the judge of validity.
        let dot = try await Shell.run("dot", ["-Tsvg", "-o", dir.path + "/graph.svg", dir.path + "/graph.dot"], cwd: dir.path)
        #expect(dot.status == 0, "dot rejected the output (is graphviz installed?): \(dot.stderr)\n\(r.stdout)")
        #expect(dot.stderr.isEmpty, "dot warned: \(dot.stderr)")
        let svg = try dir.read("graph.svg")
        for name in ["gateway", "orders ×2", "inventory", "migrate", "end"] {
            #expect(svg.contains(">\(name)<"), "node \(name) missing from the rendered graph")
        }
    }

    @Test func mermaid_followsTheFlowchartGrammar() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.stack)
        let r = try await MsvcBinary.run(["graph", "--format", "mermaid"], cwd: dir.path)
        #expect(r.status == 0)
        let problems = MermaidChecker.check(r.stdout)
        #expect(problems.isEmpty, "\(problems)\n\(r.stdout)")
        #expect(r.stdout.contains("svc_gateway ==>|healthy| svc_orders"))
        #expect(r.stdout.contains("svc_orders -.->|completed| svc_migrate"))
        #expect(r.stdout.contains("svc_gateway -->|started| svc_inventory"))
    }

    @Test func mermaidChecker_rejectsBrokenInput() {
        #expect(!MermaidChecker.check("graph XY\n").isEmpty)
        #expect(!MermaidChecker.check("flowchart LR\n  a[\"x\"]\n  a --> b\n").isEmpty, "undeclared node")
        #expect(!MermaidChecker.check("flowchart LR\n  end[\"x\"]\n").isEmpty, "reserved word")
        #expect(!MermaidChecker.check("flowchart LR\n  a[\"x\"y\"]\n").isEmpty, "quote in label")
        #expect(MermaidChecker.check("flowchart LR\n  a[\"x\"]\n  b[\"y\"]\n  a -->|l| b\n").isEmpty)
    }
}

/// The subset of Mermaid's flowchart grammar msvc emits, checked strictly: a `flowchart`
/// header with a direction, node declarations `id["label"]`, and edges `id ARROW|label| id`
/// between declared nodes. IDs avoid Mermaid's reserved words.
enum MermaidChecker {
    static let reserved: Set<String> = ["end", "graph", "flowchart", "subgraph", "style", "classDef", "class", "click", "linkStyle"]

    static func check(_ text: String) -> [String] {
        var problems: [String] = []
        var lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first, let m = header.wholeMatch(of: /flowchart (TB|TD|BT|RL|LR)/), !m.output.0.isEmpty else {
            return ["first line must be \"flowchart DIR\""]
        }
        lines.removeFirst()
        var declared = Set<String>()
        for line in lines {
            if let node = line.wholeMatch(of: /\ \ ([A-Za-z_][A-Za-z0-9_]*)\["([^"\[\]]*)"\]/) {
                let id = String(node.output.1)
                if reserved.contains(id) { problems.append("reserved word as id: \(id)") }
                declared.insert(id)
            } else if let edge = line.wholeMatch(of: /\ \ ([A-Za-z_][A-Za-z0-9_]*) (-->|==>|-\.->)\|([^|"]+)\| ([A-Za-z_][A-Za-z0-9_]*)/) {
                for id in [String(edge.output.1), String(edge.output.4)] where !declared.contains(id) {
                    problems.append("edge uses undeclared node \(id)")
                }
            } else {
                problems.append("not a node or edge: \(line)")
            }
        }
        return problems
    }
}
