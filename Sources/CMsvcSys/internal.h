// Helpers shared by spawn.c, watchdog.c and sysutil.c; not part of the module's interface.
#ifndef MSVC_SYS_INTERNAL_H
#define MSVC_SYS_INTERNAL_H

#include <stddef.h>

#define MSVC_INTERNAL __attribute__((visibility("hidden")))

/// Moves `fd` above the standard descriptors (async-signal-safe).
MSVC_INTERNAL int msvc_lift_fd(int fd);
/// Every signal back to its default action (async-signal-safe).
MSVC_INTERNAL void msvc_reset_dispositions(void);
/// An empty signal mask (async-signal-safe).
MSVC_INTERNAL void msvc_unblock_signals(void);
/// Closes both ends of a pipe or socket pair that are open.
MSVC_INTERNAL void msvc_close_pair(int fds[2]);

/// Writes a + n + b + m + c into `buf` (NULL parts and negative numbers are skipped);
/// returns the length (async-signal-safe).
MSVC_INTERNAL size_t msvc_format_path(char *buf, size_t len, const char *a, long n, const char *b, long m, const char *c);
struct msvc_proc_stat;
/// Parses the text of /proc/PID/stat (async-signal-safe); 0 or -EINVAL.
MSVC_INTERNAL int msvc_parse_stat(const char *text, struct msvc_proc_stat *out);
/// Removes the empty child cgroups of `dirfd` (async-signal-safe).
MSVC_INTERNAL void msvc_cgroup_remove_children(int dirfd);

#endif
