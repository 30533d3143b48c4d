"""Explorer benchmark.

1. Frame render time (state -> buffer -> diff, no terminal) for a 100,000-token scatter at 200x60:
   `layerscope-bench explorer render`, against a numpy rasteriser doing the scatter part alone
   (dots per braille cell and the majority class per cell) on the same kind of input.
2. Startup to the first full frame (offscreen, `layerscope-bench explorer startup`) and peak RSS on a
   store of 25 layers x 100,000 tokens x 1024 float16 (5 GB), generated under bench/out/explorer/ with
   numpy + `layerscope import` and reused: "cold" (nothing computed yet) and "warm" (a layout and
   SVCCA results stored, as after a first run); against Python reading the same data
   (sqlite3 token table, the stored layout, the analyses).
3. Key-to-screen latency of the real binary in tmux while its engine computes (LAYERSCOPE_LATENCY_LOG).
Run: bench/run explorer
"""
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BENCH, BIN, OUT, bench_json, report, run, run_measured  # noqa: E402

LAYERS, TOKENS, DIM = 25, 100_000, 1024
COLUMNS, ROWS = 200, 60


def make_store(folder):
    """The 5 GB store (cold: no layouts, no analyses), made once."""
    store = os.path.join(folder, "big.layerstore")
    if os.path.exists(os.path.join(store, "store.sqlite")):
        return store
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    tokens = os.path.join(folder, "tokens.tsv")
    finals = [f"f{i}" for i in range(35)]
    with open(tokens, "w") as f:
        f.write("utterance\tspeaker\tstart\tend\tsex\ttone\tfinal\n")
        for i in range(TOKENS):
            utt, k = divmod(i, 10)
            spk = utt % 200
            f.write(f"U{utt:05d}\tS{spk:03d}\t{k * 0.25:.2f}\t{k * 0.25 + 0.2:.2f}\t{'FM'[spk % 2]}\t"
                    f"{rng.integers(1, 6)}\t{finals[rng.integers(0, 35)]}\n")
    files = []
    for layer in range(LAYERS):
        path = os.path.join(folder, f"L{layer:02d}.npy")
        np.save(path, rng.standard_normal((TOKENS, DIM), dtype=np.float32).astype(np.float16))
        files.append(path)
    run([BIN, "import", "--out", store, "--tokens", tokens, "--model", "m", *files])
    for path in files:
        os.remove(path)
    return store


def linked_copy(cold, target):
    """A store sharing the cold one's layer files (symlinks) with its own copy of the database."""
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(os.path.join(target, "arrays", "m"))
    # SQLite's backup copies committed pages wherever they are (the database file or its WAL).
    source = sqlite3.connect(os.path.join(cold, "store.sqlite"))
    copy = sqlite3.connect(os.path.join(target, "store.sqlite"))
    source.backup(copy)
    copy.close()
    source.close()
    for name in os.listdir(os.path.join(cold, "arrays", "m")):
        if name.startswith("L"):
            os.symlink(os.path.join(cold, "arrays", "m", name), os.path.join(target, "arrays", "m", name))
    return target


def make_warm(cold, folder):
    """A linked copy of the cold store with a stored layout and SVCCA, as after a first run."""
    warm = os.path.join(folder, "big-warm.layerstore")
    if os.path.exists(os.path.join(warm, "store.sqlite")):
        return warm
    linked_copy(cold, warm)
    run([BENCH, "explorer", "prepare", warm])
    return warm


