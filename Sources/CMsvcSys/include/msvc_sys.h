#ifndef MSVC_SYS_H
#define MSVC_SYS_H
#include <stdio.h>

/// Standard streams as functions: Swift 6 rejects the C globals.
FILE *msvc_stdout(void);
FILE *msvc_stderr(void);
/// Whether the file descriptor is a terminal.
int msvc_isatty(int fd);
#endif
