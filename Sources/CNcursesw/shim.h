// ncursesw with its wide-character API, and accessors for what Swift 6 cannot import:
// global mutable state (stdscr, LINES, COLS) and attribute macros.
#ifndef LAYERSCOPE_CNCURSESW_SHIM_H
#define LAYERSCOPE_CNCURSESW_SHIM_H

// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600, without which the wide API disappears.
#define NCURSES_WIDECHAR 1
#if !__has_include(<ncursesw/ncurses.h>) && !__has_include(<ncurses.h>)
#error "ncurses.h not found: install ncursesw (apt-get install libncursesw5-dev)"
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <wchar.h>
#include <ncurses.h>

static inline WINDOW *ls_stdscr(void) { return stdscr; }
static inline int ls_lines(void) { return LINES; }
static inline int ls_cols(void) { return COLS; }
static inline int ls_colors(void) { return COLORS; }
static inline int ls_color_pairs(void) { return COLOR_PAIRS; }

static const attr_t ls_attr_normal = A_NORMAL;
static const attr_t ls_attr_bold = A_BOLD;
static const attr_t ls_attr_dim = A_DIM;
static const attr_t ls_attr_reverse = A_REVERSE;
static const attr_t ls_attr_underline = A_UNDERLINE;
static const attr_t ls_attr_italic = A_ITALIC;

static inline attr_t ls_color_pair(short pair) { return COLOR_PAIR(pair); }
static inline int ls_key_resize(void) { return KEY_RESIZE; }
static inline int ls_key_mouse(void) { return KEY_MOUSE; }
static const mmask_t ls_all_mouse_events = ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION;
static const mmask_t ls_button1_pressed = BUTTON1_PRESSED;
static const mmask_t ls_button1_clicked = BUTTON1_CLICKED;
static const mmask_t ls_button4_pressed = BUTTON4_PRESSED;
static const mmask_t ls_button5_pressed = BUTTON5_PRESSED;
static const mmask_t ls_button_events = BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
/// newterm on the process's stdout and stdin (globals Swift 6 will not touch); NULL when the terminal is unusable.
static inline SCREEN *ls_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int ls_key_code_yes(void) { return KEY_CODE_YES; }

/// The locale's character set ("UTF-8", "ANSI_X3.4-1968", …).
static inline const char *ls_codeset(void) { return nl_langinfo(CODESET); }

// A fatal signal (a Swift trap is SIGILL or SIGTRAP) would leave the terminal in raw mode on the
// alternate screen: give it back first, then die of the same signal.
static inline void ls_fatal_signal_handler(int sig) {
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

/// Restores the terminal before the process dies of SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE or SIGABRT.
static inline void ls_install_fatal_signal_handlers(void) {
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], ls_fatal_signal_handler);
}

/// Puts back the default handlers for those signals.
static inline void ls_remove_fatal_signal_handlers(void) {
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], SIG_DFL);
}

#endif
