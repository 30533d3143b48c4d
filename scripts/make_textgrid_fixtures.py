"""Writes the TextGrid fixtures of Tests/ExtractionTests and praatio's reading of each as JSON.

TextGrids are written by praatio (pinned in scripts/requirements.txt) in Praat's long and short
text formats, re-encoded as UTF-8 with a byte-order mark (CR LF line ends), UTF-16 LE and UTF-16 BE
(both with a mark, as Python and Praat write them); one follows the Montreal Forced Aligner's layout
(tiers `words` and `phones`); one is hand-written the way Praat writes multi-line labels. The
expected values are praatio.textgrid.openTextgrid's intervals and labels. The malformed files are
hand-made; their expected line numbers are in malformed.json.

Run from the repository root:  python3 scripts/make_textgrid_fixtures.py
"""
import json
import os

from praatio import textgrid
from praatio.utilities.constants import Interval, Point

OUT = "Tests/ExtractionTests/Fixtures/textgrids"


def phones_grid():
    tg = textgrid.Textgrid()
    words = [Interval(0.0, 0.12, ""), Interval(0.12, 0.61, "北京"), Interval(0.61, 0.75, "sil"),
             Interval(0.75, 1.3, 'say "hi"'), Interval(1.3, 1.52, "")]
    phones = [Interval(0.0, 0.12, ""), Interval(0.12, 0.2, "b"), Interval(0.2, 0.35, "ei3"),
              Interval(0.35, 0.43, "j"), Interval(0.43, 0.61, "ing1"), Interval(0.61, 0.75, "sil"),
              Interval(0.75, 0.9, "sh"), Interval(0.9, 1.05, "i4"), Interval(1.05, 1.3, "v3"),
              Interval(1.3, 1.52, "")]
    tones = [Point(0.3, "L"), Point(0.52, "H"), Point(1.12, "LH")]
    tg.addTier(textgrid.IntervalTier("words", words, 0.0, 1.52))
    tg.addTier(textgrid.IntervalTier("phones", phones, 0.0, 1.52))
    tg.addTier(textgrid.PointTier("tones", tones, 0.0, 1.52))
    return tg


def mfa_grid():
    """As the Montreal Forced Aligner writes: words then phones, empty silences, spn for unknown words."""
    tg = textgrid.Textgrid()
    words = [Interval(0.0, 0.25, ""), Interval(0.25, 0.71, "ni3"), Interval(0.71, 1.1, "hao3"),
             Interval(1.1, 1.33, "<unk>"), Interval(1.33, 1.9, "")]
    phones = [Interval(0.0, 0.25, ""), Interval(0.25, 0.34, "n"), Interval(0.34, 0.71, "i3"),
              Interval(0.71, 0.8, "h"), Interval(0.8, 1.1, "ao3"), Interval(1.1, 1.33, "spn"),
              Interval(1.33, 1.9, "")]
    tg.addTier(textgrid.IntervalTier("words", words, 0.0, 1.9))
    tg.addTier(textgrid.IntervalTier("phones", phones, 0.0, 1.9))
    return tg


PRAAT_MULTILINE = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0 
xmax = 2 
tiers? <exists> 
size = 1 
item []: 
    item [1]:
        class = "IntervalTier" 
        name = "notes" 
        xmin = 0 
        xmax = 2 
        intervals: size = 2 
        intervals [1]:
            xmin = 0 
            xmax = 1.25 
            text = "two
lines" 
        intervals [2]:
            xmin = 1.25 
            xmax = 2 
            text = "a ""quoted"" word" 
'''

LONG_HEAD = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0 
xmax = 1 
tiers? <exists> 
size = 1 
item []: 
    item [1]:
        class = "IntervalTier" 
        name = "phones" 
        xmin = 0 
        xmax = 1 
'''

