#!/usr/bin/env bash
# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# The offline pipeline that produced models/ and docs/, stage by stage: ``bash scripts/pipeline.sh STAGE``.
# Stages: data, train, export, evaluate, prune, study (or all). Training and pruning take hours on 2 cores;
# every stage resumes from its checkpoints. MINUTES sets the training time of each parent (default 88).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
DATA="${LIGHT_TRACKER_DATA:-$HOME/.cache/light_tracker_ros}"
FAMILIES=(cnn transformer hybrid)
BUDGETS=(--budget 0.5 --budget 0.25 --budget 0.1 --budget 0.05 --budget 0.01)

stage_data() {
  light-tracker data
  light-tracker pairs --out "$DATA/pairs/composite-1" --count 25000 --seed 1
  light-tracker pairs --out "$DATA/pairs/composite-2" --count 25000 --seed 2
  light-tracker pairs --out "$DATA/pairs/video-cycles" --count 1500 --seed 7 --video-cycles
  light-tracker pairs --out "$DATA/pairs/heldout" --count 1000 --seed 99 --split heldout
  light-tracker validation
  light-tracker heldout
}

stage_train() {  # the three parents side by side, one thread each, keeping snapshots to select on real video
  for family in "${FAMILIES[@]}"; do
    light-tracker train --config "config/train/$family.yaml" --set "max_minutes=${MINUTES:-88}" \
      --set snapshot_every=150 &
  done
  wait
}

stage_export() {  # each parent: the snapshot (or best.pt/last.pt) with the highest mean AUC on the validation set
  for family in "${FAMILIES[@]}"; do
    light-tracker select --run "$DATA/runs/${family}_parent" --dataset "$DATA/validation" --name "${family}_parent" \
      --out models/ --json "docs/results/${family}_parent_selection.json"
  done
}

stage_evaluate() {
  light-tracker evaluate --model cnn_parent,transformer_parent,hybrid_parent --dataset "$DATA/validation" \
    --peers csrt,kcf,mil --threads 1 --json docs/results/parents_vtest.json
  light-tracker evaluate --model cnn_parent,transformer_parent,hybrid_parent --dataset "$DATA/validation-composites" \
    --peers csrt,kcf,mil --threads 1 --json docs/results/parents_composites.json
}

stage_prune() {  # children of every budget into the cache; the shipped ones are copied to models/
  for family in "${FAMILIES[@]}"; do
    light-tracker prune --parent "${family}_parent" --config "config/prune/$family.yaml" "${BUDGETS[@]}" \
      --data "$DATA/pairs/composite-1" --data "$DATA/pairs/video-cycles" --out "$DATA/children" \
      --work-dir "$DATA/prune/$family" --resume ${PRUNE_SET:-} &
    if [ "$family" = cnn ]; then wait; fi  # two at a time on two cores
  done
  wait
  for family in "${FAMILIES[@]}"; do
    for budget in p25 p10 p01; do
      cp "$DATA/children/${family}_parent_$budget.onnx" "$DATA/children/${family}_parent_$budget.json" models/
    done
  done
}

stage_study() {
  local models=()
  for family in "${FAMILIES[@]}"; do
    models+=("models/${family}_parent.onnx")
    for budget in p50 p25 p10 p05 p01; do models+=("$DATA/children/${family}_parent_$budget.onnx"); done
  done
  light-tracker evaluate --model "$(IFS=,; echo "${models[*]}")" --dataset "$DATA/validation" --peers csrt,kcf,mil \
    --threads 1 --latency-threads 1,2 --json docs/compression_results.json
  light-tracker study --results docs/compression_results.json --out docs/
}

case "${1:-all}" in
  data|train|export|evaluate|prune|study) "stage_$1" ;;
  all) stage_data; stage_train; stage_export; stage_evaluate; stage_prune; stage_study ;;
  *) echo "usage: $0 [data|train|export|evaluate|prune|study|all]" >&2; exit 2 ;;
esac
