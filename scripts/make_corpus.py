#!/usr/bin/env python3
"""Synthesizes the sample corpus: Mandarin syllable strings spoken by 16 espeak-ng voices (8 F, 8 M),
16 kHz FLAC, TextGrids whose boundaries are known by construction, and speakers.tsv. Then checks,
with Praat's pitch tracker, that the tones differ in F0 contour as expected and the sexes in mean F0.

    python3 scripts/make_corpus.py [--out scripts/out/corpus] [--sample sample-data/corpus]

The full corpus (48 utterances per speaker) goes to --out and is what the models are trained and
tested on; the first 20 utterances of every speaker are copied to --sample for sample-data/.

Method (see sample-data/README.md):
- each syllable is synthesized alone (`espeak-ng -v cmn-latn-pinyin+VARIANT -p PITCH -s RATE ma3`),
  resampled 22,050 → 16,000 Hz by sox, and trimmed of espeak's leading and trailing silence;
- an utterance is its syllables joined by silences of random length, so every syllable's interval
  (words tier) is exact to the sample;
- the initial/final boundary (phones tier) is the voicing onset inside the syllable: the first of three
  consecutive voiced frames of Praat's pitch tracker (2.5 ms steps). All initials are voiceless
  obstruents, so the final starts there by the usual phonetic convention. As a check of its
  uncertainty, for finals that can be spoken alone without a glide (a e ai ao ou an en ang) the
  script also synthesizes the final alone and reports (syllable − final alone) − initial.
Deterministic: the same seed and the same espeak-ng and sox give the same corpus.
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import parselmouth
import soundfile
from praatio import textgrid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_inventory as inventory  # noqa: E402
from corpus_f0 import check_f0  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RATE = 16000
PLAIN_FINALS = {"a", "e", "ai", "ao", "ou", "an", "en", "ang"}   # spoken alone without a glide
EDGE_PAD = 0.10      # silence before the first and after the last syllable (s)
GAP = (0.06, 0.14)   # silence between syllables (s)


def synthesize(syllable, voice):
    """One syllable from espeak-ng, resampled to 16 kHz by sox, as float32 samples."""
    espeak = subprocess.run(["espeak-ng", "-v", f"cmn-latn-pinyin+{voice['variant']}", "-p", str(voice["pitch"]),
                             "-s", str(voice["rate"]), "--stdout", syllable], check=True, capture_output=True)
    sox = subprocess.run(["sox", "-t", "wav", "-", "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1",
                          "-r", str(RATE), "-"], input=espeak.stdout, check=True, capture_output=True)
    return np.frombuffer(sox.stdout, dtype=np.float32).copy()


def trim(samples, threshold=0.003):
    """The syllable without espeak's leading and trailing silence (first/last sample above threshold)."""
    loud = np.nonzero(np.abs(samples) > threshold)[0]
    if loud.size == 0:
        raise SystemExit("espeak-ng produced silence")
    return samples[loud[0]:loud[-1] + 1]


def voicing_onset(samples, sex):
    """Sample index where voicing starts: the first of three consecutive voiced frames of Praat's
    autocorrelation pitch tracker (2.5 ms steps, pitch range by sex)."""
    floor, ceiling = (60, 250) if sex == "M" else (110, 450)
    pitch = parselmouth.Sound(samples.astype(np.float64), RATE).to_pitch(time_step=0.0025, pitch_floor=floor,
                                                                       pitch_ceiling=ceiling)
    voiced = pitch.selected_array["frequency"] > 0
    run = voiced[:-2] & voiced[1:-1] & voiced[2:]
    if not run.any():
        return 0
    return int(round(pitch.xs()[int(np.argmax(run))] * RATE))


def onset_by_subtraction(syllable_audio, final, tone, voice):
    """The initial's duration estimated by construction: the syllable's length minus that of its final
    synthesized alone (only for finals spoken alone without a glide), for the uncertainty report."""
    if final not in PLAIN_FINALS:
        return None
    alone = trim(synthesize(f"{final}{tone}", voice))
    return (syllable_audio.size - alone.size) / RATE


def make_utterance(rng, words, voice):
    """Audio and intervals (words, phones) of one utterance of (syllable, initial, final, tone)."""
    pieces = [np.zeros(int(EDGE_PAD * RATE), np.float32)]
    position = pieces[0].size
    word_tier, phone_tier, offsets = [], [], []
    for index, (syllable, initial, final, tone) in enumerate(words):
        audio = trim(synthesize(syllable, voice))
        onset = voicing_onset(audio, voice["sex"]) if initial else 0
        start, end = position, position + audio.size
        word_tier.append((start / RATE, end / RATE, syllable))
        if initial:
            phone_tier.append((start / RATE, (start + onset) / RATE, initial))
            other = onset_by_subtraction(audio, final, tone, voice)
            offsets.append((initial, onset / RATE, None if other is None else other - onset / RATE))
        phone_tier.append(((start + onset) / RATE, end / RATE, f"{final}{tone}"))
        pieces.append(audio)
        position = end
        pad = EDGE_PAD if index == len(words) - 1 else rng.uniform(*GAP)
        pieces.append(np.zeros(int(round(pad * RATE)), np.float32))
        position += pieces[-1].size
    return np.concatenate(pieces), word_tier, phone_tier, offsets


