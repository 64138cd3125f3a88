#include "datanode/settings.h"

namespace cairn::datanode {

std::vector<std::string> DatanodeSettings::DataDirList() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= data_dirs.size()) {
    size_t comma = data_dirs.find(',', start);
    if (comma == std::string::npos) comma = data_dirs.size();
    std::string dir = data_dirs.substr(start, comma - start);
    while (!dir.empty() && dir.back() == '/' && dir.size() > 1) dir.pop_back();
    if (!dir.empty()) out.push_back(dir);
    start = comma + 1;
  }
  return out;
}

Status DatanodeSettings::Validate() const {
  if (namenode.empty()) return InvalidArgument("--datanode_namenode=HOST:PORT is required");
  if (DataDirList().empty()) return InvalidArgument("--datanode_data_dirs needs at least one directory");
  RETURN_IF_ERROR(security.Validate());
  RETURN_IF_ERROR(CheckListenAddress(security, bind_host, "cairn-datanode"));
  if (security.kerberos() && !executor.jobmaster.empty() && executor.unconfined_tasks)
    return InvalidArgument("--security=kerberos runs every task as its job's user: --executor_unconfined_tasks "
                           "cannot be used with it");
  if (xfer_port < 0 || xfer_port > 65535) return InvalidArgument("--datanode_xfer_port {} out of range", xfer_port);
  if (ipc_port < 0 || ipc_port > 65535) return InvalidArgument("--datanode_ipc_port {} out of range", ipc_port);
  if (io_engine != "uring" && io_engine != "sync")
    return InvalidArgument("--datanode_io_engine must be uring or sync, not '{}'", io_engine);
  if (max_xceivers < 1) return InvalidArgument("--datanode_max_xceivers must be at least 1");
  if (max_xceivers_per_address < 1) return InvalidArgument("--datanode_max_xceivers_per_address must be at least 1");
  if (socket_timeout_ms < 0) return InvalidArgument("--datanode_socket_timeout_ms must not be negative");
  if (heartbeat_interval_ms < 0) return InvalidArgument("--datanode_heartbeat_interval_ms must not be negative");
  if (block_report_interval_ms <= 0) return InvalidArgument("--datanode_block_report_interval_ms must be positive");
  if (ibr_delay_ms < 0) return InvalidArgument("--datanode_ibr_delay_ms must not be negative");
  if (replication_threads < 1) return InvalidArgument("--datanode_replication_threads must be at least 1");
  if (recovery_threads < 1) return InvalidArgument("--datanode_recovery_threads must be at least 1");
  if (scan_period_ms <= 0) return InvalidArgument("--datanode_scan_period_ms must be positive");
  if (volume_check_interval_ms < 0) return InvalidArgument("--datanode_volume_check_interval_ms must not be negative");
  if (!executor.jobmaster.empty()) RETURN_IF_ERROR(executor.Validate());
  return Status::OK();
}

void AddDatanodeFlags(FlagSet& flags, DatanodeSettings* s) {
  flags.Add("datanode_namenode", &s->namenode, "namenode gRPC address HOST:PORT (required)");
  flags.Add("datanode_bind_host", &s->bind_host, "listen address; also the IP advertised to the namenode");
  AddSecurityFlags(flags, &s->security);
  flags.Add("datanode_xfer_port", &s->xfer_port, "DataTransferProtocol port (0 = pick a free port)");
  flags.Add("datanode_ipc_port", &s->ipc_port,
            "inter-datanode gRPC port for block recovery calls, mutual TLS with certificates (0 = pick a free port)");
  flags.Add("port_file", &s->port_file, "once listening, write xfer_port=N and ipc_port=M to this file (atomically)");
  flags.Add("datanode_data_dirs", &s->data_dirs, "comma-separated data directories, one volume each");
  flags.Add("datanode_rack", &s->rack, "rack hint sent at registration, e.g. /rack1");
  flags.Add("datanode_capacity", &s->capacity,
            "capacity reported for this datanode (0 = the volumes' real size); writes beyond it fail");
  flags.Add("datanode_reserved", &s->reserved, "bytes kept free on each volume");
  flags.Add("datanode_heartbeat_interval_ms", &s->heartbeat_interval_ms,
            "heartbeat period (0 = what the namenode says at registration)");
  flags.Add("datanode_block_report_interval_ms", &s->block_report_interval_ms, "full block report period");
  flags.Add("datanode_ibr_delay_ms", &s->ibr_delay_ms,
            "batching delay of incremental block reports (0 = send at once, coalescing what is queued)");
  flags.Add("datanode_io_engine", &s->io_engine, "disk I/O engine: uring or sync");
  flags.Add("datanode_sync_on_close", &s->sync_on_close,
            "fdatasync a replica and fsync its directory before it is finalized, so an acknowledged close "
            "survives a power cut (HDFS dfs.datanode.synconclose); false leaves it to the kernel's writeback");
  flags.Add("fault_disk_plan_file", &s->fault_disk_plan_file,
            "TESTS ONLY: while this file exists, its faults ('read eio', 'read eio from_offset N', 'write eio', "
            "'write enospc', 'write torn', 'fdatasync eio', 'delay_ms N', one per line) hit every replica read, write and fdatasync");
  flags.Add("fault_namenode_rpc_plan_file", &s->fault_namenode_rpc_plan_file,
            "TESTS ONLY: while this file exists, its faults ('drop_request CALL', 'drop_reply CALL', 'duplicate "
            "CALL', 'delay_ms N'; CALL is heartbeat, block_report, block_received, ... or *) hit calls to the namenode");
  flags.Add("datanode_max_xceivers", &s->max_xceivers, "most concurrent transfer connections");
  flags.Add("datanode_max_xceivers_per_address", &s->max_xceivers_per_address,
            "most concurrent transfer connections from one client IP address");
  flags.Add("datanode_socket_timeout_ms", &s->socket_timeout_ms, "read/write timeout of transfer sockets");
  flags.Add("datanode_socket_keepalive_ms", &s->socket_keepalive_ms,
            "how long an idle transfer connection waits for its next op");
  flags.Add("datanode_replication_threads", &s->replication_threads,
            "concurrent re-replications ordered by the namenode");
  flags.Add("datanode_command_queue_capacity", &s->command_queue_capacity,
            "queued namenode commands (deletes, replications) before new ones are dropped");
  flags.Add("datanode_namenode_rpc_timeout_ms", &s->namenode_rpc_timeout_ms, "deadline of each call to the namenode");
  flags.Add("datanode_scan_bytes_per_sec", &s->scan_bytes_per_sec,
            "block scanner: bytes per second verified on each volume (0 = no background verification)");
  flags.Add("datanode_scan_period_ms", &s->scan_period_ms, "block scanner: start a pass over each volume this often");
  flags.Add("datanode_volume_check_interval_ms", &s->volume_check_interval_ms,
            "probe each data directory this often and take a failing one out of service (0 = only after I/O errors)");
  flags.Add("datanode_recovery_threads", &s->recovery_threads, "concurrent block (lease) recoveries led by this node");
  compute::AddExecutorFlags(flags, &s->executor);
}

}  // namespace cairn::datanode
