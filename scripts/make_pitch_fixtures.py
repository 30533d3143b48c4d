"""Writes the pitch fixtures of Tests/ExtractionTests/Fixtures/pitch: the syllable "ma" in the four
Mandarin tones, spoken by espeak-ng (voice cmn-latn-pinyin, male variant m1 and female f1;
22,050 Hz) and resampled by sox to 16 kHz FLAC, and praat.json: Praat's pitch (through
praat-parselmouth, autocorrelation method, floor 60 Hz, ceiling 500 Hz, 10 ms steps) read at the
centre of every 20 ms frame, (i + 0.5) * 0.02 s, null where Praat finds the frame unvoiced.

Run from the repository root (needs espeak-ng and sox):  python3 scripts/make_pitch_fixtures.py
"""
import json
import math
import os
import subprocess
import tempfile

import parselmouth

OUT = "Tests/ExtractionTests/Fixtures/pitch"


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        for voice in ("m1", "f1"):
            for tone in (1, 2, 3, 4):
                name = f"ma{tone}-{voice}.flac"
                wav = os.path.join(tmp, f"{tone}{voice}.wav")
                subprocess.run(["espeak-ng", "-v", f"cmn-latn-pinyin+{voice}", "-w", wav, f"ma{tone}"], check=True)
                flac = os.path.join(OUT, name)
                subprocess.run(["sox", wav, "-r", "16000", "-b", "16", flac], check=True)
                sound = parselmouth.Sound(flac)
                pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=500.0)
                frames = int(sound.duration / 0.02)
                values = []
                for i in range(frames):
                    value = pitch.get_value_at_time((i + 0.5) * 0.02)
                    values.append(None if value is None or math.isnan(value) else round(value, 3))
                expected[name] = values
    with open(os.path.join(OUT, "praat.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
