// The orphan watchdog: a small process that holds every live process group of msvc and
// SIGKILLs them all when msvc dies (its end of a socket pair reads EOF).
#define _GNU_SOURCE
#include "msvc_spawn.h"
#include "internal.h"

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
