// NamenodeActor: the datanode's control loop with the namenode (HDFS's BPServiceActor),
// on one thread: register (retrying with backoff while the namenode is unreachable; it may
// start later or restart at any time), send a full block report, then heartbeat every
// interval (space, xceivers, volumes, compute resources) and hand the commands in the
// replies to the CommandExecutor; send queued incremental block reports promptly
// (coalesced, after datanode_ibr_delay_ms when set) and a full report every
// block_report_interval_ms, when the namenode asks, or after a volume failure; replicas
// found corrupt go to the namenode as bad-block reports as soon as they are queued. A reply
// saying the namenode does not know this node leads to a new registration. Nothing here
// ever stops the process: reads and writes carry on while the namenode is away.
//
// Thread-safety: Start/Stop from the owner; registered() and the counters from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "datanode/nn/command_executor.h"
#include "datanode/nn/namenode_client.h"
#include "datanode/nn/report_queue.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

struct NamenodeActorOptions {
  std::string ip_address;                  // advertised transfer address
  int xfer_port = 0;
  int ipc_port = 0;                        // the inter-datanode gRPC port (DatanodeIDProto.ipcPort)
  std::string hostname;
  std::string rack;                        // rack hint
  int heartbeat_interval_ms = 0;           // 0: what the namenode says
  int64_t block_report_interval_ms = 21600000;
  int ibr_delay_ms = 0;
  int max_retry_backoff_ms = 2000;         // longest wait between attempts while unreachable
  ResourceReport resources;                // what the executor can offer
  BlockKeyRing* block_keys = nullptr;      // takes the namenode's block token keys (null: ignored)
};

class NamenodeActor {
 public:
  NamenodeActor(NamenodeActorOptions options, NamenodeClient* client, BlockStore* store, ReportQueue* reports,
                CommandExecutor* commands, std::function<int()> xceiver_count);
  ~NamenodeActor();

  void Start();
  void Stop();

  bool registered() const { return registered_.load(); }
  int64_t heartbeats_sent() const { return heartbeats_.load(); }
  int64_t full_reports_sent() const { return full_reports_.load(); }

 private:
  void Run();
  Status Register();
  Status SendHeartbeat();
  Status SendFullReport();
  Status SendIncrementalReport();
  Status SendBadBlockReports();
  // Reacts to a failed call: re-registers when the namenode does not know us.
  void OnCallFailed(const char* what, const Status& st);
  int heartbeat_interval_ms() const;

  const NamenodeActorOptions options_;
  NamenodeClient* const client_;
  BlockStore* const store_;
  ReportQueue* const reports_;
  CommandExecutor* const commands_;
  const std::function<int()> xceiver_count_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> registered_{false};
  std::atomic<int64_t> heartbeats_{0};
  std::atomic<int64_t> full_reports_{0};
  // Owned by the actor thread.
  int namenode_heartbeat_ms_ = 3000;
  std::string block_pool_id_;
  bool need_full_report_ = true;
  int64_t next_heartbeat_ms_ = 0;
  int64_t next_full_report_ms_ = 0;
  int64_t retry_backoff_ms_ = 100;
  int64_t next_retry_ms_ = 0;
  int64_t last_error_log_ms_ = 0;
};

}  // namespace cairn::datanode
