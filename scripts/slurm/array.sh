#!/bin/bash
# One shard of a gaussian-chain run per array task: task I of N runs the replicates r with
# r mod N = I and writes them to shards/I under the directory the job was submitted from.
# The array must be numbered 0..N-1. The sizes can be set from the environment
# (sbatch --export=ALL,REPLICATES=...,GENERATIONS=...,QUANTILES=none). With exact quantiles
# the merge holds 8 bytes a record (3.2 GB at the default 4e8 records); QUANTILES=none keeps
# the summary in constant memory whatever the size.
#SBATCH --job-name=gaussian-chain
#SBATCH --array=0-31
#SBATCH --cpus-per-task=8
set -euo pipefail
REPLICATES="${REPLICATES:-100000}"
GENERATIONS="${GENERATIONS:-1000}"
QUANTILES="${QUANTILES:-exact}"
collapse run gaussian-chain --seed 1 \
  --set replicates="$REPLICATES" --set generations="$GENERATIONS" \
  --quantiles "$QUANTILES" \
  --threads "$SLURM_CPUS_PER_TASK" \
  --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" \
  --out "shards/$SLURM_ARRAY_TASK_ID"
