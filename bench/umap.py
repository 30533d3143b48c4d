"""UMAP benchmark: layerscope's UMAP against umap-learn 0.5 on the same inputs, in one run.

Inputs (made once under bench/out/umap/): token-like clustered features, 20,000 and 100,000 x 100
(phone classes x speakers with anisotropic noise in 256 dims, reduced to 100 by PCA, as layerscope's
analysis does), and 8 gradually drifting layers of 10,000 tokens for the layer-aligned layouts.
umap-learn runs in its own process with n_jobs=-1 and no seed (its parallel path); a first call on
5,000 rows compiles numba, and the calls timed are the later ones. Trustworthiness (scikit-learn,
15 neighbours) is measured on the same 10,000-point subsample of both layouts.
Run: bench/run umap   (UMAP_BENCH_REPEATS sets the runs per side, default 3)."""
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BENCH, OUT, report, run_measured  # noqa: E402

SIZES = (20_000, 100_000)
DIM = 100
REPEATS = int(os.environ.get("UMAP_BENCH_REPEATS", "3"))
TRUST_SAMPLE = 10_000


def token_features(n, d=DIM, raw=256, classes=40, speakers=60, seed=0):
    """Phone classes x speakers, each class with its own low-rank spread, then PCA to d dims."""
    rng = np.random.default_rng(seed)
    spectrum = 1.0 / np.sqrt(1 + np.arange(raw))
    means = rng.normal(size=(classes, raw)) * spectrum * 3.0
    speaker_offsets = rng.normal(size=(speakers, raw)) * spectrum
    c = rng.integers(0, classes, n)
    s = rng.integers(0, speakers, n)
    basis = rng.normal(size=(classes, 8, raw)) * spectrum
    z = rng.normal(size=(n, 8))
    x = means[c] + speaker_offsets[s] + np.einsum("nk,nkd->nd", z, basis[c])
    x += rng.normal(size=(n, raw)) * spectrum * 0.7
    x -= x.mean(0)
    _, _, vt = np.linalg.svd(x[:20_000], full_matrices=False)
    return (x @ vt[:d].T).astype(np.float32), c


def drifting_layers(n=10_000, layers=8, raw=256, d=DIM, seed=3):
    """Layers over the same tokens whose speaker information fades and tone information grows,
    in a basis that drifts a little from layer to layer; each reduced to d dims by PCA."""
    rng = np.random.default_rng(seed)
    spectrum = 1.0 / np.sqrt(1 + np.arange(raw))
    s, t, f = rng.integers(0, 40, n), rng.integers(0, 5, n), rng.integers(0, 30, n)
    finals = f
    S, T, F = (rng.normal(size=(k, raw)) * spectrum for k in (40, 5, 30))
    noise = rng.normal(size=(n, raw)) * spectrum
    mix = np.eye(raw)
    out = []
    for layer in range(layers):
        w = layer / (layers - 1)
        x = (3.0 - 2.5 * w) * S[s] + (0.5 + 2.5 * w) * T[t] + 2.0 * F[f] + 0.8 * noise
        q, _ = np.linalg.qr(np.eye(raw) + 0.15 * rng.normal(size=(raw, raw)) / np.sqrt(raw))
        mix = mix @ q
        x = x @ mix
        x -= x.mean(0)
        _, _, vt = np.linalg.svd(x[:5000], full_matrices=False)
        out.append((x @ vt[:d].T).astype(np.float32))
    return out, finals


def sample_store_layers(folder):
    """The bundled sample store's tone-model layers, reduced to 100 dims by PCA (numpy SVD)."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-data", "sample.layerstore",
                          "arrays", "tone")
    if not os.path.isdir(source):
        return [], None
    target = os.path.join(folder, "sample-tone")
    os.makedirs(target, exist_ok=True)
    # Made anew every run (it is small): a cached copy would outlive a rebuilt sample store.
    labels = os.path.join(target, "final.npy")
    import sqlite3
    with sqlite3.connect(os.path.join(source, "..", "..", "store.sqlite")) as db:
        finals = [row[0] for row in db.execute('SELECT final FROM tokens ORDER BY row')]
    codes = {name: i for i, name in enumerate(sorted(set(finals)))}
    np.save(labels, np.array([codes[name] for name in finals], dtype=np.float32))
    paths = []
    for name in sorted(f for f in os.listdir(source) if f.startswith("L") and f.endswith(".npy")):
        path = os.path.join(target, name)
        x = np.load(os.path.join(source, name)).astype(np.float64)
        x -= x.mean(0)
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        np.save(path, (x @ vt[:min(DIM, vt.shape[0])].T).astype(np.float32))
        paths.append(path)
    return paths, labels


def make_inputs(folder):
    os.makedirs(folder, exist_ok=True)
    paths = {}
    for n in SIZES:
        path = os.path.join(folder, f"features-{n}.npy")
        if not os.path.exists(path):
            x, _ = token_features(n)
            np.save(path, x)
        paths[n] = path
    layer_paths = [os.path.join(folder, "layers", f"L{i:02d}.npy") for i in range(8)]
    layer_labels = os.path.join(folder, "layers", "final.npy")
    if not all(os.path.exists(p) for p in layer_paths + [layer_labels]):
        os.makedirs(os.path.join(folder, "layers"), exist_ok=True)
        layers, finals = drifting_layers()
        for p, x in zip(layer_paths, layers):
            np.save(p, x)
        np.save(layer_labels, finals.astype(np.float32))
    return paths, layer_paths, layer_labels


def reference(input_path, output_path, repeats):
    """Child process: umap-learn's warm calls; prints their seconds as JSON."""
    # This file is bench/umap.py: keep `import umap` from finding it instead of umap-learn.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    import umap

    x = np.load(input_path)
    start = time.perf_counter()
    umap.UMAP(n_jobs=-1).fit_transform(x[:5000])
    compile_seconds = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        embedding = umap.UMAP(n_jobs=-1).fit_transform(x)
        times.append(time.perf_counter() - start)
    np.save(output_path, embedding.astype(np.float32))
    print(json.dumps({"seconds": times, "first_call_seconds_5000": compile_seconds, "version": umap.__version__}))


