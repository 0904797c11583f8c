#!/usr/bin/env bash
# Runs the README's Slurm recipe on a real Slurm: submits scripts/slurm/array.sh as a job array
# (scaled down) and scripts/slurm/merge.sh as a job that depends on it, with the two sbatch
# commands the README shows, waits for both, and compares the merged records.csv and summary.csv
# byte for byte with an unsharded run of the same parameters. Exits 0 only when they are
# identical.
#
# Usage: scripts/slurm-array-test.sh [--self-test-mismatch] [COLLAPSE]
#   COLLAPSE              the collapse binary to run (default target/release/collapse in the
#                         repository); this script builds nothing
#   --self-test-mismatch  run the unsharded reference with another seed, so that the outputs
#                         differ: the script must then report FAIL and exit 1 (a check that the
#                         comparison can fail at all)
#
# Sizes, from the environment: SLURM_TEST_TASKS (array tasks, default 4), SLURM_TEST_REPLICATES
# (4000), SLURM_TEST_GENERATIONS (100), SLURM_TEST_TIMEOUT (seconds allowed for each wait, 300).
#
# The cluster. If a Slurm controller already answers (`scontrol ping`), the jobs go to it and no
# daemon is started; the scratch directory (mktemp -d, so under TMPDIR) must then be visible to
# the compute nodes. Otherwise, as root, the script installs Debian's slurm-wlm and munge when
# they are missing and starts a one-node cluster on this machine: its own munged (own key and
# socket, so a system munge is neither needed nor touched), slurmctld and slurmd, with the
# configuration, state and logs in the scratch directory. It stops exactly the daemons it
# started, and cancels its jobs if they are still queued, also when it fails or is interrupted.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
TASKS="${SLURM_TEST_TASKS:-4}"
REPLICATES="${SLURM_TEST_REPLICATES:-4000}"
GENERATIONS="${SLURM_TEST_GENERATIONS:-100}"
TIMEOUT="${SLURM_TEST_TIMEOUT:-300}"
# The seed scripts/slurm/array.sh runs with; the unsharded reference must use the same.
SEED=1
# Where Debian puts the daemons; a non-login root shell may not have them on its PATH.
PATH="$PATH:/usr/sbin:/sbin"

say() { echo "slurm-array-test: $*"; }
die() {
  say "$*" >&2
  exit 1
}
# Milliseconds since the epoch, and seconds elapsed since such a time (one decimal).
now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# ---- arguments -----------------------------------------------------------------------------

COLLAPSE="$REPO/target/release/collapse"
MISMATCH=0
for arg in "$@"; do
  case "$arg" in
    --self-test-mismatch) MISMATCH=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option $arg (see --help)" ;;
    *) COLLAPSE="$arg" ;;
  esac
done
[[ -x "$COLLAPSE" && -f "$COLLAPSE" ]] ||
  die "no collapse binary at $COLLAPSE (build it with: cargo build --release -p collapse)"
COLLAPSE="$(cd "$(dirname "$COLLAPSE")" && pwd)/$(basename "$COLLAPSE")"

T_START=$(now_ms)
WORK="$(mktemp -d)"
STARTED=() # "name pid" of every daemon this script started, in start order
JOBS=()    # ids of the jobs this script submitted

# ---- cleanup: on every exit, cancel our unfinished jobs and stop exactly our daemons ----------

