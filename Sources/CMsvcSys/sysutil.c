// Small Linux syscall wrappers for the supervisor: pidfds, reaping, process groups, epoll,
// eventfd and pipes, each returning -errno style results Swift can read.
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
        msvc_close_pair(fds);
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