def numpy_scatter(x, y, codes, classes, columns, rows, repeats=50):
    """The scatter part of a frame in numpy: braille dots per cell and each cell's majority class."""
    times = []
    table = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
    for _ in range(repeats):
        start = time.perf_counter()
        w, h = columns * 2, rows * 4
        sx = (w - 1) / (x.max() - x.min())
        sy = (h - 1) / (y.max() - y.min())
        s = min(sx, sy)
        dx = ((x - x.mean()) * s + w / 2).astype(np.int64)
        dy = ((y.mean() - y) * s + h / 2).astype(np.int64)
        keep = (dx >= 0) & (dx < w) & (dy >= 0) & (dy < h)
        dx, dy, c = dx[keep], dy[keep], codes[keep]
        cell = (dy >> 2) * columns + (dx >> 1)
        bit = table[dy & 3, dx & 1]
        bits = np.zeros(columns * rows, dtype=np.uint8)
        np.bitwise_or.at(bits, cell, bit)
        counts = np.bincount(cell * classes + c, minlength=columns * rows * classes).reshape(-1, classes)
        majority = counts.argmax(axis=1)
        _ = (bits, majority)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_startup(store):
    """Python reading what the first frame needs: the token table, the stored layout and the analyses."""
    start = time.perf_counter()
    db = sqlite3.connect(os.path.join(store, "store.sqlite"))
    rows = db.execute("SELECT * FROM tokens ORDER BY row").fetchall()
    utterances = db.execute("SELECT id, name, speaker FROM utterances").fetchall()
    analyses = db.execute("SELECT model, kind, layer, label, result FROM analyses").fetchall()
    layout = db.execute("SELECT path FROM arrays WHERE kind = 'umap'").fetchone()
    if layout:
        points = np.array(np.load(os.path.join(store, layout[0]), mmap_mode="r"))
        assert points.shape == (len(rows), 2)
    db.close()
    _ = (utterances, analyses)
    return time.perf_counter() - start


def startup(store, repeats=5):
    walls, frames, rss = [], [], []
    result = None
    for _ in range(repeats):
        seconds, out, peak = run_measured([BENCH, "explorer", "startup", store, "--columns", str(COLUMNS), "--rows", str(ROWS)])
        import json
        result = json.loads(out.strip().splitlines()[-1])
        walls.append(seconds)
        frames.append(result["first_frame_ms"])
        rss.append(peak)
    return statistics.median(walls) * 1000, statistics.median(frames), max(rss) / 1e6, result


