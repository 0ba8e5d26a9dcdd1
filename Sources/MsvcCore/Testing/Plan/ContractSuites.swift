import Foundation

/// msvc's own contract verification as suite bodies: a `pact:` suite verifies every pact
/// against its provider's balanced URL (provider states through `state_change:`, a path on the
/// provider), an `openapi:` suite runs the conformance checks of the document against it.
/// Pacts and documents are read when planning, so an invalid one stops the run before
/// anything starts.
public struct ContractSuites: ContractSuiteFactory {
    /// Time allowed for each request to the provider (and each state change).
    public var requestTimeout: Duration

    /// Creates the factory.
    public init(requestTimeout: Duration = .seconds(30)) {
        self.requestTimeout = requestTimeout
    }

    public func body(for suite: ContractSuite, path: String, stack: LoadedStack) throws(SuitePlanError) -> any SuiteBody {
        let files = SuiteFiles(stack)
        let url = Naming.envPrefix(suite.provider) + "_URL"
        if let pact = suite.pact {
            var stateChange: String?
            if let p = suite.stateChange {
                guard p.hasPrefix("/"), HTTPEndpoint("http://127.0.0.1:1" + p) != nil else {
                    throw .invalid([files.diagnostic(path + ".state_change",
                                                     "state_change is a path on the provider, such as /_pact/state, not \"\(p)\"")])
                }
                stateChange = p
            }
            let pacts = try files.pacts(pact, path + ".pact")
            return PactSuiteBody(pacts: pacts, providerVariable: url, stateChangePath: stateChange, requestTimeout: requestTimeout)
        }
        if let document = suite.openapi {
            if suite.stateChange != nil {
                throw .invalid([files.diagnostic(path + ".state_change",
                                                 "state_change sets up provider states of a pact; an openapi suite has none, so remove it")])
            }
            return OpenAPISuiteBody(document: try files.openAPI(document, path + ".openapi"), providerVariable: url,
                                    requestTimeout: requestTimeout)
        }
        // The loader already reported a suite with neither.
        throw .invalid([files.diagnostic(path, "a contract suite needs \"pact\" or \"openapi\"")])
    }
}

/// Reads the files suites name (pacts, OpenAPI documents) relative to msvc.yaml, turning every
/// problem into a diagnostic at its file, line and column.
struct SuiteFiles {
    /// The stack whose msvc.yaml names the files.
    let stack: LoadedStack

    /// Reads files named by `stack`'s msvc.yaml.
    init(_ stack: LoadedStack) { self.stack = stack }

    /// An error at the value of `path` in msvc.yaml.
    func diagnostic(_ path: String, _ message: String) -> ConfigDiagnostic {
        let mark = stack.marks[path] ?? stack.marks[path + "#key"] ?? SourceMark(line: 1, column: 1)
        return ConfigDiagnostic(file: stack.file, mark: mark, path: path, message: message)
    }

    /// The absolute form of a path relative to msvc.yaml's folder.
    func absolute(_ file: String) -> String {
        file.hasPrefix("/") ? file : URL(fileURLWithPath: stack.directory).appendingPathComponent(file).standardized.path
    }

    /// An absolute path as the user sees it: beside msvc.yaml as they named it.
    func shown(_ full: String) -> String {
        let base = stack.directory.hasSuffix("/") ? stack.directory : stack.directory + "/"
        guard full.hasPrefix(base) else { return full }
        let dir = (stack.file as NSString).deletingLastPathComponent
        let relative = String(full.dropFirst(base.count))
        return dir.isEmpty ? relative : (dir as NSString).appendingPathComponent(relative)
    }

    /// The pacts in `file` (a file, or a folder of `*.json`), named at `path` of msvc.yaml.
    func pacts(_ file: String, _ path: String) throws(SuitePlanError) -> [Pact] {
        let full = absolute(file)
        guard FileManager.default.fileExists(atPath: full) else {
            throw .invalid([diagnostic(path, "pact file or folder \(file) not found (relative to msvc.yaml's folder)")])
        }
        do {
            return try PactLoader.load(path: full)
        } catch {
            if error.file == full, error.line == nil {
                throw .invalid([diagnostic(path, "\(file): \(error.message)")])
            }
            throw .invalid([ConfigDiagnostic(file: shown(error.file), mark: SourceMark(line: error.line ?? 1, column: error.column ?? 1),
                                             path: "", message: error.message)])
        }
    }

    /// The OpenAPI document `file`, named at `path` of msvc.yaml.
    func openAPI(_ file: String, _ path: String) throws(SuitePlanError) -> OpenAPIDocument {
        let full = absolute(file)
        guard FileManager.default.fileExists(atPath: full) else {
            throw .invalid([diagnostic(path, "OpenAPI document \(file) not found (relative to msvc.yaml's folder)")])
        }
        do {
            let document = try OpenAPIDocument.load(path: full)
            return document.named(shown(full))
        } catch {
            guard let line = error.line, let column = error.column else {
                throw .invalid([diagnostic(path, "\(file): \(error.message)")])
            }
            throw .invalid([ConfigDiagnostic(file: shown(full), mark: SourceMark(line: line, column: column), path: "", message: error.message)])
        }
    }
}
