// Helpers shared by spawn.c, watchdog.c and sysutil.c; not part of the module's interface.
#ifndef MSVC_SYS_INTERNAL_H
#define MSVC_SYS_INTERNAL_H

#define MSVC_INTERNAL __attribute__((visibility("hidden")))

/// Moves `fd` above the standard descriptors (async-signal-safe).
MSVC_INTERNAL int msvc_lift_fd(int fd);
/// Every signal back to its default action (async-signal-safe).
MSVC_INTERNAL void msvc_reset_dispositions(void);
/// An empty signal mask (async-signal-safe).
MSVC_INTERNAL void msvc_unblock_signals(void);
/// Closes both ends of a pipe or socket pair that are open.
MSVC_INTERNAL void msvc_close_pair(int fds[2]);

#endif
