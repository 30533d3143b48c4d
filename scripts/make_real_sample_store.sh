#!/usr/bin/env bash
# Builds sample-data/sample.layerstore from the sample corpus and the three fine-tuned checkpoints
# with layerscope itself: `layerscope extract` (every layer, and the heads' framewise logits), then
# `layerscope analyze` (SVCCA, `--umap`, `--clusters`) on a few layers only, so that the explorer's engine
# visibly computes the other layers' SVCCA and UMAP on first use.
#
#   scripts/make_real_sample_store.sh [LAYERSCOPE]      (default: .build/debug/layerscope)
#
# Inputs: sample-data/corpus (scripts/make_corpus.py) and scripts/out/models (scripts/train_models.py),
# whose checkpoints are copied to sample-data/models first.
set -euo pipefail
cd "$(dirname "$0")/.."
LAYERSCOPE=${1:-.build/debug/layerscope}
STORE=sample-data/sample.layerstore
PRECOMPUTED_LAYERS=(0 3 6)    # first, middle and last; layers 1, 2, 4, 5 are left to the engine

# Fresh checkpoints from scripts/train_models.py replace the committed ones; without them, the
# committed sample-data/models are used as they are.
if [ -d scripts/out/models ]; then
    for model in tone sex tone+sex; do
        test -f "scripts/out/models/$model/model.safetensors" || { echo "scripts/out/models/$model: run scripts/train_models.py first" >&2; exit 1; }
    done
    rm -rf sample-data/models
    mkdir -p sample-data/models
    for model in tone sex tone+sex; do
        mkdir -p "sample-data/models/$model"
        cp "scripts/out/models/$model/"{config.json,model.safetensors,preprocessor_config.json} "sample-data/models/$model/"
    done
fi
rm -rf "$STORE"

for model in tone sex tone+sex; do
    "$LAYERSCOPE" extract --checkpoint "sample-data/models/$model" --model "$model" \
        --audio sample-data/corpus/audio --alignments sample-data/corpus/alignments \
        --speakers sample-data/corpus/speakers.tsv --speaker-from '^(S[0-9]{2})U' \
        --scheme pinyin --out "$STORE" --strict --json \
        --meta explore.model=tone --meta explore.color_by=sex
    echo
done

for layer in "${PRECOMPUTED_LAYERS[@]}"; do
    "$LAYERSCOPE" analyze "$STORE" --layers "$layer" --labels sex,tone,final --umap --clusters > /dev/null
done
"$LAYERSCOPE" info "$STORE"
du -cb sample-data/corpus sample-data/models "$STORE" | tail -1 | awk '{printf "sample-data: %.1f MB\n", $1 / 1e6}'
