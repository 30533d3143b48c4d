#!/usr/bin/env python3
"""Makes the fixtures of Tests/AnalysisTests/Fixtures/clusters: small inputs and what scikit-learn and
numpy give on them.

    python3 scripts/make_cluster_fixtures.py

References (versions: scripts/requirements.txt):
  - sklearn.metrics: normalized_mutual_info_score (arithmetic mean), v_measure_score,
    homogeneity_score, completeness_score, and contingency_matrix for purity and each cluster's
    majority class; over the tokens that have a value for the label (code >= 0).
  - sklearn.cluster.KMeans(init="k-means++", n_init=10, algorithm="lloyd", max_iter=300, tol=1e-4):
    inertia on small data sets; layerscope's must lie within 1% of it.
  - numpy.searchsorted on a cumulative sum: how k-means++ draws its candidates.
"""
import json
import os

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import (completeness_score, homogeneity_score, normalized_mutual_info_score,
                             v_measure_score)
from sklearn.metrics.cluster import contingency_matrix

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AnalysisTests", "Fixtures", "clusters")


def agreement_case(name, clusters, codes, cluster_count, class_count):
    clusters = np.asarray(clusters, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    keep = codes >= 0
    true, pred = codes[keep], clusters[keep]
    case = {"name": name, "clusters": clusters.tolist(), "codes": codes.tolist(),
            "cluster_count": cluster_count, "class_count": class_count, "tokens": int(keep.sum())}
    if keep.sum() > 0:
        case["nmi"] = float(normalized_mutual_info_score(true, pred))
        case["v_measure"] = float(v_measure_score(true, pred))
        case["homogeneity"] = float(homogeneity_score(true, pred))
        case["completeness"] = float(completeness_score(true, pred))
        table = contingency_matrix(true, pred)  # classes present × clusters present
        case["purity"] = float(table.max(axis=0).sum() / table.sum())
    else:
        case.update(nmi=1.0, v_measure=1.0, homogeneity=1.0, completeness=1.0, purity=0.0)
    # Per cluster id 0..<k: size, labelled tokens, majority class (first on ties), its share.
    legend = []
    for k in range(cluster_count):
        members = clusters == k
        labelled = codes[members & keep]
        counts = np.bincount(labelled, minlength=class_count)
        entry = {"size": int(members.sum()), "labelled": int(labelled.size)}
        if labelled.size:
            entry["majority"] = int(np.argmax(counts))
            entry["purity"] = float(counts.max() / labelled.size)
        legend.append(entry)
    case["legend"] = legend
    return case


def agreement_cases():
    rng = np.random.default_rng(5)
    cases = [
        agreement_case("sklearn_doc_example", [0, 1, 0, 0, 1, 1], [0, 1, 1, 0, 1, 0], 2, 2),
        agreement_case("perfect_renamed", [2, 2, 0, 0, 1, 1], [0, 0, 1, 1, 2, 2], 3, 3),
        agreement_case("one_cluster", [0] * 8, [0, 1, 2, 0, 1, 2, 0, 1], 1, 3),
        agreement_case("one_class", [0, 1, 2, 0, 1, 2], [0] * 6, 3, 1),
        agreement_case("one_class_one_cluster", [0] * 5, [0] * 5, 1, 1),
        agreement_case("missing_values", [0, 0, 1, 1, 2, 2, 0, 1], [0, -1, 1, 1, -1, 2, 0, -1], 3, 3),
        agreement_case("empty_cluster_and_class", [0, 0, 2, 2, 0, 2], [0, 0, 3, 3, 3, 0], 4, 4),
    ]
    # Larger random ones: tone-like (5 classes, 5 clusters), final-like (38 classes, 38 clusters) with
    # a weak relation, and a clustering coarser than the label.
    codes = rng.integers(0, 5, size=1000)
    clusters = np.where(rng.random(1000) < 0.6, codes, rng.integers(0, 5, size=1000))
    cases.append(agreement_case("tone_like", clusters, codes, 5, 5))
    codes = rng.integers(0, 38, size=3000)
    clusters = np.where(rng.random(3000) < 0.3, codes, rng.integers(0, 38, size=3000))
    codes[rng.random(3000) < 0.05] = -1
    cases.append(agreement_case("final_like_with_missing", clusters, codes, 38, 38))
    codes = rng.integers(0, 24, size=1200)
    cases.append(agreement_case("coarser_clusters", codes // 6, codes, 4, 24))
    return cases


def kmeans_case(name, x, k):
    model = KMeans(n_clusters=k, init="k-means++", n_init=10, max_iter=300, tol=1e-4, algorithm="lloyd",
                   random_state=0).fit(x)
    np.save(os.path.join(OUT, f"kmeans_{name}.npy"), x.astype(np.float32))
    return {"name": name, "features": f"kmeans_{name}.npy", "k": k, "inertia": float(model.inertia_),
            "iterations": int(model.n_iter_)}


def kmeans_cases():
    rng = np.random.default_rng(9)
    cases = []
    # Well separated blobs: every restart finds the same optimum.
    centres = rng.normal(size=(4, 5)) * 6
    x = np.concatenate([rng.normal(size=(150, 5)) + c for c in centres])
    cases.append(kmeans_case("blobs", x[rng.permutation(len(x))], 4))
    # Overlapping, anisotropic classes with a large offset, like PCA features of a layer.
    scale = 3.0 / np.sqrt(1 + np.arange(20) / 4)
    means = rng.normal(size=(7, 20)) * scale * 0.8
    labels = rng.integers(0, 7, size=1200)
    x = rng.normal(size=(1200, 20)) * scale + means[labels] + 50.0
    cases.append(kmeans_case("overlapping", x, 7))
    # Many clusters in few dimensions.
    cases.append(kmeans_case("uniform_square", rng.random(size=(800, 2)) * 10, 12))
    # Five distinct points repeated: fewer distinct points than clusters (empty clusters, zero inertia).
    points = rng.normal(size=(5, 3))
    cases.append(kmeans_case("duplicates", points[rng.integers(0, 5, size=40)], 8))
    return cases


def search_cases():
    rng = np.random.default_rng(3)
    cases = []
    for weights in (rng.random(50).astype(np.float32), np.array([0, 0, 1, 0, 2, 0, 0, 3], dtype=np.float32)):
        total = float(np.cumsum(weights.astype(np.float64))[-1])
        targets = np.concatenate([[0.0], rng.random(6) * total, [total]])
        ids = np.clip(np.searchsorted(np.cumsum(weights.astype(np.float64)), targets), None, len(weights) - 1)
        cases.append({"weights": weights.tolist(), "targets": targets.tolist(), "indices": ids.tolist()})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    fixtures = {"agreement": agreement_cases(), "kmeans": kmeans_cases(), "search_sorted": search_cases()}
    with open(os.path.join(OUT, "cluster_fixtures.json"), "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
