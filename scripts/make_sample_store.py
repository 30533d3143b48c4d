#!/usr/bin/env python3
"""Makes a SIMULATED store (test data; the bundled sample is now the real one, docs/SAMPLE.md).

Nothing here comes from a real model: the embeddings are drawn so that their layer-by-layer
structure looks like the trends Wang & Yuan (2025) report for wav2vec2 fine-tuned on Mandarin tone,
so the explorer had something true-to-form to show before the real sample existed:

- 20 speakers (10 F, 10 M), 10 utterances each of 8-12 syllables; one token per syllable, at the
  central frame of its final (the tone-bearing part), labelled sex, tone (1-5) and final (24 kinds);
- two models, "tone" and "tone+sex", 13 layers (hidden states 0-12) x 128 dims, float16;
- sex information strong in the early layers, then suppressed in the tone model's last layers but
  kept in the tone+sex model's; tone information rising towards the upper layers; finals peaking
  in the middle layers; a few dimensions with large offsets, as wav2vec2 features have;
- framewise predictions (20 ms frames) for every utterance: a tone head for both models and a sex
  head for tone+sex, mostly right, less confident and sometimes wrong near syllable boundaries.

The store is written by `layerscope import` itself and marked simulated=true in its metadata.
Usage: scripts/make_sample_store.py [--layerscope PATH] [--out scripts/out/simulated.layerstore]
Deterministic for a given --seed (numpy's default_rng).
"""
import argparse
import os
import shutil
import subprocess
import tempfile

import numpy as np

