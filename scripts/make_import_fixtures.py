#!/usr/bin/env python3
"""Writes the numpy-made inputs of the import/export tests to Tests/CLITests/Fixtures/import/,
and the .npy header cases of the Store tests to Tests/StoreTests/Fixtures/headers/.

Every array file is written by numpy itself (np.save, np.savez, np.savez_compressed,
np.lib.format.write_array), so the tests check layerscope against the format as numpy writes it:
float16/32/64, little- and big-endian, C and Fortran order, header versions 1.0 and 2.0,
stacked and per-layer layouts. `expected.npy` holds the true values ((layers x tokens) x dim,
float32) every layout encodes. The bad/ folder holds the malformed inputs import must refuse.
"""
import os
import shutil

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "CLITests", "Fixtures", "import")


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "bad"))
    rng = np.random.default_rng(7)
    layers, tokens, dim = 3, 12, 4
    # Values exactly representable in float16, so every layout must reproduce them bit for bit.
    values = (rng.integers(-2000, 2000, size=(layers, tokens, dim)) / 64).astype(np.float32)
    np.save(os.path.join(OUT, "expected.npy"), values.reshape(layers * tokens, dim))

    utterances = [("u1", "S1", "F"), ("u2", "S2", "M"), ("u3", "S1", "F")]
    with open(os.path.join(OUT, "tokens.tsv"), "w") as f:
        f.write("utterance\tspeaker\tstart\tend\tsex\ttone\n")
        for i in range(tokens):
            utt, spk, sex = utterances[i // 4]
            start = (i % 4) * 0.25
            tone = "" if i == 5 else str(i % 5 + 1)  # one token without a tone
            f.write(f"{utt}\t{spk}\t{start:.2f}\t{start + 0.2:.2f}\t{sex}\t{tone}\n")
    with open(os.path.join(OUT, "tokens.csv"), "w") as f:
        f.write("Utterance,Speaker,Start,End,Frame,sex,word\n")
        for i in range(tokens):
            utt, spk, sex = utterances[i // 4]
            start = (i % 4) * 0.25
            f.write(f'{utt},{spk},{start:.2f},{start + 0.2:.2f},{i},{sex},"w{i % 3}, said ""x"""\n')

    for layer in range(layers):
        np.save(os.path.join(OUT, f"layer_{layer}.npy"), values[layer])
    np.save(os.path.join(OUT, "stacked_f64_be.npy"), values.astype(">f8"))
    np.save(os.path.join(OUT, "stacked_f16_fortran.npy"), np.asfortranarray(values.astype(np.float16)))
    np.savez(os.path.join(OUT, "layers.npz"), **{f"layer_{i}": values[i].astype(np.float16) for i in range(layers)})
    np.savez_compressed(os.path.join(OUT, "hidden_states.npz"), hidden_states=np.asfortranarray(values))
    with open(os.path.join(OUT, "stacked_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, values, version=(2, 0))
    # A float16 array as numpy writes it: the store's own writer must produce the same bytes.
    np.save(os.path.join(OUT, "numpy_f16.npy"), values[0].astype(np.float16))

    frames = {utt: rng.normal(size=(30 + 5 * k, 5)).astype(np.float32) for k, (utt, _, _) in enumerate(utterances)}
    np.savez(os.path.join(OUT, "frames_tone.npz"), __classes__=np.array(["1", "2", "3", "4", "5"]), **frames)
    probabilities = {utt: np.tile(np.array([[0.9, 0.1]], dtype=np.float32), (30, 1)) for utt, _, _ in utterances[:2]}
    np.savez(os.path.join(OUT, "frames_sex_noclasses.npz"), **probabilities)
    np.savez(os.path.join(OUT, "frames_unknown_utterance.npz"), __classes__=np.array(["F", "M"]),
             u9=np.zeros((3, 2), dtype=np.float32))

    bad = os.path.join(OUT, "bad")
    good = open(os.path.join(OUT, "layer_0.npy"), "rb").read()
    open(os.path.join(bad, "truncated.npy"), "wb").write(good[: len(good) - 20])
    open(os.path.join(bad, "wrong_magic.npy"), "wb").write(b"\x93NUMPX" + good[6:])
    with open(os.path.join(bad, "shape_mismatch.npy"), "wb") as f:
        np.save(f, values[0])
        f.write(np.zeros(dim, dtype=np.float32).tobytes())  # one row more than the header says
    np.save(os.path.join(bad, "object.npy"), np.array([[1, "a"]] * tokens, dtype=object), allow_pickle=True)
    nonfinite = values[0].copy()
    nonfinite[2, 1] = np.nan
    nonfinite[7, 0] = np.inf
    nonfinite[7, 3] = -np.inf
    np.save(os.path.join(bad, "nonfinite.npy"), nonfinite)
    np.save(os.path.join(bad, "too_large_for_float16.npy"), values[0] * 4000)
    np.save(os.path.join(bad, "eleven_rows.npy"), values[0][:11])
    np.save(os.path.join(bad, "integers.npy"), np.zeros((tokens, dim), dtype=np.int64))
    with open(os.path.join(bad, "tokens_no_speaker.tsv"), "w") as f:
        f.write("utterance\tstart\tend\ttone\n")
        for i in range(tokens):
            f.write(f"u1\t{i * 0.25:.2f}\t{i * 0.25 + 0.2:.2f}\t1\n")
    with open(os.path.join(bad, "tokens_bad_number.tsv"), "w") as f:
        f.write("utterance\tspeaker\tstart\tend\n")
        for i in range(tokens):
            f.write(f"u1\tS1\t{'x' if i == 3 else f'{i * 0.25:.2f}'}\t{i * 0.25 + 0.2:.2f}\n")
    print(f"wrote fixtures to {OUT}")
    write_header_fixtures()


def write_header_fixtures():
    """One small array per dtype/order/version numpy can write, for the .npy header parser tests."""
    out = os.path.join(ROOT, "Tests", "StoreTests", "Fixtures", "headers")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    cases = {
        "f4_2d": np.zeros((3, 5), "<f4"), "f2_1d": np.zeros(7, "<f2"), "f8_be_3d": np.zeros((2, 3, 4), ">f8"),
        "fortran": np.asfortranarray(np.zeros((3, 4), "<f4")), "scalar": np.float32(1.5),
        "u7": np.array(["a", "bbbbbbb"]), "bytes": np.array([b"ab", b"c"]), "i8": np.zeros((2, 2), "<i8"),
        "bool": np.zeros(3, bool), "empty": np.zeros((0, 4), "<f4"),
    }
    for name, array in cases.items():
        np.save(os.path.join(out, name + ".npy"), array)
    with open(os.path.join(out, "v3.npy"), "wb") as f:
        np.lib.format.write_array(f, np.zeros((2, 2), "<f4"), version=(3, 0))


if __name__ == "__main__":
    main()
