// Process spawning, the orphan watchdog and small Linux syscall wrappers for the supervisor.
// Everything that runs between fork() and execve()/_exit() in a child is async-signal-safe:
// the parent prepares every array before forking, and the child never returns to Swift.
#define _GNU_SOURCE
#include "msvc_spawn.h"

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
static int lift_fd(int fd) {
    if (fd >= 3) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static void reset_dispositions(void) {
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

static void unblock_signals(void) {
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
    reset_dispositions();
    unblock_signals();

    report_fd = lift_fd(report_fd);
    go_fd = lift_fd(go_fd);
    int out = fcntl(req->stdout_fd, F_DUPFD_CLOEXEC, 3);
    int err = fcntl(req->stderr_fd, F_DUPFD_CLOEXEC, 3);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (report_fd < 0) _exit(127);
    if (go_fd < 0 || out < 0 || err < 0 || null_fd < 0) child_fail(report_fd, MSVC_STAGE_CHILD_SETUP, errno, -1);
    if (dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        child_fail(report_fd, MSVC_STAGE_CHILD_SETUP, errno, -1);
    cloexec_from_3(max_fd);

    // Wait until the parent has registered our group with the watchdog, so nothing we fork can
    // escape a SIGKILL of msvc in between.
    if (req->watchdog_fd >= 0) {
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

static void close_pair(int fds[2]) {
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
        close_pair(report);
        close_pair(go);
        free(candidates);
        return -1;
    }

    // Block every signal across fork so no handler of the parent runs in the child.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
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
    if (req->watchdog_fd >= 0) {
        int rc = msvc_watchdog_send(req->watchdog_fd, (int32_t)pid);
        if (rc == 0) {
            registered = 1;
            char byte = 1;
            ssize_t w;
            do { w = send(go[1], &byte, 1, MSG_NOSIGNAL); } while (w < 0 && errno == EINTR);
        } else {
            kill(pid, SIGKILL);
            fail(res, MSVC_STAGE_WATCHDOG, -rc);
        }
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

// ---------------------------------------------------------------------------------------------
// Watchdog

/// A growable set of pgids in anonymous memory (mmap needs no malloc lock after fork).
struct pgid_table {
    int32_t *items;
    size_t count, capacity;
};

static void table_add(struct pgid_table *t, int32_t pgid) {
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 1024;
        void *mem = mmap(NULL, cap * sizeof(int32_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) return;
        if (t->items) {
            memcpy(mem, t->items, t->count * sizeof(int32_t));
            munmap(t->items, t->capacity * sizeof(int32_t));
        }
        t->items = mem;
        t->capacity = cap;
    }
    t->items[t->count++] = pgid;
}

static void table_remove(struct pgid_table *t, int32_t pgid) {
    for (size_t i = 0; i < t->count; i++) {
        if (t->items[i] == pgid) {
            t->items[i] = t->items[--t->count];
            return;
        }
    }
}

static void watchdog_main(int fd) {
    (void)setsid(); // own session and group: terminal signals and group kills of msvc miss us
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    reset_dispositions();
    int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) (void)sigaction(ignored[i], &ign, NULL);
    unblock_signals();

    fd = lift_fd(fd);
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(null_fd, 2);
    }
    // Holding no other descriptor matters: a copy of another watchdog's socket would delay its EOF.
    if (fd > 3) (void)syscall(SYS_close_range, 3U, (unsigned)fd - 1, 0U);
    (void)syscall(SYS_close_range, (unsigned)fd + 1, ~0U, 0U);
    (void)prctl(PR_SET_NAME, "msvc-watchdog");
    (void)chdir("/");

    struct pgid_table table = {NULL, 0, 0};
    int32_t records[256];
    for (;;) {
        ssize_t n = recv(fd, records, sizeof records, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n / (ssize_t)sizeof(int32_t); i++) {
            if (records[i] > 0) table_add(&table, records[i]);
            else if (records[i] < 0) table_remove(&table, -records[i]);
        }
    }
    // msvc is gone (exited, crashed or SIGKILLed): nothing it started may outlive it.
    for (int round = 0; round < 3; round++) {
        int any = 0;
        for (size_t i = 0; i < table.count; i++) {
            if (kill(-table.items[i], SIGKILL) == 0) any = 1;
        }
        if (!any) break;
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    _exit(0);
}

pid_t msvc_watchdog_start(int *out_fd) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        watchdog_main(sv[1]);
        _exit(0);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        errno = saved;
        return -1;
    }
    *out_fd = sv[0];
    return pid;
}

int msvc_watchdog_send(int fd, int32_t record) {
    for (;;) {
        ssize_t n = send(fd, &record, sizeof record, MSG_NOSIGNAL);
        if (n == (ssize_t)sizeof record) return 0;
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : -EIO;
    }
}

// ---------------------------------------------------------------------------------------------
// Small wrappers

int msvc_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

int msvc_pidfd_send_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
}

static void decode(const siginfo_t *info, int *signaled, int *value) {
    int killed = info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED;
    *signaled = killed;
    *value = info->si_status;
}

int msvc_reap_pid(pid_t pid, int *signaled, int *value) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG) != 0) {
        if (errno != EINTR) return -errno;
    }
    if (info.si_pid == 0) return 0;
    decode(&info, signaled, value);
    return 1;
}

