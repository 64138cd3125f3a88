#include "compute/jobmaster/jobmaster_settings.h"

namespace cairn::compute {

Status JobMasterSettings::Validate() const {
  if (namenode.empty()) return InvalidArgument("--jobmaster_namenode=HOST:PORT is required");
  if (data_dir.empty()) return InvalidArgument("--jobmaster_data_dir is required (job history lives there)");
  if (port < 0 || port > 65535) return InvalidArgument("--jobmaster_port {} out of range", port);
  RETURN_IF_ERROR(security.Validate());
  RETURN_IF_ERROR(CheckListenAddress(security, bind_host, "cairn-jobmaster"));
  if (security.kerberos()) {
    if (kerberos_principal.empty() || keytab.empty() || namenode_principal.empty())
      return InvalidArgument(
          "--security=kerberos needs --jobmaster_kerberos_principal, --jobmaster_keytab and "
          "--jobmaster_namenode_principal");
    if (token_renew_interval_ms < 100) return InvalidArgument("--jobmaster_token_renew_interval_ms must be at least 100");
    if (authn_token_lifetime_ms < 60000)
      return InvalidArgument("--jobmaster_authn_token_lifetime_ms must be at least a minute");
  }
  if (executor_expiry_ms < 100) return InvalidArgument("--jobmaster_executor_expiry_ms must be at least 100");
  if (locality_wait_node_ms < 0 || locality_wait_rack_ms < 0)
    return InvalidArgument("locality waits must not be negative");
  if (max_task_attempts < 1) return InvalidArgument("--jobmaster_max_task_attempts must be at least 1");
  if (task_timeout_ms < 1) return InvalidArgument("--jobmaster_task_timeout_ms must be positive");
  if (speculative_slowness < 1) return InvalidArgument("--jobmaster_speculative_slowness must be at least 1");
  if (sort_samples < 1) return InvalidArgument("--jobmaster_sort_samples must be at least 1");
  if (ml_idle_timeout_ms < 1 || ml_step_timeout_ms < 1) return InvalidArgument("ML timeouts must be positive");
  if (history_max_jobs < 1) return InvalidArgument("--jobmaster_history_max_jobs must be at least 1");
  if (gang_max_restarts < 0) return InvalidArgument("--jobmaster_gang_max_restarts must not be negative");
  if (gang_port_base < 1024 || gang_port_range < 16 || gang_port_base + gang_port_range > 65536)
    return InvalidArgument("--jobmaster_gang_port_base/_range must give at least 16 ports within 1024..65535");
  if (handler_threads < 2) return InvalidArgument("--jobmaster_handler_threads must be at least 2");
  return Status::OK();
}

void RegisterJobMasterFlags(FlagSet& flags, JobMasterSettings* s) {
  flags.Add("jobmaster_namenode", &s->namenode, "namenode gRPC address HOST:PORT (required)");
  flags.Add("jobmaster_bind_host", &s->bind_host, "listen address");
  AddSecurityFlags(flags, &s->security);
  flags.Add("jobmaster_kerberos_principal", &s->kerberos_principal,
            "kerberos mode: the job master's principal, e.g. jm/_HOST@REALM (_HOST: this host's name)");
  flags.Add("jobmaster_keytab", &s->keytab, "kerberos mode: keytab holding the job master principal's keys");
  flags.Add("jobmaster_auth_to_local", &s->auth_to_local,
            "kerberos mode: hadoop.security.auth_to_local rules (RULE:[n:fmt](regex)s/a/b/ ... DEFAULT), ';'-separated");
  flags.Add("jobmaster_authn_token_lifetime_ms", &s->authn_token_lifetime_ms,
            "kerberos mode: how long the authentication token of one client login lives");
  flags.Add("jobmaster_namenode_principal", &s->namenode_principal,
            "kerberos mode: the namenode's principal (nn/_HOST@REALM), for renewing jobs' delegation tokens");
  flags.Add("jobmaster_token_renew_interval_ms", &s->token_renew_interval_ms,
            "kerberos mode: how often a running job's delegation token is renewed (below the namenode's "
            "--namenode_delegation_token_renew_interval_ms)");
  flags.Add("jobmaster_port", &s->port, "gRPC port for clients and executors (0 = pick a free port)");
  flags.Add("port_file", &s->port_file, "once listening, write port=N to this file (atomically)");
  flags.Add("jobmaster_data_dir", &s->data_dir, "directory of the job history (required)");
  flags.Add("jobmaster_executor_expiry_ms", &s->executor_expiry_ms,
            "an executor silent this long is lost and its work runs elsewhere");
  flags.Add("jobmaster_locality_wait_node_ms", &s->locality_wait_node_ms,
            "how long a job waits for a node-local slot before taking a rack-local one");
  flags.Add("jobmaster_locality_wait_rack_ms", &s->locality_wait_rack_ms,
            "then how long it waits for a rack-local slot before taking any");
  flags.Add("jobmaster_max_task_attempts", &s->max_task_attempts, "default attempts per task");
  flags.Add("jobmaster_task_timeout_ms", &s->task_timeout_ms, "default wall-clock limit of one task attempt");
  flags.Add("jobmaster_task_memory", &s->task_memory, "default memory of one task (its limit and reservation)");
  flags.Add("jobmaster_speculative", &s->speculative, "launch backup attempts for straggling tasks");
  flags.Add("jobmaster_speculative_slowness", &s->speculative_slowness,
            "a straggler has run this many times the median time of its finished peers");
  flags.Add("jobmaster_speculative_min_ms", &s->speculative_min_ms, "and at least this long");
  flags.Add("jobmaster_fetch_failure_reruns", &s->fetch_failure_reruns,
            "times a reduce task may be re-run because map output was lost");
  flags.Add("jobmaster_sort_samples", &s->sort_samples, "keys sampled to range-partition a sort job");
  flags.Add("jobmaster_history_max_jobs", &s->history_max_jobs, "finished jobs remembered");
  flags.Add("jobmaster_ml_idle_timeout_ms", &s->ml_idle_timeout_ms, "an ML job whose driver is silent this long fails");
  flags.Add("jobmaster_ml_step_timeout_ms", &s->ml_step_timeout_ms, "deadline of one ML step at the executors' workers");
  flags.Add("jobmaster_monitor_interval_ms", &s->monitor_interval_ms, "period of executor liveness checks");
  flags.Add("jobmaster_handler_threads", &s->handler_threads, "gRPC handler threads");
  flags.Add("jobmaster_gang_max_restarts", &s->gang_max_restarts,
            "default times a gang job starts again after one of its workers fails");
  flags.Add("jobmaster_gang_port_base", &s->gang_port_base, "first port handed to gangs (MASTER_PORT, TF_CONFIG)");
  flags.Add("jobmaster_gang_port_range", &s->gang_port_range, "ports handed to gangs, from the base");
  AddLogFlags(flags, &s->log);
}

}  // namespace cairn::compute
