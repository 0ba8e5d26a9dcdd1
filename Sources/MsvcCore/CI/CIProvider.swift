import Foundation

/// A CI system `msvc ci generate` writes a pipeline for.
public enum CIProvider: String, CaseIterable, Sendable {
    /// GitHub Actions.
    case github
    /// GitLab CI/CD.
    case gitlab
    /// CircleCI.
    case circleci
    /// Azure Pipelines.
    case azure
    /// Bitbucket Pipelines.
    case bitbucket
    /// Buildkite.
    case buildkite

    /// Where the pipeline file lives, relative to the folder holding msvc.yaml.
    public var defaultPath: String {
        switch self {
        case .github: return ".github/workflows/msvc.yml"
        case .gitlab: return ".gitlab-ci.yml"
        case .circleci: return ".circleci/config.yml"
        case .azure: return "azure-pipelines.yml"
        case .bitbucket: return "bitbucket-pipelines.yml"
        case .buildkite: return ".buildkite/pipeline.yml"
        }
    }

    /// The product name, for messages.
    public var displayName: String {
        switch self {
        case .github: return "GitHub Actions"
        case .gitlab: return "GitLab CI/CD"
        case .circleci: return "CircleCI"
        case .azure: return "Azure Pipelines"
        case .bitbucket: return "Bitbucket Pipelines"
        case .buildkite: return "Buildkite"
        }
    }

    // Files or folders whose presence says a repository already uses the provider.
    private var markers: [String] {
        switch self {
        case .github: return [".github/workflows"]
        case .gitlab: return [".gitlab-ci.yml"]
        case .circleci: return [".circleci"]
        case .azure: return ["azure-pipelines.yml", ".azure-pipelines"]
        case .bitbucket: return ["bitbucket-pipelines.yml"]
        case .buildkite: return [".buildkite"]
        }
    }

    /// The providers a repository already uses, judged by their files in `directory`.
    public static func detect(in directory: String, exists: (String) -> Bool) -> [CIProvider] {
        allCases.filter { p in p.markers.contains { exists((directory as NSString).appendingPathComponent($0)) } }
    }

    /// The provider to use: the explicit one, else `ci.provider`, else the one CI folder found.
    public static func resolve(
        explicit: CIProvider?, settings: CISettings, directory: String,
        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws(CIError) -> CIProvider {
        if let explicit { return explicit }
        if let name = settings.provider {
            guard let p = CIProvider(rawValue: name) else { throw .unknownProvider(name) }
            return p
        }
        let found = detect(in: directory, exists: exists)
        if found.count == 1 { return found[0] }
        if found.isEmpty { throw .noProvider }
        throw .ambiguousProvider(found)
    }
}

/// Why a pipeline could not be generated or checked.
public enum CIError: Error, Equatable, CustomStringConvertible {
    /// No `--provider`, no `ci.provider` and no CI folder.
    case noProvider
    /// Several CI systems' files exist and none was chosen.
    case ambiguousProvider([CIProvider])
    /// A provider name msvc does not know.
    case unknownProvider(String)
    /// The stack has no service with a build or test command and no test suites.
    case nothingToRun
    /// `--check` found no file at the path.
    case missingFile(String)
    /// The pipeline runs test suites with msvc, and `ci.msvc` does not say where msvc comes from.
    case msvcSourceMissing(configFile: String)

    /// The message, lowercase and saying what to do.
    public var description: String {
        let names = CIProvider.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .noProvider:
            return "no CI provider chosen; pass --provider (\(names)) or set ci.provider in msvc.yaml"
        case .ambiguousProvider(let found):
            return "found files of several CI systems (\(found.map(\.rawValue).joined(separator: ", "))); pass --provider or set ci.provider in msvc.yaml"
        case .unknownProvider(let n):
            return "unknown CI provider \"\(n)\"; use one of \(names)"
        case .nothingToRun:
            return "nothing for CI to run: no service has build: or test:, and tests: is empty; add a test: command to a service"
        case .missingFile(let p):
            return "\(p) does not exist; run \"msvc ci generate\" to create it"
        case .msvcSourceMissing(let file):
            return """
                \(file) does not say where CI gets msvc to run the test suites; add ci.msvc to \(file), either a \
                repository and ref to build it from, or a command that puts msvc on PATH:
                  ci:
                    msvc: { git: https://github.com/OWNER/msvc.git, ref: v\(Msvc.version) }
                or
                  ci:
                    msvc: { install: ./ci/install-msvc.sh }
                """
        }
    }
}
