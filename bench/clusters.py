"""k-means with k = 39 and 10 restarts on 100,000 × 100 float32 PCA-like features.

layerscope (layerscope-bench clusters: greedy k-means++ and Lloyd for all restarts side by side, one
GEMM per tile of rows for every restart's centres) against scikit-learn's
KMeans(n_clusters=39, n_init=10, init="k-means++", max_iter=300, tol=1e-4, algorithm="lloyd") on the
same file, in one run:
  - scikit-learn as a user runs it (OpenBLAS and OpenMP threads as installed),
  - scikit-learn with BLAS limited to one thread (threadpoolctl), its fastest set-up on a busy
    2-core machine: its k-means++ calls many small GEMMs whose thread wake-ups dominate otherwise.
Goal: layerscope ≥ 2× faster than scikit-learn at equal inertia (±1%). Also: scikit-learn's
k-means++ alone (10 seedings), the agreement (NMI) between the two clusterings, and peak RSS.
The three take turns (layerscope, scikit-learn one-thread, scikit-learn as installed, again …), so a
change in the machine's load during the run affects all of them alike.

    bench/run clusters            (or: python3 bench/clusters.py [--repeats N] after a release build)
Inputs are generated once under bench/out/clusters/ (not committed).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.cluster._kmeans import _kmeans_plusplus
from sklearn.metrics import normalized_mutual_info_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

N, D, K, RESTARTS = 100_000, 100, 39, 10
SPEAKERS = 200
FOLDER = os.path.join(common.OUT, "clusters")
FEATURES = os.path.join(FOLDER, "features.npy")
OURS_LABELS = os.path.join(FOLDER, "layerscope-labels.npy")
# A scikit-learn fit taking longer than this is not repeated (a busy machine can make it minutes).
LONG_RUN_S = 60.0


def generate():
    """PCA features of a wav2vec2-like layer: 39 phone classes with overlapping means, speaker effects,
    and a decaying spectrum (the first components carry most of the variance), as float32."""
    if os.path.exists(FEATURES):
        return
    os.makedirs(FOLDER, exist_ok=True)
    rng = np.random.default_rng(11)
    scale = 3.0 / np.sqrt(1 + np.arange(D) / 4)
    phone_means = rng.normal(size=(K, D)) * scale * 0.6
    speaker_effects = rng.normal(size=(SPEAKERS, D)) * scale * 0.25
    phone = rng.integers(0, K, size=N)
    speaker = rng.integers(0, SPEAKERS, size=N)
    x = rng.normal(size=(N, D)) * scale + phone_means[phone] + speaker_effects[speaker]
    np.save(FEATURES + ".tmp.npy", x.astype(np.float32))
    os.replace(FEATURES + ".tmp.npy", FEATURES)


class Timings:
    """Wall and CPU seconds (all threads) of repeated calls, and the last result."""

    def __init__(self):
        self.wall, self.cpu, self.result = [], [], None

    def add(self, fn):
        start, start_cpu = time.perf_counter(), time.process_time()
        self.result = fn()
        self.wall.append(time.perf_counter() - start)
        self.cpu.append(time.process_time() - start_cpu)

    @property
    def too_long(self):
        return bool(self.wall) and self.wall[-1] > LONG_RUN_S

    @property
    def median(self):
        return float(np.median(self.wall))

    @property
    def median_cpu(self):
        return float(np.median(self.cpu))


def sklearn_fit(x):
    model = KMeans(n_clusters=K, n_init=RESTARTS, init="k-means++", max_iter=300, tol=1e-4, algorithm="lloyd",
                   random_state=0)
    return model.fit(x)


def sklearn_seedings(x):
    """scikit-learn's k-means++ alone, ten times, on the centred rows (as KMeans.fit prepares them)."""
    centred = x - x.mean(axis=0)
    norms = (centred * centred).sum(axis=1)
    weights = np.ones(N, dtype=x.dtype)
    rng = np.random.RandomState(0)
    for _ in range(RESTARTS):
        _kmeans_plusplus(centred, K, norms, weights, rng)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    generate()
    x = np.load(FEATURES)

    ours = {"median_s": [], "cpu_s": []}
    default, single = Timings(), Timings()
    peak = 0
    for _ in range(repeats):
        _, out, turn_peak = common.run_measured([common.BENCH, "clusters", "--features", FEATURES, "--clusters", str(K),
                                                 "--restarts", str(RESTARTS), "--repeats", "1", "--labels-out", OURS_LABELS])
        result = json.loads(out.strip().splitlines()[-1])
        ours["median_s"].append(result["median_s"])
        ours["cpu_s"].append(result["cpu_s"])
        ours["inertia"], ours["iterations"], peak = result["inertia"], result["iterations"], max(peak, turn_peak)
        with threadpool_limits(1, user_api="blas"):
            single.add(lambda: sklearn_fit(x))
        if not default.too_long:
            default.add(lambda: sklearn_fit(x))
    ours["median_s"], ours["cpu_s"] = float(np.median(ours["median_s"])), float(np.median(ours["cpu_s"]))
    seeding = common.bench_json(["clusters", "--features", FEATURES, "--clusters", str(K), "--restarts", str(RESTARTS),
                                 "--repeats", str(repeats), "--max-iterations", "1"])
    with threadpool_limits(1, user_api="blas"):
        seeds = Timings()
        seeds.add(lambda: sklearn_seedings(x))
    our_labels = np.load(OURS_LABELS)[:, 0].astype(np.int64)
    default_time, default_cpu, default_runs, default_model = default.median, default.median_cpu, len(default.wall), default.result
    single_time, single_cpu, single_runs, single_model = single.median, single.median_cpu, len(single.wall), single.result
    seed_time, seed_cpu = seeds.median, seeds.median_cpu
    best_time = min(default_time, single_time)
    best_cpu = single_cpu if single_time <= default_time else default_cpu
    reference = single_model.inertia_

    def relative(inertia):
        return (inertia - reference) / reference

    common.report(f"k-means, k = {K}, {RESTARTS} restarts, on {N:,} × {D} float32; medians of {repeats} turns", [
        ("layerscope", ours["median_s"], f"s (CPU {ours['cpu_s']:.3g} s; {ours['iterations']:.0f} iterations)"),
        ("  k-means++ for all restarts + one Lloyd pass", seeding["median_s"], f"s (CPU {seeding['cpu_s']:.3g} s)"),
        ("sklearn KMeans (threads as installed)", default_time, f"s (CPU {default_cpu:.3g} s; {default_runs} runs; "
                                                               f"{default_model.n_iter_} iterations)"),
        ("sklearn KMeans, BLAS on one thread", single_time, f"s (CPU {single_cpu:.3g} s; {single_runs} runs; "
                                                            f"{single_model.n_iter_} iterations)"),
        ("  its k-means++ alone, 10 seedings", seed_time, f"s (CPU {seed_cpu:.3g} s)"),
        ("speed-up vs sklearn's faster set-up (goal ≥ 2)", best_time / ours["median_s"],
         f"× wall, {best_cpu / ours['cpu_s']:.3g}× CPU"),
        ("speed-up vs sklearn as installed", default_time / ours["median_s"], f"× wall, {default_cpu / ours['cpu_s']:.3g}× CPU"),
        ("inertia layerscope", ours["inertia"], f"({relative(ours['inertia']):+.2e} relative; goal within ±1e-2)"),
        ("inertia sklearn (BLAS one thread)", reference, ""),
        ("inertia sklearn (as installed)", default_model.inertia_, f"({relative(default_model.inertia_):+.2e})"),
        ("NMI layerscope vs sklearn clustering", normalized_mutual_info_score(single_model.labels_, our_labels), ""),
        ("peak RSS layerscope", peak / 1e6, "MB"),
    ])
    print(json.dumps({"layerscope_s": ours["median_s"], "layerscope_cpu_s": ours["cpu_s"],
                      "sklearn_default_s": default_time, "sklearn_default_cpu_s": default_cpu,
                      "sklearn_blas1_s": single_time, "sklearn_blas1_cpu_s": single_cpu,
                      "sklearn_seeding_s": seed_time, "layerscope_seeding_s": seeding["median_s"],
                      "speedup": best_time / ours["median_s"], "inertia_layerscope": ours["inertia"],
                      "inertia_sklearn": reference, "inertia_relative": relative(ours["inertia"]), "peak_rss_bytes": peak}))


if __name__ == "__main__":
    main()
