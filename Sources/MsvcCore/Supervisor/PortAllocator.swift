import Foundation

/// Who holds a TCP port, read from /proc.
public struct PortOwner: Sendable, Equatable, CustomStringConvertible {
    /// The process id, when it could be found (another user's process may hide it).
    public var pid: Int32?
    /// The program's command line.
    public var program: String?

    public var description: String {
        switch (pid, program) {
        case (let pid?, let program?): return "pid \(pid) (\(program))"
        case (let pid?, nil): return "pid \(pid)"
        default: return "another process (not visible to this user)"
        }
    }
}

/// Chooses free ports and explains taken ones.
public enum PortAllocator {
    /// Whether `port` can be bound on 127.0.0.1 right now. By default as a server that sets
    /// SO_REUSEADDR binds (most do): a port whose old connections linger in TIME_WAIT is free.
    /// `strict`: as any server binds, SO_REUSEADDR or not, so such a port is taken.
    public static func isFree(_ port: Int, strict: Bool = false) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        if !strict { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }

    /// Where automatic ports are drawn from: the 12,768 ports below the kernel's ephemeral
    /// range (20000-32767 by default). Ports the kernel hands out itself, for `bind` to port 0
    /// and for every outgoing connection's local end, are in the ephemeral range; a port chosen
    /// there can be taken by any connection on the machine before the service listens on it.
    public static let automaticRange: ClosedRange<Int> = {
        let low = ProcFile.text("/proc/sys/net/ipv4/ip_local_port_range")?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32768
        let top = max(2048, min(low, 65536) - 1)
        return max(1024, top - 12767)...top
    }()

    /// A free port, not in `avoid`: from `automaticRange` when one is free there, else one the
    /// kernel chooses.
    public static func allocate(avoiding avoid: Set<Int>) -> Int? {
        for _ in 0..<64 {
            let port = Int.random(in: automaticRange)
            // Strict: msvc hands the port to a program it does not know, which may bind it
            // without SO_REUSEADDR (a plain Python socket does).
            if !avoid.contains(port), isFree(port, strict: true) { return port }
        }
        for _ in 0..<64 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = 0
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
                }
            }
            guard ok else { continue }
            let port = Int(UInt16(bigEndian: addr.sin_port))
            if !avoid.contains(port) { return port }
        }
        return nil
    }

    /// The process listening on (or bound to) `port`, found through /proc/net/tcp{,6} and /proc/PID/fd.
    public static func owner(of port: Int) -> PortOwner? {
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = ProcFile.text(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                // 0A is LISTEN; 07 (CLOSE) with a local port is a socket bound but not yet
                // listening, which holds the port just the same.
                guard f.count > 9, f[3] == "0A" || f[3] == "07", let colon = f[1].lastIndex(of: ":"),
                      Int(f[1][f[1].index(after: colon)...], radix: 16) == port else { continue }
                inodes.insert(String(f[9]))
            }
        }
        guard !inodes.isEmpty else { return nil }
        let fm = FileManager.default
        for pid in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(pid) != nil {
            guard let fds = try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                guard let link = try? fm.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      link.hasPrefix("socket:["), inodes.contains(String(link.dropFirst(8).dropLast())) else { continue }
                return PortOwner(pid: Int32(pid), program: commandLine(of: Int32(pid)!))
            }
        }
        return PortOwner(pid: nil, program: nil)
    }

    /// A process's command line, arguments joined by spaces.
    public static func commandLine(of pid: Int32) -> String? {
        guard let data = ProcFile.data("/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let parts = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let line = parts.joined(separator: " ")
        return line.count > 120 ? String(line.prefix(117)) + "..." : line
    }
}