def tmux_first_frame(store, repeats=5):
    """The real binary in tmux: launch to the first complete frame on screen (polled every 5 ms), ms."""
    if shutil.which("tmux") is None:
        return None
    folder = os.path.join(OUT, "explorer")
    times = []
    for i in range(repeats):
        socket = os.path.join(folder, f"tmux-start-{os.getpid()}-{i}")
        env = f"TERM=xterm-256color LANG=C.UTF-8 XDG_CACHE_HOME={folder}/cache"
        subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS),
                        "sleep 0.3; echo ready; sleep 30"], check=True)
        try:
            subprocess.run(["tmux", "-S", socket, "respawn-pane", "-k", f"env -u NO_COLOR {env} {BIN} explore {store}"], check=True)
            start = time.perf_counter()
            while time.perf_counter() - start < 10:
                screen = subprocess.run(["tmux", "-S", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
                if "? help  q quit" in screen and "SVCCA by layer" in screen:
                    times.append((time.perf_counter() - start) * 1000)
                    break
                time.sleep(0.005)
            subprocess.run(["tmux", "-S", socket, "send-keys", "q"], check=True)
            # The pane, and with it the server, ends when the explorer has exited.
            for _ in range(100):
                if subprocess.run(["tmux", "-S", socket, "has-session"], capture_output=True).returncode != 0:
                    break
                time.sleep(0.05)
        finally:
            subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)
            if os.path.exists(socket):
                os.remove(socket)
    return statistics.median(times) if times else None


def latency_under_load(store, seconds=20):
    """Presses keys in the real explorer (in tmux) while its engine computes; returns key-to-screen times (ms)."""
    if shutil.which("tmux") is None:
        return [], ""
    folder = os.path.join(OUT, "explorer")
    log = os.path.join(folder, "latency.txt")
    if os.path.exists(log):
        os.remove(log)
    socket = os.path.join(folder, f"tmux-{os.getpid()}")
    env = f"TERM=xterm-256color LANG=C.UTF-8 LAYERSCOPE_LATENCY_LOG={log} XDG_CACHE_HOME={folder}/cache"
    subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS),
                    f"env -u NO_COLOR {env} {BIN} explore {store}"], check=True)
    try:
        time.sleep(2)
        keys = ["Right", "Right", "c", "Left", "Tab", "Right", "Down", "Tab", "n", "p", "Tab", "Left", "c"]
        end = time.time() + seconds
        i = 0
        while time.time() < end:
            subprocess.run(["tmux", "-S", socket, "send-keys", keys[i % len(keys)]], check=True)
            i += 1
            time.sleep(0.15)
        screen = subprocess.run(["tmux", "-S", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
        engine = screen.splitlines()[0].split("│")[-1].strip() if screen else ""
        subprocess.run(["tmux", "-S", socket, "send-keys", "q"], check=True)
        for _ in range(100):
            if os.path.exists(log):
                break
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)
        if os.path.exists(socket):
            os.remove(socket)
    if not os.path.exists(log):
        return [], ""
    with open(log) as f:
        return [float(v) for v in f.read().split()], engine


def main():
    folder = os.path.join(OUT, "explorer")
    # 1. Render
    ours = bench_json(["explorer", "render", "--tokens", str(TOKENS), "--columns", str(COLUMNS), "--rows", str(ROWS)])
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 5, TOKENS)
    x = 4 * np.cos(codes * 1.3) + rng.standard_normal(TOKENS)
    y = 4 * np.sin(codes * 1.3) + rng.standard_normal(TOKENS)
    plot_columns, plot_rows = 104, 47   # the single scatter's plot at 200x60 (ScreenLayout, ScatterGeometry)
    reference = numpy_scatter(x.astype(np.float32), y.astype(np.float32), codes, 6, plot_columns, plot_rows) * 1000
    report(f"frame render, {TOKENS:,} tokens at {COLUMNS}x{ROWS} (state -> buffer -> diff, whole screen)", [
        ("layer change (positions recomputed), median", ours["layer_change_frame_ms_median"], "ms  (goal < 5)"),
        ("layer change, 90th percentile", ours["layer_change_frame_ms_p90"], "ms"),
        ("cursor move (positions cached), median", ours["cursor_frame_ms_median"], "ms"),
        ("cells changed per layer change", ours["cells_changed_per_layer_change"], ""),
        ("numpy: scatter part only (dots + majority), median", reference, "ms"),
        ("ratio numpy scatter / layerscope whole frame", reference / ours["layer_change_frame_ms_median"], "x"),
    ])
    # 2. Startup
    cold = make_store(folder)
    warm = make_warm(cold, folder)
    cold_wall, cold_frame, cold_rss, _ = startup(cold)
    warm_wall, warm_frame, warm_rss, result = startup(warm)
    py = statistics.median([python_startup(warm) for _ in range(5)]) * 1000
    real = tmux_first_frame(warm)
    report(f"startup to the first full frame, {LAYERS} x {TOKENS:,} x {DIM} float16 store (5 GB)", [
        ("cold store: process wall time, median", cold_wall, "ms  (goal < 300)"),
        ("cold store: main() to first frame, median", cold_frame, "ms"),
        ("cold store: peak RSS", cold_rss, "MB  (goal < 300)"),
        ("warm store (layout + SVCCA stored): wall, median", warm_wall, "ms"),
        ("warm store: main() to first frame, median", warm_frame, "ms"),
        ("warm store: peak RSS", warm_rss, "MB"),
        ("warm store: scatter drawn in the first frame", "yes" if result["scatter_drawn"] else "no", ""),
        ("real binary in tmux, launch to first frame on screen (warm)", real if real else "n/a", "ms"),
        ("python: sqlite3 tokens + layout + analyses", py, "ms"),
        ("ratio python / layerscope (data reading vs whole first frame)", py / warm_frame, "x"),
    ])
    # 3. Latency while the engine computes
    # The engine writes what it computes into the store it explores: give it a fresh linked copy.
    scratch = linked_copy(cold, os.path.join(folder, "big-scratch.layerstore"))
    latencies, engine = latency_under_load(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    if latencies:
        report("key-to-screen while the engine computes (real binary in tmux, fresh copy of the 5 GB store: UMAP, then SVCCA)", [
            ("keys", len(latencies), ""),
            ("median", statistics.median(latencies), "ms  (goal < 50)"),
            ("max", max(latencies), "ms"),
            ("engine at the end", engine, ""),
        ])


if __name__ == "__main__":
    main()
