// wav2vec2 inference from HuggingFace checkpoints. See docs/ARCHITECTURE.md.
