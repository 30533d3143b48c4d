#!/usr/bin/env python3
"""Makes the SpeechModel test fixtures: tiny random wav2vec2 checkpoints of every supported kind,
short audio clips, and what transformers 5.23 computes on them (every hidden state, and logits).

    python3 scripts/make_speechmodel_fixtures.py            # writes Tests/SpeechModelTests/Fixtures

Also used by bench/speechmodel.py (make_checkpoint) to make base- and large-sized random checkpoints.
Versions pinned in scripts/requirements.txt (torch 2.13.0, transformers 5.23.0, scipy 1.17.1).
"""
import json
import os
import shutil
import sys

import numpy as np
import soundfile
import torch
from safetensors.torch import load_file, save_file
from scipy.signal import resample_poly
from transformers import (Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForAudioFrameClassification,
                          Wav2Vec2Model)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "SpeechModelTests", "Fixtures")

# The tiny checkpoints. Between them they exercise: group and layer feature norms, post-LN and
# stable-LN encoders, conv_bias true and false, weight_g/weight_v and parametrizations naming,
# float32, float16 and bfloat16 weights, even and odd positional kernels, the frame classifier
# (with and without use_weighted_layer_sum) and layerscope's multi-task heads.
SEVEN_LAYER_STACK = dict(conv_dim=(8, 8, 8, 8, 8, 8, 16), conv_kernel=(10, 3, 3, 3, 3, 2, 2),
                         conv_stride=(5, 2, 2, 2, 2, 2, 2))
SHORT_STACK = dict(conv_dim=(12, 16, 16), conv_kernel=(10, 5, 3), conv_stride=(5, 4, 2))
TINY = {
    "group-postln": dict(
        config=dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=48,
                    feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False,
                    num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4, **SEVEN_LAYER_STACK),
        kind="base", naming="weight_g", dtype=torch.float32, normalize=True),
    "layer-stable": dict(
        config=dict(hidden_size=24, num_hidden_layers=2, num_attention_heads=2, intermediate_size=40,
                    feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True, layer_norm_eps=1e-6,
                    num_conv_pos_embeddings=7, num_conv_pos_embedding_groups=3, **SHORT_STACK),
        kind="base", naming="parametrizations", dtype=torch.float16, normalize=False),
    "frame-classifier": dict(
        config=dict(hidden_size=24, num_hidden_layers=3, num_attention_heads=3, intermediate_size=32,
                    feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True,
                    num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=2,
                    id2label={0: "sil", 1: "vowel", 2: "consonant"}, label2id={"sil": 0, "vowel": 1, "consonant": 2},
                    **SHORT_STACK),
        kind="classifier", naming="parametrizations", dtype=torch.bfloat16, normalize=True),
    "weighted-classifier": dict(
        config=dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24,
                    feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=True,
                    use_weighted_layer_sum=True, num_conv_pos_embeddings=6, num_conv_pos_embedding_groups=2,
                    id2label={0: "x", 1: "y"}, label2id={"x": 0, "y": 1}, **SHORT_STACK),
        kind="classifier", naming="weight_g", dtype=torch.float32, normalize=True),
    "multitask": dict(
        config=dict(hidden_size=24, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
                    feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=True,
                    num_conv_pos_embeddings=10, num_conv_pos_embedding_groups=4, **SHORT_STACK),
        kind="multitask", naming="parametrizations", dtype=torch.float32, normalize=True,
        tasks=[("tone", ["1", "2", "3", "4", "5"]), ("sex", ["F", "M"])]),
}


