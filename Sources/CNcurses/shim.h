#ifndef MSVC_CNCURSES_SHIM_H
#define MSVC_CNCURSES_SHIM_H
// SwiftPM drops ncursesw's pkg-config defines; wide-character entry points need this.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>

/// Swift 6 rejects C globals such as stdscr; these getters expose them.
static inline WINDOW *msvc_stdscr(void) { return stdscr; }
static inline int msvc_lines(void) { return LINES; }
static inline int msvc_cols(void) { return COLS; }
static inline int msvc_colors(void) { return COLORS; }
static inline int msvc_color_pairs(void) { return COLOR_PAIRS; }
extern char **environ;
static inline char **msvc_environ(void) { return environ; }

/// Writes `n` wide characters at (y, x) with one attribute set and colour pair.
static inline int msvc_put(int y, int x, const wchar_t *s, int n, attr_t attrs, short pair) {
    if (wmove(stdscr, y, x) == ERR) return ERR;
    wattr_set(stdscr, attrs, pair, NULL);
    return waddnwstr(stdscr, s, n);
}

/// Common attribute bits (macros in curses.h, so Swift cannot see them).
static inline attr_t msvc_a_bold(void) { return A_BOLD; }
static inline attr_t msvc_a_dim(void) { return A_DIM; }
static inline attr_t msvc_a_reverse(void) { return A_REVERSE; }
static inline attr_t msvc_a_underline(void) { return A_UNDERLINE; }

/// The terminal size from the kernel, for SIGWINCH.
static inline int msvc_winsize(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

// Terminal restore and signal forwarding. Everything below is only ever called from one
// Swift file (MsvcTUI/Terminal/CursesScreen.swift): each Swift file gets its own copy of
// these static functions and their state, so calling them from one file keeps one copy.
static volatile sig_atomic_t msvc_curses_active = 0;
static volatile int msvc_signal_fd = -1;
static inline struct sigaction *msvc_saved_actions(void) {
    static struct sigaction saved[12];
    return saved;
}
static const int msvc_guarded_signals[12] = {
    SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGQUIT, SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT };

static inline void msvc_restore_terminal(void) {
    if (msvc_curses_active) {
        msvc_curses_active = 0;
        endwin();
        // Leave the cursor visible and attributes reset even if endwin could not.
        static const char reset[] = "\033[0m\033[?25h";
        (void)!write(STDOUT_FILENO, reset, sizeof reset - 1);
    }
}

// A crash: put the terminal back, then die of the same signal with the default action.
static inline void msvc_fatal_handler(int sig) {
    msvc_restore_terminal();
    (void)!write(STDOUT_FILENO, "\r\n", 2);
    signal(sig, SIG_DFL);
    raise(sig);
}

// SIGWINCH, SIGINT, SIGTERM, SIGHUP: forwarded to the UI loop as one byte on a pipe
// (write is async-signal-safe), so the loop handles them in order with everything else.
static inline void msvc_forward_handler(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (msvc_signal_fd >= 0) (void)!write(msvc_signal_fd, &b, 1);
    errno = saved;
}

static inline void msvc_atexit_restore(void) { msvc_restore_terminal(); }

/// Marks curses as active and installs the handlers; `fd` receives forwarded signal numbers.
static inline void msvc_install_terminal_guard(int fd) {
    static int atexit_done = 0;
    msvc_signal_fd = fd;
    msvc_curses_active = 1;
    if (!atexit_done) { atexit(msvc_atexit_restore); atexit_done = 1; }
    for (unsigned i = 0; i < 12; i++) sigaction(msvc_guarded_signals[i], NULL, &msvc_saved_actions()[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = msvc_fatal_handler;
    sa.sa_flags = SA_RESETHAND;
    int fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGQUIT };
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &sa, NULL);
    sa.sa_handler = msvc_forward_handler;
    sa.sa_flags = SA_RESTART;
    int forward[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT };
    for (unsigned i = 0; i < sizeof forward / sizeof forward[0]; i++) sigaction(forward[i], &sa, NULL);
}

/// Restores the terminal and the handlers that were there before (the normal way out).
static inline void msvc_remove_terminal_guard(void) {
    msvc_restore_terminal();
    for (unsigned i = 0; i < 12; i++) sigaction(msvc_guarded_signals[i], &msvc_saved_actions()[i], NULL);
    msvc_signal_fd = -1;
}

/// Curses is on screen again after a pager.
static inline void msvc_mark_curses_active(int on) { msvc_curses_active = on; }
#endif
