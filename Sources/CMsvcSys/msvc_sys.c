#include "msvc_sys.h"
#include <unistd.h>

FILE *msvc_stdout(void) { return stdout; }
FILE *msvc_stderr(void) { return stderr; }
int msvc_isatty(int fd) { return isatty(fd); }