def perturb(model, generator):
    """Random weights everywhere, including layer-norm scales and biases, so a swapped or skipped
    parameter shows in the outputs."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=generator))


def rename_weight_norm(state, naming):
    if naming != "weight_g":
        return state
    out = {}
    for name, tensor in state.items():
        name = name.replace("parametrizations.weight.original0", "weight_g")
        name = name.replace("parametrizations.weight.original1", "weight_v")
        out[name] = tensor
    return out


def make_checkpoint(directory, config_kwargs, kind="base", naming="parametrizations", dtype=torch.float32,
                    normalize=True, tasks=None, seed=0):
    """Writes a random checkpoint folder (config.json, preprocessor_config.json, model.safetensors)
    and returns the float32 model transformers loads back from it, in eval mode."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    config = Wav2Vec2Config(**config_kwargs)
    model = (Wav2Vec2ForAudioFrameClassification if kind == "classifier" else Wav2Vec2Model)(config).eval()
    perturb(model, generator)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    if kind == "multitask":
        state = {"wav2vec2." + k: v for k, v in state.items()}
        for task, labels in tasks:
            state[f"heads.{task}.weight"] = 0.3 * torch.randn(len(labels), config.hidden_size, generator=generator)
            state[f"heads.{task}.bias"] = 0.1 * torch.randn(len(labels), generator=generator)
    state = {k: v.to(dtype).contiguous() for k, v in rename_weight_norm(state, naming).items()}
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    save_file(state, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
    config.save_pretrained(directory)
    with open(os.path.join(directory, "config.json")) as f:
        saved = json.load(f)
    if kind == "multitask":
        saved["architectures"] = ["LayerscopeWav2Vec2ForFrameClassification"]
        saved["layerscope"] = {"version": 1, "tasks": [
            {"name": task, "id2label": {str(i): label for i, label in enumerate(labels)}} for task, labels in tasks]}
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(saved, f, indent=2, sort_keys=True)
    Wav2Vec2FeatureExtractor(do_normalize=normalize, sampling_rate=16000, return_attention_mask=False,
                             feature_size=1, padding_value=0.0).save_pretrained(directory)
    return load_reference(directory, kind)


def load_reference(directory, kind):
    """The checkpoint as transformers reads it, float32, eval mode; fails on any missing or unused tensor."""
    cls = Wav2Vec2ForAudioFrameClassification if kind == "classifier" else Wav2Vec2Model
    model, info = cls.from_pretrained(directory, dtype=torch.float32, output_loading_info=True)
    missing = [k for k in info["missing_keys"]]
    unexpected = [k for k in info["unexpected_keys"] if not k.startswith("heads.")]
    if missing or unexpected or info.get("mismatched_keys"):
        raise SystemExit(f"{directory}: transformers did not load it cleanly: {info}")
    return model.eval()


def reference_outputs(directory, kind, model, input_values, tasks=None):
    """Hidden states (L+1, frames, hidden) and {task: logits (frames, classes)} as transformers computes them."""
    x = torch.from_numpy(input_values)[None]
    with torch.inference_mode():
        if kind == "classifier":
            out = model(x, output_hidden_states=True)
            return torch.stack(out.hidden_states)[:, 0].numpy(), {"classifier": out.logits[0].numpy()}
        out = model(x, output_hidden_states=True)
        hidden = torch.stack(out.hidden_states)[:, 0].numpy()
        logits = {}
        if kind == "multitask":
            weights = load_file(os.path.join(directory, "model.safetensors"))
            last = out.last_hidden_state[0]
            for task, _ in tasks:
                w = weights[f"heads.{task}.weight"].float()
                b = weights[f"heads.{task}.bias"].float()
                logits[task] = (last @ w.T + b).numpy()
        return hidden, logits


def model_input(path, normalize):
    """What a wav2vec2 pipeline feeds the model from an audio file: soundfile's float samples, channels
    averaged, resample_poly to 16 kHz, then Wav2Vec2FeatureExtractor (zero mean, unit variance)."""
    samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != 16000:
        g = np.gcd(rate, 16000)
        mono = resample_poly(mono.astype(np.float64), 16000 // g, rate // g)
    extractor = Wav2Vec2FeatureExtractor(do_normalize=normalize, sampling_rate=16000, feature_size=1)
    return extractor(mono, sampling_rate=16000, return_tensors="np").input_values[0].astype(np.float32)


def write_audio(directory):
    """A 0.6 s mono 16 kHz WAV and a 0.5 s stereo 22.05 kHz FLAC: gliding harmonics plus noise."""
    rng = np.random.default_rng(7)

    def voice(rate, seconds, f0, f1):
        t = np.arange(int(rate * seconds)) / rate
        phase = 2 * np.pi * np.cumsum(np.linspace(f0, f1, t.size)) / rate
        signal = sum(np.sin(k * phase) / k for k in range(1, 8)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
        return 0.25 * signal + 0.02 * rng.standard_normal(t.size)

    os.makedirs(directory, exist_ok=True)
    soundfile.write(os.path.join(directory, "clip16k.wav"), voice(16000, 0.6, 120, 180), 16000, subtype="PCM_16")
    stereo = np.stack([voice(22050, 0.5, 200, 150), voice(22050, 0.5, 90, 110)], axis=1)
    soundfile.write(os.path.join(directory, "clip22k-stereo.flac"), stereo, 22050, subtype="PCM_16")


def write_resampling(directory):
    """resample_poly on random signals from common rates to 16 kHz (and 16 kHz to 8 kHz)."""
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(11)
    for source, target in [(8000, 16000), (11025, 16000), (22050, 16000), (44100, 16000), (48000, 16000),
                           (16000, 8000)]:
        x = rng.standard_normal(1500)
        g = np.gcd(source, target)
        y = resample_poly(x, target // g, source // g)
        np.save(os.path.join(directory, f"{source}-{target}-in.npy"), x.astype(np.float32))
        np.save(os.path.join(directory, f"{source}-{target}-out.npy"), y.astype(np.float32))


def main():
    assert torch.__version__.startswith("2.13") and __import__("transformers").__version__ == "5.23.0", \
        "pin torch 2.13 and transformers 5.23 (scripts/requirements.txt)"
    torch.set_num_threads(1)
    audio = os.path.join(FIXTURES, "audio")
    expected = os.path.join(FIXTURES, "expected")
    write_audio(audio)
    write_resampling(os.path.join(FIXTURES, "resampling"))
    os.makedirs(expected, exist_ok=True)
    clips = {"clip16k": os.path.join(audio, "clip16k.wav"), "clip22k": os.path.join(audio, "clip22k-stereo.flac")}
    for seed, (name, spec) in enumerate(TINY.items()):
        directory = os.path.join(FIXTURES, "checkpoints", name)
        model = make_checkpoint(directory, spec["config"], kind=spec["kind"], naming=spec["naming"],
                                dtype=spec["dtype"], normalize=spec["normalize"], tasks=spec.get("tasks"), seed=seed)
        for clip, path in clips.items():
            if clip == "clip22k" and name not in ("group-postln", "frame-classifier"):
                continue
            values = model_input(path, spec["normalize"])
            if clip == "clip22k" and name == "group-postln":
                np.save(os.path.join(expected, "clip22k-input.npy"), values)
            hidden, logits = reference_outputs(directory, spec["kind"], model, values, spec.get("tasks"))
            np.save(os.path.join(expected, f"{name}-{clip}-hidden.npy"), hidden.astype(np.float32))
            for task, array in logits.items():
                np.save(os.path.join(expected, f"{name}-{clip}-logits-{task}.npy"), array.astype(np.float32))
            print(f"{name} {clip}: hidden {hidden.shape}, logits {({t: a.shape for t, a in logits.items()})}")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(FIXTURES) for f in fs)
    print(f"fixtures: {total / 1024:.0f} KB in {FIXTURES}")


if __name__ == "__main__":
    sys.exit(main())
