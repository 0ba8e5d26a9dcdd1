/// How a suite job gets msvc (`ci.msvc`) and the languages of the stack.
extension CIPlan {
    /// The shell that installs what the suites need and puts msvc at `.msvc-ci/bin/msvc`,
    /// skipping what is already there (a cached binary, tools the image has).
    public var installScript: String {
        var needs: [(check: String, package: String)] = []
        if case .git? = msvc {
            needs += [("command -v git", "git"), ("command -v pkg-config", "pkg-config"),
                      ("pkg-config --exists yaml-0.1", "libyaml-dev"), ("pkg-config --exists ncursesw", "libncurses-dev")]
        }
        // msvc links libyaml and ncurses; an installed binary needs them at run time. The
        // loader's cache names every library; a pipe from ldconfig could die of SIGPIPE under pipefail.
        needs += [("grep -qs libyaml-0.so.2 /etc/ld.so.cache", "libyaml-0-2"), ("grep -qs libncursesw.so.6 /etc/ld.so.cache", "libncursesw6")]
        needs += stackToolchains.flatMap { t in t.suiteNeeds(installs: stackServices.contains { $0.toolchain == t && !$0.install.isEmpty }) }
        var out = "need=\n"
        for n in needs { out += "\(n.check) >/dev/null 2>&1 || need=\"$need \(n.package)\"\n" }
        out += """
            if [ -n "$need" ]; then
              if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
              $SUDO apt-get update -qq
              $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
            fi
            if [ ! -x .msvc-ci/bin/msvc ]; then

            """
        switch msvc {
        case .git(let url, let ref)?:
            out += """
                  rm -rf .msvc-ci/src && git init -q .msvc-ci/src
                  git -C .msvc-ci/src fetch -q --depth 1 \(shellQuote(url)) \(shellQuote(ref))
                  git -C .msvc-ci/src checkout -q FETCH_HEAD
                  swift build -c release --package-path .msvc-ci/src
                  install -D .msvc-ci/src/.build/release/msvc .msvc-ci/bin/msvc

                """
        case .install(let command)?:
            var lines = command.split(separator: "\n", omittingEmptySubsequences: false)
            while lines.last?.allSatisfy(\.isWhitespace) == true { lines.removeLast() }
            out += lines.map { $0.isEmpty ? "\n" : "  \($0)\n" }.joined()
            out += """
                  if ! command -v msvc >/dev/null; then
                    echo "ci.msvc.install in \(configFile) ran, but msvc is not on PATH" >&2
                    exit 1
                  fi
                  install -D "$(command -v msvc)" .msvc-ci/bin/msvc

                """
        case nil:
            out += "  exit 1\n"
        }
        out += "fi\n.msvc-ci/bin/msvc --version\n"
        return out
    }

    /// The cache key of the msvc binary: what it is built from and the image it runs in, so
    /// a new ref, repository, install command or image is a new cache entry.
    public var msvcCacheKey: String {
        let image = CIPins.swiftImage.replacingOccurrences(of: ":", with: "-")
        switch msvc {
        case .git(let url, let ref)?: return "msvc-\(Self.slug(ref))-\(Self.fnv(url))-\(image)"
        case .install(let command)?: return "msvc-install-\(Self.fnv(command))-\(image)"
        case nil: return "msvc-\(image)"
        }
    }

    /// What the suite jobs' comment says about where msvc comes from.
    public var msvcSummary: String {
        switch msvc {
        case .git(let url, let ref)?: return "msvc is built from \(url) at \(ref) (ci.msvc in \(configFile)) and cached."
        case .install?: return "msvc comes from ci.msvc.install in \(configFile) and is cached."
        case nil: return ""
        }
    }

    // A ref as it may appear in every provider's cache key.
    private static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
    }

    // FNV-1a, 32 bits, as 8 hex digits: stable across runs and platforms, unlike hashValue.
    private static func fnv(_ s: String) -> String {
        var h: UInt32 = 0x811c_9dc5
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
