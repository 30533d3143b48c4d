#!/usr/bin/env python3
"""Trains the sample's small wav2vec2 models on the synthesized corpus (scripts/make_corpus.py) and
exports them as HF checkpoints with layerscope's multi-task head convention.

    nice -n 19 python3 scripts/train_models.py [--corpus scripts/out/corpus] [--out scripts/out/models]

1. "Pre-trained" base: a wav2vec2 (transformers' Wav2Vec2Model: 7-layer conv feature encoder with layer
   norm, post-LN transformer of 6 layers, hidden 128) trained on the 12 training speakers' audio with
   a self-supervised, PASE-like multi-target objective computed from the signal alone, no labels:
   (a) masked log-mel reconstruction: spans of the projected features are replaced by the model's
   `masked_spec_embed` (as in wav2vec2 pre-training) and a linear layer on the last hidden state
   predicts the 80-bin log-mel spectrum (25 ms windows, 20 ms steps, standardised per bin) of the
   masked frames, L1; (b) a second linear layer predicts, at every frame, Praat's F0 (semitones,
   standardised; L1 on voiced frames) and voicing (binary cross-entropy). Without (b) the base barely
   encoded pitch (see docs/SAMPLE.md).
2. Fine-tuning, framewise as in Wang & Yuan (2025): the feature encoder frozen, a linear head per task
   on the last hidden state, cross-entropy only at the central frame of every final (all other frames
   ignored, label -100). Three models: `tone`, `sex`, and `tone+sex` (two heads, losses summed).
3. Held-out accuracy at central frames on 4 unseen speakers (2 F, 2 M), as the paper's Table I.
4. Export: config.json (architectures LayerscopeWav2Vec2ForFrameClassification, key `layerscope` with
   the tasks and their labels), model.safetensors (`wav2vec2.*` and `heads.<task>.weight/bias`),
   preprocessor_config.json. The exported file is reloaded and the accuracy measured again from it.
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model
from transformers.models.wav2vec2.modeling_wav2vec2 import _compute_mask_indices

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_inventory  # noqa: E402
import w2v_corpus as corpus  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CONFIG = dict(hidden_size=128, num_hidden_layers=6, num_attention_heads=4, intermediate_size=512,
              feat_extract_norm="layer", conv_bias=True, do_stable_layer_norm=False,
              conv_dim=(64, 64, 64, 64, 64, 64, 64), conv_kernel=(10, 3, 3, 3, 3, 2, 2),
              conv_stride=(5, 2, 2, 2, 2, 2, 2), num_conv_pos_embeddings=32, num_conv_pos_embedding_groups=16,
              layerdrop=0.0, hidden_dropout=0.1, attention_dropout=0.0, activation_dropout=0.0,
              feat_proj_dropout=0.0, final_dropout=0.0, mask_time_prob=0.05, mask_time_length=5,
              mask_time_min_masks=0)
BATCH = 8          # utterances per optimizer step
MODELS = {"tone": ["tone"], "sex": ["sex"], "tone+sex": ["tone", "sex"]}
LABELS = {"tone": corpus.TONES, "sex": corpus.SEXES}


def schedule(optimizer, total, warmup=0.1):
    """Linear warm-up then linear decay, as transformers' get_linear_schedule_with_warmup."""
    steps = max(1, int(total * warmup))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / steps, max(0.0, (total - s) / max(1, total - steps))))


