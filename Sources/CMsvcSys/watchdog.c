// The orphan watchdog: a small process that holds every live process group, every escaped
// process (as a pidfd) and the cgroup of msvc, and kills them all when msvc dies (its end of a
// socket pair reads EOF). Everything here runs in a child forked from a multi-threaded process
// without exec, so it uses async-signal-safe calls only: no malloc, no stdio.
#define _GNU_SOURCE
#include "msvc_spawn.h"
#include "msvc_proc.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

/// A record on the watchdog socket other than the 4-byte group records.
struct watchdog_record {
    int32_t kind;
    int32_t id;
    uint64_t start_ticks;
    char path[];
};

enum { RECORD_PID_ADD = 1, RECORD_PID_REMOVE = 2, RECORD_CGROUP_ADD = 3, RECORD_CGROUP_REMOVE = 4 };
enum { MAX_CGROUPS = 16, MAX_RECORD = 16 + 4096 };

/// A growable array in anonymous memory (mmap needs no malloc lock after fork).
struct table {
    void *items;
    size_t count, capacity, item_size;
};

static void *table_slot(struct table *t, size_t i) { return (char *)t->items + i * t->item_size; }

static int table_reserve(struct table *t, size_t want) {
    if (want <= t->capacity) return 1;
    size_t cap = t->capacity ? t->capacity : 1024;
    while (cap < want) cap *= 2;
    void *mem = mmap(NULL, cap * t->item_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return 0;
    if (t->items) {
        memcpy(mem, t->items, t->count * t->item_size);
        munmap(t->items, t->capacity * t->item_size);
    }
    t->items = mem;
    t->capacity = cap;
    return 1;
}

static void table_append(struct table *t, const void *item) {
    if (!table_reserve(t, t->count + 1)) return;
    memcpy(table_slot(t, t->count++), item, t->item_size);
}

static void table_remove_at(struct table *t, size_t i) {
    t->count--;
    if (i != t->count) memcpy(table_slot(t, i), table_slot(t, t->count), t->item_size);
}

/// An escaped process: pid, its start time and a pidfd when one came with the record.
struct tracked_pid {
    int32_t pid;
    int32_t pidfd;
    uint64_t start_ticks;
};

struct tracked_cgroup {
    int32_t key;
    int32_t dirfd;
    char path[4096];
};

struct watchdog_state {
    struct table groups; // int32_t pgids
    struct table pids;   // struct tracked_pid
    struct tracked_cgroup cgroups[MAX_CGROUPS];
    int cgroup_count;
};

static void remove_group(struct watchdog_state *w, int32_t pgid) {
    for (size_t i = 0; i < w->groups.count; i++) {
        if (*(int32_t *)table_slot(&w->groups, i) == pgid) {
            table_remove_at(&w->groups, i);
            return;
        }
    }
}

static void remove_pid(struct watchdog_state *w, int32_t pid) {
    for (size_t i = 0; i < w->pids.count; i++) {
        struct tracked_pid *p = table_slot(&w->pids, i);
        if (p->pid == pid) {
            if (p->pidfd >= 0) close(p->pidfd);
            table_remove_at(&w->pids, i);
            return;
        }
    }
}

static void remove_cgroup(struct watchdog_state *w, int32_t key) {
    for (int i = 0; i < w->cgroup_count; i++) {
        if (w->cgroups[i].key == key) {
            if (w->cgroups[i].dirfd >= 0) close(w->cgroups[i].dirfd);
            w->cgroups[i] = w->cgroups[--w->cgroup_count];
            return;
        }
    }
}

/// Applies one record; `fd` is the descriptor that came with it, or -1.
static void apply(struct watchdog_state *w, const char *msg, ssize_t len, int fd) {
    if (len == (ssize_t)sizeof(int32_t)) {
        int32_t pgid;
        memcpy(&pgid, msg, sizeof pgid);
        if (pgid > 0) table_append(&w->groups, &pgid);
        else if (pgid < 0) remove_group(w, -pgid);
        if (fd >= 0) close(fd);
        return;
    }
    if (len < (ssize_t)sizeof(struct watchdog_record)) {
        if (fd >= 0) close(fd);
        return;
    }
    struct watchdog_record r;
    memcpy(&r, msg, sizeof r);
    switch (r.kind) {
    case RECORD_PID_ADD: {
        remove_pid(w, r.id); // a recycled pid replaces the old record
        struct tracked_pid p = {r.id, fd, r.start_ticks};
        table_append(&w->pids, &p);
        return;
    }
    case RECORD_PID_REMOVE:
        remove_pid(w, r.id);
        break;
    case RECORD_CGROUP_ADD:
        remove_cgroup(w, r.id);
        if (w->cgroup_count < MAX_CGROUPS && fd >= 0) {
            struct tracked_cgroup *c = &w->cgroups[w->cgroup_count++];
            c->key = r.id;
            c->dirfd = fd;
            size_t n = (size_t)len - sizeof r;
            if (n >= sizeof c->path) n = sizeof c->path - 1;
            memcpy(c->path, msg + sizeof r, n);
            c->path[n] = '\0';
            return;
        }
        break;
    case RECORD_CGROUP_REMOVE:
        remove_cgroup(w, r.id);
        break;
    }
    if (fd >= 0) close(fd);
}

/// Whether the tracked process is still the one registered (alive, same start time).
static int tracked_alive(const struct tracked_pid *p) {
    if (p->pidfd >= 0) return msvc_pidfd_send_signal(p->pidfd, 0) == 0;
    struct msvc_proc_stat st;
    return msvc_proc_read_stat(p->pid, &st) == 0 && st.start_ticks == p->start_ticks && st.state != 'Z';
}

static void signal_tracked(const struct tracked_pid *p, int sig) {
    if (p->pidfd >= 0) (void)msvc_pidfd_send_signal(p->pidfd, sig);
    else if (tracked_alive(p)) (void)kill(p->pid, sig);
}

static int in_list(const int32_t *list, size_t count, int32_t value) {
    for (size_t i = 0; i < count; i++) {
        if (list[i] == value) return 1;
    }
    return 0;
}

/// Stops (SIGSTOP) every descendant of a registered group member or tracked process, so none
/// can fork away while the rest are killed, and adds it to `found` (pids).
static void stop_descendants(struct watchdog_state *w, struct table *found) {
    struct table scan = {NULL, 0, 0, sizeof(struct msvc_proc_stat)};
    pid_t self = getpid();
    for (int round = 0; round < 8; round++) {
        int total;
        for (;;) {
            total = msvc_proc_scan(scan.items, (int)scan.capacity);
            if (total < 0 || (size_t)total <= scan.capacity) break;
            if (!table_reserve(&scan, (size_t)total + 256)) break;
        }
        if (total <= 0) break;
        size_t n = (size_t)total < scan.capacity ? (size_t)total : scan.capacity;
        int added = 0;
        // Members of the registered groups and the tracked processes seed the walk; their
        // descendants join until nothing changes.
        for (int changed = 1; changed;) {
            changed = 0;
            for (size_t i = 0; i < n; i++) {
                struct msvc_proc_stat *st = table_slot(&scan, i);
                if (st->pid == self || st->pid <= 1 || st->state == 'Z' || st->state == 'X') continue;
                if (in_list(found->items, found->count, st->pid)) continue;
                int ours = in_list(w->groups.items, w->groups.count, st->pgrp)
                        || in_list(found->items, found->count, st->ppid);
                for (size_t j = 0; !ours && j < w->pids.count; j++) {
                    const struct tracked_pid *p = table_slot(&w->pids, j);
                    ours = p->pid == st->pid && p->start_ticks == st->start_ticks;
                }
                if (!ours) continue;
                (void)kill(st->pid, SIGSTOP);
                table_append(found, &st->pid);
                changed = 1;
                added = 1;
            }
        }
        if (!added) break;
    }
    if (scan.items) munmap(scan.items, scan.capacity * scan.item_size);
}

/// Kills the cgroups, then every group, tracked process and descendant of them.
static void kill_everything(struct watchdog_state *w, pid_t parent) {
    for (int i = 0; i < w->cgroup_count; i++) (void)msvc_cgroup_kill(w->cgroups[i].dirfd);
    for (size_t i = 0; i < w->groups.count; i++) (void)kill(-*(int32_t *)table_slot(&w->groups, i), SIGSTOP);
    for (size_t i = 0; i < w->pids.count; i++) signal_tracked(table_slot(&w->pids, i), SIGSTOP);
    struct table found = {NULL, 0, 0, sizeof(int32_t)};
    stop_descendants(w, &found);
    for (int round = 0; round < 3; round++) {
        int any = 0;
        for (size_t i = 0; i < w->groups.count; i++) {
            if (kill(-*(int32_t *)table_slot(&w->groups, i), SIGKILL) == 0) any = 1;
        }
        for (size_t i = 0; i < w->pids.count; i++) signal_tracked(table_slot(&w->pids, i), SIGKILL);
        for (size_t i = 0; i < found.count; i++) (void)kill(*(int32_t *)table_slot(&found, i), SIGKILL);
        if (!any) break;
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (w->cgroup_count == 0) return;
    // Empty cgroups are removed so none is left behind: the per-process ones always, the
    // launcher's own only once msvc is really gone (we were re-parented), since a live msvc that
    // merely lost its socket keeps using it. The kernel gets up to a second for both.
    int orphaned = 0;
    for (int tries = 0; tries < 20 && !(orphaned = getppid() != parent); tries++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < w->cgroup_count; i++) {
        struct tracked_cgroup *c = &w->cgroups[i];
        for (int tries = 0; tries < 50 && msvc_cgroup_populated(c->dirfd, -1) == 1; tries++) {
            struct timespec pause = {0, 20 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        char *slash = strrchr(c->path, '/');
        if (!orphaned || slash == NULL || slash == c->path) {
            msvc_cgroup_remove_children(c->dirfd);
            continue;
        }
        // Split the path into its parent and name, and remove it relative to the parent.
        *slash = '\0';
        int parent_dir = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent_dir >= 0) {
            (void)msvc_cgroup_remove(parent_dir, slash + 1);
            close(parent_dir);
        }
    }
}

static void watchdog_main(int fd) {
    pid_t parent = getppid();
    (void)setsid(); // own session and group: terminal signals and group kills of msvc miss us
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    msvc_reset_dispositions();
    int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) (void)sigaction(ignored[i], &ign, NULL);
    msvc_unblock_signals();

    fd = msvc_lift_fd(fd);
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
    // One pidfd per escaped process: allow as many as the hard limit does.
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }

    static struct watchdog_state w;
    w.groups = (struct table){NULL, 0, 0, sizeof(int32_t)};
    w.pids = (struct table){NULL, 0, 0, sizeof(struct tracked_pid)};
    static char msg[MAX_RECORD];
    for (;;) {
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {msg, sizeof msg};
        struct msghdr h;
        memset(&h, 0, sizeof h);
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        h.msg_control = control;
        h.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd, &h, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        int passed = -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&h);
        if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(c), sizeof passed);
        apply(&w, msg, n, passed);
    }
    // msvc is gone (exited, crashed or SIGKILLed): nothing it started may outlive it.
    kill_everything(&w, parent);
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

