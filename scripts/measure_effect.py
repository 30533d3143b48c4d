#!/usr/bin/env python3
"""Measures, in Python, what the sample is meant to show (Wang & Yuan 2025 in miniature): SVCCA of
sex, tone and final per layer for each model, and how well the last layer's UMAP separates the sexes.
This is the reference the store built by `layerscope extract` / `layerscope analyze` is checked against.

    python3 scripts/measure_effect.py [--models scripts/out/models] [--corpus sample-data/corpus]

Tokens: the central 20 ms frame of every final (w2v_corpus.central_frame). Hidden states from
transformers' Wav2Vec2Model (hidden_states: the projected features' encoder input after positional
embedding and layer norm, then each layer), one utterance at a time.
SVCCA (standard mode, DESIGN.md): PCA of the layer to 100 dimensions (fewer if the layer is smaller),
CCA against the label's one-hot matrix without its last column, mean of the canonical correlations.
UMAP: umap-learn with its defaults (15 neighbours, min_dist 0.1), random_state 0, on the whole layer;
sex separation is the share of each token's 15 nearest neighbours in the layout that have its sex
(0.5 = mixed, 1.0 = separated) and the silhouette by sex.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.neighbors import NearestNeighbors
from transformers import Wav2Vec2Config, Wav2Vec2Model

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_inventory  # noqa: E402
import w2v_corpus as corpus  # noqa: E402
from train_models import CONFIG, MODELS  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def svcca(features, labels, dims=100):
    """Standard-mode SVCCA: mean canonical correlation of PCA(features) and one-hot(labels) minus a column."""
    k = min(dims, features.shape[1], features.shape[0] - 1)
    x = PCA(n_components=k, svd_solver="full").fit_transform(features.astype(np.float64))
    classes = sorted(set(labels))
    y = np.array([[label == c for c in classes[:-1]] for label in labels], dtype=np.float64)
    x -= x.mean(0)
    y -= y.mean(0)
    qx, _ = np.linalg.qr(x)
    qy, _ = np.linalg.qr(y)
    rho = np.clip(np.linalg.svd(qx.T @ qy, compute_uv=False), 0, 1)
    return float(rho.mean())


def sex_separation(points, sexes):
    """(share of same-sex among 15 nearest neighbours, silhouette by sex) of a point set."""
    _, index = NearestNeighbors(n_neighbors=16).fit(points).kneighbors(points)
    same = (sexes[index[:, 1:]] == sexes[:, None]).mean()
    return float(same), float(silhouette_score(points, sexes))


@torch.inference_mode()
def token_states(model, utterances):
    """(layers+1) × tokens × hidden at the central frames, and the tokens' labels."""
    layers, labels = [], dict(sex=[], tone=[], final=[])
    for u in utterances:
        out = model(torch.from_numpy(u["input"])[None], output_hidden_states=True)
        frames = [f for f, _, _ in u["tokens"]]
        layers.append(torch.stack(out.hidden_states)[:, 0, frames].numpy())
        labels["sex"] += [corpus.SEXES[u["sex"]]] * len(frames)
        labels["tone"] += [corpus.TONES[t] for _, t, _ in u["tokens"]]
        labels["final"] += [f for _, _, f in u["tokens"]]
    return np.concatenate(layers, axis=1), {k: np.array(v) for k, v in labels.items()}


def load_models(directory):
    models = {}
    base = os.path.join(directory, "base.pt")
    if os.path.exists(base):
        model = Wav2Vec2Model(Wav2Vec2Config(**CONFIG))
        model.load_state_dict(torch.load(base))
        models["base"] = model.eval()
    for name in MODELS:
        if os.path.isdir(os.path.join(directory, name)):
            models[name] = Wav2Vec2Model.from_pretrained(os.path.join(directory, name), dtype=torch.float32).eval()
    return models


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=os.path.join(ROOT, "scripts", "out", "models"))
    parser.add_argument("--corpus", default=os.path.join(ROOT, "sample-data", "corpus"))
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--no-umap", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    utterances = corpus.load(args.corpus, corpus_inventory.HELD_OUT)
    results = {}
    for name, model in load_models(args.models).items():
        states, labels = token_states(model, utterances)
        table = {label: [svcca(layer, labels[label]) for layer in states] for label in ("sex", "tone", "final")}
        results[name] = dict(svcca=table, tokens=int(states.shape[1]))
        print(f"\nSVCCA, model '{name}' ({states.shape[1]} tokens, {states.shape[2]} dims, PCA to "
              f"{min(100, states.shape[2])})")
        print("  layer " + "".join(f"{i:>7d}" for i in range(states.shape[0])))
        for label, row in table.items():
            print(f"  {label:6}" + "".join(f"{v:7.3f}" for v in row))
        sexes = (labels["sex"] == "M").astype(int)
        results[name]["last_layer_sex_separation"] = dict(zip(("knn_same_sex", "silhouette"),
                                                                sex_separation(states[-1], sexes)))
        if not args.no_umap:
            import umap
            layout = umap.UMAP(random_state=0).fit_transform(states[-1])
            results[name]["last_layer_umap_sex_separation"] = dict(zip(("knn_same_sex", "silhouette"),
                                                                       sex_separation(layout, sexes)))
            np.save(os.path.join(args.models, f"umap-last-{name}.npy"), layout.astype(np.float32))
        print("  last layer, sex separation (15-NN same sex, silhouette): "
              + ", ".join(f"{k}: {v['knn_same_sex']:.3f} / {v['silhouette']:.3f}"
                          for k, v in (("hidden", results[name]["last_layer_sex_separation"]),
                                       ("UMAP", results[name].get("last_layer_umap_sex_separation",
                                                                  dict(knn_same_sex=np.nan, silhouette=np.nan))))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
