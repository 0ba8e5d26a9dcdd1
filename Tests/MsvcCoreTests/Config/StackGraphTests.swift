import MsvcCore
import Testing

@Suite("StackGraph")
struct StackGraphTests {
    /// A stack from `name: [dependencies]` pairs, in the given order.
    static func stack(_ edges: KeyValuePairs<String, [String]>) -> StackConfig {
        var stack = StackConfig()
        for (name, deps) in edges {
            var s = ServiceConfig(name: name)
            s.dependsOn = deps.map { Dependency(service: $0, condition: .started) }
            stack.services[name] = s
        }
        return stack
    }

    @Test func cycles_findsTwoAndThreeCyclesStartingFromTheFirstDeclared() {
        let graph = StackGraph(Self.stack(["a": ["b"], "b": ["a"], "c": ["e"], "d": ["c"], "e": ["d"], "f": []]))
        #expect(graph.cycles() == [["a", "b", "a"], ["c", "e", "d", "c"]])
    }

    @Test func cycles_rotatesToTheEarliestDeclaredService() {
        // The search enters the cycle at z, but x is declared first.
        let graph = StackGraph(Self.stack(["entry": ["z"], "x": ["y"], "y": ["z"], "z": ["x"]]))
        #expect(graph.cycles() == [["x", "y", "z", "x"]])
    }

    @Test func cycles_reportsSelfLoopsAndSharedNodesOnce() {
        let graph = StackGraph(Self.stack(["a": ["a", "b"], "b": ["c"], "c": ["b", "a"]]))
        #expect(graph.cycles() == [["a", "a"], ["b", "c", "b"], ["a", "b", "c", "a"]])
    }

    @Test func cycles_isEmptyForADagAndIgnoresUnknownServices() {
        let graph = StackGraph(Self.stack(["a": ["b", "ghost"], "b": ["c"], "c": [], "d": ["a", "c"]]))
        #expect(graph.cycles().isEmpty)
        #expect(graph.dependencies["a"]?.map(\.service) == ["b"], "edges to unknown services are dropped")
    }

    @Test func levels_groupsServicesByStartOrder() {
        let graph = StackGraph(Self.stack(["web": ["api"], "api": ["db", "cache"], "db": [], "cache": [], "tool": []]))
        #expect(graph.levels() == [["db", "cache", "tool"], ["api"], ["web"]])
    }

    @Test func levels_leavesOutCyclesAndWhatDependsOnThem() {
        let graph = StackGraph(Self.stack(["a": ["b"], "b": ["a"], "c": ["a"], "d": [], "e": ["d"]]))
        #expect(graph.levels() == [["d"], ["e"]])
    }

    @Test func levels_ofASubsetKeepsFullDepth() {
        let graph = StackGraph(Self.stack(["web": ["api"], "api": ["db"], "db": []]))
        #expect(graph.levels(of: ["web", "db"]) == [["db"], ["web"]])
        #expect(graph.levels(of: ["api"]) == [["api"]])
    }

    @Test func closure_followsDependenciesTransitively() {
        let graph = StackGraph(Self.stack(["web": ["api"], "api": ["db", "cache"], "db": [], "cache": [], "tool": ["db"]]))
        #expect(graph.closure(of: ["web"]) == ["web", "api", "db", "cache"])
        #expect(graph.closure(of: ["tool", "cache"]) == ["tool", "db", "cache"])
        #expect(graph.closure(of: []).isEmpty)
        let cyclic = StackGraph(Self.stack(["a": ["b"], "b": ["a"]]))
        #expect(cyclic.closure(of: ["a"]) == ["a", "b"], "a cycle does not loop forever")
    }

    @Test func dependents_areTheDirectOnes() {
        let graph = StackGraph(Self.stack(["web": ["api"], "api": ["db"], "db": [], "admin": ["db"]]))
        #expect(graph.dependents(of: "db") == ["api", "admin"])
        #expect(graph.dependents(of: "web").isEmpty)
    }

    @Test func aChainOf200kServices_doesNotOverflowTheStack() async {
        // Each service depends on the next, so a walk from the first goes 200,000 deep.
        let count = 200_000
        let (cycles, cyclicLevels, chainCycles, levels, closure) = await Fixtures.offPool {
            var stack = StackConfig()
            for i in 0..<count {
                var s = ServiceConfig(name: "s\(i)")
                s.dependsOn = [Dependency(service: "s\((i + 1) % count)", condition: .started)]
                stack.services["s\(i)"] = s
            }
            let graph = StackGraph(stack)
            stack.services["s\(count - 1)"]!.dependsOn = []
            let chain = StackGraph(stack)
            return (graph.cycles(), graph.levels(), chain.cycles(), chain.levels(), chain.closure(of: ["s0"]))
        }
        #expect(cycles.count == 1)
        #expect(cycles.first?.count == count + 1)
        #expect(cycles.first?.first == "s0" && cycles.first?.last == "s0")
        #expect(cyclicLevels.isEmpty, "every service is on the cycle")
        #expect(chainCycles.isEmpty)
        #expect(levels.count == count)
        #expect(levels.first == ["s\(count - 1)"] && levels.last == ["s0"])
        #expect(closure.count == count)
    }
}
