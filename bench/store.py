"""Store benchmark: `layerscope import` throughput on a 25-layer x 20,000 x 1024 float32 .npz
(2 GB, written by numpy.savez), against numpy doing the same conversion (load each layer, cast to
float16, np.save); then `layerscope info` wall time and peak RSS on the resulting store.
Run: bench/run store   (inputs are generated once under bench/out/store/)."""
import os
import shutil
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIN, OUT, report, run_measured  # noqa: E402

LAYERS, TOKENS, DIM = 25, 20_000, 1024
REPEATS = 3


def make_inputs(folder):
    npz = os.path.join(folder, "hidden_states.npz")
    tokens = os.path.join(folder, "tokens.tsv")
    if os.path.exists(npz) and os.path.exists(tokens):
        return npz, tokens
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    with open(tokens, "w") as f:
        f.write("utterance\tspeaker\tstart\tend\tsex\ttone\tfinal\n")
        for i in range(TOKENS):
            utt = i // 25
            f.write(f"U{utt:05d}\tS{utt % 400:03d}\t{(i % 25) * 0.3:.2f}\t{(i % 25) * 0.3 + 0.2:.2f}\t"
                    f"{'FM'[utt % 400 % 2]}\t{i % 5 + 1}\tf{i % 37}\n")
    layers = {f"layer_{k}": (rng.standard_normal((TOKENS, DIM), dtype=np.float32) + k) for k in range(LAYERS)}
    np.savez(npz + ".tmp.npz", **layers)
    os.rename(npz + ".tmp.npz", npz)
    return npz, tokens


def numpy_reference(npz, target):
    os.makedirs(target, exist_ok=True)
    with np.load(npz) as archive:
        for k in range(LAYERS):
            np.save(os.path.join(target, f"L{k:02d}.npy"), archive[f"layer_{k}"].astype(np.float16))


def main():
    folder = os.path.join(OUT, "store")
    npz, tokens = make_inputs(folder)
    size_mb = os.path.getsize(npz) / 1e6
    store = os.path.join(folder, "bench.layerstore")
    ours, theirs, info_times, info_rss, import_rss = [], [], [], [], []
    for _ in range(REPEATS):
        shutil.rmtree(store, ignore_errors=True)
        seconds, _, rss = run_measured([BIN, "import", "--out", store, "--tokens", tokens, "--model", "m", npz])
        ours.append(seconds)
        import_rss.append(rss)
        reference = os.path.join(folder, "numpy-out")
        shutil.rmtree(reference, ignore_errors=True)
        start = time.perf_counter()
        numpy_reference(npz, reference)
        theirs.append(time.perf_counter() - start)
        shutil.rmtree(reference, ignore_errors=True)
    for _ in range(5):
        seconds, _, rss = run_measured([BIN, "info", store])
        info_times.append(seconds)
        info_rss.append(rss)
    mine, numpys = statistics.median(ours), statistics.median(theirs)
    report(f"import {LAYERS} x {TOKENS} x {DIM} float32 .npz ({size_mb:.0f} MB) -> float16 store", [
        ("layerscope import, median", mine, "s"),
        ("layerscope import throughput", size_mb / mine, "MB/s of input"),
        ("numpy load + astype(float16) + save, median", numpys, "s"),
        ("numpy throughput", size_mb / numpys, "MB/s of input"),
        ("ratio numpy / layerscope (>1: layerscope faster)", numpys / mine, "x"),
        ("layerscope import peak RSS", max(import_rss) / 1e6, "MB"),
        ("runs", f"ours {[round(t, 2) for t in ours]}, numpy {[round(t, 2) for t in theirs]}", ""),
    ])
    report("info on that store (1 GB)", [
        ("layerscope info wall time, median of 5", statistics.median(info_times) * 1000, "ms"),
        ("layerscope info peak RSS", max(info_rss) / 1e6, "MB"),
    ])


if __name__ == "__main__":
    main()
