import Foundation
import MsvcCore

/// Resident memory of a process in bytes (`VmRSS` of /proc/PID/status), nil when it is gone.
public func residentBytes(of pid: Int32) -> Int? {
    guard let status = ProcFile.text("/proc/\(pid)/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        return kb.map { $0 * 1024 }
    }
    return nil
}
