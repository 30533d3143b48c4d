// Corpus (audio, alignments, speakers) to store: tokens, running a model, shards and merge.
// See docs/ARCHITECTURE.md.
