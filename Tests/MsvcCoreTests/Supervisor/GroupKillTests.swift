import CMsvcSys
import Foundation
import Glibc
import Testing

@testable import MsvcCore

@Suite("Supervisor: process groups")
struct SupervisorGroupKillTests {
    @Test func stop_reachesGrandchild() async throws {
        try await withLauncher { f in
            let p = try await f.launch(["sh", "-c", "sleep 1000 & sleep 1000"])
            #expect(await pollUntil { sleepers(in: p.pgid) == 2 })
            let outcome = await p.stop(timeout: .seconds(5))
            #expect(outcome.groupGone)
            #expect(!outcome.escalated)
            #expect(liveMembers(of: p.pgid).isEmpty)
        }
    }

    @Test func killGroup_reachesDoubleForkedProcessThatStaysInTheGroup() async throws {
        try await withLauncher { f in
            // The subshell forks sleep and exits: sleep is orphaned but keeps the group id.
            let p = try await f.launch(["sh", "-c", "(sleep 1000 &); echo forked"])
            #expect(await p.waitForExit(timeout: .seconds(5)) == .exited(0))
            #expect(await pollUntil { liveMembers(of: p.pgid).count == 1 })
            let orphan = try #require(liveMembers(of: p.pgid).first)
            #expect(orphan.pid != p.pid)
            #expect(!p.isGroupGone)
            // The orphan still holds stdout, so the output has not ended either.
            #expect(!(await p.waitForOutputClosed(timeout: .milliseconds(100))))

            p.killGroup()
            #expect(await p.waitForGroupExit(timeout: .seconds(2)))
            #expect(liveMembers(of: p.pgid).isEmpty)
            #expect(await p.waitForOutputClosed(timeout: .seconds(2)))
            #expect(f.collector.texts(p.source) == ["forked"])
        }
    }

    @Test func stop_escalatesToSigkill_whenTermIsIgnored() async throws {
        try await withLauncher { f in
            // Ignored dispositions are inherited, so the background sleep ignores TERM as well.
            let p = try await f.launch(["sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000; echo unreachable"])
            #expect(await pollUntil { sleepers(in: p.pgid) == 2 })
            let outcome = await p.stop(timeout: .milliseconds(300))
            #expect(outcome.escalated)
            #expect(outcome.groupGone)
            #expect(outcome.exitStatus == .signaled(SIGKILL))
            #expect(liveMembers(of: p.pgid).isEmpty)
        }
    }

    @Test func stop_leaderThatLeftItsGroup_isStillSignalled() async throws {
        try await withLauncher { f in
            // Joining the test runner's group (same session) puts the leader out of reach of kill(-pgid).
            let p = try await f.launch([
                "python3", "-c",
                "import os, time; os.setpgid(0, os.getpgid(os.getppid())); print('ok', flush=True); time.sleep(1000)",
            ])
            #expect(await pollUntil { f.collector.texts(p.source) == ["ok"] })
            #expect(getpgid(p.pid) == getpgrp())
            let outcome = await p.stop(timeout: .seconds(5))
            #expect(outcome.exitStatus == .signaled(SIGTERM))
            #expect(outcome.groupGone)
        }
    }

    @Test func signal_afterGroupIsGone_isRefused() async throws {
        try await withLauncher { f in
            let p = try await f.launch(["true"])
            #expect(await p.waitForGroupExit(timeout: .seconds(5)))
            #expect(p.isGroupGone)
            #expect(p.signalGroup(SIGTERM) == false)
            let outcome = await p.stop(timeout: .seconds(1))
            #expect(outcome == StopOutcome(exitStatus: .exited(0), escalated: false, groupGone: true))
        }
    }

    @Test func processGroupTerminate_worksOnAGroupByIdAlone() async throws {
        try await withLauncher { f in
            let p = try await f.launch(["sh", "-c", "(sleep 1000 &)"])
            #expect(await p.waitForExit(timeout: .seconds(5)) == .exited(0))
            #expect(await pollUntil { liveMembers(of: p.pgid).count == 1 })
            #expect(ProcessGroup.exists(p.pgid))
            #expect(await ProcessGroup.terminate(p.pgid, timeout: .seconds(2)))
            #expect(!ProcessGroup.exists(p.pgid))
        }
    }

    @Test func processGroupExists_ignoresZombiesNobodyReapedYet() async throws {
        // The watchdog is a child of this process in a group of its own: a handy zombie.
        var socket: Int32 = -1
        let pid = msvc_watchdog_start(&socket)
        try #require(pid > 0)
        #expect(await pollUntil { getsid(pid) == pid })
        #expect(ProcessGroup.exists(pid))
        close(socket)
        #expect(await pollUntil { scanProc().first { $0.pid == pid }?.state == "Z" })
        #expect(msvc_group_alive(pid) == 1) // kill(2) still sees the zombie...
        #expect(!ProcessGroup.exists(pid)) // ...but nothing in the group runs any more
        var signaled: Int32 = 0
        var value: Int32 = 0
        #expect(msvc_reap_pid(pid, &signaled, &value) == 1)
    }

    @Test func processGroupSignal_refusesOwnGroupAndEverything() {
        #expect(ProcessGroup.signal(0, 0) == false)
        #expect(ProcessGroup.signal(1, 0) == false)
        #expect(ProcessGroup.signal(-5, 0) == false)
    }
}
