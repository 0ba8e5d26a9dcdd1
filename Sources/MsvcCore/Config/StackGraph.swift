/// The dependency graph of a stack: order, levels, cycles and subgraphs.
public struct StackGraph: Sendable {
    /// Edges: service -> the services it depends on, in file order.
    public let dependencies: [String: [Dependency]]
    /// Services in file order.
    public let names: [String]

    /// Builds the graph; edges to unknown services are ignored (the validator reports them).
    public init(_ stack: StackConfig) {
        names = Array(stack.services.keys)
        var deps: [String: [Dependency]] = [:]
        for (name, s) in stack.services {
            deps[name] = s.dependsOn.filter { stack.services[$0.service] != nil }
        }
        dependencies = deps
    }

    /// Every cycle, each printed from its first service in file order: `a -> b -> a`.
    public func cycles() -> [[String]] {
        var found: [[String]] = []
        var seen = Set<[String]>()
        var color: [String: Int] = [:]  // 0 white, 1 on stack, 2 done
        var stack: [String] = []
        func visit(_ n: String) {
            color[n] = 1
            stack.append(n)
            for d in dependencies[n] ?? [] {
                switch color[d.service, default: 0] {
                case 0: visit(d.service)
                case 1:
                    let start = stack.firstIndex(of: d.service)!
                    var cycle = Array(stack[start...])
                    // Rotate so the earliest-declared service leads: one spelling per cycle.
                    let lead = cycle.indices.min { names.firstIndex(of: cycle[$0])! < names.firstIndex(of: cycle[$1])! }!
                    cycle = Array(cycle[lead...] + cycle[..<lead])
                    if seen.insert(cycle).inserted { found.append(cycle + [cycle[0]]) }
                default: break
                }
            }
            stack.removeLast()
            color[n] = 2
        }
        for n in names where color[n, default: 0] == 0 { visit(n) }
        return found
    }

    /// Services grouped into start levels: each level depends only on earlier ones.
    /// Services on a cycle are left out.
    public func levels(of subset: Set<String>? = nil) -> [[String]] {
        let members = names.filter { subset?.contains($0) ?? true }
        var level: [String: Int] = [:]
        var visiting = Set<String>()
        func depth(_ n: String) -> Int? {
            if let l = level[n] { return l }
            guard visiting.insert(n).inserted else { return nil }
            defer { visiting.remove(n) }
            var l = 0
            for d in dependencies[n] ?? [] {
                guard let dl = depth(d.service) else { return nil }
                l = max(l, dl + 1)
            }
            level[n] = l
            return l
        }
        var result: [[String]] = []
        for n in members {
            guard let l = depth(n) else { continue }
            while result.count <= l { result.append([]) }
            result[l].append(n)
        }
        return result.filter { !$0.isEmpty }
    }

    /// The named services and everything they depend on, transitively.
    public func closure(of roots: [String]) -> Set<String> {
        var result = Set<String>()
        var todo = roots
        while let n = todo.popLast() {
            guard result.insert(n).inserted else { continue }
            todo.append(contentsOf: (dependencies[n] ?? []).map(\.service))
        }
        return result
    }

    /// Services that depend on `name` directly.
    public func dependents(of name: String) -> [String] {
        names.filter { (dependencies[$0] ?? []).contains { $0.service == name } }
    }
}
