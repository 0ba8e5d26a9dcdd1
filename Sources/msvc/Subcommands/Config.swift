import ArgumentParser
import MsvcCore

extension MsvcCommand {
    /// `msvc config`: the resolved configuration.
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Print the resolved configuration (defaults applied, variables interpolated).")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON instead of YAML.") var json = false

        func run() throws {
            try reporting(global) {
                let loaded = try global.loadStack()
                let value = ConfigRenderer.json(loaded.config)
                Console.out(json ? value.serialized() : YAMLWriter.write(value), terminator: json ? "\n" : "")
            }
        }
    }
}
