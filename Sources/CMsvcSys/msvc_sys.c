#define _GNU_SOURCE
#include "msvc_sys.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>

extern char **environ;

FILE *msvc_stdout(void) { return stdout; }
FILE *msvc_stderr(void) { return stderr; }
int msvc_isatty(int fd) { return isatty(fd); }

pid_t msvc_spawn_detached(char *const argv[], const char *log_path) {
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(log);
        return -e;
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec: the parent has other threads.
        setsid();
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < 32; s++) signal(s, SIG_DFL);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(log, 1);
        dup2(log, 2);
        // Whatever else the caller had open (a test's pipes, say) must not live on in the
        // background supervisor, or the caller's readers never see end-of-file.
        if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
            for (int fd = 3; fd < 65536; fd++) close(fd);
        }
        execve(argv[0], argv, environ);
        _exit(127);
    }
    close(log);
    return pid;
}
