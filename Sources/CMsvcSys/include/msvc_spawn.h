#ifndef MSVC_SPAWN_H
#define MSVC_SPAWN_H
#include <stdint.h>
#include <sys/types.h>

/// Where a failed spawn stopped; the Swift side turns it into a message.
enum msvc_spawn_stage {
    /// No failure.
    MSVC_STAGE_NONE = 0,
    /// Creating the internal pipes failed in the parent.
    MSVC_STAGE_PIPE = 1,
    /// fork() failed.
    MSVC_STAGE_FORK = 2,
    /// Registering the new group with the watchdog failed (the watchdog is gone).
    MSVC_STAGE_WATCHDOG = 3,
    /// Setting up stdio in the child failed.
    MSVC_STAGE_CHILD_SETUP = 4,
    /// chdir() to the working directory failed.
    MSVC_STAGE_CHDIR = 5,
    /// execve() failed for every PATH candidate.
    MSVC_STAGE_EXEC = 6,
    /// The program exists but execve() reported ENOENT: its #! interpreter is missing.
    MSVC_STAGE_INTERPRETER = 7,
    /// Moving the child into its cgroup failed.
    MSVC_STAGE_CGROUP = 8,
};

/// What to start. Every pointer is only read, and only during the call.
struct msvc_spawn_request {
    /// NULL-terminated arguments; argv[0] is the program as written (searched in PATH unless it has a '/').
    char *const *argv;
    /// NULL-terminated "KEY=VALUE" environment of the child.
    char *const *envp;
    /// Working directory of the child; NULL keeps the parent's.
    const char *cwd;
    /// PATH used for the search (the child's PATH); NULL uses "/usr/local/bin:/usr/bin:/bin".
    const char *search_path;
    /// Write end that becomes the child's stdout.
    int stdout_fd;
    /// Write end that becomes the child's stderr.
    int stderr_fd;
    /// Watchdog socket from msvc_watchdog_start, or -1; the group is registered before the child runs.
    int watchdog_fd;
    /// cgroup.procs of the cgroup the child joins before it runs anything, or -1.
    int cgroup_procs_fd;
};

/// The outcome of msvc_spawn.
struct msvc_spawn_result {
    /// Child pid (also its process group id), or -1.
    pid_t pid;
    /// An msvc_spawn_stage; MSVC_STAGE_NONE on success.
    int stage;
    /// errno of the failure.
    int error;
    /// The path execve() last failed on (NUL-terminated, may be truncated).
    char path[1024];
};

/// Forks and execs `req` in a new process group with PR_SET_PDEATHSIG(SIGKILL), reset signals,
/// stdin on /dev/null and every other descriptor closed. Returns the pid or -1 (see `res`).
/// Blocks until the child has exec'd or failed. Call it from one long-lived thread: the death
/// signal follows the thread that forked.
pid_t msvc_spawn(const struct msvc_spawn_request *req, struct msvc_spawn_result *res);

/// Forks the watchdog: a process in its own session that, when the returned socket (`*out_fd`,
/// close-on-exec) reaches EOF, kills every registered cgroup (cgroup.kill), stops every process
/// of the registered groups, every tracked process and all their descendants (found in /proc),
/// then SIGKILLs them all and removes the emptied cgroups. Returns its pid or -1 (errno set).
pid_t msvc_watchdog_start(int *out_fd);

/// Sends one record to the watchdog: a positive pgid registers it, a negative one unregisters it.
/// Returns 0 or -errno (-EPIPE when the watchdog is gone; never raises SIGPIPE).
int msvc_watchdog_send(int fd, int32_t record);

/// Registers a process that left its group: its pid, start time and a pidfd (or -1), which the
/// watchdog keeps so a recycled pid is never hit. 0 or -errno.
int msvc_watchdog_track_pid(int sock, pid_t pid, uint64_t start_ticks, int pidfd);

/// Forgets a process registered with msvc_watchdog_track_pid. 0 or -errno.
int msvc_watchdog_untrack_pid(int sock, pid_t pid);

/// Registers a cgroup under `key`: its directory descriptor (for cgroup.kill) and its path (to
/// remove it once empty). 0 or -errno.
int msvc_watchdog_track_cgroup(int sock, int32_t key, int dirfd, const char *path);

/// Forgets the cgroup registered under `key`. 0 or -errno.
int msvc_watchdog_untrack_cgroup(int sock, int32_t key);

/// pidfd_open(2); returns the descriptor (close-on-exec) or -errno.
int msvc_pidfd_open(pid_t pid);

/// pidfd_send_signal(2); returns 0 or -errno.
int msvc_pidfd_send_signal(int pidfd, int sig);

/// Reaps `pid` if it has exited (WNOHANG). Returns 1 and fills `signaled`/`value`, 0 if still
/// running, or -errno.
int msvc_reap_pid(pid_t pid, int *signaled, int *value);

/// Reaps one exited child in process group `pgid` (WNOHANG). Returns its pid, 0 if none is
/// waiting, or -errno (-ECHILD when no child of ours is in the group). An exited leader
/// (pid == pgid) is only reported, not reaped: reap it with msvc_reap_pid.
pid_t msvc_reap_group_member(pid_t pgid, int *signaled, int *value);

/// kill(-pgid, sig); returns 0 or -errno.
int msvc_kill_group(pid_t pgid, int sig);

/// Whether any process (zombies included) is still in group `pgid`: 1 yes, 0 no.
int msvc_group_alive(pid_t pgid);

/// Whether group `pgid` has a member that is not a zombie (1) or not (0). Zombies keep a group
/// "alive" for kill(2) until their parent reaps them, which an init may do lazily; this scans
/// /proc when kill says the group exists.
int msvc_group_has_live_members(pid_t pgid);

/// PR_SET_CHILD_SUBREAPER for the whole process; returns 0 or -errno.
int msvc_set_child_subreaper(int on);

/// A pipe with both ends close-on-exec and the read end non-blocking; returns 0 or -errno.
int msvc_output_pipe(int fds[2]);

/// epoll_create1(EPOLL_CLOEXEC); returns the descriptor or -errno.
int msvc_epoll_create(void);
/// Watches `fd` for input (level-triggered); `token` comes back from msvc_epoll_wait. 0 or -errno.
int msvc_epoll_add(int epfd, int fd, uint64_t token);
/// Stops watching `fd`; 0 or -errno.
int msvc_epoll_remove(int epfd, int fd);
/// Waits up to `timeout_ms` (-1: forever); fills up to `max` tokens; returns the count or -errno.
int msvc_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms);

/// A non-blocking, close-on-exec eventfd; returns it or -errno.
int msvc_eventfd(void);
/// Makes the eventfd readable.
void msvc_eventfd_signal(int fd);
/// Clears the eventfd.
void msvc_eventfd_drain(int fd);

/// read(2) that retries on EINTR; returns bytes, 0 at EOF, or -errno.
ssize_t msvc_read(int fd, void *buf, size_t len);

/// The system's message for an errno value.
const char *msvc_strerror(int err);

/// Names the calling thread (first 15 bytes), as ps and top show it.
void msvc_set_thread_name(const char *name);

#endif