# name → (text or bytes, expected line, a phrase the message must contain)
MALFORMED = {
    "bad-number.TextGrid": (LONG_HEAD + '''        intervals: size = 2 
        intervals [1]:
            xmin = 0 
            xmax = abc 
            text = "a1" 
        intervals [2]:
            xmin = 0.5 
            xmax = 1 
            text = "" 
''', 17, "expected a number (the end of interval 1 of tier 1 ('phones'))"),
    "bad-unclosed.TextGrid": (LONG_HEAD + '''        intervals: size = 1 
        intervals [1]:
            xmin = 0 
            xmax = 1 
            text = "a1 
''', 18, "never closed"),
    "bad-reversed.TextGrid": (LONG_HEAD + '''        intervals: size = 1 
        intervals [1]:
            xmin = 0.8 
            xmax = 0.2 
            text = "a1" 
''', 16, "ends (0.2) before it starts (0.8)"),
    "bad-overlap.TextGrid": (LONG_HEAD + '''        intervals: size = 2 
        intervals [1]:
            xmin = 0 
            xmax = 0.6 
            text = "a1" 
        intervals [2]:
            xmin = 0.4 
            xmax = 1 
            text = "o2" 
''', 20, "interval 2 of tier 1 ('phones') starts at 0.4 s, before interval 1 ends (0.6 s)"),
    "bad-truncated.TextGrid": (LONG_HEAD + '''        intervals: size = 3 
        intervals [1]:
            xmin = 0 
            xmax = 0.5 
            text = "a1" 
''', 19, "expected a number (the start of interval 2 of tier 1 ('phones')), found the end of the file"),
    "bad-class.TextGrid": ('''File type = "ooTextFile"
Object class = "TextGrid"

0
1
<exists>
1
"PitchTier"
"f0"
0
1
0
''', 8, 'tier 1 has class "PitchTier"'),
    "bad-object.TextGrid": ('''File type = "ooTextFile"
Object class = "Sound 2"

xmin = 0
''', 2, "holds a Praat Sound 2, not a TextGrid"),
    "bad-short-string.TextGrid": ('''File type = "ooTextFile"
Object class = "TextGrid"

0
1
<exists>
1
"IntervalTier"
"phones"
0
1
1
0
1
ang4
''', 15, "expected the text of interval 1 of tier 1 ('phones') in quotes, found 'ang4'"),
    "bad-binary.TextGrid": (b"ooBinaryFile\x08TextGrid\x00\x00\x00\x00", 1, "binary TextGrid"),
    "bad-empty.TextGrid": ("", 1, "expected the file type"),
}


def as_json(path):
    """praatio's reading: tiers with their kind, extent and entries, in file order."""
    tg = textgrid.openTextgrid(path, includeEmptyIntervals=True)
    tiers = []
    for name in tg.tierNames:
        tier = tg.getTier(name)
        kind = "interval" if isinstance(tier, textgrid.IntervalTier) else "point"
        if kind == "interval":
            entries = [[e.start, e.end, e.label] for e in tier.entries]
        else:
            entries = [[e.time, e.time, e.label] for e in tier.entries]
        tiers.append({"name": name, "kind": kind, "xmin": tier.minTimestamp, "xmax": tier.maxTimestamp,
                      "entries": entries})
    return {"xmin": tg.minTimestamp, "xmax": tg.maxTimestamp, "tiers": tiers}


def write_encoded(path, text, encoding, crlf=False):
    if crlf:
        text = text.replace("\n", "\r\n")
    if encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    elif encoding == "utf-16-le":
        data = b"\xff\xfe" + text.encode("utf-16-le")
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    with open(path, "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    grids = {"praatio": phones_grid(), "mfa": mfa_grid()}
    for stem, tg in grids.items():
        for fmt in ("long", "short"):
            path = os.path.join(OUT, f"{stem}-{fmt}.TextGrid")
            tg.save(path, format=f"{fmt}_textgrid", includeBlankSpaces=True)
    with open(os.path.join(OUT, "praatio-long.TextGrid"), encoding="utf-8") as f:
        long_text = f.read()
    with open(os.path.join(OUT, "praatio-short.TextGrid"), encoding="utf-8") as f:
        short_text = f.read()
    write_encoded(os.path.join(OUT, "praatio-long-utf8bom-crlf.TextGrid"), long_text, "utf-8-sig", crlf=True)
    write_encoded(os.path.join(OUT, "praatio-long-utf16le.TextGrid"), long_text, "utf-16-le")
    write_encoded(os.path.join(OUT, "praatio-short-utf16be.TextGrid"), short_text, "utf-16-be")
    write_encoded(os.path.join(OUT, "praat-multiline.TextGrid"), PRAAT_MULTILINE, "utf-8")

    for name in sorted(os.listdir(OUT)):
        if name.endswith(".TextGrid") and not name.startswith("bad-"):
            expected[name] = as_json(os.path.join(OUT, name))
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)

    malformed = {}
    for name, (content, line, phrase) in MALFORMED.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        malformed[name] = {"line": line, "contains": phrase}
    with open(os.path.join(OUT, "malformed.json"), "w", encoding="utf-8") as f:
        json.dump(malformed, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
