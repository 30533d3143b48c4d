"""Extraction throughput: `layerscope extract` (release build) against a transformers 5.23 loop doing
the same work (read each utterance, run the model, keep the hidden states at the token frames and
the heads' logits), on a base-sized random checkpoint with two heads (tone, sex) and a generated
corpus, in one run. Reports audio seconds per wall second for all layers (with logits) and for
layers 0-6 only (the model stops at layer 6), medians of EXTRACTION_REPEATS runs, and the ratio.

The checkpoint and the corpus are made under bench/out/ (not committed):
scripts/make_speechmodel_fixtures.py's make_checkpoint, synthetic voiced audio with praatio TextGrids.
EXTRACTION_UTTERANCES (default 24) sets the corpus size; LAYERSCOPE_THREADS the threads of both sides.
"""
import json
import os
import shutil
import statistics
import sys
import time

import numpy as np
import soundfile
import torch
from praatio import textgrid
from praatio.utilities.constants import Interval

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from make_speechmodel_fixtures import load_reference, make_checkpoint, model_input  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from common import BIN, OUT, report, run  # noqa: E402

THREADS = int(os.environ.get("LAYERSCOPE_THREADS", os.cpu_count()))
REPEATS = int(os.environ.get("EXTRACTION_REPEATS", "3"))
UTTERANCES = int(os.environ.get("EXTRACTION_UTTERANCES", "24"))
TO_LAYER = 6
BASE = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
            feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False)
TASKS = [("tone", ["1", "2", "3", "4", "5"]), ("sex", ["F", "M"])]
FINALS = ["ang1", "ei3", "ing1", "i4", "ao3", "a5", "ve2", "uo4", "iou2", "an1"]
INITIALS = ["zh", "b", "j", "sh", "h", "m", "x", "g", "l", "d"]


def checkpoint():
    directory = os.path.join(OUT, "extraction-base")
    stamp = os.path.join(directory, "bench-config.json")
    wanted = json.dumps([BASE, TASKS], sort_keys=True)
    if not (os.path.exists(stamp) and open(stamp).read() == wanted):
        make_checkpoint(directory, BASE, kind="multitask", naming="parametrizations", tasks=TASKS, seed=3)
        with open(stamp, "w") as f:
            f.write(wanted)
    return directory


