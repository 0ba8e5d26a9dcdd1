import CMsvcSys
import Foundation
import Glibc
import Testing

@testable import MsvcCore

@Suite("Supervisor: watchdog")
struct SupervisorWatchdogTests {
    /// Reaps the watchdog (a child of the test process) once it exits; returns whether it did.
    private func reapWatchdog(_ pid: Int32, timeout: Duration = .seconds(2)) async -> Bool {
        var signaled: Int32 = 0
        var value: Int32 = 0
        return await pollUntil(timeout: timeout) { msvc_reap_pid(pid, &signaled, &value) != 0 }
    }

    @Test func watchdog_atEOF_killsEveryRegisteredGroup() async throws {
        // The launcher's own watchdog is off: this test drives the C watchdog directly.
        try await withLauncher(watchdog: false) { f in
            var socket: Int32 = -1
            let watchdog = msvc_watchdog_start(&socket)
            try #require(watchdog > 0)
            var reaped = false
            defer { if !reaped { _ = kill(watchdog, SIGKILL) } }

            let a = try await f.launch(["sh", "-c", "sleep 1000 & sleep 1000"])
            let b = try await f.launch(["sh", "-c", "(sleep 1000 &); sleep 1000"])
            let spared = try await f.launch(["sleep", "1000"])
            for p in [a, b, spared] { #expect(msvc_watchdog_send(socket, p.pgid) == 0) }
            #expect(msvc_watchdog_send(socket, -spared.pgid) == 0)
            #expect(await pollUntil { sleepers(in: a.pgid) == 2 && sleepers(in: b.pgid) == 2 })

            close(socket) // what the kernel does when msvc is SIGKILLed
            #expect(await pollUntil(timeout: .seconds(2)) {
                liveMembers(of: a.pgid).isEmpty && liveMembers(of: b.pgid).isEmpty
            })
            reaped = await reapWatchdog(watchdog)
            #expect(reaped)
            #expect(liveMembers(of: spared.pgid).count == 1)
        }
    }

    @Test func watchdog_atEOF_killsWhatLeftARegisteredGroup_andTrackedPids() async throws {
        try await withLauncher(watchdog: false) { f in
            var socket: Int32 = -1
            let watchdog = msvc_watchdog_start(&socket)
            try #require(watchdog > 0)
            var reaped = false
            defer { if !reaped { _ = kill(watchdog, SIGKILL) } }

            // A job-control job: its sleep has a group of its own, below the registered leader.
            let job = try await f.launch(["bash", "-c", "set -m; sleep 1000 & wait"])
            // A process known only by pid (as tracking hands over one that msvc adopted).
            let loner = try await f.launch(["sleep", "1000"])
            #expect(await pollUntil { scanProc().contains { $0.ppid == job.pid && $0.command == "sleep" } })
            let jobSleep = try #require(scanProc().first { $0.ppid == job.pid && $0.command == "sleep" })
            #expect(jobSleep.pgid != job.pgid)
            #expect(msvc_watchdog_send(socket, job.pgid) == 0)
            let pidfd = msvc_pidfd_open(loner.pid)
            try #require(pidfd >= 0)
            defer { close(pidfd) }
            #expect(msvc_watchdog_track_pid(socket, loner.pid, ProcInfo.startTicks(of: loner.pid)!, pidfd) == 0)

            close(socket) // what the kernel does when msvc is SIGKILLed
            #expect(await pollUntil(timeout: .seconds(2)) {
                !ProcInfo.isRunning(job.pid) && !ProcInfo.isRunning(jobSleep.pid) && !ProcInfo.isRunning(loner.pid)
            })
            reaped = await reapWatchdog(watchdog)
            #expect(reaped)
        }
    }

    @Test func watchdog_runsInItsOwnSession_andIgnoresTerminalSignals() async throws {
        var socket: Int32 = -1
        let watchdog = msvc_watchdog_start(&socket)
        try #require(watchdog > 0)
        var reaped = false
        defer {
            if !reaped { _ = kill(watchdog, SIGKILL) }
            if socket >= 0 { close(socket) }
        }
        #expect(await pollUntil { getsid(watchdog) == watchdog })
        for sig in [SIGTERM, SIGINT, SIGHUP] { kill(watchdog, sig) }
        // The negative case needs a deadline: it must still be alive after it.
        #expect(!(await pollUntil(timeout: .milliseconds(300)) {
            scanProc().first { $0.pid == watchdog }.map { $0.state == "Z" } ?? true
        }))
        close(socket)
        socket = -1
        reaped = await reapWatchdog(watchdog)
        #expect(reaped)
    }

    @Test func launcher_whenMsvcDies_watchdogKillsGrandchildrenAndDoubleForks() async throws {
        try await withLauncher { f in
            let a = try await f.launch(["sh", "-c", "sleep 1000 & sleep 1000"])
            let b = try await f.launch(["sh", "-c", "(sleep 1000 &); echo forked"])
            #expect(await pollUntil { sleepers(in: a.pgid) == 2 && sleepers(in: b.pgid) == 1 })
            #expect(f.launcher.watchdogPID != nil)

            f.launcher.core.submit(.abandonWatchdog)
            #expect(await pollUntil(timeout: .seconds(2)) {
                liveMembers(of: a.pgid).isEmpty && liveMembers(of: b.pgid).isEmpty
            })
            #expect(await a.waitForExit(timeout: .seconds(2)) == .signaled(SIGKILL))
        }
    }

    @Test func launcher_replacesAKilledWatchdog_andReregistersGroups() async throws {
        try await withLauncher { f in
            let p = try await f.launch(["sh", "-c", "sleep 1000 & sleep 1000"])
            let first = try #require(f.launcher.watchdogPID)
            kill(first, SIGKILL)
            #expect(await pollUntil { (f.launcher.watchdogPID ?? first) != first })
            #expect(await pollUntil { sleepers(in: p.pgid) == 2 })

            f.launcher.core.submit(.abandonWatchdog)
            #expect(await pollUntil(timeout: .seconds(2)) { liveMembers(of: p.pgid).isEmpty })
        }
    }

    @Test func launcher_afterLosingItsWatchdog_startsANewOneForTheNextLaunch() async throws {
        try await withLauncher { f in
            let running = try await f.launch(["sleep", "1000"])
            let first = try #require(f.launcher.watchdogPID)
            f.launcher.core.submit(.abandonWatchdog)
            #expect(await running.waitForExit(timeout: .seconds(2)) == .signaled(SIGKILL))
            let again = try await f.launch(["sh", "-c", "echo again"])
            #expect(await again.waitForExit(timeout: .seconds(5)) == .exited(0))
            #expect(f.launcher.watchdogPID != nil && f.launcher.watchdogPID != first)
        }
    }
}
