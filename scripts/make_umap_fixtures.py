#!/usr/bin/env python3
"""Reference values for Tests/AnalysisTests/UMAP*: umap-learn 0.5.12 and scikit-learn on planted clusters.

Writes Tests/AnalysisTests/Fixtures/umap/: float32 .npy arrays and umap_fixtures.json.
Run from the repository root: python3 scripts/make_umap_fixtures.py
"""
import json
import os

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import umap
from sklearn.manifold import trustworthiness
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from umap.spectral import spectral_layout
from umap.umap_ import find_ab_params, fuzzy_simplicial_set, make_epochs_per_sample, smooth_knn_dist

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AnalysisTests", "Fixtures", "umap")
N_NEIGHBORS = 15


def planted_clusters(n=1500, dim=20, clusters=8, seed=0):
    """Gaussian clusters of unequal spread and size on a decaying spectrum, like PCA features."""
    rng = np.random.default_rng(seed)
    spectrum = 1.0 / np.sqrt(1.0 + np.arange(dim))
    centers = rng.normal(size=(clusters, dim)) * spectrum * 1.5  # close enough for one connected graph
    weights = rng.uniform(0.5, 1.5, clusters)
    labels = rng.choice(clusters, size=n, p=weights / weights.sum())
    spread = rng.uniform(0.6, 1.4, clusters)
    x = centers[labels] + rng.normal(size=(n, dim)) * spectrum * spread[labels, None]
    return x.astype(np.float32), labels


def blobs(sizes, dim=10, spread=0.6, noise=0.1, seed=1):
    """Tight blobs whose 15-NN graph falls into one component per blob, close enough that the
    affinities exp(-d^2) between their centroids (component_layout) do not underflow to zero."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * spread
    parts = [c + rng.normal(size=(size, dim)) * noise for c, size in zip(centers, sizes)]
    return np.vstack(parts).astype(np.float32), np.repeat(np.arange(len(sizes)), sizes)


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array, dtype=np.float32))


def knn_label_agreement(embedding, labels, k=15):
    """Fraction of points whose label the majority of their k layout neighbours share (leave-one-out)."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(embedding)
    idx = nn.kneighbors(return_distance=False)[:, :k]
    votes = labels[idx]
    majority = np.array([np.bincount(v, minlength=labels.max() + 1).argmax() for v in votes])
    return float((majority == labels).mean())


def graph_of(x, n_epochs):
    """umap-learn's fuzzy graph of the exact 15-NN graph, pruned for n_epochs as simplicial_set_embedding does."""
    dists, indices = NearestNeighbors(n_neighbors=N_NEIGHBORS).fit(x).kneighbors(x)
    g, _, _ = fuzzy_simplicial_set(x, N_NEIGHBORS, np.random.RandomState(0), "euclidean",
                                   knn_indices=indices, knn_dists=dists.astype(np.float32))
    g = g.tocoo()
    g.sum_duplicates()
    g.data[g.data < g.data.max() / float(n_epochs)] = 0.0
    g.eliminate_zeros()
    return g.tocsr()


def main():
    os.makedirs(OUT, exist_ok=True)
    fixtures = {}

    # Planted clusters: every step.
    x, labels = planted_clusters()
    save("clusters.npy", x)
    fixtures["clusters_labels"] = labels.tolist()
    dists, indices = NearestNeighbors(n_neighbors=N_NEIGHBORS).fit(x).kneighbors(x)
    save("knn_indices.npy", indices)
    save("knn_distances.npy", dists)
    sigmas, rhos = smooth_knn_dist(dists.astype(np.float32), float(N_NEIGHBORS))
    save("sigmas_rhos.npy", np.stack([sigmas, rhos], axis=1))
    g, _, _ = fuzzy_simplicial_set(x, N_NEIGHBORS, np.random.RandomState(0), "euclidean",
                                   knn_indices=indices, knn_dists=dists.astype(np.float32))
    g = g.tocoo()
    g.sum_duplicates()
    save("fuzzy_graph_coo.npy", np.stack([g.row, g.col, g.data], axis=0))

    # Spectral initialisation: the eigenvalues of the normalized Laplacian of the pruned graph.
    pruned = graph_of(x, 500)
    degree = np.asarray(pruned.sum(axis=0)).ravel()
    d = scipy.sparse.diags(1.0 / np.sqrt(degree))
    laplacian = scipy.sparse.identity(pruned.shape[0]) - d @ pruned @ d
    values = np.linalg.eigvalsh(laplacian.toarray())[:4]
    fixtures["laplacian_smallest_eigenvalues"] = values.tolist()

    # Disconnected graphs: three components (placed at ±unit vectors) and six (component_layout).
    for name, sizes in (("three", [120, 80, 60]), ("six", [60, 50, 40, 70, 45, 55])):
        bx, blabels = blobs(sizes)
        bg = graph_of(bx, 500)
        n_components, component = scipy.sparse.csgraph.connected_components(bg)
        assert n_components == len(sizes), (name, n_components)
        layout = spectral_layout(bx, bg, 2, np.random.RandomState(0))
        centroids = [layout[component == c].mean(axis=0) for c in range(n_components)]
        save(f"blobs_{name}.npy", bx)
        fixtures[f"blobs_{name}"] = {
            "components": int(n_components),
            "component_of_point": component.tolist(),
            "centroids": [c.tolist() for c in centroids],
            # umap-learn lays each component out within half the distance to its nearest neighbour.
            "data_range": [float(np.min([np.linalg.norm(a - b) for j, b in enumerate(centroids) if j != i]) / 2)
                           for i, a in enumerate(centroids)],
        }

    # The a, b curve fit and the edge schedule.
    fixtures["ab_params"] = [
        {"spread": s, "min_dist": m, "a": float(a), "b": float(b)}
        for s, m in ((1.0, 0.1), (1.0, 0.0), (1.0, 0.5), (2.0, 0.25), (0.5, 0.05))
        for a, b in [find_ab_params(s, m)]
    ]
    weights = np.array([1.0, 0.5, 0.25, 0.1, 0.0, 0.75], dtype=np.float32)
    fixtures["epochs_per_sample"] = {"weights": weights.tolist(), "n_epochs": 200,
                                     "result": make_epochs_per_sample(weights, 200).tolist()}

    # Quality of umap-learn's layouts (default parameters), over three seeds.
    tws, agreements = [], []
    for seed in (0, 1, 2):
        embedding = umap.UMAP(n_neighbors=N_NEIGHBORS, random_state=seed).fit_transform(x)
        tws.append(float(trustworthiness(x, embedding, n_neighbors=N_NEIGHBORS)))
        agreements.append(knn_label_agreement(embedding, labels))
        if seed == 0:
            save("umap_learn_embedding.npy", embedding)
            fixtures["umap_learn_embedding_trustworthiness"] = tws[-1]
            fixtures["umap_learn_embedding_trustworthiness_5"] = float(trustworthiness(x, embedding, n_neighbors=5))
    fixtures["umap_learn_trustworthiness"] = float(np.mean(tws))
    fixtures["umap_learn_trustworthiness_runs"] = tws
    fixtures["umap_learn_label_agreement"] = float(np.mean(agreements))
    fixtures["versions"] = {"umap-learn": umap.__version__, "numpy": np.__version__}

    with open(os.path.join(OUT, "umap_fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
    print("trustworthiness", tws, "agreement", agreements, "eigenvalues", values)


if __name__ == "__main__":
    main()
