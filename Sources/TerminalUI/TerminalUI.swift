// The explorer: app state, actions and a pure reducer, widgets drawing into a cell buffer,
// themes, and the ncurses backend. See docs/ARCHITECTURE.md.