FINALS = ["a", "o", "e", "i", "u", "v", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong",
          "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "uo", "ua", "uai", "ui", "uan", "un"]
INITIALS = ["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh",
            "r", "z", "c", "s", ""]
LAYERS = 13
DIM = 128
FRAME = 0.02


def layer_strengths(model):
    """Per-layer strengths of the sex, speaker, tone and final components (index = layer)."""
    x = np.arange(LAYERS) / (LAYERS - 1)
    tone = 0.25 + 0.95 * x ** 1.3
    final = 0.45 + 0.55 * np.exp(-((x - 0.45) / 0.28) ** 2)
    speaker = 0.9 - 0.6 * x
    if model == "tone":
        # Fine-tuning for tone normalises speakers away in the top layers.
        sex = 1.0 - 0.88 / (1 + np.exp(-(x - 0.62) * 14))
        speaker = speaker * (1.0 - 0.8 / (1 + np.exp(-(x - 0.62) * 14)))
        final = final * (1.0 - 0.35 * x ** 2)
    else:
        sex = 1.0 - 0.12 * x
        tone = tone * 0.95
    return sex, speaker, tone, final


def make_corpus(rng):
    speakers = [(f"S{i + 1:02d}", "F" if i % 2 == 0 else "M") for i in range(20)]
    finals = FINALS[:24]
    rows = []  # utterance, speaker, sex, start, end, tone, final, syllable start/end
    utterances = []
    for speaker, sex in speakers:
        rate = rng.uniform(0.85, 1.2)
        for u in range(10):
            name = f"{speaker}U{u + 1:02d}"
            t = round(rng.uniform(0.15, 0.3), 2)
            syllables = []
            for _ in range(int(rng.integers(8, 13))):
                duration = rng.uniform(0.18, 0.32) / rate
                initial = INITIALS[int(rng.integers(len(INITIALS)))]
                initial_part = 0.0 if initial == "" else rng.uniform(0.04, 0.08) / rate
                tone = int(rng.choice([1, 2, 3, 4, 5], p=[0.24, 0.23, 0.2, 0.27, 0.06]))
                final = finals[int(rng.integers(len(finals)))]
                start, end = t, t + duration
                syllables.append((start, end, start + initial_part, tone, final))
                t = end + (rng.uniform(0.05, 0.15) if rng.random() < 0.12 else 0.0)
            duration = t + rng.uniform(0.15, 0.3)
            utterances.append((name, speaker, sex, duration, syllables))
    return speakers, utterances


def make_layers(rng, model, speakers, utterances, seed_vectors):
    sex_v, spk_v, tone_v, final_v, offsets = seed_vectors
    sex_s, spk_s, tone_s, final_s = layer_strengths(model)
    tokens = [(name, speaker, sex, syl) for name, speaker, sex, _, syls in utterances for syl in syls]
    n = len(tokens)
    sex_idx = np.array([0 if sex == "F" else 1 for _, _, sex, _ in tokens])
    spk_idx = np.array([int(speaker[1:]) - 1 for _, speaker, _, _ in tokens])
    tone_idx = np.array([syl[3] - 1 for *_, syl in tokens])
    final_idx = np.array([FINALS.index(syl[4]) for *_, syl in tokens])
    utt_idx = np.repeat(np.arange(len(utterances)), [len(u[4]) for u in utterances])
    layers = np.empty((LAYERS, n, DIM), dtype=np.float32)
    # Smoothly drifting per-layer rotations keep consecutive layers related, as in a real network.
    drift = np.eye(DIM)
    noise_base = rng.normal(size=(n, DIM))
    utt_noise = rng.normal(size=(len(utterances), DIM)) * 0.5
    for layer in range(LAYERS):
        step = np.linalg.qr(np.eye(DIM) + 0.08 * rng.normal(size=(DIM, DIM)))[0]
        drift = drift @ step
        noise = 0.8 * noise_base + 0.6 * rng.normal(size=(n, DIM))
        h = (2.3 * sex_s[layer] * sex_v[sex_idx]
             + 1.4 * spk_s[layer] * spk_v[spk_idx]
             + 2.2 * tone_s[layer] * tone_v[tone_idx]
             + 1.6 * final_s[layer] * final_v[final_idx]
             + utt_noise[utt_idx] + noise)
        layers[layer] = (h @ drift) * (1 + 0.15 * layer) + offsets
    return layers


def make_frames(rng, utterances, task, classes, accuracy_scale):
    """Framewise logits: the truth plus noise, weaker and confusable near syllable boundaries."""
    out = {}
    for name, _speaker, sex, duration, syllables in utterances:
        frames = int(np.floor(duration / FRAME)) + 1
        truth = np.full(frames, -1)
        boundary_distance = np.full(frames, 99.0)
        for start, end, _final_start, tone, _final in syllables:
            a, b = int(start / FRAME), min(frames, int(np.ceil(end / FRAME)))
            truth[a:b] = (tone - 1) if task == "tone" else (0 if sex == "F" else 1)
            for f in range(a, b):
                boundary_distance[f] = min(boundary_distance[f], f - a, b - 1 - f)
        logits = rng.normal(scale=0.6, size=(frames, len(classes))).astype(np.float32)
        for f in range(frames):
            if truth[f] < 0:
                logits[f, -1 if task == "tone" else 0] += 0.3  # silence: weak, arbitrary guess
                continue
            margin = accuracy_scale * (1.0 if boundary_distance[f] >= 2 else 0.35)
            target = truth[f]
            if boundary_distance[f] < 2 and rng.random() < 0.35:
                target = int(rng.integers(len(classes)))  # plausible confusion at a boundary
            logits[f, target] += margin + rng.normal(scale=0.3)
        out[name] = logits
    out["__classes__"] = np.array(classes)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--layerscope", default=os.path.join(root, ".build", "debug", "layerscope"))
    parser.add_argument("--out", default=os.path.join(root, "scripts", "out", "simulated.layerstore"))
    parser.add_argument("--seed", type=int, default=20251121)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    speakers, utterances = make_corpus(rng)

    def unit(rows):
        v = rng.normal(size=(rows, DIM))
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    offsets = np.zeros(DIM)
    offsets[rng.choice(DIM, size=4, replace=False)] = rng.uniform(20, 60, size=4)
    vectors = (unit(2), unit(len(speakers)), unit(5), unit(len(FINALS)), offsets)

    with tempfile.TemporaryDirectory() as work:
        tokens_path = os.path.join(work, "tokens.tsv")
        with open(tokens_path, "w") as f:
            f.write("utterance\tspeaker\tstart\tend\tsex\ttone\tfinal\n")
            for name, speaker, sex, _duration, syllables in utterances:
                for _start, end, final_start, tone, final in syllables:
                    f.write(f"{name}\t{speaker}\t{final_start:.4f}\t{end:.4f}\t{sex}\t{tone}\t{final}\n")
        if os.path.exists(args.out):
            shutil.rmtree(args.out)
        for model, tasks in (("tone", ("tone",)), ("tone+sex", ("tone", "sex"))):
            layers = make_layers(rng, model, speakers, utterances, vectors)
            layers_path = os.path.join(work, f"{model}.npy")
            np.save(layers_path, layers.astype(np.float16))
            cmd = [args.layerscope, "import", "--out", args.out, "--tokens", tokens_path, "--model", model,
                   layers_path, "--meta", "simulated=true",
                   "--meta", "description=SIMULATED sample: planted layer trends, not a real model"]
            for task in tasks:
                classes = ["1", "2", "3", "4", "5"] if task == "tone" else ["F", "M"]
                frames = make_frames(rng, utterances, task, classes, 3.0 if task == "tone" else 4.0)
                frames_path = os.path.join(work, f"{model}-{task}.npz")
                np.savez(frames_path, **frames)
                cmd += ["--frames", f"{task}={frames_path}"]
            subprocess.run(cmd, check=True)
    print(f"wrote {args.out}: {sum(len(u[4]) for u in utterances)} tokens, {len(utterances)} utterances")


if __name__ == "__main__":
    main()
