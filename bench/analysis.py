"""Per-layer PCA (k = 100) + SVCCA for three labels on 100,000 × 1024 float16 tokens.

layerscope (layerscope-bench analysis: one pass for the covariance and class sums, top-k eigensolve,
SVCCA from the statistics) against scikit-learn PCA + a numpy SVCCA of the same (standard-mode)
definition, on the same file, in one run:
  - sklearn PCA(n_components=100), default solver (what a user writes; randomized for D > 1000),
  - sklearn PCA(svd_solver="covariance_eigh") (the fastest Python path; float32 X.T @ X minus n·μμᵀ),
  - the floor: cblas_ssyrk on the whole layer already in memory as float32.
Accuracy: every path's SVCCA values against a float64 reference (exact covariance eigendecomposition).
Peak RSS of layerscope's process against 1.5 × one float32 layer.

    bench/run analysis            (or: python3 bench/analysis.py [--solvers] after a release build)
Inputs are generated once under bench/out/analysis/ (not committed).
"""
import json
import os
import sys
import time

import numpy as np
import scipy.linalg
from sklearn.decomposition import PCA

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

N, D, K = 100_000, 1024, 100
SPEAKERS, TONES, FINALS = 200, 5, 38
FOLDER = os.path.join(common.OUT, "analysis")
FEATURES = os.path.join(FOLDER, "features.npy")
LABELS = os.path.join(FOLDER, "labels.npy")
REPEATS = 3


def generate():
    """wav2vec2-like features: a decaying low-rank spectrum, speaker and label effects, noise, and
    large offsets on a few dimensions (as some wav2vec2 dimensions have)."""
    if os.path.exists(FEATURES) and os.path.exists(LABELS):
        return
    os.makedirs(FOLDER, exist_ok=True)
    rng = np.random.default_rng(7)
    rank = 96
    loadings = rng.normal(size=(rank, D)) * (3.0 / np.sqrt(1 + np.arange(rank) / 4))[:, None] / np.sqrt(rank)
    noise_scale = 0.3 / np.sqrt(1 + np.arange(D) / 64)
    offsets = np.zeros(D)
    offsets[rng.choice(D, 8, replace=False)] = rng.uniform(50, 300, size=8)
    speaker_effects = rng.normal(size=(SPEAKERS, D)) * 0.15
    sex_effects = rng.normal(size=(2, D)) * 0.12
    tone_effects = rng.normal(size=(TONES, D)) * 0.08
    final_effects = rng.normal(size=(FINALS, D)) * 0.1
    speaker = rng.integers(0, SPEAKERS, size=N)
    sex = speaker % 2
    tone = rng.integers(0, TONES, size=N)
    final = rng.integers(0, FINALS, size=N)
    out = np.lib.format.open_memmap(FEATURES + ".tmp", mode="w+", dtype=np.float16, shape=(N, D))
    for start in range(0, N, 10_000):
        s = slice(start, min(N, start + 10_000))
        n = s.stop - s.start
        x = rng.normal(size=(n, rank)) @ loadings + rng.normal(size=(n, D)) * noise_scale
        x += speaker_effects[speaker[s]] + sex_effects[sex[s]] + tone_effects[tone[s]] + final_effects[final[s]] + offsets
        out[s] = x.astype(np.float16)
    out.flush()
    del out
    os.replace(FEATURES + ".tmp", FEATURES)
    np.save(LABELS, np.stack([sex, tone, final], axis=1).astype(np.float32))


