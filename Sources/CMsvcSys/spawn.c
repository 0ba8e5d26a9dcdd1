// Process spawning for the supervisor (the watchdog is in watchdog.c, wrappers in sysutil.c).
// Everything that runs between fork (a raw clone) and execve()/_exit() in a child is async-signal-safe:
// the parent prepares every array before forking, and the child never returns to Swift.
#define _GNU_SOURCE
#include "msvc_spawn.h"
#include "internal.h"
#include "msvc_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const char *default_search_path = "/usr/local/bin:/usr/bin:/bin";

/// What a failing child writes to the parent through the close-on-exec report pipe.
struct child_report {
    int stage;
    int error;
    int candidate;
};

// ---------------------------------------------------------------------------------------------
// Child side (async-signal-safe only)

static void child_fail(int report_fd, int stage, int error, int candidate) {
    struct child_report r = {stage, error, candidate};
    ssize_t ignored = write(report_fd, &r, sizeof r);
    (void)ignored;
    _exit(127);
}

/// Moves `fd` to a descriptor >= 3 so dup2 onto 0..2 cannot clobber it.
int msvc_lift_fd(int fd) {
    if (fd >= 3) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

void msvc_reset_dispositions(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, &dfl, NULL) == 0) continue;
#if defined(__x86_64__) || defined(__aarch64__)
        // glibc refuses its reserved signals (32, 33); an ignored one would still be inherited
        // across execve, so reset it with the raw system call (kernel struct: handler, flags,
        // restorer, mask).
        struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } k = {0};
        (void)syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask);
#endif
    }
}