def write_textgrid(path, duration, word_tier, phone_tier):
    tg = textgrid.Textgrid()
    tg.addTier(textgrid.IntervalTier("words", word_tier, 0, duration))
    tg.addTier(textgrid.IntervalTier("phones", phone_tier, 0, duration))
    tg.save(path, format="long_textgrid", includeBlankSpaces=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "scripts", "out", "corpus"))
    parser.add_argument("--sample", default=os.path.join(ROOT, "sample-data", "corpus"))
    args = parser.parse_args()
    rng = np.random.default_rng(inventory.SEED)
    voices = inventory.speakers(rng)
    audio_dir, align_dir = os.path.join(args.out, "audio"), os.path.join(args.out, "alignments")
    for directory in (audio_dir, align_dir):
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
    with open(os.path.join(args.out, "speakers.tsv"), "w") as f:
        f.write("speaker\tsex\n")
        f.writelines(f"{v['speaker']}\t{v['sex']}\n" for v in voices)
    with open(os.path.join(args.out, "voices.tsv"), "w") as f:
        f.write("speaker\tsex\tespeak_voice\tpitch\trate\tsplit\n")
        f.writelines(f"{v['speaker']}\t{v['sex']}\tcmn-latn-pinyin+{v['variant']}\t{v['pitch']}\t{v['rate']}\t"
                     f"{'test' if v['speaker'] in inventory.HELD_OUT else 'train'}\n" for v in voices)
    records, offsets, seconds = [], [], 0.0
    for voice in voices:
        for number, words in enumerate(inventory.utterances(rng, voice), start=1):
            name = f"{voice['speaker']}U{number:03d}"
            audio, word_tier, phone_tier, found = make_utterance(rng, words, voice)
            duration = audio.size / RATE
            soundfile.write(os.path.join(audio_dir, name + ".flac"), audio, RATE, subtype="PCM_16")
            write_textgrid(os.path.join(align_dir, name + ".TextGrid"), duration, word_tier, phone_tier)
            offsets += found
            seconds += duration
            for start, end, label in phone_tier:
                if label[-1].isdigit():
                    records.append(dict(utterance=name, speaker=voice["speaker"], sex=voice["sex"],
                                        final=label[:-1], tone=int(label[-1]), start=start, end=end))
        print(f"{voice['speaker']} ({voice['sex']}, {voice['variant']}, -p {voice['pitch']} -s {voice['rate']}) done",
              flush=True)
    finals = sorted({r["final"] for r in records})
    print(f"\n{len(voices)} speakers, {len(records)} syllables, {seconds / 60:.1f} min of audio, "
          f"{len(finals)} finals: {' '.join(finals)}")
    print("tokens per tone: " + ", ".join(f"{t}: {sum(r['tone'] == t for r in records)}" for t in range(1, 6)))
    report_onsets(offsets)
    ok = check_f0(records, audio_dir, voices)
    copy_sample(args.out, args.sample, voices)
    for where in (args.out, args.sample):
        size = sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(where) for n in names)
        print(f"corpus: {size / 1e6:.1f} MB in {where}")
    return 0 if ok else 1


def copy_sample(full, sample, voices):
    """The first SAMPLE_UTTERANCES utterances of every speaker, with speakers.tsv and voices.tsv."""
    for sub in ("audio", "alignments"):
        if os.path.isdir(os.path.join(sample, sub)):
            shutil.rmtree(os.path.join(sample, sub))
        os.makedirs(os.path.join(sample, sub))
    for name in ("speakers.tsv", "voices.tsv"):
        shutil.copyfile(os.path.join(full, name), os.path.join(sample, name))
    tokens = 0
    for voice in voices:
        for number in range(1, inventory.SAMPLE_UTTERANCES + 1):
            name = f"{voice['speaker']}U{number:03d}"
            shutil.copyfile(os.path.join(full, "audio", name + ".flac"), os.path.join(sample, "audio", name + ".flac"))
            shutil.copyfile(os.path.join(full, "alignments", name + ".TextGrid"),
                            os.path.join(sample, "alignments", name + ".TextGrid"))
            tokens += sum(1 for _, _, label in textgrid.openTextgrid(
                os.path.join(sample, "alignments", name + ".TextGrid"), False).getTier("phones").entries
                if label[-1:].isdigit())
    print(f"\nsample: {len(voices) * inventory.SAMPLE_UTTERANCES} utterances, {tokens} syllables → {sample}")


def report_onsets(offsets):
    """Initial durations by initial, and the check by subtraction (the boundary's uncertainty)."""
    print("\ninitial/final boundary = voicing onset: initial durations by initial; check by subtraction:")
    print("(syllable − its final synthesized alone) − initial, where the final can be spoken alone")
    print(f"  {'initial':8}{'n':>5}{'duration ms':>14}{'n':>6}{'subtraction − onset ms: median [IQR]':>40}")
    for initial in sorted({o[0] for o in offsets}, key=lambda s: (len(s), s)):
        durations = np.array([d for i, d, _ in offsets if i == initial]) * 1000
        diffs = np.array([e for i, _, e in offsets if i == initial and e is not None]) * 1000
        line = f"  {initial:8}{durations.size:5d}{durations.mean():10.0f} ± {durations.std():3.0f}{diffs.size:6d}"
        if diffs.size:
            q1, med, q3 = np.percentile(diffs, [25, 50, 75])
            line += f"{med:22.1f}  [{q1:6.1f}, {q3:6.1f}]"
        print(line)
    diffs = np.array([e for _, _, e in offsets if e is not None]) * 1000
    print(f"  all: median {np.median(diffs):.1f} ms, |difference| ≤ 20 ms for "
          f"{np.mean(np.abs(diffs) <= 20) * 100:.0f}% of {diffs.size} syllables")


if __name__ == "__main__":
    sys.exit(main())
