#!/usr/bin/env bash
# tools/cluster --secure run as root, end to end: every datanode runs as the service
# account cairn (not root), tasks start through the setuid-root cairn-task-launcher it
# installs, a job's tasks run as the job's Kerberos user and cannot read block files, each
# task gets its own cgroup under the cgroups delegated to the datanode (a task past its
# memory is killed by it), a killed job leaves no process behind (even one that left the
# task's process group: the launcher signals them for the datanode), and a client without
# a ticket is refused. Needs root (exit 77: skipped otherwise).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: tools/cluster --secure runs datanodes as another account only as root"; exit 77; }
src="${CAIRN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
export CAIRN_BIN_DIR="${CAIRN_BIN_DIR:-$src/build/bin}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/cairn-shell-secure-XXXXXX")"
cleanup() { "$src/tools/cluster" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$dir"/*/*.log "$dir"/*/run/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }

"$src/tools/cluster" start --secure --dir "$dir" --datanodes 2 --replication 2 --block-size 64KiB --heartbeat-ms 300 \
  --task-slots 2

cairn_uid="$(id -u cairn)" || fail "no service account cairn"
[ "$cairn_uid" != 0 ] || fail "the service account cairn is root"
for i in 0 1; do
  pid="$(cat "$dir/datanode-$i.pid")"
  # Real, effective, saved and filesystem uid alike.
  uids="$(sed -n 's/^Uid:\s*//p' "/proc/$pid/status" | tr -s ' \t' ' ')"
  [ "$uids" = "$cairn_uid $cairn_uid $cairn_uid $cairn_uid" ] || fail "datanode-$i runs as uids '$uids', want cairn ($cairn_uid)"
  grep -q "through $dir/launcher/bin/cairn-task-launcher" "$dir/datanode-$i/run/datanode.log" \
    || fail "datanode-$i does not start tasks through the launcher"
done
[ "$(stat -c '%a %U %G' "$dir/launcher/bin/cairn-task-launcher")" = "4750 root cairn" ] \
  || fail "the launcher is $(stat -c '%a %U %G' "$dir/launcher/bin/cairn-task-launcher"), want 4750 root cairn"
[ "$(stat -c '%U' "$dir/launcher/etc/cairn/task-launcher.cfg")" = root ] || fail "the launcher config is not root's"

set -a; . "$dir/cluster.env"; set +a
cairn="$CAIRN_BIN_DIR/cairn"
export KRB5CCNAME="FILE:$dir/alice.ccache"
kinit -kt "$dir/keytabs/alice.keytab" alice
head -c 200000 /dev/urandom | base64 >"$dir/text"
"$cairn" put "$dir/text" /user/alice/text
block="$(find "$dir/datanode-0/data" -type f -name 'blk_*' ! -name '*.meta' | head -n 1)"
[ -n "$block" ] || fail "no block file on datanode-0"
mapper="sh -c 'cat > /dev/null; id -un; cat $block > /dev/null 2>&1 && echo read-the-block || echo refused'"
"$cairn" job submit --input /user/alice/text --mapper "$mapper" --reducers 0 --output /user/alice/who --wait \
  >"$dir/job.out" || fail "the job failed: $(cat "$dir/job.out")"
out=""
for f in $("$cairn" ls /user/alice/who | grep -o '/user/alice/who/part-m-[0-9]*'); do out+="$("$cairn" cat "$f")"$'\n'; done
[ -n "$out" ] || fail "the job wrote no output"
echo "$out" | grep -q '^alice' || fail "tasks did not run as alice: $out"
echo "$out" | grep -q '^refused' || fail "a task's attempt to read a block file was not refused: $out"
echo "$out" | grep -q 'read-the-block' && fail "a task read a block file: $out"

# Each task in a cgroup of its own, below the ones tools/cluster gave the datanode.
printf 'x\n' >"$dir/one"
"$cairn" put "$dir/one" /user/alice/one
"$cairn" job submit --input /user/alice/one --mapper 'sh -c "cat > /dev/null; grep -E \"[:,]memory:\" /proc/self/cgroup"' \
  --reducers 0 --output /user/alice/cgroup --wait >"$dir/job.out" || fail "the cgroup job failed: $(cat "$dir/job.out")"
cg="$("$cairn" cat /user/alice/cgroup/part-m-00000)"
echo "$cg" | grep -q '/cairn-[0-9a-f]*/cairn-executor-[0-9]*/' || fail "the task is not in a cgroup of the datanode's: $cg"
"$cairn" job submit --input /user/alice/one --mapper "/usr/bin/python3 -c 'x = bytearray(600 * 1024 * 1024)'" \
  --memory 128MiB --max-attempts 1 --reducers 0 --output /user/alice/hog --wait >"$dir/hog.out" 2>"$dir/hog.err" \
  && fail "a task past its memory limit succeeded"
"$cairn" job status "$(head -n 1 "$dir/hog.out")" --tasks --json | grep -q 'killed by its cgroup' \
  || fail "the memory hog was not killed by its cgroup: $(cat "$dir/hog.out")"

# A job killed while its task sleeps, one process of which left the task's process group:
# the datanode (not root) has the launcher signal the task and everything left in its
# cgroup, and no process of alice's outlives the kill.
job="$("$cairn" job submit --input /user/alice/one --mapper 'sh -c "setsid sleep 601 & exec sleep 600"' --reducers 0 \
  --output /user/alice/sleep)"
job="$(echo "$job" | head -n 1)"
for _ in $(seq 1 300); do [ "$(pgrep -u alice -x sleep | wc -l)" -ge 2 ] && break; sleep 0.1; done
[ "$(pgrep -u alice -x sleep | wc -l)" -ge 2 ] || fail "the sleeping task never started as alice"
"$cairn" job kill "$job" >/dev/null
for _ in $(seq 1 300); do pgrep -u alice -x sleep >/dev/null || break; sleep 0.1; done
pgrep -u alice -a sleep && fail "a process of alice's task outlived the job's kill"

kdestroy
"$cairn" ls /user/alice >/dev/null 2>&1 && fail "a client without a ticket listed /user/alice"
echo "PASS"