pid_t msvc_reap_group_member(pid_t pgid, int *signaled, int *value) {
    if (pgid <= 1) return -EINVAL; // P_PGID 0 would mean our own group
    siginfo_t info;
    memset(&info, 0, sizeof info);
    // Peek first: the leader (pid == pgid) is left for msvc_reap_pid so its status is not lost.
    while (waitid(P_PGID, (id_t)pgid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno != EINTR) return -errno;
    }
    if (info.si_pid == 0) return 0;
    pid_t pid = info.si_pid;
    if (pid == pgid) return pid;
    int rc = msvc_reap_pid(pid, signaled, value);
    return rc < 0 ? rc : pid;
}

int msvc_kill_group(pid_t pgid, int sig) {
    if (pgid <= 1) return -EINVAL; // never kill(0) / kill(-1): that would hit msvc or everything
    return kill(-pgid, sig) == 0 ? 0 : -errno;
}

int msvc_group_alive(pid_t pgid) {
    if (pgid <= 1) return 0;
    return (kill(-pgid, 0) == 0 || errno == EPERM) ? 1 : 0;
}

int msvc_group_has_live_members(pid_t pgid) {
    if (!msvc_group_alive(pgid)) return 0;
    DIR *dir = opendir("/proc");
    if (dir == NULL) return 1; // cannot tell: assume the worst
    int live = 0;
    struct dirent *entry;
    char path[64], buf[256];
    while (!live && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = '\0';
        char *end = strrchr(buf, ')'); // comm may itself contain ')'
        char state;
        int ppid, pgrp;
        if (end == NULL || sscanf(end + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) continue;
        if (pgrp == pgid && state != 'Z' && state != 'X') live = 1;
    }
    closedir(dir);
    return live;
}

int msvc_set_child_subreaper(int on) {
    return prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0) == 0 ? 0 : -errno;
}

int msvc_output_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -errno;
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
        int e = errno;
        close_pair(fds);
        return -e;
    }
    return 0;
}

int msvc_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int msvc_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

int msvc_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : -errno;
}

int msvc_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int n;
    do { n = epoll_wait(epfd, events, max, timeout_ms); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) tokens[i] = events[i].data.u64;
    return n;
}

int msvc_eventfd(void) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd < 0 ? -errno : fd;
}

void msvc_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

void msvc_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof value);
    (void)ignored;
}

ssize_t msvc_read(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0) return n;
        if (errno != EINTR) return -errno;
    }
}

const char *msvc_strerror(int err) { return strerror(err); }

void msvc_set_thread_name(const char *name) { (void)prctl(PR_SET_NAME, name); }