void msvc_unblock_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/// Marks every descriptor >= 3 close-on-exec; the report pipe stays usable until execve.
static void cloexec_from_3(int max_fd) {
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = 3; fd < max_fd; fd++) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void child_main(const struct msvc_spawn_request *req, char *const *candidates,
                       pid_t parent, int report_fd, int go_fd, int max_fd) {
    (void)setpgid(0, 0);
    // Dies with the forking thread; the watchdog covers the rest of the group.
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    msvc_reset_dispositions();
    msvc_unblock_signals();

    report_fd = msvc_lift_fd(report_fd);
    go_fd = msvc_lift_fd(go_fd);
    int out = fcntl(req->stdout_fd, F_DUPFD_CLOEXEC, 3);
    int err = fcntl(req->stderr_fd, F_DUPFD_CLOEXEC, 3);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (report_fd < 0) _exit(127);
    if (go_fd < 0 || out < 0 || err < 0 || null_fd < 0) child_fail(report_fd, MSVC_STAGE_CHILD_SETUP, errno, -1);
    if (dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        child_fail(report_fd, MSVC_STAGE_CHILD_SETUP, errno, -1);
    cloexec_from_3(max_fd);

    // Wait until the parent has registered our group with the watchdog and moved us into our
    // cgroup, so nothing we fork can escape a SIGKILL of msvc in between.
    if (req->watchdog_fd >= 0 || req->cgroup_procs_fd >= 0) {
        char go = 0;
        ssize_t n;
        do { n = read(go_fd, &go, 1); } while (n < 0 && errno == EINTR);
        if (n != 1) _exit(127);
    }

    if (req->cwd != NULL && chdir(req->cwd) != 0) child_fail(report_fd, MSVC_STAGE_CHDIR, errno, -1);

    // execvp semantics: skip ENOENT/ENOTDIR, remember EACCES, stop at anything else.
    int saw_eacces = -1;
    for (int i = 0; candidates[i] != NULL; i++) {
        execve(candidates[i], req->argv, req->envp);
        int e = errno;
        // ETXTBSY: a just-written program whose write descriptor another fork (of any thread of
        // any program) still holds until its own exec; it clears within milliseconds.
        for (int retry = 0; e == ETXTBSY && retry < 20; retry++) {
            struct timespec pause = {0, 5 * 1000 * 1000};
            nanosleep(&pause, NULL);
            execve(candidates[i], req->argv, req->envp);
            e = errno;
        }
        if (e == ENOENT || e == ENOTDIR) {
            if (e == ENOENT && access(candidates[i], F_OK) == 0)
                child_fail(report_fd, MSVC_STAGE_INTERPRETER, e, i);
            continue;
        }
        if (e == EACCES) {
            if (saw_eacces < 0) saw_eacces = i;
            continue;
        }
        child_fail(report_fd, MSVC_STAGE_EXEC, e, i);
    }
    if (saw_eacces >= 0) child_fail(report_fd, MSVC_STAGE_EXEC, EACCES, saw_eacces);
    child_fail(report_fd, MSVC_STAGE_EXEC, ENOENT, 0);
}

// ---------------------------------------------------------------------------------------------
// Parent side

/// fork(2) without the C library's wrapper: no atfork handlers and, above all, no malloc arena
/// locks held while the kernel copies the address space. glibc's fork() holds every arena for
/// that long, so in a big process (an embedder of the runtime, the test runner) each launch
/// stalled every allocating thread. The child runs only async-signal-safe system call wrappers
/// until execve or _exit, so it needs none of glibc's child-side bookkeeping.
static pid_t raw_fork(void) {
#ifdef SYS_clone
    return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
#else
    return fork();
#endif
}

/// The paths execve will try, NULL-terminated, in one malloc'd block (free once).
static char **build_candidates(const char *program, const char *search_path) {
    if (strchr(program, '/') != NULL || program[0] == '\0') {
        char **list = malloc(2 * sizeof(char *) + strlen(program) + 1);
        if (list == NULL) return NULL;
        list[0] = (char *)(list + 2);
        strcpy(list[0], program);
        list[1] = NULL;
        return list;
    }
    if (search_path == NULL) search_path = default_search_path;
    size_t entries = 1, plen = strlen(search_path), flen = strlen(program);
    for (const char *p = search_path; *p; p++) entries += (*p == ':');
    size_t bytes = (entries + 1) * sizeof(char *) + plen + entries * (flen + 3);
    char **list = malloc(bytes);
    if (list == NULL) return NULL;
    char *text = (char *)(list + entries + 1);
    const char *start = search_path;
    size_t n = 0;
    for (;;) {
        const char *end = strchr(start, ':');
        size_t dlen = end ? (size_t)(end - start) : strlen(start);
        list[n++] = text;
        if (dlen == 0) { *text++ = '.'; } // an empty entry means the working directory
        else { memcpy(text, start, dlen); text += dlen; }
        *text++ = '/';
        memcpy(text, program, flen);
        text += flen;
        *text++ = '\0';
        if (end == NULL) break;
        start = end + 1;
    }
    list[n] = NULL;
    return list;
}

static void fail(struct msvc_spawn_result *res, int stage, int error) {
    res->pid = -1;
    res->stage = stage;
    res->error = error;
}

void msvc_close_pair(int fds[2]) {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
}

pid_t msvc_spawn(const struct msvc_spawn_request *req, struct msvc_spawn_result *res) {
    memset(res, 0, sizeof *res);
    char **candidates = build_candidates(req->argv[0], req->search_path);
    if (candidates == NULL) { fail(res, MSVC_STAGE_PIPE, ENOMEM); return -1; }
    struct rlimit rl;
    int max_fd = (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1048576) ? (int)rl.rlim_cur : 1048576;

    int report[2] = {-1, -1}, go[2] = {-1, -1};
    // `go` is a socket pair so the parent's send can use MSG_NOSIGNAL: a child that died before
    // reading must not raise SIGPIPE in msvc.
    if (pipe2(report, O_CLOEXEC) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) != 0) {
        fail(res, MSVC_STAGE_PIPE, errno);
        msvc_close_pair(report);
        msvc_close_pair(go);
        free(candidates);
        return -1;
    }

    // Block every signal across fork so no handler of the parent runs in the child.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = raw_fork();
    if (pid == 0) {
        close(report[0]);
        close(go[1]);
        child_main(req, candidates, parent, report[1], go[0], max_fd);
        _exit(127);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    close(go[0]);
    if (pid < 0) {
        fail(res, MSVC_STAGE_FORK, fork_errno);
        close(report[0]);
        close(go[1]);
        free(candidates);
        return -1;
    }
    (void)setpgid(pid, pid); // both sides set it, so neither order races

    int registered = 0;
    if (req->cgroup_procs_fd >= 0) {
        int rc = msvc_cgroup_move(req->cgroup_procs_fd, pid);
        if (rc != 0) {
            kill(pid, SIGKILL);
            fail(res, MSVC_STAGE_CGROUP, -rc);
        }
    }
    if (req->watchdog_fd >= 0 && res->stage == MSVC_STAGE_NONE) {
        int rc = msvc_watchdog_send(req->watchdog_fd, (int32_t)pid);
        if (rc == 0) {
            registered = 1;
        } else {
            kill(pid, SIGKILL);
            fail(res, MSVC_STAGE_WATCHDOG, -rc);
        }
    }
    if (res->stage == MSVC_STAGE_NONE) {
        char byte = 1;
        ssize_t w;
        do { w = send(go[1], &byte, 1, MSG_NOSIGNAL); } while (w < 0 && errno == EINTR);
    }
    close(go[1]);

    struct child_report r;
    ssize_t n;
    do { n = read(report[0], &r, sizeof r); } while (n < 0 && errno == EINTR);
    close(report[0]);

    if (res->stage == MSVC_STAGE_NONE && n == (ssize_t)sizeof r) {
        res->pid = -1;
        res->stage = r.stage;
        res->error = r.error;
        const char *path = (r.candidate >= 0) ? candidates[r.candidate] : "";
        strncpy(res->path, path, sizeof res->path - 1);
    } else if (res->stage == MSVC_STAGE_NONE && n != 0) {
        // A short report means the child died oddly before exec; treat it as a setup failure.
        kill(pid, SIGKILL);
        fail(res, MSVC_STAGE_CHILD_SETUP, n < 0 ? errno : EIO);
    }
    free(candidates);
    if (res->stage != MSVC_STAGE_NONE) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        if (registered) (void)msvc_watchdog_send(req->watchdog_fd, -(int32_t)pid);
        return -1;
    }
    res->pid = pid;
    return pid;
}
