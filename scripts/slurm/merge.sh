#!/bin/bash
# Merges the shards written by array.sh into one run whose records.csv and summary.csv are
# byte-identical to the unsharded run's. Submit it with --dependency=afterok:JOBID (JOBID the
# array's) so that it starts only once every array task has succeeded.
#SBATCH --job-name=gaussian-chain-merge
#SBATCH --cpus-per-task=1
set -euo pipefail
collapse merge shards/* --out runs/gaussian-chain-1
