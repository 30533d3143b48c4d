"""Writes Tests/CLITests/Fixtures/extraction: a small corpus and a tiny random checkpoint, with
what transformers computes for them, for the end-to-end tests of `layerscope extract`.

- checkpoint/: a tiny random multi-task wav2vec2 (heads `tone` and `sex`), made by
  scripts/make_speechmodel_fixtures.py's make_checkpoint;
- corpus/wav/SPEAKER/UTT.flac: pinyin syllables spoken by espeak-ng (voice cmn-latn-pinyin, +f1 for
  S0001, +m1 for S0002), one at a time so the boundaries are known, joined with 0.1 s of silence
  at both ends, resampled by sox to 16 kHz;
- corpus/textgrids/UTT.TextGrid (praatio, long format): tiers `words` (syllables) and `phones`
  (each syllable's initial over its first 35 %, then its tonal final; silences empty);
- corpus/speakers.tsv;
- expected.json: the tokens (pinyin scheme: central 20 ms frame, clamped) and, from transformers
  5.23 on the same audio (soundfile's samples, Wav2Vec2FeatureExtractor normalisation), every
  hidden state at the token frames and every head's framewise logits.

Run from the repository root:  python3 scripts/make_extraction_fixtures.py
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import soundfile
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_speechmodel_fixtures import TINY, make_checkpoint, model_input, reference_outputs  # noqa: E402
from praatio import textgrid  # noqa: E402
from pypinyin.contrib.tone_convert import to_finals, to_initials  # noqa: E402
from praatio.utilities.constants import Interval  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CLITests", "Fixtures", "extraction")
UTTERANCES = {
    "BAC009S0001W0001": ("S0001", "f1", ["ni3", "hao3", "ma5"]),
    "BAC009S0001W0002": ("S0001", "f1", ["bei3", "jing1"]),
    "BAC009S0002W0001": ("S0002", "m1", ["xue2", "sheng1"]),
    "BAC009S0002W0002": ("S0002", "m1", ["zhi1", "dao4"]),
}
INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s"]


def speak(syllable, voice, tmp):
    wav = os.path.join(tmp, "s.wav")
    flac = os.path.join(tmp, "s16.wav")
    subprocess.run(["espeak-ng", "-v", f"cmn-latn-pinyin+{voice}", "-w", wav, syllable], check=True)
    subprocess.run(["sox", wav, "-r", "16000", "-b", "16", flac], check=True)
    samples, rate = soundfile.read(flac, dtype="float32")
    return samples


def split(syllable):
    for initial in INITIALS:
        if syllable.startswith(initial):
            return initial, syllable[len(initial):]
    return "", syllable


def reference_final(syllable):
    """pypinyin's strict final, with the apical vowels named as layerscope names them (ii, iii)."""
    final, initial = to_finals(syllable, strict=True), to_initials(syllable, strict=True)
    if final == "i" and initial in ("z", "c", "s"):
        return "ii"
    if final == "i" and initial in ("zh", "ch", "sh", "r"):
        return "iii"
    return final


def rounded(values):
    """Seven significant digits: far finer than the tests' tolerance, and a third of the size."""
    return [float(f"{v:.7g}") for v in values]


def main():
    torch.set_num_threads(1)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    checkpoint = os.path.join(OUT, "checkpoint")
    spec = TINY["multitask"]
    model = make_checkpoint(checkpoint, spec["config"], kind="multitask", naming=spec["naming"], dtype=torch.float32,
                            normalize=True, tasks=spec["tasks"], seed=42)
    corpus = os.path.join(OUT, "corpus")
    os.makedirs(os.path.join(corpus, "textgrids"))
    with open(os.path.join(corpus, "speakers.tsv"), "w") as f:
        f.write("speaker\tsex\tregion\nS0001\tF\tnorth\nS0002\tM\tsouth\n")
    expected = {"tokens": [], "hidden": {}, "logits": {}}
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (speaker, voice, syllables) in UTTERANCES.items():
            silence = np.zeros(1600, dtype=np.float32)
            pieces, words, phones, t = [silence], [Interval(0, 0.1, "")], [Interval(0, 0.1, "")], 0.1
            finals = []
            for syllable in syllables:
                audio = speak(syllable, voice, tmp)
                pieces.append(audio)
                start, end = round(t, 4), round(t + len(audio) / 16000, 4)
                words.append(Interval(start, end, syllable))
                initial, final = split(syllable)
                finals.append((syllable[-1], reference_final(syllable)))
                if initial:
                    middle = round(start + 0.35 * (end - start), 4)
                    phones += [Interval(start, middle, initial), Interval(middle, end, final)]
                else:
                    phones.append(Interval(start, end, final))
                t += len(audio) / 16000
            pieces.append(silence)
            samples = np.concatenate(pieces)
            total = len(samples) / 16000
            words.append(Interval(round(t, 4), total, ""))
            phones.append(Interval(round(t, 4), total, "sil"))
            folder = os.path.join(corpus, "wav", speaker)
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, name + ".flac")
            soundfile.write(path, samples, 16000, subtype="PCM_16")
            tg = textgrid.Textgrid()
            tg.addTier(textgrid.IntervalTier("words", words, 0, total))
            tg.addTier(textgrid.IntervalTier("phones", phones, 0, total))
            tg.save(os.path.join(corpus, "textgrids", name + ".TextGrid"), format="long_textgrid", includeBlankSpaces=True)

            hidden, logits = reference_outputs(checkpoint, "multitask", model, model_input(path, True), spec["tasks"])
            frames = hidden.shape[1]
            rows[name] = []
            tokens = [p for p in phones if p.label not in ("", "sil") and p.label not in INITIALS]
            for phone, (tone, final) in zip(tokens, finals):
                frame = min(math.floor(((phone.start + phone.end) / 2) / 0.02), frames - 1)
                expected["tokens"].append([name, speaker, phone.start, phone.end, frame, tone, final,
                                           "F" if speaker == "S0001" else "M"])
                rows[name].append(frame)
            expected["logits"][name] = {task: [rounded(r) for r in array] for task, array in logits.items()}
            for layer in range(hidden.shape[0]):
                expected["hidden"].setdefault(str(layer), []).extend(rounded(r) for r in hidden[layer, rows[name]])
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"{len(expected['tokens'])} tokens; fixtures: {total / 1024:.0f} KB in {OUT}")


if __name__ == "__main__":
    main()
