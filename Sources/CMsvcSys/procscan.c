// Reading /proc without the C library's allocating helpers: the watchdog uses these after fork()
// in a multi-threaded process, where only async-signal-safe calls are allowed, and the launcher
// uses them once a second, where Foundation's file reading would cost far more.
#define _GNU_SOURCE
#include "msvc_proc.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/// One entry as getdents64 returns it.
struct dirent64_raw {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

size_t msvc_format_path(char *buf, size_t len, const char *a, long n, const char *b, long m, const char *c) {
    size_t at = 0;
    const char *parts[3] = {a, b, c};
    long numbers[2] = {n, m};
    for (int i = 0; i < 3; i++) {
        if (parts[i] != NULL) {
            for (const char *p = parts[i]; *p && at + 1 < len; p++) buf[at++] = *p;
        }
        if (i < 2 && numbers[i] >= 0) {
            char digits[24];
            int d = 0;
            long v = numbers[i];
            do { digits[d++] = (char)('0' + v % 10); v /= 10; } while (v > 0);
            while (d > 0 && at + 1 < len) buf[at++] = digits[--d];
        }
    }
    buf[at] = '\0';
    return at;
}

/// Reads a whole small file into `buf` (NUL-terminated); returns the length or -errno.
static ssize_t read_small(const char *path, char *buf, size_t len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -errno;
    size_t got = 0;
    while (got + 1 < len) {
        ssize_t n = read(fd, buf + got, len - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    return (ssize_t)got;
}

/// Parses one decimal field and moves `*p` past it and the following spaces.
static int64_t next_number(const char **p) {
    const char *s = *p;
    int negative = 0;
    if (*s == '-') { negative = 1; s++; }
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    while (*s == ' ') s++;
    *p = s;
    return negative ? -v : v;
}

static void skip_field(const char **p) {
    const char *s = *p;
    while (*s && *s != ' ') s++;
    while (*s == ' ') s++;
    *p = s;
}

int msvc_parse_stat(const char *text, struct msvc_proc_stat *out) {
    const char *close_paren = NULL;
    for (const char *s = text; *s; s++) {
        if (*s == ')') close_paren = s; // comm may itself contain ')'
    }
    if (close_paren == NULL || close_paren[1] != ' ') return -EINVAL;
    out->pid = (int32_t)next_number(&text);
    const char *p = close_paren + 2;
    out->state = *p;
    skip_field(&p);                              // 3 state
    out->ppid = (int32_t)next_number(&p);        // 4
    out->pgrp = (int32_t)next_number(&p);        // 5
    out->session = (int32_t)next_number(&p);     // 6
    for (int f = 7; f < 14; f++) skip_field(&p); // tty_nr .. cmajflt
    uint64_t utime = (uint64_t)next_number(&p);  // 14
    uint64_t stime = (uint64_t)next_number(&p);  // 15
    out->cpu_ticks = utime + stime;
    for (int f = 16; f < 22; f++) skip_field(&p);
    out->start_ticks = (uint64_t)next_number(&p); // 22
    skip_field(&p);                               // 23 vsize
    if (*p == '\0') return -EINVAL;
    out->rss_pages = next_number(&p);             // 24
    return 0;
}

int msvc_proc_read_stat(pid_t pid, struct msvc_proc_stat *out) {
    if (pid <= 0) return -EINVAL;
    char path[64], buf[1024];
    msvc_format_path(path, sizeof path, "/proc/", pid, "/stat", -1, NULL);
    ssize_t n = read_small(path, buf, sizeof buf);
    if (n < 0) return (int)n;
    return msvc_parse_stat(buf, out);
}

int msvc_proc_scan(struct msvc_proc_stat *out, int max) {
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -errno;
    char entries[8192];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, dir, entries, sizeof entries);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (long at = 0; at < n;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(entries + at);
            at += d->d_reclen;
            if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
            long pid = 0;
            const char *s = d->d_name;
            while (*s >= '0' && *s <= '9') pid = pid * 10 + (*s++ - '0');
            if (*s != '\0') continue;
            struct msvc_proc_stat st;
            if (msvc_proc_read_stat((pid_t)pid, &st) != 0) continue; // exited meanwhile
            if (count < max) out[count] = st;
            count++;
        }
    }
    close(dir);
    return count;
}

/// Adds the pids listed in one children file ("pid pid pid ") to `out`; returns the new count.
static int read_children_file(const char *path, int32_t *out, int max, int count) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return count; // the thread ended meanwhile
    char buf[4096];
    long current = -1; // a number may straddle two reads
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) {
            char c = buf[i];
            if (c >= '0' && c <= '9') {
                current = (current < 0 ? 0 : current * 10) + (c - '0');
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

int msvc_proc_children(pid_t pid, pid_t tid, int32_t *out, int max) {
    char path[96];
    if (tid > 0) {
        msvc_format_path(path, sizeof path, "/proc/", pid, "/task/", tid, "/children");
        if (access(path, F_OK) != 0) return -errno;
        return read_children_file(path, out, max, 0);
    }
    msvc_format_path(path, sizeof path, "/proc/", pid, "/task", -1, NULL);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -errno;
    char entries[4096];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, dir, entries, sizeof entries);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (long at = 0; at < n;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(entries + at);
            at += d->d_reclen;
            if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
            long thread = 0;
            for (const char *s = d->d_name; *s >= '0' && *s <= '9'; s++) thread = thread * 10 + (*s - '0');
            msvc_format_path(path, sizeof path, "/proc/", pid, "/task/", thread, "/children");
            count = read_children_file(path, out, max, count);
        }
    }
    close(dir);
    return count;
}

int msvc_proc_children_supported(void) {
    char path[96];
    pid_t self = getpid();
    msvc_format_path(path, sizeof path, "/proc/", self, "/task/", self, "/children");
    return access(path, R_OK) == 0 ? 1 : 0;
}

int msvc_proc_environ_has_all(pid_t pid, const char *const *entries, int count) {
    if (count <= 0) return 1;
    char path[64];
    msvc_format_path(path, sizeof path, "/proc/", pid, "/environ", -1, NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= (8u << 20)) break; // more than 8 MiB of environment: judge what we have
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) break;
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return -e;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    int found = 0;
    for (int i = 0; i < count; i++) {
        size_t want = strlen(entries[i]);
        int hit = 0;
        for (size_t at = 0; at < len && !hit;) {
            size_t end = at;
            while (end < len && buf[end] != '\0') end++;
            if (end - at == want && memcmp(buf + at, entries[i], want) == 0) hit = 1;
            at = end + 1;
        }
        if (!hit) break;
        found++;
    }
    free(buf);
    return found == count ? 1 : 0;
}

int msvc_proc_comm(pid_t pid, char *buf, size_t len) {
    char path[64];
    msvc_format_path(path, sizeof path, "/proc/", pid, "/comm", -1, NULL);
    ssize_t n = read_small(path, buf, len);
    if (n < 0) return (int)n;
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
    return 0;
}

pid_t msvc_peek_zombie_child(void) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    while (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno != EINTR) return -errno;
    }
    return info.si_pid;
}

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int msvc_reap_pidfd(int pidfd) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) != 0) {
        if (errno != EINTR) return -errno;
    }
    return info.si_pid != 0 ? 1 : 0;
}
