import Foundation

extension Scaffolder {
    /// Writes a plan. Files are staged next to where they go (same file system), then swapped
    /// in one by one, each file it replaces moved aside first; msvc.yaml is written to a
    /// temporary file with its own mode and owner and renamed over last. Every step goes
    /// through descriptors that never follow links. On any failure each step is undone in
    /// reverse, and the error says whether everything is as it was.
    public static func commit(_ plan: ScaffoldPlan) throws(ScaffoldError) {
        try commit(plan, fault: nil)
    }

    /// `commit`, with `fault` called after each file is swapped in (tests make it throw).
    static func commit(_ plan: ScaffoldPlan, fault: ((Int) throws(ScaffoldError) -> Void)?) throws(ScaffoldError) {
        let projectDir = (plan.configPath as NSString).deletingLastPathComponent
        let configName = (plan.configPath as NSString).lastPathComponent
        let token = "msvc-new-\(UUID().uuidString.prefix(8))"
        var undo: [(what: String, action: () -> Bool)] = []
        var cleanup: [() -> Void] = []
        var keepOnFailure: String?
        do throws(ScaffoldError) {
            let root = try SafeDirectory(path: projectDir, follow: true)
            var configTemp: String?
            if let text = plan.newConfigText {
                guard let st = root.status(configName), st.st_mode & S_IFMT == S_IFREG else { throw .linkInTheWay(plan.configPath) }
                let temp = "." + token + ".yaml"
                try root.writeNew(temp, Array(text.utf8), mode: st.st_mode & 0o7777, owner: (st.st_uid, st.st_gid))
                configTemp = temp
                cleanup.append { root.remove(temp) }
            }
            var parent = root
            let parts = plan.relativeTarget.split(separator: "/").map(String.init)
            for part in parts.dropLast() {
                if let next = try parent.child(part) {
                    parent = next
                } else {
                    let created = try parent.makeChild(part)
                    let holder = parent
                    undo.append((holder.path + "/" + part, { holder.removeEmpty(part) }))
                    parent = created
                }
            }
            let name = parts.last!
            if let target = try parent.child(name) {
                let staging = try target.makeChild("." + token, mode: 0o700)
                cleanup.append { target.removeTree("." + token) }
                try stage(plan.files, in: staging)
                let backup = try target.makeChild("." + token + "-old", mode: 0o700)
                keepOnFailure = backup.path
                cleanup.append { target.removeTree("." + token + "-old") }
                for (index, file) in plan.files.enumerated() {
                    try swapIn(file, index: index, from: staging, into: target, backup: backup, undo: &undo)
                    try fault?(index)
                }
            } else {
                let staging = try parent.makeChild("." + token)
                cleanup.append { parent.removeTree("." + token) }
                try stage(plan.files, in: staging)
                try parent.rename("." + token, to: parent, name)
                let holder = parent
                undo.append((holder.path + "/" + name, { holder.removeTree(name) }))
                try fault?(0)
            }
            if let temp = configTemp {
                guard root.kind(configName) == .file else { throw .linkInTheWay(plan.configPath) }
                try root.replace(temp, in: root, configName)
            }
        } catch {
            var failed: [String] = []
            for step in undo.reversed() where !step.action() { failed.append(step.what) }
            if failed.isEmpty || keepOnFailure == nil { for c in cleanup { c() } }
            if failed.isEmpty { throw .io("cannot write the service: \(error); every file is as it was") }
            throw .io("cannot write the service: \(error); could not restore \(failed.joined(separator: ", "))"
                      + (keepOnFailure.map { " (the replaced files are in \($0))" } ?? ""))
        }
        for c in cleanup { c() }
    }

    /// Writes every file into `staging`, creating its folders.
    private static func stage(_ files: [RenderedFile], in staging: SafeDirectory) throws(ScaffoldError) {
        for file in files {
            let parts = file.path.split(separator: "/").map(String.init)
            var dir = staging
            for part in parts.dropLast() {
                if let next = try dir.child(part) { dir = next } else { dir = try dir.makeChild(part) }
            }
            try dir.writeNew(parts.last!, file.contents, mode: file.executable ? 0o755 : 0o644)
        }
    }

    /// Moves one staged file into `target`, the file it replaces into `backup` first, and
    /// records how to undo both.
    private static func swapIn(_ file: RenderedFile, index: Int, from staging: SafeDirectory, into target: SafeDirectory,
                               backup: SafeDirectory, undo: inout [(what: String, action: () -> Bool)]) throws(ScaffoldError) {
        let parts = file.path.split(separator: "/").map(String.init)
        var source = staging, destination = target
        for part in parts.dropLast() {
            guard let s = try source.child(part) else { throw .io("staged folder \(source.path)/\(part) is missing") }
            source = s
            if let d = try destination.child(part) {
                destination = d
            } else {
                let made = try destination.makeChild(part)
                let holder = destination
                undo.append((holder.path + "/" + part, { holder.removeEmpty(part) }))
                destination = made
            }
        }
        let leaf = parts.last!
        let dest = destination
        switch dest.kind(leaf) {
        case nil: break
        case .file?:
            let saved = "\(index)"
            try dest.rename(leaf, to: backup, saved)
            undo.append((dest.path + "/" + leaf, { (try? backup.rename(saved, to: dest, leaf)) != nil }))
        case .link?: throw .linkInTheWay(dest.path + "/" + leaf)
        default: throw .wrongKind(path: dest.path + "/" + leaf, expected: "a file")
        }
        try source.rename(leaf, to: dest, leaf)
        undo.append((dest.path + "/" + leaf, { dest.remove(leaf) }))
    }
}
