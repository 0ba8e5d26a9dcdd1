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
    /// Iterative, so a dependency chain tens of thousands long cannot overflow the stack.
    public func cycles() -> [[String]] {
        var found: [[String]] = []
        var seen = Set<[String]>()
        var order: [String: Int] = [:]
        for (i, n) in names.enumerated() { order[n] = i }
        var color: [String: Int] = [:]  // 0 white, 1 on the path, 2 done
        var path: [String] = []
        var position: [String: Int] = [:]  // index of each on-path service in `path`
        var frames: [(name: String, next: Int)] = []
        for root in names where color[root, default: 0] == 0 {
            frames.append((root, 0))
            color[root] = 1
            position[root] = path.count
            path.append(root)
            while let top = frames.last {
                let edges = dependencies[top.name] ?? []
                guard top.next < edges.count else {
                    frames.removeLast()
                    path.removeLast()
                    position[top.name] = nil
                    color[top.name] = 2
                    continue
                }
                frames[frames.count - 1].next += 1
                let d = edges[top.next].service
                switch color[d, default: 0] {
                case 0:
                    color[d] = 1
                    position[d] = path.count
                    path.append(d)
                    frames.append((d, 0))
                case 1:
                    var cycle = Array(path[position[d]!...])
                    // Rotate so the earliest-declared service leads: one spelling per cycle.
                    let lead = cycle.indices.min { order[cycle[$0]]! < order[cycle[$1]]! }!
                    cycle = Array(cycle[lead...] + cycle[..<lead])
                    if seen.insert(cycle).inserted { found.append(cycle + [cycle[0]]) }
                default: break
                }
            }
        }
        return found
    }

    /// Services grouped into start levels: each level depends only on earlier ones.
    /// Services on a cycle, or depending on one, are left out.
    public func levels(of subset: Set<String>? = nil) -> [[String]] {
        let members = names.filter { subset?.contains($0) ?? true }
        var level: [String: Int?] = [:]  // nil once known to reach a cycle
        var onPath = Set<String>()
        for root in members where level[root] == nil {
            var frames: [(name: String, next: Int, depth: Int?)] = [(root, 0, 0)]
            onPath.insert(root)
            while let top = frames.last {
                let edges = dependencies[top.name] ?? []
                if top.next < edges.count, top.depth != nil {
                    frames[frames.count - 1].next += 1
                    let d = edges[top.next].service
                    if let known = level[d] {
                        frames[frames.count - 1].depth = known.map { max(top.depth!, $0 + 1) }
                    } else if onPath.contains(d) {
                        frames[frames.count - 1].depth = nil
                    } else {
                        onPath.insert(d)
                        frames.append((d, 0, 0))
                    }
                    continue
                }
                frames.removeLast()
                onPath.remove(top.name)
                level[top.name] = .some(top.depth)
                if !frames.isEmpty {
                    let parent = frames.count - 1
                    frames[parent].depth = top.depth.flatMap { mine in frames[parent].depth.map { max($0, mine + 1) } }
                }
            }
        }
        var result: [[String]] = []
        for n in members {
            guard let l = level[n] ?? nil else { continue }
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
