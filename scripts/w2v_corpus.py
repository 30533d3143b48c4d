"""The synthesized corpus as the training scripts see it: per utterance, the model's input (16 kHz,
normalised as Wav2Vec2FeatureExtractor does), the pre-training objective's targets (log-mel spectrum and
F0 (Praat) per frame, and the labelled tokens (tone, sex, final) at the central 20 ms frame of every final."""
import csv
import os

import numpy as np
import parselmouth
import soundfile
from praatio import textgrid

RATE = 16000
WINDOW, HOP = 400, 320      # wav2vec2's feature encoder: receptive field and stride, in samples
N_MELS = 80
TONES = ["1", "2", "3", "4", "5"]
SEXES = ["F", "M"]


def frame_count(samples):
    """Frames of the feature encoder (conv kernels 10,3,3,3,3,2,2, strides 5,2,2,2,2,2,2)."""
    length = samples
    for kernel, stride in zip((10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)):
        length = (length - kernel) // stride + 1
    return length


def central_frame(start, end, frames):
    """The token's frame as layerscope places it (Extraction's TokenPlanner): floor(midpoint / 20 ms),
    clamped to the utterance's frames."""
    return int(min(max(np.floor((start + end) / 2 / 0.02), 0), frames - 1))


def mel_filterbank(n_fft=WINDOW, n_mels=N_MELS, fmin=0.0, fmax=RATE / 2):
    """HTK-style triangular mel filters, (n_fft // 2 + 1) × n_mels."""
    def mel(f):
        return 2595 * np.log10(1 + f / 700)

    def hz(m):
        return 700 * (10 ** (m / 2595) - 1)

    edges = hz(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1 / RATE)
    bank = np.zeros((bins.size, n_mels))
    for i in range(n_mels):
        left, centre, right = edges[i:i + 3]
        bank[:, i] = np.clip(np.minimum((bins - left) / (centre - left), (right - bins) / (right - centre)), 0, None)
    return bank.astype(np.float32)


MEL = mel_filterbank()


def log_mel(samples):
    """log-mel frames aligned with the feature encoder's frames: 25 ms Hann windows every 20 ms."""
    frames = frame_count(samples.size)
    index = np.arange(WINDOW)[None, :] + HOP * np.arange(frames)[:, None]
    spectrum = np.abs(np.fft.rfft(samples[index] * np.hanning(WINDOW), axis=1)) ** 2
    return np.log(spectrum @ MEL + 1e-6).astype(np.float32)


def frame_f0(samples):
    """Praat's F0 at every feature-encoder frame's centre, in semitones re 100 Hz; NaN where unvoiced.
    One pitch range (60–400 Hz) for every voice, so no label enters the pre-training targets."""
    pitch = parselmouth.Sound(samples.astype(np.float64), RATE).to_pitch(time_step=0.01, pitch_floor=60,
                                                                       pitch_ceiling=400)
    centres = (HOP * np.arange(frame_count(samples.size)) + WINDOW / 2) / RATE
    hz = np.array([pitch.get_value_at_time(t) for t in centres])
    return (12 * np.log2(hz / 100)).astype(np.float32)


def normalise(samples):
    """Wav2Vec2FeatureExtractor(do_normalize=True): zero mean, unit variance (eps 1e-7)."""
    return ((samples - samples.mean()) / np.sqrt(samples.var() + 1e-7)).astype(np.float32)


def load(corpus_dir, held_out):
    """A list of utterances: dict(name, speaker, sex, split, input, mel, f0, tokens=[(frame, tone, final)])."""
    with open(os.path.join(corpus_dir, "speakers.tsv")) as f:
        sex_of = {row["speaker"]: row["sex"] for row in csv.DictReader(f, delimiter="\t")}
    utterances = []
    for name in sorted(os.listdir(os.path.join(corpus_dir, "audio"))):
        stem = name.rsplit(".", 1)[0]
        speaker = stem[:3]
        samples, rate = soundfile.read(os.path.join(corpus_dir, "audio", name), dtype="float32")
        assert rate == RATE, name
        frames = frame_count(samples.size)
        grid = textgrid.openTextgrid(os.path.join(corpus_dir, "alignments", stem + ".TextGrid"), False)
        tokens = [(central_frame(start, end, frames), int(label[-1]) - 1, label[:-1])
                  for start, end, label in grid.getTier("phones").entries if label[-1:].isdigit()]
        utterances.append(dict(name=stem, speaker=speaker, sex=SEXES.index(sex_of[speaker]),
                               split="test" if speaker in held_out else "train", input=normalise(samples),
                               mel=log_mel(samples), f0=frame_f0(samples), tokens=tokens))
    return utterances


def groups(count, size, rng):
    """The indices 0..<count shuffled and cut into groups of `size` (one optimizer step each)."""
    order = rng.permutation(count)
    return [order[i:i + size].tolist() for i in range(0, count, size)]
