#ifndef MSVC_PROC_H
#define MSVC_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The fields of /proc/PID/stat that msvc reads.
struct msvc_proc_stat {
    /// Process id.
    int32_t pid;
    /// Parent's pid.
    int32_t ppid;
    /// Process group id.
    int32_t pgrp;
    /// Session id.
    int32_t session;
    /// State letter: R, S, D, T, Z, X, ...
    char state;
    /// Start time in clock ticks since boot (field 22).
    uint64_t start_ticks;
    /// utime + stime in clock ticks (fields 14 and 15).
    uint64_t cpu_ticks;
    /// Resident set size in pages (field 24).
    int64_t rss_pages;
};

/// Reads /proc/PID/stat. Returns 0 or -errno. Async-signal-safe.
int msvc_proc_read_stat(pid_t pid, struct msvc_proc_stat *out);

/// Reads every process in /proc into `out` (up to `max`). Returns how many exist (which may be
/// more than `max`: call again with a larger buffer), or -errno. Async-signal-safe.
int msvc_proc_scan(struct msvc_proc_stat *out, int max);

/// The children of thread `tid` of `pid`, or of every thread when `tid` <= 0
/// (/proc/PID/task/TID/children), up to `max`. Returns the
/// count (possibly more than `max`), or -errno. Only meaningful when
/// msvc_proc_children_supported() says the kernel has these files. Async-signal-safe.
int msvc_proc_children(pid_t pid, pid_t tid, int32_t *out, int max);

/// Whether /proc/PID/task/TID/children exists on this kernel: 1 or 0.
int msvc_proc_children_supported(void);

/// Whether the initial environment of `pid` (/proc/PID/environ) holds every one of the `count`
/// "KEY=VALUE" entries exactly: 1 yes, 0 no, or -errno (unreadable).
int msvc_proc_environ_has_all(pid_t pid, const char *const *entries, int count);

/// The comm name of `pid` (/proc/PID/comm, without the newline) into `buf`. 0 or -errno.
int msvc_proc_comm(pid_t pid, char *buf, size_t len);

/// The pid of a zombie child of ours, without reaping it (waitid P_ALL with WNOWAIT); 0 if
/// none, or -errno.
pid_t msvc_peek_zombie_child(void);

/// Reaps the child behind `pidfd` if it has exited (waitid P_PIDFD, WNOHANG). Returns 1 when
/// reaped, 0 when still running, or -errno (-ECHILD when it is not our child).
int msvc_reap_pidfd(int pidfd);

// ---------------------------------------------------------------------------------------------
// cgroup v2

/// Whether `dirfd` is a directory on a cgroup v2 file system: 1 or 0.
int msvc_is_cgroup2(int dirfd);

/// Creates cgroup `name` under `parent_dirfd` (mode 0755) and opens it (O_DIRECTORY). Returns
/// the descriptor or -errno (-EEXIST when it exists).
int msvc_cgroup_create(int parent_dirfd, const char *name);

/// Opens a file of a cgroup for writing (cgroup.procs, cgroup.kill); never follows a link.
/// Returns the descriptor or -errno.
int msvc_cgroup_open_file(int dirfd, const char *file, int for_writing);

/// Moves `pid` into the cgroup whose cgroup.procs is open as `procs_fd`. 0 or -errno.
int msvc_cgroup_move(int procs_fd, pid_t pid);

/// SIGKILLs every process in the cgroup and its descendants (cgroup.kill). 0 or -errno.
int msvc_cgroup_kill(int dirfd);

/// Whether any process is in the cgroup or below: 1, 0, or -errno (cgroup.events "populated").
/// `events_fd` may be -1, then the file is opened from `dirfd`.
int msvc_cgroup_populated(int dirfd, int events_fd);

/// The pids in the cgroup itself (cgroup.procs), up to `max`; returns the count or -errno.
int msvc_cgroup_procs(int dirfd, int32_t *out, int max);

/// Removes cgroup `name` under `parent_dirfd` after removing its empty child cgroups. 0 or -errno
/// (-EBUSY while a process is still inside).
int msvc_cgroup_remove(int parent_dirfd, const char *name);

/// Checks that processes can be moved into a child cgroup of `dirfd`: creates "probe" there,
/// moves a short-lived child process into it, removes it. 0 or -errno.
int msvc_cgroup_probe(int dirfd);

/// epoll_ctl ADD with EPOLLPRI only (cgroup.events reports changes as priority data). 0 or -errno.
int msvc_epoll_add_pri(int epfd, int fd, uint64_t token);

#endif
