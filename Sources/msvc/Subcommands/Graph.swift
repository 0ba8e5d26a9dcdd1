import ArgumentParser
import MsvcCore

extension GraphRenderer.Format: ExpressibleByArgument {}

extension MsvcCommand {
    /// `msvc graph`: the dependency graph.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "graph", abstract: "Print the dependency graph.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "text, dot (Graphviz) or mermaid.") var format: GraphRenderer.Format = .text
        @Flag(help: "Print one JSON document (services, edges and start levels).") var json = false

        func run() throws {
            try reporting(global) {
                let stack = try global.loadStack().config
                if json {
                    let graph = StackGraph(stack)
                    Console.out(JSON.object([
                        ("services", .array(stack.services.keys.map(JSON.string))),
                        ("edges", .array(stack.services.values.flatMap { s in
                            s.dependsOn.map { d in
                                JSON.object([("from", .string(s.name)), ("to", .string(d.service)), ("condition", .string(d.condition.rawValue))])
                            }
                        })),
                        ("levels", .array(graph.levels().map { .array($0.map(JSON.string)) })),
                    ]).serialized())
                } else {
                    Console.out(GraphRenderer.render(stack, format: format), terminator: "")
                }
            }
        }
    }
}
