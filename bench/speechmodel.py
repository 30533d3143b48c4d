"""wav2vec2 forward pass: layerscope (Swift, layerscope-bench speechmodel) against transformers 5.23 on
the CPU (torch.inference_mode, the same thread count), on base- and large-sized random checkpoints
and 10 s of audio, in one run. Prints medians, ratios (Swift / PyTorch; goal ≤ 1.0), the time to
layer 6 only, a parity check of every layer on the 10 s clip, and peak RSS for 30 s on the large model.

Checkpoints and audio are made under bench/out/ (not committed) by scripts/make_speechmodel_fixtures.py.
LAYERSCOPE_THREADS sets the thread count for both sides (default: all cores).
"""
import json
import os
import statistics
import sys

import numpy as np
import soundfile
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from make_speechmodel_fixtures import load_reference, make_checkpoint, model_input  # noqa: E402

from common import BENCH, BIN, OUT, median_time, report, run, run_measured  # noqa: E402

THREADS = int(os.environ.get("LAYERSCOPE_THREADS", os.cpu_count()))
REPEATS = int(os.environ.get("SPEECHMODEL_REPEATS", "5"))
# Swift and PyTorch take turns, ROUNDS times each, so a change in machine load mid-run hits both.
ROUNDS = int(os.environ.get("SPEECHMODEL_ROUNDS", "2"))
TO_LAYER = 6
MODELS = {
    # facebook/wav2vec2-base: group norm, post-LN, no conv bias.
    "base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                 feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False),
    # facebook/wav2vec2-large-lv60: layer norm, stable layer norm, conv bias.
    "large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                  feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True),
}


def checkpoint(name):
    """The random checkpoint folder for MODELS[name], made on first use (and when MODELS changes)."""
    directory = os.path.join(OUT, f"speechmodel-{name}")
    stamp = os.path.join(directory, "bench-config.json")
    wanted = json.dumps(MODELS[name], sort_keys=True)
    if not (os.path.exists(stamp) and open(stamp).read() == wanted):
        make_checkpoint(directory, MODELS[name], kind="base", naming="parametrizations")
        with open(stamp, "w") as f:
            f.write(wanted)
    return directory


def audio(seconds):
    path = os.path.join(OUT, f"speechmodel-{seconds}s.wav")
    if not os.path.exists(path):
        rng = np.random.default_rng(seconds)
        t = np.arange(16000 * seconds) / 16000
        f0 = 120 + 40 * np.sin(2 * np.pi * 0.7 * t)
        phase = 2 * np.pi * np.cumsum(f0) / 16000
        x = sum(np.sin(k * phase) / k for k in range(1, 10)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
        soundfile.write(path, 0.2 * x + 0.01 * rng.standard_normal(t.size), 16000, subtype="PCM_16")
    return path


def torch_times(model, values):
    """Median seconds of transformers' forward with all hidden states, and with the encoder cut to TO_LAYER layers."""
    x = torch.from_numpy(values)[None]
    with torch.inference_mode():
        model(x, output_hidden_states=True)  # warm-up
        full, _ = median_time(lambda: model(x, output_hidden_states=True), REPEATS)
        layers = model.encoder.layers
        model.encoder.layers = layers[:TO_LAYER]
        try:
            model(x, output_hidden_states=True)
            truncated, _ = median_time(lambda: model(x, output_hidden_states=True), REPEATS)
        finally:
            model.encoder.layers = layers
    return full, truncated


def torch_hidden_states(model, values):
    with torch.inference_mode():
        out = model(torch.from_numpy(values)[None], output_hidden_states=True)
    return torch.stack(out.hidden_states)[:, 0].numpy()


def swift_times(directory, wav):
    _, out = run([BENCH, "speechmodel", "--checkpoint", directory, "--audio", wav, "--repeats", str(REPEATS),
                  "--layer", str(TO_LAYER)], env={**os.environ, "LAYERSCOPE_THREADS": str(THREADS)})
    return json.loads(out.strip().splitlines()[-1])


def parity(directory, wav, reference):
    path = os.path.join(OUT, "speechmodel-hidden.npy")
    run([BIN, "embed", "--checkpoint", directory, wav, "--out", path])
    ours = np.load(path)
    os.remove(path)
    return max(float(np.abs(ours[i] - reference[i]).max() / np.abs(reference[i]).max()) for i in range(len(reference)))


def main():
    speed()
    memory()


def speed():
    torch.set_num_threads(THREADS)
    wav10 = audio(10)
    for name in MODELS:
        directory = checkpoint(name)
        model = load_reference(directory, "base")
        values = model_input(wav10, True)
        rounds = []
        for _ in range(ROUNDS):
            rounds.append((swift_times(directory, wav10), torch_times(model, values)))
        swift = {key: statistics.median(r[0][key] for r in rounds) for key in rounds[0][0]}
        torch_full = statistics.median(r[1][0] for r in rounds)
        torch_truncated = statistics.median(r[1][1] for r in rounds)
        error = parity(directory, wav10, torch_hidden_states(model, values))
        del model
        report(f"{name} ({MODELS[name]['num_hidden_layers']} layers, {MODELS[name]['hidden_size']} wide), 10 s, "
               f"{THREADS} threads, OpenBLAS kernels: {'AVX-512' if swift['blas_avx512_kernels'] else 'AVX2'} "
               f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}), load {os.getloadavg()[0]:.1f}", [
                   ("swift full forward (median)", swift["full_median_s"], "s"),
                   ("pytorch full forward (median)", torch_full, "s"),
                   ("ratio full (swift / pytorch; goal <= 1.0)", swift["full_median_s"] / torch_full, "x"),
                   (f"swift to layer {TO_LAYER} (median)", swift["to_layer_median_s"], "s"),
                   (f"pytorch to layer {TO_LAYER} (median)", torch_truncated, "s"),
                   (f"ratio to layer {TO_LAYER}", swift["to_layer_median_s"] / torch_truncated, "x"),
                   ("swift feature encoder + pos conv (state 0)", swift["state0_median_s"], "s"),
                   ("swift checkpoint load", swift["load_s"], "s"),
                   ("max |diff| / max |ref| over layers", error, ""),
               ])


def memory():
    directory = checkpoint("large")
    wav30 = audio(30)
    _, out, swift_rss = run_measured([BENCH, "speechmodel", "--checkpoint", directory, "--audio", wav30, "--once"])
    swift = json.loads(out.strip().splitlines()[-1])
    torch_rss = torch_peak_rss(directory, wav30)
    report("large, 30 s, one full forward pass keeping every hidden state (peak RSS by GNU time)", [
        ("swift peak RSS (weights mapped, float32)", swift_rss / 2**20, "MiB"),
        ("pytorch peak RSS (same pass)", torch_rss / 2**20, "MiB"),
        ("swift full forward", swift["full_median_s"], "s"),
    ])


def torch_peak_rss(directory, wav):
    """Peak RSS of transformers running one full pass, in a process of its own."""
    scripts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts")
    code = (f"import sys, torch; sys.path.insert(0, {scripts!r}); "
            f"from make_speechmodel_fixtures import load_reference, model_input; torch.set_num_threads({THREADS}); "
            f"m = load_reference({directory!r}, 'base'); x = torch.from_numpy(model_input({wav!r}, True))[None]\n"
            "with torch.inference_mode(): m(x, output_hidden_states=True)\n")
    _, _, peak = run_measured([sys.executable, "-c", code])
    return peak


if __name__ == "__main__":
    main()
