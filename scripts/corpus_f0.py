"""F0 checks of the synthesized corpus, with Praat's pitch tracker (parselmouth): the tones' contours
over their finals, and the speakers' mean F0 by sex. Prints the figures and says which checks pass."""
import os

import numpy as np
import parselmouth

POINTS = (0.1, 0.3, 0.5, 0.7, 0.9)    # where in the final the contour is sampled
RANGE = {"M": (60, 250), "F": (110, 450)}


def pitch_of(path, sex):
    sound = parselmouth.Sound(path)
    floor, ceiling = RANGE[sex]
    return sound.to_pitch(time_step=0.005, pitch_floor=floor, pitch_ceiling=ceiling)


def check_f0(records, audio_dir, voices):
    """records: dicts with utterance, speaker, sex, tone, start, end (of the final). Returns True if all
    checks hold."""
    sex_of = {v["speaker"]: v["sex"] for v in voices}
    by_utterance = {}
    for r in records:
        by_utterance.setdefault(r["utterance"], []).append(r)
    voiced_f0 = {s: [] for s in sex_of}
    contours = []   # (speaker, tone, Hz at POINTS)
    for utterance, rows in by_utterance.items():
        speaker = rows[0]["speaker"]
        pitch = pitch_of(os.path.join(audio_dir, utterance + ".flac"), sex_of[speaker])
        f0 = pitch.selected_array["frequency"]
        voiced_f0[speaker] += list(f0[f0 > 0])
        for r in rows:
            hz = [pitch.get_value_at_time(r["start"] + p * (r["end"] - r["start"])) for p in POINTS]
            contours.append((speaker, r["tone"], np.array(hz, dtype=float)))
    median = {s: float(np.median(v)) for s, v in voiced_f0.items()}

    print("\nF0 by speaker (Praat, voiced frames): median Hz")
    for sex in ("F", "M"):
        print(f"  {sex}: " + "  ".join(f"{s} {median[s]:.0f}" for s in sorted(median) if sex_of[s] == sex))
    mean_by_sex = {sex: float(np.mean([np.mean(voiced_f0[s]) for s in median if sex_of[s] == sex])) for sex in "FM"}
    print(f"  mean F0: F {mean_by_sex['F']:.0f} Hz, M {mean_by_sex['M']:.0f} Hz "
          f"(ratio {mean_by_sex['F'] / mean_by_sex['M']:.2f})")

    print("\ntone contours over the final, semitones re the speaker's median F0 (mean over tokens)")
    print("  tone     n   " + "".join(f"{int(p * 100):>6d}%" for p in POINTS) + "   end−start   mean")
    summary = {}
    for tone in range(1, 6):
        rows = np.array([12 * np.log2(hz / median[s]) for s, t, hz in contours if t == tone])
        curve = np.nanmean(rows, axis=0)    # a point is missing where Praat finds it unvoiced
        summary[tone] = dict(slope=curve[-1] - curve[0], mean=curve.mean(), low=curve.min())
        print(f"  {tone:4d}{len(rows):6d}   " + "".join(f"{v:7.2f}" for v in curve)
              + f"{summary[tone]['slope']:11.2f}{summary[tone]['mean']:8.2f}")

    male = [median[s] for s in median if sex_of[s] == "M"]
    female = [median[s] for s in median if sex_of[s] == "F"]
    checks = [
        ("tone 1 is level (|end − start| < 1 st)", abs(summary[1]["slope"]) < 1),
        ("tone 2 rises (end − start > 1 st)", summary[2]["slope"] > 1),
        ("tone 4 falls (end − start < −1 st)", summary[4]["slope"] < -1),
        ("tone 3 is low (mean at least 1 st below tone 1's)", summary[3]["mean"] < summary[1]["mean"] - 1),
        ("tone 1 is the highest of tones 1, 3, 5", summary[1]["mean"] > max(summary[3]["mean"], summary[5]["mean"])),
        ("sexes: every F speaker's median F0 above every M speaker's", min(female) > max(male)),
        ("sexes: mean F0 of F at least 1.5 × that of M", mean_by_sex["F"] > 1.5 * mean_by_sex["M"]),
    ]
    print("\nchecks")
    for text, ok in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    return all(ok for _, ok in checks)