/// Sends `len` bytes as one record, with `fd` attached when it is >= 0.
static int send_record(int sock, const void *data, size_t len, int fd) {
    struct iovec iov = {(void *)data, len};
    struct msghdr h;
    memset(&h, 0, sizeof h);
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))];
    if (fd >= 0) {
        memset(control, 0, sizeof control);
        h.msg_control = control;
        h.msg_controllen = sizeof control;
        struct cmsghdr *c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    for (;;) {
        ssize_t n = sendmsg(sock, &h, MSG_NOSIGNAL);
        if (n == (ssize_t)len) return 0;
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : -EIO;
    }
}

int msvc_watchdog_send(int fd, int32_t record) { return send_record(fd, &record, sizeof record, -1); }

int msvc_watchdog_track_pid(int sock, pid_t pid, uint64_t start_ticks, int pidfd) {
    struct watchdog_record r = {RECORD_PID_ADD, pid, start_ticks};
    return send_record(sock, &r, sizeof r, pidfd);
}

int msvc_watchdog_untrack_pid(int sock, pid_t pid) {
    struct watchdog_record r = {RECORD_PID_REMOVE, pid, 0};
    return send_record(sock, &r, sizeof r, -1);
}

int msvc_watchdog_track_cgroup(int sock, int32_t key, int dirfd, const char *path) {
    char buf[MAX_RECORD];
    struct watchdog_record r = {RECORD_CGROUP_ADD, key, 0};
    size_t n = strlen(path);
    if (n > MAX_RECORD - sizeof r) return -ENAMETOOLONG;
    memcpy(buf, &r, sizeof r);
    memcpy(buf + sizeof r, path, n);
    return send_record(sock, buf, sizeof r + n, dirfd);
}

int msvc_watchdog_untrack_cgroup(int sock, int32_t key) {
    struct watchdog_record r = {RECORD_CGROUP_REMOVE, key, 0};
    return send_record(sock, &r, sizeof r, -1);
}