def svcca_covariance(z, codes):
    """Standard-mode SVCCA as docs/ANALYSIS.md defines it, from covariances (as cca_core works): the
    fast numpy path, timed."""
    keep = codes >= 0
    z = z[keep].astype(np.float64)
    c = codes[keep].astype(np.int64)
    present = np.unique(c)
    y = (c[:, None] == present[None, :-1]).astype(np.float64)
    zc = z - z.mean(axis=0)
    yc = y - y.mean(axis=0)

    def whiten(s):
        w, v = np.linalg.eigh(s)
        kept = w > 1e-10 * w.max()
        return v[:, kept] / np.sqrt(w[kept])

    m = whiten(zc.T @ zc).T @ (zc.T @ yc) @ whiten(yc.T @ yc)
    s = np.clip(np.linalg.svd(m, compute_uv=False), 0, 1)
    return float(np.concatenate([s, np.zeros(len(present) - 1 - len(s))]).mean())


def svcca_standard(z, codes):
    """Standard-mode SVCCA by orthonormal bases (SVD), for the float64 reference."""
    keep = codes >= 0
    z = z[keep].astype(np.float64)
    c = codes[keep].astype(np.int64)
    present = np.unique(c)
    y = (c[:, None] == present[None, :-1]).astype(np.float64)
    ux = scipy.linalg.orth(z - z.mean(axis=0), rcond=1e-5)
    uy = scipy.linalg.orth(y - y.mean(axis=0), rcond=1e-5)
    s = np.clip(np.linalg.svd(ux.T @ uy, compute_uv=False), 0, 1)
    return float(np.concatenate([s, np.zeros(len(present) - 1 - len(s))]).mean())


STAGES = {}


def python_task(solver, labels):
    """Load the float16 layer as float32, PCA, SVCCA per label; records each stage's wall time."""
    t0 = time.perf_counter()
    x = np.load(FEATURES).astype(np.float32)
    t1 = time.perf_counter()
    pca = PCA(n_components=K) if solver is None else PCA(n_components=K, svd_solver=solver)
    z = pca.fit_transform(x)
    t2 = time.perf_counter()
    values = [svcca_covariance(z, labels[:, i]) for i in range(labels.shape[1])]
    t3 = time.perf_counter()
    for stage, seconds in (("load", t1 - t0), ("pca", t2 - t1), ("svcca", t3 - t2)):
        STAGES.setdefault((solver, stage), []).append(seconds)
    return values, float(pca.explained_variance_ratio_.sum())


def stage(solver, name):
    return float(np.median(STAGES[(solver, name)]))


def reference(labels):
    """Float64 throughout: exact covariance (chunked), eigh, projection."""
    x16 = np.load(FEATURES, mmap_mode="r")
    mean = np.zeros(D)
    for start in range(0, N, 10_000):
        mean += x16[start:start + 10_000].astype(np.float64).sum(axis=0)
    mean /= N
    cov = np.zeros((D, D))
    for start in range(0, N, 10_000):
        block = x16[start:start + 10_000].astype(np.float64) - mean
        cov += block.T @ block
    values, vectors = np.linalg.eigh(cov / (N - 1))
    axes = vectors[:, ::-1][:, :K]
    z = np.concatenate([(x16[s:s + 10_000].astype(np.float64) - mean) @ axes for s in range(0, N, 10_000)])
    return [svcca_standard(z, labels[:, i]) for i in range(labels.shape[1])], float(values[::-1][:K].sum() / values.sum())


