// JobMasterSettings: every knob of cairn-jobmaster, with its flag (jobmaster_ prefix,
// unit suffix). Tests and the binary build the struct; RegisterJobMasterFlags binds it.
//
// Thread-safety: filled once at start-up, read-only afterwards.
#pragma once

#include <cstdint>
#include <string>

#include "common/flags.h"
#include "common/logging.h"
#include "common/security_settings.h"

namespace cairn::compute {

struct JobMasterSettings {
  std::string namenode;                    // namenode gRPC address HOST:PORT (required)
  std::string bind_host = "127.0.0.1";     // listen address
  int port = 8030;                         // gRPC port for clients and executors; 0 picks a free one
  std::string port_file;                   // written atomically once listening: port=N
  std::string data_dir;                    // job history lives here (required)
  int executor_expiry_ms = 10000;          // an executor silent this long is lost; its work runs elsewhere
  int locality_wait_node_ms = 1500;        // how long a job waits for a node-local slot before rack-local
  int locality_wait_rack_ms = 1500;        // and then for a rack-local slot before any slot
  int max_task_attempts = 4;               // default attempts per task (a job may ask for another)
  int64_t task_timeout_ms = 3600000;       // default wall-clock limit of one attempt
  ByteSize task_memory{1ull << 30};        // default memory of one task (its limit and its reservation)
  bool speculative = true;                 // launch backup attempts for stragglers
  double speculative_slowness = 2.0;       // a straggler has run this many times the median task time
  int speculative_min_ms = 10000;          // and at least this long
  int fetch_failure_reruns = 5;            // times a reduce may be re-run because map output was lost
  int sort_samples = 100000;               // keys sampled to partition a sort job
  int history_max_jobs = 1000;             // finished jobs kept; older ones are forgotten
  int monitor_interval_ms = 200;           // period of executor liveness checks
  int handler_threads = 16;                // gRPC handler threads
  int gang_max_restarts = 3;               // default whole-gang restarts after a worker fails
  int gang_port_base = 20000;              // MASTER_PORT and TF_CONFIG ports of gangs come from
  int gang_port_range = 8000;              //   [base, base + range), a fresh block per gang start
  int64_t ml_idle_timeout_ms = 600000;     // an ML job whose driver sent nothing this long fails
  int64_t ml_step_timeout_ms = 1800000;    // deadline of one ML step at the workers
  LogSettings log;
  SecuritySettings security;
  // kerberos mode: clients log in with Kerberos (common/grpc_login.h) and hand each job a
  // delegation token for its user (the job's tasks use it, the job master cancels it at
  // the end); executors prove themselves with datanode certificates.
  std::string kerberos_principal;          // e.g. jm/_HOST@REALM
  std::string keytab;                      // holding that principal's keys
  std::string auth_to_local;               // hadoop.security.auth_to_local rules, ';'-separated
  int64_t authn_token_lifetime_ms = 3600000;  // a login's token lives this long
  std::string namenode_principal;          // the namenode's, e.g. nn/_HOST@REALM (renewing jobs' tokens)
  int64_t token_renew_interval_ms = 3600000;  // a running job's delegation token is renewed this often

  Status Validate() const;
};

void RegisterJobMasterFlags(FlagSet& flags, JobMasterSettings* settings);

}  // namespace cairn::compute