stop_daemon() { # NAME PID
  local name="$1" pid="$2" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) did not stop within 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  if ((${#JOBS[@]})) && command -v scancel >/dev/null; then
    scancel "${JOBS[@]}" 2>/dev/null || true
  fi
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    # shellcheck disable=SC2086 # "name pid" splits into the two arguments
    stop_daemon ${STARTED[i]}
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints the last lines of each file given that exists, under a header naming it.
show() {
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    echo "----- ${f#"$WORK"/} (last 40 lines)"
    tail -n 40 "$f"
  done
  echo "-----"
}

# Polls CHECK (a command) every 0.2 s until it succeeds; fails after SECONDS seconds, or at once
# when the daemon started last has exited (a daemon that cannot start exits with a message).
wait_until() { # SECONDS CHECK...
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    if ! kill -0 "${STARTED[-1]#* }" 2>/dev/null; then
      say "${STARTED[-1]% *} exited"
      return 1
    fi
    (($(now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

# ---- the cluster -------------------------------------------------------------------------------

# Whether a Slurm controller answers with the configuration the clients would use.
cluster_answers() {
  command -v scontrol >/dev/null && timeout 20 scontrol ping 2>/dev/null | grep -q 'is UP'
}

install_slurm() {
  local missing=() c t0
  for c in sbatch scontrol sinfo scancel slurmctld slurmd munged munge; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  ((${#missing[@]})) || return 0
  say "missing ${missing[*]}: installing slurm-wlm and munge"
  [[ $EUID -eq 0 ]] || die "not root, so cannot install slurm-wlm and munge; install them or run as root"
  command -v apt-get >/dev/null || die "apt-get is not available to install slurm-wlm and munge"
  t0=$(now_ms)
  # Noninteractive, and no recommended extras: only the daemons, the clients and munge.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >"$WORK/apt.log" 2>&1 || {
    show "$WORK/apt.log"
    die "apt-get install slurm-wlm munge failed"
  }
  for c in "${missing[@]}"; do
    command -v "$c" >/dev/null || die "$c is still missing after installing slurm-wlm and munge"
  done
  say "installed slurm-wlm and munge in $(since "$t0") s"
}

# Starts NAME in the foreground of a background job, so that $! is the daemon itself and can be
# stopped by pid; its standard output and error go to LOG.
start_daemon() { # NAME LOG COMMAND...
  local name="$1" log="$2"
  shift 2
  "$@" >>"$log" 2>&1 &
  STARTED+=("$name $!")
}

start_cluster() {
  local c node cpus mem dir="$WORK/cluster" sock t0
  for c in slurmctld slurmd; do
    # Another slurmctld or slurmd that does not answer would hold the ports: do not fight it.
    if pgrep -x "$c" >/dev/null; then
      die "a $c is running but no controller answers scontrol ping; stop it or repair that cluster"
    fi
  done
  [[ $EUID -eq 0 ]] || die "not root, so cannot start a test cluster (slurmd must run as root)"
  t0=$(now_ms)
  node="$(hostname -s)"
  cpus="$(nproc)"
  mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
  mkdir -p "$dir"/{munge,state,spool,log}
  # munged insists that everyone may traverse the directory of its socket.
  chmod 711 "$WORK" "$dir"
  chmod 755 "$dir/munge"
  sock="$dir/munge/munge.socket"

  # munge: a fresh key and a socket of our own.
  dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge.key"
  start_daemon munged "$dir/log/munged.out" munged --foreground \
    --socket="$sock" --key-file="$dir/munge.key" --pid-file="$dir/munge/munged.pid" \
    --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log"
  wait_until 20 munge_works "$sock" || {
    show "$dir"/log/munged.*
    die "munged did not start"
  }

  # A one-node cluster: this machine, all its CPUs and memory, one default partition. No cgroups
  # (proctrack/linuxproc, task/none), no accounting; CPUs are the consumable resource.
  export SLURM_CONF="$dir/slurm.conf"
  cat >"$SLURM_CONF" <<CONF
ClusterName=collapsetest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

  start_daemon slurmctld "$dir/log/slurmctld.out" slurmctld -D
  wait_until 30 cluster_answers || {
    show "$dir"/log/slurmctld.*
    die "slurmctld did not answer within 30 s"
  }
  start_daemon slurmd "$dir/log/slurmd.out" slurmd -D -N "$node"
  wait_until 60 node_idle "$node" || {
    scontrol show node "$node" || true
    show "$dir"/log/slurmd.* "$dir"/log/slurmctld.*
    die "node $node did not become idle within 60 s"
  }
  say "started munged, slurmctld and slurmd (node $node, $cpus CPUs, $mem MB) in $(since "$t0") s"
}

munge_works() { # SOCKET
  munge --socket="$1" -n 2>/dev/null | unmunge --socket="$1" >/dev/null 2>&1
}

node_idle() { # NODE
  [[ "$(sinfo -h -n "$1" -o %t 2>/dev/null)" == idle ]]
}

# ---- the jobs ------------------------------------------------------------------------------------

# The states of a job, one line per job record (an array gives one per task, or per range of
# tasks still pending).
job_states() { # JOBID
  scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}

# Waits until every record of JOBID is in a final state; succeeds when all are COMPLETED.
wait_job() { # JOBID
  local deadline=$(($(now_ms) + TIMEOUT * 1000)) states
  while :; do
    states="$(job_states "$1")" || return 1
    if ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY)$' <<<"$states"; then
      # All final: success only if none is anything but COMPLETED.
      if grep -qvx COMPLETED <<<"$states"; then return 1; fi
      return 0
    fi
    if (($(now_ms) > deadline)); then
      say "job $1 not finished after $TIMEOUT s"
      return 1
    fi
    sleep 0.5
  done
}

# Reports a failed job: the state and exit code of each of its records, and its output files.
job_failed() { # JOBID OUTPUT-FILES...
  local id="$1"
  shift
  scontrol -o show job "$id" | awk '{
    for (i = 1; i <= NF; i++)
      if ($i ~ /^(JobId|ArrayTaskId|JobState|Reason|ExitCode|NodeList)=/) printf "%s ", $i
    print ""
  }' || true
  show "$@"
  die "job $id failed"
}

# ---- main ----------------------------------------------------------------------------------------

if cluster_answers; then
  say "using the Slurm cluster that answers scontrol ping; starting no daemon"
else
  install_slurm
  start_cluster
fi

# The README's commands, run from a fresh directory with collapse on the PATH (the jobs inherit
# the environment: sbatch exports it all by default). The options added to the first scale the
# recipe down; command-line options override the scripts' #SBATCH lines.
mkdir -p "$WORK/bin" "$WORK/run"
ln -s "$COLLAPSE" "$WORK/bin/collapse"
export PATH="$WORK/bin:$PATH"
cd "$WORK/run"
scaled_down=(--array="0-$((TASKS - 1))" --cpus-per-task=1
  --export="ALL,REPLICATES=$REPLICATES,GENERATIONS=$GENERATIONS")
t_jobs=$(now_ms)
JOBID=$(sbatch --parsable "${scaled_down[@]}" "$REPO/scripts/slurm/array.sh")
JOBID="${JOBID%%;*}"
JOBS+=("$JOBID")
# shellcheck disable=SC2086 # $JOBID is a number; the line is the README's, which leaves it bare
MERGE_JOBID=$(sbatch --parsable --dependency=afterok:$JOBID "$REPO/scripts/slurm/merge.sh")
MERGE_JOBID="${MERGE_JOBID%%;*}"
JOBS+=("$MERGE_JOBID")
say "submitted array job $JOBID ($TASKS tasks, $REPLICATES replicates, $GENERATIONS generations) and merge job $MERGE_JOBID"

# The array first: if one of its tasks fails, the merge job would stay pending forever
# (DependencyNeverSatisfied), so there is no point waiting for it.
wait_job "$JOBID" || job_failed "$JOBID" "$WORK/run/slurm-${JOBID}"_*.out
wait_job "$MERGE_JOBID" || job_failed "$MERGE_JOBID" "$WORK/run/slurm-$MERGE_JOBID.out"
JOBS=()
say "both jobs completed in $(since "$t_jobs") s"

# The unsharded reference, run directly with the same parameters.
ref_seed=$SEED
if ((MISMATCH)); then
  ref_seed=$((SEED + 1))
  say "--self-test-mismatch: the reference runs with seed $ref_seed, so the outputs must differ"
fi
"$COLLAPSE" run gaussian-chain --seed "$ref_seed" \
  --set replicates="$REPLICATES" --set generations="$GENERATIONS" --out "$WORK/unsharded" >/dev/null

merged="$WORK/run/runs/gaussian-chain-1"
differ=()
for f in records.csv summary.csv; do
  cmp -s "$merged/$f" "$WORK/unsharded/$f" || differ+=("$f")
done
if ((${#differ[@]})); then
  for f in "${differ[@]}"; do cmp "$merged/$f" "$WORK/unsharded/$f" || true; done
  say "FAIL: ${differ[*]} of the $TASKS-task Slurm array merged differ from the unsharded run ($(since "$T_START") s)"
  exit 1
fi
say "PASS: records.csv and summary.csv of the $TASKS-task Slurm array merged are byte-identical to the unsharded run ($(since "$T_START") s)"
