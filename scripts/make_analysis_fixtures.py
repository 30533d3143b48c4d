#!/usr/bin/env python3
"""Makes the fixtures of Tests/AnalysisTests: small inputs and the values the reference
implementations give on them.

    python3 scripts/make_analysis_fixtures.py --cca-core /tmp/svcca/cca_core.py

References:
  - google/svcca's cca_core.py (github.com/google/svcca), for SVCCA's google mode. Its code is not
    part of this repository: fetch the repository, copy cca_core.py somewhere outside the checkout and
    pass its path. Only the numbers it produces are committed.
  - numpy (float64), for PCA and for standard-mode SVCCA as docs/ANALYSIS.md defines it.
  - scikit-learn, for PCA (cross-check) and the probe's logistic regression.
Versions: scripts/requirements.txt.
"""
import argparse
import importlib.util
import json
import os

import numpy as np
import scipy.linalg
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AnalysisTests", "Fixtures")
EPSILON = 1e-10


def load_cca_core(path):
    spec = importlib.util.spec_from_file_location("cca_core", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- references

def onehot(codes, classes):
    return np.stack([(codes == c).astype(np.float64) for c in range(classes)], axis=1)


def google_svcca(cca_core, features, codes, classes):
    """cca_core.get_cca_similarity(features.T, onehot.T, epsilon=1e-10)["mean"] over tokens with a value."""
    keep = codes >= 0
    z = features[keep].astype(np.float64)
    y = onehot(codes[keep], classes)
    result = cca_core.get_cca_similarity(z.T, y.T, epsilon=EPSILON, verbose=False)
    s = np.asarray(result.get("cca_coef1", np.zeros(0)))
    mean = float(result["mean"][0])
    # The index sum_threshold picked must not sit on a knife edge, or 1e-4 agreement means nothing.
    if s.ndim == 1 and s.size > 1 and s.sum() > 0:
        ratios = np.cumsum(s) / s.sum()
        margin = float(np.min(np.abs(ratios - 0.98)))
        assert margin > 1e-4, f"sum_threshold margin {margin} too small"
    return mean, [float(v) for v in np.atleast_1d(s)]


def standard_svcca(features, codes, classes):
    """Standard mode by its definition, with orthonormal bases from the SVD (not covariances):
    canonical correlations between the centred features and the centred one-hot matrix of the present
    classes minus the last one; directions with singular value below 1e-5 of the largest (variance
    below 1e-10) are dropped; missing correlations count as zero; the mean of the C - 1."""
    keep = codes >= 0
    z = features[keep].astype(np.float64)
    c = codes[keep]
    present = [j for j in range(classes) if np.any(c == j)]
    assert len(present) >= 2
    y = np.stack([(c == j).astype(np.float64) for j in present[:-1]], axis=1)
    ux = scipy.linalg.orth(z - z.mean(axis=0), rcond=1e-5)
    uy = scipy.linalg.orth(y - y.mean(axis=0), rcond=1e-5)
    s = np.clip(np.linalg.svd(ux.T @ uy, compute_uv=False), 0, 1)
    s = np.concatenate([s, np.zeros(len(present) - 1 - len(s))])
    return float(s.mean()), [float(v) for v in s]


def exact_pca(x, k):
    """PCA in float64 from the covariance's eigendecomposition; signs as sklearn's svd_flip on components."""
    x = x.astype(np.float64)
    mean = x.mean(axis=0)
    cov = np.cov(x, rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:k]
    values = np.clip(values[order], 0, None)
    axes = vectors[:, order].T
    signs = np.sign(axes[np.arange(k), np.argmax(np.abs(axes), axis=1)])
    axes *= signs[:, None]
    ratio = values / np.trace(cov)
    return mean, axes, values, ratio


# ---------------------------------------------------------------- data

def structured_features(rng, n, d, labels, offset=None, rank=6):
    """Low-rank latent structure + label effects + noise, with a decaying spectrum."""
    latent = rng.normal(size=(n, rank)) @ (rng.normal(size=(rank, d)) * (2.0 / (1 + np.arange(rank)))[:, None])
    x = latent + 0.3 * rng.normal(size=(n, d))
    for codes, classes, strength in labels:
        effects = rng.normal(size=(classes, d)) * strength
        x += np.where(codes[:, None] >= 0, effects[np.maximum(codes, 0)], 0)
    if offset is not None:
        x += offset
    return x


def save(name, array):
    np.save(os.path.join(OUT, name), array)
    return name


# ---------------------------------------------------------------- split (docs/ANALYSIS.md)

def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def speaker_hash(text):
    """FNV-1a, then SplitMix64's finaliser."""
    z = fnv1a64(text)
    mask = 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def speaker_split(speakers, strata):
    """Test speakers: per stratum (speakers sharing a speaker-level label value), the round(20%) first by
    speaker_hash of the name (at least one where the stratum has two or more)."""
    names = sorted(set(speakers))
    groups = {}
    for name in names:
        groups.setdefault(strata.get(name, -1), []).append(name)
    test = []
    for key in sorted(groups, key=lambda k: (k < 0, k)):
        members = sorted(groups[key], key=lambda s: (speaker_hash(s), s))
        count = int(np.floor(0.2 * len(members) + 0.5))
        if len(members) >= 2:
            count = max(1, count)
        test += members[:count]
    if not test:
        test = [sorted(names, key=lambda s: (speaker_hash(s), s))[0]]
    return sorted(test)


# ---------------------------------------------------------------- cases

def svcca_cases(cca_core, rng):
    cases = []

    def case(name, features, codes, classes):
        path = save(f"svcca_{name}.npy", features.astype(np.float32))
        f32 = features.astype(np.float32)
        g, gc = google_svcca(cca_core, f32, codes, classes)
        s, sc = standard_svcca(f32, codes, classes)
        cases.append({"name": name, "features": path, "codes": codes.tolist(), "class_count": classes,
                      "google": g, "google_coefficients": gc, "standard": s, "standard_coefficients": sc})

    n, k = 500, 12
    codes = rng.integers(0, 4, size=n)
    case("basic", structured_features(rng, n, k, [(codes, 4, 0.6)]), codes, 4)

    codes = rng.integers(0, 2, size=n)
    case("binary", structured_features(rng, n, k, [(codes, 2, 0.4)]), codes, 2)

    # Class 3 of 5 has no analysed token; 10% of tokens have no value (-1).
    codes = rng.choice([0, 1, 2, 4], size=n)
    codes[rng.random(n) < 0.1] = -1
    case("empty_class", structured_features(rng, n, k, [(codes, 5, 0.5)]), codes, 5)

    # Class 2 has exactly one token.
    codes = rng.choice([0, 1, 3], size=n)
    codes[17] = 2
    case("single_token_class", structured_features(rng, n, k, [(codes, 4, 0.5)]), codes, 4)

    # Feature 4 is constant.
    codes = rng.integers(0, 3, size=n)
    x = structured_features(rng, n, k, [(codes, 3, 0.5)])
    x[:, 4] = 2.5
    case("constant_feature", x, codes, 3)

    # Weak label effect: low correlations.
    codes = rng.integers(0, 6, size=n)
    case("weak", structured_features(rng, n, k, [(codes, 6, 0.08)]), codes, 6)
    return cases


def pipeline_case(cca_core, rng, name, n, d, k, dtype, offset_dims=0, offset=0.0, missing=0.05):
    sex = rng.integers(0, 2, size=n)
    tone = rng.integers(0, 5, size=n)
    tone[rng.random(n) < missing] = -1
    final = rng.choice([0, 1, 2, 3, 5, 6, 7, 8], size=n)  # class 4 of 9 has no token
    shift = np.zeros(d)
    if offset_dims:
        shift[rng.choice(d, offset_dims, replace=False)] = offset
    x = structured_features(rng, n, d, [(sex, 2, 0.5), (tone, 5, 0.3), (final, 9, 0.25)], offset=shift)
    x = x.astype(dtype)
    path = save(f"pipeline_{name}.npy", x)
    kk = max(0, min(k, d, n - 1))
    mean, axes, values, ratio = exact_pca(x, kk)
    z = (x.astype(np.float64) - mean) @ axes.T
    labels = []
    for label, codes, classes in [("sex", sex, 2), ("tone", tone, 5), ("final", final, 9)]:
        g, _ = google_svcca(cca_core, z, codes, classes)
        s, _ = standard_svcca(z, codes, classes)
        labels.append({"name": label, "codes": codes.tolist(), "class_count": classes, "google": g, "standard": s})
    entry = {"name": name, "features": path, "components": k, "effective_components": kk,
             "pca": {"mean": mean.tolist(), "components": axes.tolist(), "explained_variance": values.tolist(),
                     "explained_variance_ratio": ratio.tolist(), "transformed_first_rows": z[:5].tolist()},
             "labels": labels}
    # Cross-check the float64 reference against scikit-learn's exact solver.
    if kk < min(n, d):
        ref = PCA(n_components=kk, svd_solver="full").fit(x.astype(np.float64))
        assert np.allclose(ref.explained_variance_, values, rtol=1e-8), "exact PCA disagrees with sklearn"
    if offset_dims:
        # What the float32 covariance_eigh path loses here, for the record (the test demands better).
        fast = PCA(n_components=kk, svd_solver="covariance_eigh").fit(x.astype(np.float32))
        entry["sklearn_covariance_eigh_float32"] = {
            "max_relative_error_explained_variance": float(np.max(np.abs(fast.explained_variance_ - values) / values)),
        }
    return entry


def probe_case(rng):
    speakers = [f"S{i:02d}" for i in range(1, 25)]
    speaker_sex = {s: int(i % 2) for i, s in enumerate(speakers)}
    n, k, classes = 2400, 20, 4
    token_speaker = rng.choice(speakers, size=n)
    tone = rng.integers(0, classes, size=n)
    tone[rng.random(n) < 0.03] = -1
    sex = np.array([speaker_sex[s] for s in token_speaker])
    speaker_index = np.array([speakers.index(s) for s in token_speaker])
    speaker_effects = rng.normal(size=(len(speakers), k)) * 0.6
    x = structured_features(rng, n, k, [(tone, classes, 0.45), (sex, 2, 0.5)]) + speaker_effects[speaker_index]
    x = x.astype(np.float32)
    path = save("probe_features.npy", x)
    test_speakers = speaker_split(list(token_speaker), speaker_sex)
    is_test = np.isin(token_speaker, test_speakers)
    labels = []
    for label, codes, count in [("tone", tone, classes), ("sex", sex, 2)]:
        train = (~is_test) & (codes >= 0)
        test = is_test & (codes >= 0)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000, tol=1e-8))
        model.fit(x[train], codes[train])
        predicted = model.predict(x[test])
        truth = codes[test]
        per_class = [float(np.mean(predicted[truth == c] == c)) if np.any(truth == c) else None for c in range(count)]
        labels.append({"name": label, "codes": codes.tolist(), "class_count": count,
                       "accuracy": float(np.mean(predicted == truth)), "per_class": per_class,
                       "train_tokens": int(train.sum()), "test_tokens": int(test.sum())})
    return {"features": path, "speakers": [str(s) for s in token_speaker], "speaker_sex": speaker_sex,
            "test_speakers": [str(s) for s in test_speakers], "labels": labels}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cca-core", required=True, help="path to google/svcca's cca_core.py (outside this checkout)")
    args = parser.parse_args()
    cca_core = load_cca_core(args.cca_core)
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261)
    fixtures = {
        "svcca": svcca_cases(cca_core, rng),
        "pipeline": [
            pipeline_case(cca_core, rng, "float16", n=1200, d=64, k=16, dtype=np.float16),
            pipeline_case(cca_core, rng, "n_less_than_k", n=40, d=64, k=100, dtype=np.float32, missing=0.0),
            pipeline_case(cca_core, rng, "large_offset", n=2000, d=24, k=6, dtype=np.float32, offset_dims=4, offset=3000.0),
        ],
        "probe": probe_case(rng),
    }
    with open(os.path.join(OUT, "analysis_fixtures.json"), "w") as f:
        json.dump(fixtures, f)
    for case in fixtures["svcca"]:
        print(f"svcca {case['name']:<20} standard {case['standard']:.6f}  google {case['google']:.6f}")
    for case in fixtures["pipeline"]:
        values = ", ".join(f"{l['name']} {l['standard']:.4f}/{l['google']:.4f}" for l in case["labels"])
        extra = case.get("sklearn_covariance_eigh_float32", "")
        print(f"pipeline {case['name']:<14} k={case['effective_components']}: {values} {extra}")
    for label in fixtures["probe"]["labels"]:
        print(f"probe {label['name']}: accuracy {label['accuracy']:.4f} on {label['test_tokens']} test tokens")
    print("test speakers:", fixtures["probe"]["test_speakers"])


if __name__ == "__main__":
    main()