def corpus():
    """UTTERANCES utterances of 2–6 s (two speakers), voiced sound with a moving F0, and TextGrids
    whose phone tier alternates initials and tonal finals of ~60–120 ms between silences."""
    root = os.path.join(OUT, f"extraction-corpus-{UTTERANCES}")
    if os.path.exists(os.path.join(root, "speakers.tsv")):
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(5)
    os.makedirs(os.path.join(root, "textgrids"))
    for k in range(UTTERANCES):
        speaker = "S0001" if k % 2 == 0 else "S0002"
        name = f"BAC009{speaker}W{k:04d}"
        seconds = float(rng.uniform(2, 6))
        t = np.arange(int(16000 * seconds)) / 16000
        f0 = (200 if speaker == "S0001" else 110) * (1 + 0.15 * np.sin(2 * np.pi * 0.8 * t + k))
        phase = 2 * np.pi * np.cumsum(f0) / 16000
        x = sum(np.sin(j * phase) / j for j in range(1, 9)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
        folder = os.path.join(root, "wav", speaker)
        os.makedirs(folder, exist_ok=True)
        soundfile.write(os.path.join(folder, name + ".wav"), 0.2 * x + 0.01 * rng.standard_normal(t.size), 16000,
                        subtype="PCM_16")
        phones, now, i = [Interval(0, 0.2, "")], 0.2, 0
        while now + 0.4 < seconds - 0.2:
            a, b = now + float(rng.uniform(0.05, 0.09)), 0
            b = a + float(rng.uniform(0.08, 0.14))
            phones += [Interval(round(now, 4), round(a, 4), INITIALS[i % 10]), Interval(round(a, 4), round(b, 4), FINALS[i % 10])]
            now, i = b, i + 1
        phones.append(Interval(round(now, 4), seconds, "sil"))
        tg = textgrid.Textgrid()
        tg.addTier(textgrid.IntervalTier("phones", phones, 0, seconds))
        tg.save(os.path.join(root, "textgrids", name + ".TextGrid"), format="long_textgrid", includeBlankSpaces=True)
    with open(os.path.join(root, "speakers.tsv"), "w") as f:
        f.write("speaker\tsex\nS0001\tF\nS0002\tM\n")
    return root


def layerscope_extract(directory, root, extra):
    out = os.path.join(OUT, "extraction.layerstore")
    times, summary = [], None
    for _ in range(REPEATS):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        _, stdout = run([BIN, "extract", "--checkpoint", directory, "--audio", os.path.join(root, "wav"),
                         "--alignments", os.path.join(root, "textgrids"), "--speakers", os.path.join(root, "speakers.tsv"),
                         "--out", out, "--json", *extra], env={**os.environ, "LAYERSCOPE_THREADS": str(THREADS)})
        times.append(time.perf_counter() - start)
        summary = json.loads(stdout)
    shutil.rmtree(out, ignore_errors=True)
    return statistics.median(times), summary


def torch_extract(directory, root, model, heads, to_layer=None):
    """The same work in Python: every utterance read, normalised, run, token frames gathered."""
    weights = load_file(os.path.join(directory, "model.safetensors"))
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(root, "textgrids")))
    layers = model.encoder.layers
    if to_layer is not None:
        model.encoder.layers = layers[:to_layer]
    try:
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            kept = 0
            for name in names:
                speaker = name[6:11]
                values = model_input(os.path.join(root, "wav", speaker, name + ".wav"), True)
                tg = textgrid.openTextgrid(os.path.join(root, "textgrids", name + ".TextGrid"), includeEmptyIntervals=False)
                mids = [(e.start + e.end) / 2 for e in tg.getTier("phones").entries if e.label in FINALS]
                with torch.inference_mode():
                    out = model(torch.from_numpy(values)[None], output_hidden_states=True)
                    frames = out.hidden_states[0].shape[1]
                    rows = [min(int(m / 0.02), frames - 1) for m in mids]
                    for state in out.hidden_states:
                        kept += state[0, rows].half().numpy().size
                    if heads:
                        for task, _ in TASKS:
                            (out.last_hidden_state[0] @ weights[f"heads.{task}.weight"].T + weights[f"heads.{task}.bias"]).numpy()
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        model.encoder.layers = layers


def main():
    torch.set_num_threads(THREADS)
    directory = checkpoint()
    root = corpus()
    model = load_reference(directory, "base")
    all_time, all_summary = layerscope_extract(directory, root, [])
    six_time, six_summary = layerscope_extract(directory, root, ["--layers", f"0-{TO_LAYER}", "--no-logits"])
    audio = all_summary["audio_seconds"]
    torch_all = torch_extract(directory, root, model, heads=True)
    torch_six = torch_extract(directory, root, model, heads=False, to_layer=TO_LAYER)
    report(f"extraction: {UTTERANCES} utterances, {audio:.1f} s of audio, {all_summary['tokens']} tokens, "
           f"base-sized random checkpoint with 2 heads, {THREADS} threads, median of {REPEATS}", [
        ("layerscope extract, all 13 layers + logits", audio / all_time, "audio s / wall s"),
        ("layerscope extract, layers 0-6 (stops at 6)", audio / six_time, "audio s / wall s"),
        ("  (inside the run, excluding start-up: all)", audio / all_summary["wall_seconds"], "audio s / wall s"),
        ("transformers loop, all layers + logits", audio / torch_all, "audio s / wall s"),
        ("transformers loop, layers 0-6", audio / torch_six, "audio s / wall s"),
        ("ratio layerscope / transformers, all", torch_all / all_time, "× (> 1: layerscope faster)"),
        ("ratio layerscope / transformers, 0-6", torch_six / six_time, "× (> 1: layerscope faster)"),
    ])
    assert six_summary["tokens"] == all_summary["tokens"]


if __name__ == "__main__":
    main()
