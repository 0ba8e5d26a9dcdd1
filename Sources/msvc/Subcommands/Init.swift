import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc init`: a commented msvc.yaml and a .gitignore entry for .msvc/.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write a commented msvc.yaml here and add .msvc/ to .gitignore.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Project name (default: this folder's name).") var name: String?
        @Flag(help: "Overwrite an existing msvc.yaml.") var force = false

        func run() throws {
            try reporting(global) {
                let cwd = FileManager.default.currentDirectoryPath
                let target = global.file.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } ?? cwd + "/msvc.yaml"
                let directory = (target as NSString).deletingLastPathComponent
                let project = name ?? Naming.projectName(fromDirectory: (directory as NSString).lastPathComponent)
                guard Naming.isValidProjectName(project) else {
                    throw CLIError.usage("invalid project name \"\(project)\" (lowercase letters, digits, - and _)")
                }
                if FileManager.default.fileExists(atPath: target) && !force {
                    throw CLIError.failed("\(displayPath(target, cwd: cwd)) already exists; pass --force to overwrite it")
                }
                try ProjectInit.write(project: project, to: target)
                let ignore = try ProjectInit.ensureGitignore(in: directory)
                if !global.quiet {
                    Console.out("wrote \(displayPath(target, cwd: cwd))")
                    if ignore { Console.out("added .msvc/ to .gitignore") }
                    Console.out("next: msvc new SERVICE -t python-http, or edit msvc.yaml, then msvc up")
                }
            }
        }
    }
}
