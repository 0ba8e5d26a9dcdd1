import Foundation

/// Writes a new project's msvc.yaml and .gitignore entry.
public enum ProjectInit {
    /// The commented msvc.yaml `msvc init` writes; it validates as written.
    public static func template(project: String) -> String {
        """
        # msvc.yaml: the stack msvc runs, tests and ships. Reference: docs/reference.md of msvc.
        version: 1
        name: \(project)

        # Environment for every service. Later wins: the OS environment, env_file, env.
        # Strings may use ${VAR}, ${VAR:-default}, ${VAR:?message}; $$ is a literal $.
        env:
          LOG_LEVEL: info
        # env_file: [.env?]            # a trailing ? makes the file optional

        services:
          # Each service runs in its own process group, restarted on failure.
          # Every service sees PORT, and for each service S with a port S_HOST, S_PORT, S_URL.
          hello:
            command: python3 -m http.server --bind 127.0.0.1 ${PORT}
            port: auto                   # auto | NUMBER | none
            health:                      # readiness: gates dependents
              http: /
              interval: 1s
            # depends_on: { db: healthy } # started | healthy | completed
            # replicas: 2                 # msvc balances the port across replicas
            # restart: on-failure         # no | on-failure | always

        # tests:
        #   integration:
        #     - { name: smoke, needs: [hello], run: "curl -fsS $${HELLO_URL}/" }

        """
    }

    /// Writes the template atomically.
    public static func write(project: String, to path: String) throws {
        try template(project: project).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Adds `.msvc/` to the folder's .gitignore unless it is there; returns whether it wrote.
    public static func ensureGitignore(in directory: String) throws -> Bool {
        let path = (directory as NSString).appendingPathComponent(".gitignore")
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if lines.contains(".msvc/") || lines.contains(".msvc") || lines.contains("/.msvc/") { return false }
        let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
        try (existing + separator + ".msvc/\n").write(toFile: path, atomically: true, encoding: .utf8)
        return true
    }
}
