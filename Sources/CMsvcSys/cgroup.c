// cgroup v2 helpers: every path is opened relative to a cgroup directory descriptor and never
// through a link, so a recorded path can only ever reach files of a cgroup file system.
#define _GNU_SOURCE
#include "msvc_proc.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int msvc_is_cgroup2(int dirfd) {
    struct statfs fs;
    if (fstatfs(dirfd, &fs) != 0) return 0;
    return fs.f_type == CGROUP2_SUPER_MAGIC ? 1 : 0;
}

int msvc_cgroup_create(int parent_dirfd, const char *name) {
    if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0') return -EINVAL;
    if (mkdirat(parent_dirfd, name, 0755) != 0) return -errno;
    int fd = openat(parent_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        (void)unlinkat(parent_dirfd, name, AT_REMOVEDIR);
        return -e;
    }
    return fd;
}

int msvc_cgroup_open_file(int dirfd, const char *file, int for_writing) {
    int fd = openat(dirfd, file, (for_writing ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int msvc_cgroup_move(int procs_fd, pid_t pid) {
    char text[24];
    size_t len = msvc_format_path(text, sizeof text, NULL, pid, NULL, -1, NULL);
    ssize_t n;
    do { n = write(procs_fd, text, len); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
}

int msvc_cgroup_kill(int dirfd) {
    int fd = msvc_cgroup_open_file(dirfd, "cgroup.kill", 1);
    if (fd < 0) return fd;
    ssize_t n;
    do { n = write(fd, "1", 1); } while (n < 0 && errno == EINTR);
    int e = n == 1 ? 0 : -errno;
    close(fd);
    return e;
}

int msvc_cgroup_populated(int dirfd, int events_fd) {
    int fd = events_fd >= 0 ? events_fd : msvc_cgroup_open_file(dirfd, "cgroup.events", 0);
    if (fd < 0) return fd;
    char buf[256];
    ssize_t n;
    do { n = pread(fd, buf, sizeof buf - 1, 0); } while (n < 0 && errno == EINTR);
    int e = n < 0 ? -errno : 0;
    if (events_fd < 0) close(fd);
    if (n < 0) return e;
    buf[n] = '\0';
    const char *key = strstr(buf, "populated ");
    if (key == NULL) return -EINVAL;
    return key[10] == '1' ? 1 : 0;
}

int msvc_cgroup_procs(int dirfd, int32_t *out, int max) {
    int fd = msvc_cgroup_open_file(dirfd, "cgroup.procs", 0);
    if (fd < 0) return fd;
    char buf[4096];
    int count = 0;
    long current = -1;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                current = (current < 0 ? 0 : current * 10) + (buf[i] - '0');
            } else if (current >= 0) {
                if (count < max) out[count] = (int32_t)current;
                count++;
                current = -1;
            }
        }
    }
    if (current >= 0) {
        if (count < max) out[count] = (int32_t)current;
        count++;
    }
    close(fd);
    return count;
}

/// Removes the empty child cgroups of `dirfd`, depth first (at most `depth` levels).
static void remove_children(int dirfd, int depth) {
    if (depth <= 0) return;
    char entries[4096];
    int again = 1;
    while (again) {
        again = 0;
        if (lseek(dirfd, 0, SEEK_SET) != 0) return;
        for (;;) {
            long n = syscall(SYS_getdents64, dirfd, entries, sizeof entries);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            for (long at = 0; at < n;) {
                // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
                unsigned short reclen;
                memcpy(&reclen, entries + at + 16, sizeof reclen);
                unsigned char type = (unsigned char)entries[at + 18];
                const char *name = entries + at + 19;
                at += reclen;
                if (type != DT_DIR || name[0] == '.') continue;
                int child = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child >= 0) {
                    remove_children(child, depth - 1);
                    close(child);
                }
                if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0) again = 1;
            }
        }
    }
}

void msvc_cgroup_remove_children(int dirfd) {
    int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return;
    remove_children(dup, 8);
    close(dup);
}

int msvc_cgroup_remove(int parent_dirfd, const char *name) {
    if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0') return -EINVAL;
    int dir = openat(parent_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) return -errno;
    if (!msvc_is_cgroup2(dir)) {
        close(dir);
        return -ENOTDIR;
    }
    remove_children(dir, 8);
    close(dir);
    return unlinkat(parent_dirfd, name, AT_REMOVEDIR) == 0 ? 0 : -errno;
}

int msvc_cgroup_probe(int dirfd) {
    (void)unlinkat(dirfd, "probe", AT_REMOVEDIR); // a leftover of a probe that was killed
    int probe = msvc_cgroup_create(dirfd, "probe");
    if (probe < 0) return probe;
    int procs = msvc_cgroup_open_file(probe, "cgroup.procs", 1);
    int result = procs < 0 ? procs : 0;
    if (result == 0) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pid_t pid = fork();
        if (pid == 0) {
            // Holds no descriptor (a copy of a watchdog socket or a pipe would delay someone's
            // end of file) and waits for its SIGKILL; async-signal-safe only.
            (void)syscall(SYS_close_range, 0U, ~0U, 0U);
            for (;;) pause();
        }
        int fork_errno = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
            result = -fork_errno;
        } else {
            result = msvc_cgroup_move(procs, pid);
            kill(pid, SIGKILL);
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        }
    }
    if (procs >= 0) close(procs);
    close(probe);
    if (unlinkat(dirfd, "probe", AT_REMOVEDIR) != 0 && result == 0) result = -errno;
    return result;
}

int msvc_epoll_add_pri(int epfd, int fd, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLPRI;
    ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}