def pretrain(train, epochs, lr, seed):
    """Masked log-mel reconstruction; returns the Wav2Vec2Model's state dict."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Wav2Vec2Model(Wav2Vec2Config(**CONFIG))
    predict = nn.Linear(CONFIG["hidden_size"], corpus.N_MELS)
    predict_f0 = nn.Linear(CONFIG["hidden_size"], 2)     # F0 (standardised semitones) and voicing logit
    mels = np.concatenate([u["mel"] for u in train])
    mean, std = torch.from_numpy(mels.mean(0)), torch.from_numpy(mels.std(0) + 1e-5)
    f0s = np.concatenate([u["f0"] for u in train])
    f0_mean, f0_std = float(np.nanmean(f0s)), float(np.nanstd(f0s))
    params = list(model.parameters()) + list(predict.parameters()) + list(predict_f0.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    per_epoch = -(-len(train) // BATCH)
    scheduler = schedule(optimizer, epochs * per_epoch)
    model.train()
    for epoch in range(epochs):
        losses, started = [], time.time()
        for group in corpus.groups(len(train), BATCH, rng):
            optimizer.zero_grad()
            total = 0.0
            for u in (train[i] for i in group):
                # One utterance per forward pass: no padding, as at inference (and far faster on CPU
                # than transformers' boolean-mask padding path); gradients accumulate over the group.
                frames = u["mel"].shape[0]
                masked = torch.from_numpy(_compute_mask_indices((1, frames), mask_prob=0.35, mask_length=5,
                                                                min_masks=1))
                target = (torch.from_numpy(u["mel"]) - mean) / std
                hidden = model(torch.from_numpy(u["input"])[None], mask_time_indices=masked).last_hidden_state
                f0 = torch.from_numpy(u["f0"])
                voiced = ~torch.isnan(f0)
                out = predict_f0(hidden[0])
                loss = (predict(hidden[masked]) - target[None][masked]).abs().mean()
                loss = loss + nn.functional.binary_cross_entropy_with_logits(out[:, 1], voiced.float())
                if voiced.any():
                    loss = loss + (out[voiced, 0] - (f0[voiced] - f0_mean) / f0_std).abs().mean()
                loss = loss / len(group)
                loss.backward()
                total += loss.item()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(total)
        print(f"  pre-train epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.3f} ({time.time() - started:.0f} s)",
              flush=True)
    return model.state_dict()


def frame_labels(u, task, length):
    """Labels of an utterance's frames: the token's class at its central frame, -100 (ignored) elsewhere."""
    labels = torch.full((length,), -100, dtype=torch.long)
    for frame, tone, _ in u["tokens"]:
        labels[frame] = tone if task == "tone" else u["sex"]
    return labels


@torch.no_grad()
def encoder_features(model, utterances):
    """The frozen feature encoder's output per utterance (frames × conv_dim[-1]), computed once: it is
    the same in every epoch of fine-tuning, so each step runs only projection and transformer."""
    model.eval()
    return [model.feature_extractor(torch.from_numpy(u["input"])[None])[0].T.contiguous() for u in utterances]


def finetune(base, tasks, train, epochs, lr, seed):
    """Framewise fine-tuning of the base with one linear head per task; returns (model, heads). Each step
    is Wav2Vec2Model.forward from the (frozen) feature encoder's output on: feature projection,
    SpecAugment time masking, transformer encoder."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Wav2Vec2Model(Wav2Vec2Config(**CONFIG))
    model.load_state_dict(base)
    model.freeze_feature_encoder()
    features = encoder_features(model, train)
    heads = nn.ModuleDict({t: nn.Linear(CONFIG["hidden_size"], len(LABELS[t])) for t in tasks})
    params = [p for p in model.parameters() if p.requires_grad] + list(heads.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    per_epoch = -(-len(train) // BATCH)
    scheduler = schedule(optimizer, epochs * per_epoch)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    for epoch in range(epochs):
        model.train()
        losses, started = [], time.time()
        for group in corpus.groups(len(train), BATCH, rng):
            optimizer.zero_grad()
            total = 0.0
            for i in group:
                # Wav2Vec2Model.forward from the feature encoder's output on, one utterance at a time.
                hidden, _ = model.feature_projection(features[i][None])
                hidden = model._mask_hidden_states(hidden)
                hidden = model.encoder(hidden).last_hidden_state
                loss = sum(loss_fn(heads[t](hidden)[0], frame_labels(train[i], t, hidden.shape[1]))
                           for t in tasks) / len(group)
                loss.backward()
                total += loss.item()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(total)
        print(f"  {'+'.join(tasks)} epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.3f} "
              f"({time.time() - started:.0f} s)", flush=True)
    return model.eval(), heads.eval()


@torch.inference_mode()
def accuracy(model, heads, utterances):
    """Accuracy per task at the central frames, one utterance at a time (as layerscope runs them)."""
    hits = {t: 0 for t in heads}
    count = 0
    for u in utterances:
        hidden = model(torch.from_numpy(u["input"])[None]).last_hidden_state[0]
        frames = [f for f, _, _ in u["tokens"]]
        for task, head in heads.items():
            predicted = head(hidden[frames]).argmax(-1).tolist()
            truth = [tone if task == "tone" else u["sex"] for _, tone, _ in u["tokens"]]
            hits[task] += sum(p == t for p, t in zip(predicted, truth))
        count += len(frames)
    return {t: hits[t] / count for t in hits}


def export(model, heads, tasks, directory, dtype):
    """An HF checkpoint folder with layerscope's head convention (see docs/SPEECHMODEL.md)."""
    state = {"wav2vec2." + k: v for k, v in model.state_dict().items()}
    for task in tasks:
        state[f"heads.{task}.weight"] = heads[task].weight
        state[f"heads.{task}.bias"] = heads[task].bias
    state = {k: v.detach().to(dtype).contiguous() for k, v in state.items()}
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    save_file(state, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
    model.config.save_pretrained(directory)
    with open(os.path.join(directory, "config.json")) as f:
        saved = json.load(f)
    saved["architectures"] = ["LayerscopeWav2Vec2ForFrameClassification"]
    saved["dtype"] = str(dtype).removeprefix("torch.")
    saved["layerscope"] = {"version": 1, "tasks": [
        {"name": t, "id2label": {str(i): label for i, label in enumerate(LABELS[t])}} for t in tasks]}
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(saved, f, indent=2, sort_keys=True)
    Wav2Vec2FeatureExtractor(do_normalize=True, sampling_rate=corpus.RATE, return_attention_mask=True,
                             feature_size=1, padding_value=0.0).save_pretrained(directory)


def reload(directory, tasks):
    """The exported checkpoint as transformers reads it (float32) and its heads from the safetensors."""
    model, info = Wav2Vec2Model.from_pretrained(directory, dtype=torch.float32, output_loading_info=True)
    if info["missing_keys"] or [k for k in info["unexpected_keys"] if not k.startswith("heads.")]:
        raise SystemExit(f"{directory}: transformers did not load it cleanly: {info}")
    weights = load_file(os.path.join(directory, "model.safetensors"))
    heads = nn.ModuleDict()
    for task in tasks:
        head = nn.Linear(CONFIG["hidden_size"], len(LABELS[task]))
        head.weight.data = weights[f"heads.{task}.weight"].float()
        head.bias.data = weights[f"heads.{task}.bias"].float()
        heads[task] = head
    return model.eval(), heads.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=os.path.join(ROOT, "scripts", "out", "corpus"))
    parser.add_argument("--out", default=os.path.join(ROOT, "scripts", "out", "models"))
    parser.add_argument("--pretrain-epochs", type=int, default=8)
    parser.add_argument("--finetune-epochs", type=int, default=15)
    parser.add_argument("--dtype", choices=["float32", "float16"], default="float16")
    parser.add_argument("--seed", type=int, default=corpus_inventory.SEED)
    parser.add_argument("--only", choices=list(MODELS), action="append", help="fine-tune only these models")
    args = parser.parse_args()
    assert torch.__version__.startswith("2.13") and __import__("transformers").__version__ == "5.23.0", \
        "pin torch 2.13 and transformers 5.23 (scripts/requirements.txt)"
    torch.set_num_threads(1)    # on the shared 2-core machine, 1 thread ran 5× faster than 2
    utterances = corpus.load(args.corpus, corpus_inventory.HELD_OUT)
    train = [u for u in utterances if u["split"] == "train"]
    test = [u for u in utterances if u["split"] == "test"]
    print(f"{len(train)} training utterances ({sum(len(u['tokens']) for u in train)} tokens), "
          f"{len(test)} held-out ({sum(len(u['tokens']) for u in test)} tokens)")
    base_path = os.path.join(args.out, "base.pt")
    if os.path.exists(base_path):
        base = torch.load(base_path)
        print(f"base: {base_path} (delete it to pre-train again)")
    else:
        print("pre-training the base (masked log-mel reconstruction)")
        base = pretrain(train, args.pretrain_epochs, 1e-3, args.seed)
        os.makedirs(args.out, exist_ok=True)
        torch.save(base, base_path)
    dtype = getattr(torch, args.dtype)
    results = {}
    for name, tasks in MODELS.items():
        if args.only and name not in args.only:
            continue
        print(f"fine-tuning '{name}' (heads: {', '.join(tasks)})")
        model, heads = finetune(base, tasks, train, args.finetune_epochs, 5e-4, args.seed + 1)
        trained = accuracy(model, heads, test)
        directory = os.path.join(args.out, name)
        export(model, heads, tasks, directory, dtype)
        exported = accuracy(*reload(directory, tasks), test)
        results[name] = dict(trained=trained, exported=exported)
        print(f"  held-out accuracy: {trained}; from the exported {args.dtype} checkpoint: {exported}")
    print("\nheld-out accuracy at central frames (4 unseen speakers, 2 F + 2 M), as Table I")
    print(f"  {'model':10}{'tone':>8}{'sex':>8}")
    for name, r in results.items():
        acc = r["exported"]
        print(f"  {name:10}" + "".join(f"{acc[t] * 100:7.1f}%" if t in acc else f"{'—':>8}" for t in ("tone", "sex")))
    with open(os.path.join(args.out, "accuracy.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
