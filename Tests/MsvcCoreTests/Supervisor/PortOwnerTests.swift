import Foundation
import Glibc
import MsvcCore
import Testing

/// Who holds a port, read from /proc on a machine with many sockets.
@Suite struct PortOwnerTests {
    /// A socket of this process listening on a kernel-chosen port of 127.0.0.1.
    static func listener(reuseAddress: Bool = false) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var one: Int32 = 1
        if reuseAddress { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && listen(fd, 1) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        try #require(ok)
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// /proc/net/tcp is far larger than a page with a few hundred sockets: every one of them
    /// is found, not only those in the first 4 KiB that Foundation's file reading returns.
    @Test func everyListener_isFound_whenTheSocketTableIsLarge() throws {
        var sockets: [(fd: Int32, port: Int)] = []
        defer { for s in sockets { close(s.fd) } }
        for _ in 0..<200 { sockets.append(try Self.listener()) }
        #expect((ProcFile.data("/proc/net/tcp")?.count ?? 0) > 200 * 100)
        for s in [sockets[0], sockets[100], sockets[199]] {
            let owner = PortAllocator.owner(of: s.port)
            #expect(owner?.pid == getpid(), "port \(s.port): \(String(describing: owner))")
        }
    }

    @Test func procFile_readsToTheEnd_andNilForAMissingFile() {
        #expect(ProcFile.text("/proc/self/status")?.contains("VmRSS:") == true)
        #expect(ProcFile.data("/proc/no-such-file") == nil)
    }

    /// A port whose server (one that set SO_REUSEADDR, as most do) closed a connection first
    /// keeps it in TIME_WAIT for a minute: the next server that sets SO_REUSEADDR can bind it,
    /// one that does not (a plain Python socket) cannot. msvc checks the ports it chooses
    /// itself the strict way.
    @Test func portInTimeWait_isFreeOnlyForServersThatReuseAddresses() throws {
        let server = try Self.listener(reuseAddress: true)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let accepted = accept(server.fd, nil, nil)
        try #require(accepted >= 0)
        // The server's side closes first and so is the one left in TIME_WAIT.
        close(accepted)
        close(server.fd)
        var byte: UInt8 = 0
        _ = recv(client, &byte, 1, 0)  // the server's FIN
        close(client)
        #expect(PortAllocator.isFree(server.port), "a server with SO_REUSEADDR can bind it")
        #expect(!PortAllocator.isFree(server.port, strict: true), "a server without SO_REUSEADDR cannot")
    }
}
