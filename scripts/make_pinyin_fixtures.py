"""Writes Tests/ExtractionTests/Fixtures/pinyin/syllables.json: every toned pinyin syllable of
pypinyin's character dictionary with pypinyin's strict split into initial and final (the standard's:
y and w are not initials, u after j/q/x is ü, written v; iu/ui/un are iou/uei/uen) and its tone.

Entries are [tone-marked, tone digit form, initial ('' for none), final, tone]. pypinyin names the
apical vowel of zi/zhi `i`; layerscope names it ii/iii, which the test derives from the initial.
Syllables pypinyin cannot split (m, n, ng, hm, hng) are left out; the test covers them by hand.

Run from the repository root:  python3 scripts/make_pinyin_fixtures.py
"""
import json
import unicodedata

from pypinyin.contrib.tone_convert import to_finals_tone3, to_initials, tone_to_tone3
from pypinyin.pinyin_dict import pinyin_dict

OUT = "Tests/ExtractionTests/Fixtures/pinyin/syllables.json"


def main():
    marked = set()
    for value in pinyin_dict.values():
        marked.update(value.split(","))
    rows = []
    for syllable in sorted(marked):
        if unicodedata.normalize("NFC", syllable) != syllable or any(unicodedata.combining(c) for c in syllable):
            continue
        tone3 = tone_to_tone3(syllable, neutral_tone_with_five=True)
        final3 = to_finals_tone3(tone3, strict=True, neutral_tone_with_five=True)
        if not final3 or not final3[-1].isdigit():
            continue
        initial = to_initials(tone3, strict=True)
        rows.append([syllable, tone3, initial, final3[:-1], int(final3[-1])])
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")
    print(len(rows), "syllables")


if __name__ == "__main__":
    main()