def timed(fn, repeats=REPEATS):
    """Median wall seconds and median CPU seconds (all threads; less sensitive to a busy machine)."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(times)), float(np.median(cpu)), result


def main():
    generate()
    labels = np.load(LABELS)
    if "--solvers" in sys.argv:
        solvers = common.bench_json(["analysis", "--mode", "solvers", "--repeats", "1"])
        common.report("PCA solvers (k = 100, float16 input, seconds)", sorted((k, v, "") for k, v in solvers.items()))
        return
    # layerscope first, each in its own process, so peak RSS is its own.
    _, out, peak = common.run_measured([common.BENCH, "analysis", "--features", FEATURES, "--labels", LABELS,
                                        "--repeats", str(REPEATS)])
    ours = json.loads(out.strip().splitlines()[-1])
    ours["peak_rss_bytes"] = peak
    floor = common.bench_json(["analysis", "--mode", "floor", "--features", FEATURES, "--repeats", str(REPEATS)])
    default_time, default_cpu, (default_values, default_var) = timed(lambda: python_task(None, labels))
    eigh_time, eigh_cpu, (eigh_values, eigh_var) = timed(lambda: python_task("covariance_eigh", labels))
    ref_values, ref_var = reference(labels)
    our_values = [ours[f"svcca_{i}"] for i in range(3)]

    def error(values):
        return max(abs(a - b) for a, b in zip(values, ref_values))

    layer_bytes = N * D * 4
    common.report(f"PCA (k={K}) + SVCCA (sex, tone, final) on {N:,} × {D} float16; medians of {REPEATS}", [
        ("layerscope", ours["median_s"], f"s (CPU {ours['cpu_s']:.3g} s)"),
        ("  one pass (covariance + class sums)", ours["pass_s"], "s"),
        ("  top-k eigensolve", ours["eigen_s"], "s"),
        ("  SVCCA from the statistics", ours["svcca_s"], "s"),
        ("floor: cblas_ssyrk on float32 in memory", floor["median_s"],
         f"s (CPU {floor['cpu_s']:.3g} s; {floor['gflops']:.0f} GFLOP/s)"),
        ("sklearn PCA default + numpy SVCCA", default_time, f"s (CPU {default_cpu:.3g} s)"),
        ("  np.load + astype(float32) / PCA / SVCCA",
         " / ".join(f"{stage(None, n):.3g}" for n in ("load", "pca", "svcca")), "s"),
        ("sklearn PCA covariance_eigh + numpy SVCCA", eigh_time, f"s (CPU {eigh_cpu:.3g} s)"),
        ("  np.load + astype(float32) / PCA / SVCCA",
         " / ".join(f"{stage('covariance_eigh', n):.3g}" for n in ("load", "pca", "svcca")), "s"),
        ("speed-up vs sklearn default (goal ≥ 3)", default_time / ours["median_s"],
         f"× wall, {default_cpu / ours['cpu_s']:.3g}× CPU"),
        ("speed-up vs covariance_eigh (goal ≥ 1)", eigh_time / ours["median_s"],
         f"× wall, {eigh_cpu / ours['cpu_s']:.3g}× CPU"),
        ("layerscope / floor (goal ≤ 1.5)", ours["median_s"] / floor["median_s"],
         f"× wall, {ours['cpu_s'] / floor['cpu_s']:.3g}× CPU"),
        ("peak RSS layerscope", ours["peak_rss_bytes"] / 1e6, f"MB (goal ≤ {1.5 * layer_bytes / 1e6:.0f})"),
        ("SVCCA reference (float64) sex/tone/final", " / ".join(f"{v:.5f}" for v in ref_values), ""),
        ("max |error| layerscope", error(our_values), ""),
        ("max |error| sklearn covariance_eigh", error(eigh_values), ""),
        ("max |error| sklearn default (randomized)", error(default_values), ""),
        ("variance kept: reference / ours / eigh / default",
         f"{ref_var:.5f} / {ours['variance_kept']:.5f} / {eigh_var:.5f} / {default_var:.5f}", ""),
    ])
    print(json.dumps({"layerscope_s": ours["median_s"], "floor_s": floor["median_s"], "sklearn_default_s": default_time,
                      "sklearn_covariance_eigh_s": eigh_time, "layerscope_cpu_s": ours["cpu_s"], "floor_cpu_s": floor["cpu_s"],
                      "sklearn_default_cpu_s": default_cpu, "sklearn_covariance_eigh_cpu_s": eigh_cpu, "peak_rss_bytes": ours["peak_rss_bytes"],
                      "error_layerscope": error(our_values), "error_covariance_eigh": error(eigh_values),
                      "error_default": error(default_values)}))


if __name__ == "__main__":
    main()
