#ifndef MSVC_SYS_H
#define MSVC_SYS_H
#include <stdio.h>

/// Standard streams as functions: Swift 6 rejects the C globals.
FILE *msvc_stdout(void);
FILE *msvc_stderr(void);
/// Whether the file descriptor is a terminal.
int msvc_isatty(int fd);

#include <sys/types.h>
/// Starts `argv` (a full path in argv[0]) in a new session with stdin on /dev/null and
/// stdout/stderr appended to `log_path`, for `msvc up -d`. Returns the pid or -errno.
pid_t msvc_spawn_detached(char *const argv[], const char *log_path);
#endif