def trust(x, embedding, sample):
    from sklearn.manifold import trustworthiness
    return float(trustworthiness(x[sample], embedding[sample], n_neighbors=15))


def main():
    folder = os.path.join(OUT, "umap")
    paths, layer_paths, layer_labels = make_inputs(folder)
    for n in SIZES:
        x = np.load(paths[n])
        ours_out = os.path.join(folder, f"layerscope-{n}.npy")
        theirs_out = os.path.join(folder, f"umap-learn-{n}.npy")
        wall, out, ours_rss = run_measured([BENCH, "umap", "--input", paths[n], "--output", ours_out,
                                            "--repeats", str(REPEATS)])
        ours = json.loads(out.strip().splitlines()[-1])
        _, out, theirs_rss = run_measured([sys.executable, os.path.abspath(__file__), "--reference", paths[n],
                                           theirs_out, str(REPEATS)])
        theirs = json.loads(out.strip().splitlines()[-1])
        sample = np.random.default_rng(1).choice(n, min(n, TRUST_SAMPLE), replace=False)
        ours_trust = trust(x, np.load(ours_out), sample)
        theirs_trust = trust(x, np.load(theirs_out), sample)
        theirs_median = statistics.median(theirs["seconds"])
        rows = [
            ("layerscope median", ours["seconds"], "s"),
            (f"umap-learn {theirs['version']} median (warm calls)", theirs_median, "s"),
            ("speed-up (umap-learn / layerscope)", theirs_median / ours["seconds"], "x"),
            ("layerscope trustworthiness (15-NN, 10k sample)", ours_trust, ""),
            ("umap-learn trustworthiness (same sample)", theirs_trust, ""),
            ("layerscope: neighbors", ours["seconds_neighbors"], "s"),
            ("layerscope: fuzzy_simplicial_set", ours["seconds_fuzzy_simplicial_set"], "s"),
            ("layerscope: initialization (spectral)", ours["seconds_initialization"], "s"),
            ("layerscope: optimize_layout", ours["seconds_optimize_layout"], "s"),
            ("layerscope: first frame (preview)", ours["first_frame_seconds"], "s"),
            ("layerscope: first layout frame (initialized)", ours["initialized_frame_seconds"], "s"),
            ("layerscope peak RSS", ours_rss / 1e6, "MB"),
            ("umap-learn peak RSS (its process)", theirs_rss / 1e6, "MB"),
            ("umap-learn first call, 5,000 rows (numba compiles)", theirs["first_call_seconds_5000"], "s"),
            ("threads", ours["threads"], ""),
        ]
        report(f"UMAP of {n:,} x {DIM} ({REPEATS} runs each)", rows)
    recall = json.loads(run_measured([BENCH, "umap-neighbors", "--input", paths[SIZES[-1]],
                                      "--recall-rows", "1000"])[1].strip().splitlines()[-1])
    report(f"NN-descent at {SIZES[-1]:,} points", [
        ("recall against the exact 15-NN (1,000 rows)", recall["recall"], ""),
        ("seconds", recall["seconds"], "s"),
    ])
    sample, sample_labels = sample_store_layers(folder)
    sample_tokens = np.load(sample[0], mmap_mode="r").shape[0] if sample else 0
    for title, paths, labels in (("8 drifting synthetic layers x 10,000 tokens", layer_paths, layer_labels),
                                 (f"sample store, tone model, {len(sample)} layers x {sample_tokens:,} tokens", sample, sample_labels)):
        if not paths:
            continue
        align = json.loads(run_measured([BENCH, "umap-align", *paths, "--labels", labels])[1].strip().splitlines()[-1])
        report(f"Layer-aligned layouts ({title}; after Procrustes, consecutive layers)", [
            ("mean point displacement, independent layouts", align["independent_mean_displacement"], "RMS radii"),
            ("mean point displacement, each from the previous", align["aligned_mean_displacement"], "RMS radii"),
            ("mean 'final' centroid displacement, independent", align["independent_mean_centroid_displacement"], "RMS radii"),
            ("mean 'final' centroid displacement, aligned", align["aligned_mean_centroid_displacement"], "RMS radii"),
            ("seconds per layer, independent", align["independent_seconds_per_layer"], "s"),
            ("seconds per layer, aligned", align["aligned_seconds_per_layer"], "s"),
        ])


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--reference":
        reference(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
