// The background engine: computes what the view needs and the store lacks, off the UI thread.
// See docs/ARCHITECTURE.md.
