import Foundation

/// What makes a suite's copy of the stack its own: automatic ports instead of fixed ones, and
/// a fresh state folder under `.msvc/test/`.
public enum SuiteIsolation {
    /// A fixed port given up for an automatic one in a test copy.
    public struct Remapped: Sendable, Equatable {
        /// The service.
        public var service: String
        /// The port's name, `""` for the main port.
        public var port: String
        /// The number msvc.yaml fixes.
        public var fixed: Int
    }

    /// `loaded` with every fixed port (main and named) made automatic, so copies running side
    /// by side, and the developer's own `msvc up`, never compete for a port. Services still
    /// learn their port from `PORT` and their neighbours' from discovery.
    public static func remapPorts(_ loaded: LoadedStack) -> (stack: LoadedStack, remapped: [Remapped]) {
        var copy = loaded
        var remapped: [Remapped] = []
        for (name, service) in loaded.config.services {
            var s = service
            if case .fixed(let p) = s.port {
                s.port = .auto
                remapped.append(Remapped(service: name, port: "", fixed: p))
            }
            for (portName, spec) in s.ports {
                if case .fixed(let p) = spec {
                    s.ports[portName] = .auto
                    remapped.append(Remapped(service: name, port: portName, fixed: p))
                }
            }
            copy.config.services[name] = s
        }
        return (copy, remapped)
    }

    /// The state folder of `suite`'s copy: `.msvc/test/SUITE/` beside msvc.yaml.
    public static func stateDirectory(suite: String, configDirectory: String) -> StateDirectory {
        let base = StateDirectory.beside(configDirectory: configDirectory).root
        return StateDirectory(root: base + "/test/" + folderName(suite))
    }

    /// `suite` as one safe folder name. The folder is emptied before each run, so a name
    /// such as `..` or `a/b` must never reach outside `.msvc/test/`: other characters become
    /// `_`, and a name that had to change gets a hash of the original so it stays unique.
    public static func folderName(_ suite: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var safe = String(suite.map { allowed.contains($0) ? $0 : "_" })
        if safe.hasPrefix(".") || safe.isEmpty { safe = "_" + safe }
        guard safe != suite else { return safe }
        var hash: UInt32 = 2_166_136_261
        for byte in suite.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return safe + "-" + String(hash, radix: 16)
    }

    /// Empties `dir` for a new copy: reaps what a killed earlier run left there, and refuses
    /// when another msvc still runs a copy in it.
    public static func makeFresh(_ dir: StateDirectory) throws(SuiteStackError) {
        if let pid = LeftoverReaper.reap(dir).liveSupervisor {
            throw SuiteStackError("\(dir.root) is in use by another msvc (pid \(pid)); wait for it to finish or stop it")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.root) {
            do { try fm.removeItem(atPath: dir.root) } catch {
                throw SuiteStackError("cannot empty \(dir.root): \(error.localizedDescription)")
            }
        }
        do { try dir.create() } catch {
            throw SuiteStackError("cannot create \(dir.root): \(error.localizedDescription)")
        }
    }
}
