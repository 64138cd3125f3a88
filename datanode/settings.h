// DatanodeSettings: every knob of the datanode process in one struct, with the flag names
// of `cairn-datanode` (component prefix, unit suffix). Tests and the in-process servers of
// protocol tests build the struct directly; the binary fills it from flags and --config.
//
// Thread-safety: a value; copy it, never share it mutably.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/logging.h"
#include "common/security_settings.h"
#include "common/status.h"
#include "compute/executor/executor_settings.h"

namespace cairn::datanode {

struct DatanodeSettings {
  std::string namenode;                   // namenode gRPC address HOST:PORT (required)
  std::string bind_host = "127.0.0.1";    // listen address, also the IP advertised to the namenode
                                          // (for 0.0.0.0: the host's first non-loopback IPv4)
  int xfer_port = 9866;                   // DataTransferProtocol port; 0 picks a free one
  int ipc_port = 0;                        // inter-datanode gRPC port (recovery calls); 0 picks a free one
  std::string port_file;                  // once listening, write "xfer_port=N\nipc_port=M\n" here
  std::string data_dirs;                  // comma-separated data directories, one volume each
  std::string rack;                       // rack hint sent at registration, e.g. /rack1
  ByteSize capacity;                      // 0: the volumes' real size; else the node's capacity
  ByteSize reserved;                      // bytes kept free on each volume
  int heartbeat_interval_ms = 0;          // 0: the interval the namenode gives at registration
  int64_t block_report_interval_ms = 21600000;  // full block report period
  int ibr_delay_ms = 0;                   // batching delay of incremental reports; 0 = at once
  std::string io_engine = "uring";        // uring | sync
  bool sync_on_close = true;              // finalized replicas are synced (durable close)
  std::string fault_disk_plan_file;       // TESTS ONLY: the disk fault seam's plan (disk_faults.h)
  std::string fault_namenode_rpc_plan_file;  // TESTS ONLY: faults of calls to the namenode (faulty_namenode_client.h)
  int max_xceivers = 4096;                // concurrent transfer connections
  int max_xceivers_per_address = 1024;    // the same, per client IP address
  int socket_timeout_ms = 60000;          // read/write timeout of transfer sockets
  int socket_keepalive_ms = 4000;         // how long an idle connection waits for its next op
  int replication_threads = 2;            // concurrent re-replications ordered by the namenode
  int command_queue_capacity = 1024;      // queued delete/replicate commands before dropping
  int namenode_rpc_timeout_ms = 10000;    // deadline of each call to the namenode
  ByteSize scan_bytes_per_sec{1 << 20};   // block scanner's verification rate per volume; 0: off
  int64_t scan_period_ms = 21LL * 24 * 3600 * 1000;  // every replica is verified this often
  int64_t volume_check_interval_ms = 15 * 60 * 1000; // each volume is probed this often; 0: never
  int recovery_threads = 2;               // concurrent block recoveries this node leads
  compute::ExecutorSettings executor;     // the compute executor (runs when executor.jobmaster is set)
  SecuritySettings security;              // the executor's shuffle service and ML workers share bind_host

  std::vector<std::string> DataDirList() const;
  // Checks ranges and required values.
  Status Validate() const;
};

// Binds every field to its flag.
void AddDatanodeFlags(FlagSet& flags, DatanodeSettings* settings);

}  // namespace cairn::datanode
