// PCA, SVCCA, probes, nearest neighbours and UMAP. See docs/ARCHITECTURE.md.
