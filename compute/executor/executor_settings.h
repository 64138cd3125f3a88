// ExecutorSettings: the knobs of the compute executor that runs inside each datanode,
// bound to `cairn-datanode` flags (executor_ prefix). With executor_jobmaster empty the
// datanode runs no executor.
//
// Thread-safety: a value.
#pragma once

#include <string>

#include "common/flags.h"
#include "common/security_settings.h"
#include "common/status.h"

namespace cairn::compute {

struct ExecutorSettings {
  std::string jobmaster;               // cairn-jobmaster address HOST:PORT; empty: no executor
  std::string work_dir;                // task dirs and map outputs; empty: <first data dir>/executor
  int cpu_slots = 0;                   // task slots offered; 0: the number of online CPUs
  ByteSize memory;                     // memory offered to tasks; 0: physical memory
  int gpus = -1;                       // GPUs offered: -1 as the CUDA probe finds; N: N devices (declared when absent)
  std::string gpu_ids;                 // exact device ids offered, e.g. "0,2" (overrides gpus)
  int heartbeat_interval_ms = 300;     // heartbeat period (an attempt ending sends one at once)
  int shuffle_port = 0;                // gRPC port serving map outputs; 0 picks a free one
  int shuffle_threads = 8;             // concurrent map output fetches served
  std::string task_binary;             // cairn-task; empty: next to the running binary
  int rpc_timeout_ms = 10000;          // deadline of each call to the job master
  int monitor_interval_ms = 100;       // how often running task processes are checked
  std::string ml_worker_binary;        // cairn-ml-worker; empty: next to the running binary
  ByteSize ml_cache{1ull << 30};       // per ML job: parsed partitions its worker keeps in memory
  // Confinement (task_confinement.h).
  std::string task_user = "nobody";    // the local account every task runs as
  int min_task_uid = 1000;             // accounts below this uid (and root) are refused as task users...
  std::string allowed_system_users;    // ...unless named here (comma-separated)
  std::string cgroups = "auto";        // auto | required | off
  std::string cgroup_parent;           // a delegated cgroup v2 dir to put task cgroups under; empty: find one
  std::string task_launcher;          // setuid cairn-task-launcher; empty: switch users in-process (root)
  bool unconfined_tasks = false;       // tasks run as the datanode's own account (no user switch)
  // The datanode's security settings (its flags, not the executor's own). In kerberos
  // mode every task runs as the local account of its job's user, and the executor talks
  // to the job master with its datanode certificate.
  SecuritySettings security;

  Status Validate() const;
};

void AddExecutorFlags(FlagSet& flags, ExecutorSettings* settings);

}  // namespace cairn::compute
