"""The sample corpus's design: which speakers (espeak-ng voices), which syllables, which utterances.
Everything here is drawn from one seed, so make_corpus.py reproduces the corpus exactly.

Syllables are Mandarin pinyin with a tone digit (`zhang1`). Initials are the obstruents (voiceless in
Mandarin: the final then starts at the voicing onset, which make_corpus.py measures) or none; the
sonorant initials m n l r are left out because their boundary with the final cannot be read from
voicing. Finals are named as they are spelled after a consonant (`iu`, `ui`, `un`), also for
zero-initial syllables (`you` → final `iu`, `wei` → `ui`, `wen` → `un`).
"""
import numpy as np

SEED = 20251

# Finals each initial combines with in standard pinyin (ü finals of j q x left out: spelled `u`).
LABIAL = "a o ai ei ao an en ang eng i ie iao ian in ing u".split()
COMBINATIONS = {
    "b": LABIAL, "p": LABIAL,
    "f": "a o ei an en ang eng u ou".split(),
    "d": "a e ai ei ao ou an ang eng ong i ie iao iu ian ing u uo ui un uan".split(),
    "t": "a e ai ao ou an ang eng ong i ie iao ian ing u uo ui un uan".split(),
    "g": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang".split(),
    "k": "a e ai ao ou an en ang eng ong u ua uo uai ui uan un uang".split(),
    "h": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang".split(),
    "j": "i ia ie iao iu ian in iang ing".split(),
    "q": "i ia ie iao iu ian in iang ing".split(),
    "x": "i ia ie iao iu ian in iang ing".split(),
    "z": "a e ai ei ao ou an en ang eng ong u uo ui un uan".split(),
    "c": "a e ai ao ou an en ang eng ong u uo ui un uan".split(),
    "s": "a e ai ao ou an en ang eng ong u uo ui un uan".split(),
    "zh": "a e ai ao ou an en ang eng ong u ua uo uai ui un uan uang".split(),
    "ch": "a e ai ao ou an en ang eng ong u ua uo uai ui un uan uang".split(),
    "sh": "a e ai ei ao ou an en ang eng u ua uo uai ui un uan uang".split(),
}
# Zero-initial syllables: final → spelling.
ZERO_INITIAL = {"a": "a", "e": "e", "ai": "ai", "ao": "ao", "ou": "ou", "an": "an", "en": "en",
                "ang": "ang", "i": "yi", "ia": "ya", "ie": "ye", "iao": "yao", "iu": "you", "ian": "yan",
                "in": "yin", "iang": "yang", "ing": "ying", "u": "wu", "ua": "wa", "uo": "wo",
                "uai": "wai", "ui": "wei", "uan": "wan", "un": "wen", "uang": "wang"}

# Tones 1–4 equally often; the neutral tone 5 less often, as in speech.
TONE_WEIGHTS = np.array([0.225, 0.225, 0.225, 0.225, 0.10])

UTTERANCES_PER_SPEAKER = 48         # the full corpus (training and evaluation)
SAMPLE_UTTERANCES = 20               # the first ones of each speaker go into sample-data/
SYLLABLES_PER_UTTERANCE = (3, 5)     # inclusive
HELD_OUT = ("S07", "S08", "S15", "S16")   # 2 F + 2 M, never seen in training


def syllable_list():
    """Every (spelling, initial, final) the corpus draws from; initial '' for zero-initial syllables."""
    out = [(initial + final, initial, final) for initial, finals in COMBINATIONS.items() for final in finals]
    out += [(spelling, "", final) for final, spelling in ZERO_INITIAL.items()]
    return out


def speakers(rng):
    """16 speakers, 8 F (S01–S08) and 8 M (S09–S16): espeak-ng variant, pitch (-p) and rate (-s).
    Variants f1–f5 and m1–m7 are each used once, and three of them twice with another pitch and rate."""
    female = ["f1", "f2", "f3", "f4", "f5", "f2", "f4", "f5"]
    male = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m3"]
    out = []
    for index, (variant, sex) in enumerate([(v, "F") for v in female] + [(v, "M") for v in male]):
        out.append(dict(speaker=f"S{index + 1:02d}", sex=sex, variant=variant,
                        pitch=int(rng.integers(35, 66)), rate=int(rng.integers(140, 191))))
    return out


def utterances(rng, speaker):
    """The utterances of one speaker: lists of (syllable, initial, final, tone)."""
    inventory = syllable_list()
    out = []
    for _ in range(UTTERANCES_PER_SPEAKER):
        count = int(rng.integers(SYLLABLES_PER_UTTERANCE[0], SYLLABLES_PER_UTTERANCE[1] + 1))
        words = []
        for _ in range(count):
            spelling, initial, final = inventory[int(rng.integers(len(inventory)))]
            tone = int(rng.choice(5, p=TONE_WEIGHTS)) + 1
            words.append((f"{spelling}{tone}", initial, final, tone))
        out.append(words)
    return out
