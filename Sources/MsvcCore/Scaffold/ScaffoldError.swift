import Foundation

/// Everything that stops `msvc new` or `msvc templates`; none of them leaves a file behind.
public enum ScaffoldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service name breaks `[a-z][a-z0-9-]{0,62}`.
    case invalidServiceName(String)
    /// No template of that name on the search path.
    case templateNotFound(name: String, searched: [String], available: [String])
    /// `template.yaml` is missing or wrong.
    case invalidManifest(path: String, message: String)
    /// `--set` named a variable the template does not declare.
    case unknownVariable(name: String, template: String, known: [String])
    /// A variable's value fails its choices or pattern.
    case invalidValue(variable: String, value: String, reason: String)
    /// A variable has no value and no default.
    case missingValue(variable: String)
    /// A rendered file or folder name points outside the target folder.
    case pathEscapes(source: String, rendered: String)
    /// A link in the template points outside the template.
    case linkEscapes(path: String, destination: String)
    /// Two template files render to the same path.
    case duplicatePath(String)
    /// A Mustache syntax error in a file or name.
    case renderFailed(path: String, message: String)
    /// The target folder exists and `--force` was not given.
    case targetExists(String)
    /// The service is already in msvc.yaml and `--force` was not given.
    case alreadyRegistered(service: String, file: String)
    /// msvc.yaml has problems before anything is added.
    case projectInvalid(String)
    /// msvc.yaml would not validate with the new service block.
    case registrationInvalid(block: String, problems: String)
    /// `--dir` points outside the project (the folder of msvc.yaml).
    case targetOutsideProject(directory: String, project: String)
    /// A symbolic link sits where `msvc new` would write (in the target folder, or msvc.yaml).
    case linkInTheWay(String)
    /// A file sits where the template has a folder, or a folder where it has a file.
    case wrongKind(path: String, expected: String)
    /// Reading or writing failed.
    case io(String)

    /// A lowercase, actionable message.
    public var description: String {
        switch self {
        case .invalidServiceName(let n):
            return "invalid service name \"\(n)\": use a lowercase letter, then lowercase letters, digits or -, at most 63 characters (like orders or order-db)"
        case .templateNotFound(let n, let searched, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "no template named \"\(n)\" (available: \(list)); searched \(searched.joined(separator: ", ")); run \"msvc templates list\""
        case .invalidManifest(let p, let m):
            return "\(p): \(m)"
        case .unknownVariable(let n, let t, let known):
            let list = known.isEmpty ? "it declares none" : "it declares " + known.joined(separator: ", ")
            return "template \(t) has no variable \"\(n)\" (\(list)); run \"msvc templates show \(t)\""
        case .invalidValue(let v, let value, let reason):
            return "invalid value \"\(value)\" for \(v): \(reason)"
        case .missingValue(let v):
            return "variable \(v) has no default; pass --set \(v)=VALUE"
        case .pathEscapes(let s, let r):
            return "template file \(s) renders to \"\(r)\", which is outside the service folder; refusing to write anything"
        case .linkEscapes(let p, let d):
            return "template link \(p) points to \(d), outside the template; refusing to follow it (make it a regular file)"
        case .duplicatePath(let p):
            return "two template files render to \(p); make their names differ"
        case .renderFailed(let p, let m):
            return "\(p): mustache error: \(m)"
        case .targetExists(let p):
            return "\(p) already exists; pick another --dir or pass --force to write over its files"
        case .alreadyRegistered(let s, let f):
            return "service \(s) is already in \(f); pick another name or pass --force to keep its block and write the files"
        case .projectInvalid(let problems):
            return "msvc.yaml has problems; fix them first (msvc validate):\n\(problems)"
        case .registrationInvalid(let block, let problems):
            return "msvc.yaml would not validate with the new service, so nothing was written:\n\(problems)\nthe block was:\n\(block)"
        case .targetOutsideProject(let d, let p):
            return "--dir \(d) is outside the project (\(p)); a service's folder must be inside the folder of msvc.yaml, e.g. --dir services/NAME"
        case .linkInTheWay(let p):
            return "\(p) is a symbolic link; msvc new never writes through links, so nothing was written (replace the link with a real folder or file, or pick another --dir)"
        case .wrongKind(let p, let expected):
            return "\(p) is in the way: the template needs \(expected) there; move it, or pick another --dir"
        case .io(let m):
            return m
        }
    }
}
