#ifndef MSVC_CNCURSES_SHIM_H
#define MSVC_CNCURSES_SHIM_H
// SwiftPM drops ncursesw's pkg-config defines; wide-character entry points need this.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <curses.h>

/// Swift 6 rejects C globals such as stdscr; these getters expose them.
static inline WINDOW *msvc_stdscr(void) { return stdscr; }
static inline int msvc_lines(void) { return LINES; }
static inline int msvc_cols(void) { return COLS; }
static inline int msvc_colors(void) { return COLORS; }
#endif
