// NamenodeSettings: every tunable of cairn-namenode in one struct, with HDFS's defaults.
// RegisterNamenodeFlags binds each field to its flag name (component prefix, unit suffix)
// so `cairn-namenode --help` documents them all and `--config FILE` can set them.
//
// Thread-safety: filled once at start-up, read-only afterwards.
#pragma once

#include <cstdint>
#include <string>

#include "common/auth_to_local.h"
#include "common/flags.h"
#include "common/security_settings.h"
#include "common/logging.h"

namespace cairn::namenode {

struct NamenodeSettings {
  std::string name_dir;                  // RocksDB directory of the namespace (created if missing)
  std::string fault_namespace_sync_fail_file;  // tests only: WAL syncs fail while this file exists
  std::string bind_host = "127.0.0.1";   // address both front doors listen on
  int rpc_port = 8021;                   // gRPC front door; 0 picks a free port
  int ipc_port = 8020;                   // Hadoop IPC front door; 0 picks a free port, -1 disables it
  std::string port_file;                 // written atomically once listening: rpc_port=N, ipc_port=M
  ByteSize default_block_size{128ull << 20};  // block size offered by getServerDefaults
  int default_replication = 3;           // replication offered by getServerDefaults
  int min_replication = 1;               // replicas a block needs before it counts as written
  int max_replication = 512;             // largest replication a file may ask for
  int heartbeat_interval_ms = 3000;      // told to datanodes at registration
  int datanode_dead_interval_ms = 630000;  // a datanode silent this long is dead
  int replication_interval_ms = 3000;    // period of the replication monitor
  std::string topology_file;             // lines "host-or-host:port /rack"; '#' comments
  std::string superuser;                 // empty: the OS user running the namenode
  std::string supergroup = "supergroup"; // members of this group are superusers too
  std::string user_groups;               // static mapping "alice=g1,g2;bob=g3", before the OS database
  double safemode_threshold = 0.999;     // share of blocks that need >= 1 reported replica
  int safemode_extension_ms = 0;         // stay in safe mode this much longer once the threshold holds
  int lease_soft_limit_ms = 60000;       // after this another client may take over a file
  int lease_hard_limit_ms = 1200000;     // after this the namenode closes the file itself
  int block_recovery_timeout_ms = 60000; // a block recovery not committed by then is started again
  int listing_limit = 1000;              // entries per getListing page
  ByteSize listing_max_bytes{2ull << 20};  // a getListing page stops once past this (at least one entry)
  int handler_threads = 16;              // threads running client calls
  int handler_queue_size = 4096;         // client calls waiting for a handler
  int datanode_handler_threads = 4;      // threads running datanode calls (reports, heartbeats)
  int complete_wait_ms = 5000;           // complete waits this long for the last block's replicas
  int max_replication_streams = 4;       // re-replications in flight per source datanode
  int replication_timeout_ms = 300000;   // a re-replication not confirmed by then is re-issued
  int block_invalidate_limit = 1000;     // block deletions per heartbeat reply per datanode
  int ipc_reader_threads = 2;            // event loops serving the IPC connections
  int ipc_handler_threads = 16;          // threads running Hadoop IPC calls
  int ipc_queue_size = 1024;             // IPC calls waiting for a handler; beyond it reading pauses
  int ipc_max_connections = 4096;        // further IPC connections are closed at once
  int ipc_max_connections_per_address = 1024;  // the same, per client IP address
  int ipc_max_calls_per_connection = 256;      // calls running; beyond it the connection is not read
  ByteSize ipc_max_reply_buffer{8ull << 20};   // replies a client has not taken; beyond it, not read
  int ipc_request_timeout_ms = 30000;    // a frame (and the handshake) arrives whole within this
  int ipc_idle_timeout_ms = 60000;       // IPC connections silent this long (no call running) are closed
  ByteSize ipc_max_frame{64ull << 20};   // largest IPC frame accepted
  bool block_access_tokens = true;       // sign a token into every located block; datanodes check it
  int64_t block_key_update_interval_ms = 10LL * 3600 * 1000;  // a new block token key this often
  int64_t block_token_lifetime_ms = 10LL * 3600 * 1000;       // a block token is valid this long
  // Delegation tokens (kerberos mode; see delegation_token_manager.h).
  int64_t delegation_key_update_interval_ms = 24LL * 3600 * 1000;
  int64_t delegation_token_renew_interval_ms = 24LL * 3600 * 1000;
  int64_t delegation_token_max_lifetime_ms = 7LL * 24 * 3600 * 1000;
  int64_t authn_token_lifetime_ms = 3600 * 1000;  // the gRPC door's login lasts this long
  LogSettings log;
  SecuritySettings security;
  // --security=kerberos: the namenode's principal (_HOST: this host's name), its keytab,
  // and the rules that turn callers' principals into user names.
  std::string kerberos_principal = "nn/_HOST";
  std::string keytab;
  std::string auth_to_local;             // Hadoop's rule syntax; empty: DEFAULT
  std::string proxy_users;               // who may act for whom (namenode/rpc/proxy_users.h)
};

void RegisterNamenodeFlags(FlagSet& flags, NamenodeSettings* settings);

// Fills defaults that depend on the environment (superuser) and rejects impossible values.
Status FinalizeNamenodeSettings(NamenodeSettings* settings);

// The auth_to_local rules of a kerberos namenode; DEFAULT applies to the realm of its own
// principal (complete after FinalizeNamenodeSettings).
Result<AuthToLocal> NamenodeAuthToLocal(const NamenodeSettings& settings);

}  // namespace cairn::namenode
