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

#endif
