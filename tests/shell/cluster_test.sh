#!/usr/bin/env bash
# tools/cluster end to end: start writes cluster.env and pid files and returns with every
# datanode (and its executor) registered; a job runs through the job master it started;
# data and finished jobs survive stop + start with the same --dir; stop ends every process.
set -euo pipefail
src="${CAIRN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
export CAIRN_BIN_DIR="${CAIRN_BIN_DIR:-$src/build/bin}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/cairn-shell-cluster-XXXXXX")"
cleanup() { "$src/tools/cluster" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$dir"/*/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }

"$src/tools/cluster" start --dir "$dir" --datanodes 3 --racks 2 --block-size 64KiB --replication 3 --hearteat-ms 300 2>/dev/null \
  && fail "a misspelt flag was accepted"
"$src/tools/cluster" start --dir "$dir" --datanodes 3 --racks 2 --block-size 64KiB --replication 3 --heartbeat-ms 300

[ -f "$dir/cluster.env" ] || fail "no cluster.env"
grep -q '^CAIRN_NAMENODE=hdfs://127.0.0.1:[0-9]\+$' "$dir/cluster.env" || fail "cluster.env lacks CAIRN_NAMENODE"
grep -q '^CAIRN_NAMENODE_GRPC=127.0.0.1:[0-9]\+$' "$dir/cluster.env" || fail "cluster.env lacks CAIRN_NAMENODE_GRPC"
grep -q '^HADOOP_NAMENODE=127.0.0.1:[0-9]\+$' "$dir/cluster.env" || fail "cluster.env lacks HADOOP_NAMENODE"
grep -q '^CAIRN_JOBMASTER=127.0.0.1:[0-9]\+$' "$dir/cluster.env" || fail "cluster.env lacks CAIRN_JOBMASTER"
for role in namenode jobmaster datanode-0 datanode-1 datanode-2; do
  [ -f "$dir/$role.pid" ] || fail "no $role.pid"
  kill -0 "$(cat "$dir/$role.pid")" || fail "$role is not running"
done
set -a; . "$dir/cluster.env"; set +a
cairn="$CAIRN_BIN_DIR/cairn"

live="$("$cairn" admin report --json | grep -o '"live": *true' | wc -l)"
[ "$live" -eq 3 ] || fail "admin report shows $live live datanodes, want 3"

head -c 300000 /dev/urandom >"$dir/payload"
"$cairn" mkdir -p /shell/test
"$cairn" put "$dir/payload" /shell/test/payload
"$cairn" get /shell/test/payload "$dir/copy1"
cmp "$dir/payload" "$dir/copy1" || fail "first read differs"

executors="$("$cairn" job executors --json | grep -o '"executor_id"' | wc -l)"
[ "$executors" -eq 3 ] || fail "job executors shows $executors executors, want 3"
printf 'b a b\nc b\n' >"$dir/words"
"$cairn" put "$dir/words" /shell/test/words
"$cairn" job submit wordcount --input /shell/test/words --output /shell/wc --wait >"$dir/job.out" \
  || fail "wordcount failed: $(cat "$dir/job.out")"
job_id="$(head -n 1 "$dir/job.out")"
[ "$("$cairn" cat /shell/wc/part-r-00000 | sort)" = "$(printf 'a\t1\nb\t3\nc\t1')" ] || fail "wrong wordcount output"

nn_pid="$(cat "$dir/namenode.pid")"
"$src/tools/cluster" stop --dir "$dir"
# Gone, or a zombie waiting for its reaper: either way it runs no more.
state="$(sed 's/^.*) //' "/proc/$nn_pid/stat" 2>/dev/null | cut -d' ' -f1 || true)"
[ -n "$state" ] && [ "$state" != Z ] && fail "namenode still running after stop"
ls "$dir"/*.pid >/dev/null 2>&1 && fail "pid files left after stop"

"$src/tools/cluster" start --dir "$dir"
set -a; . "$dir/cluster.env"; set +a
"$cairn" get /shell/test/payload "$dir/copy2"
cmp "$dir/payload" "$dir/copy2" || fail "read after restart differs"
"$cairn" job list | grep -q "$job_id" || fail "job $job_id is not in the job list after a restart"

# A role killed with -9 (its pid file left behind) is started again by `start`; a pid file
# naming some other process counts as dead too.
dn1_pid="$(cat "$dir/datanode-1.pid")"
kill -9 "$dn1_pid"
echo $$ >"$dir/datanode-2.pid.other" && kill -9 "$(cat "$dir/datanode-2.pid")" && cp "$dir/datanode-2.pid.other" "$dir/datanode-2.pid"
"$src/tools/cluster" start --dir "$dir" >/dev/null
for role in datanode-1 datanode-2; do
  new_pid="$(cat "$dir/$role.pid")"
  kill -0 "$new_pid" || fail "$role was not started again"
  grep -q 'cairn-datanode' "/proc/$new_pid/cmdline" || fail "$role.pid does not name a datanode"
done
[ "$(cat "$dir/datanode-1.pid")" != "$dn1_pid" ] || fail "datanode-1 kept its dead pid"
echo "PASS"
