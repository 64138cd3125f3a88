#include "namenode/settings.h"

#include <unistd.h>

#include "common/process_user.h"
#include "common/auth_to_local.h"
#include "common/gssapi.h"

namespace cairn::namenode {

void RegisterNamenodeFlags(FlagSet& f, NamenodeSettings* s) {
  f.Add("namenode_name_dir", &s->name_dir, "RocksDB directory holding the namespace (created if missing)");
  f.Add("fault_namespace_sync_fail_file", &s->fault_namespace_sync_fail_file,
        "TESTS ONLY: while this file exists, every sync of the namespace store fails with an I/O error");
  f.Add("namenode_bind_host", &s->bind_host, "address the front doors listen on");
  AddSecurityFlags(f, &s->security);
  f.Add("namenode_kerberos_principal", &s->kerberos_principal,
        "kerberos mode: the namenode's principal, e.g. nn/_HOST@REALM (_HOST: this host's name; no realm: the "
        "default realm of krb5.conf)");
  f.Add("namenode_proxy_users", &s->proxy_users,
        "kerberos mode: proxy users (hadoop.proxyuser.*), 'NAME:hosts=IP,..|*:users=U,..|*:groups=G,..|*' "
        "entries separated by ';'");
  f.Add("namenode_keytab", &s->keytab, "kerberos mode: keytab holding the namenode principal's keys");
  f.Add("namenode_auth_to_local", &s->auth_to_local,
        "kerberos mode: hadoop.security.auth_to_local rules (RULE:[n:fmt](regex)s/a/b/ ... DEFAULT), ';'-separated");
  f.Add("namenode_rpc_port", &s->rpc_port, "gRPC front door port (0 = pick a free port)");
  f.Add("namenode_ipc_port", &s->ipc_port, "Hadoop IPC front door port (0 = pick a free port, -1 = off)");
  f.Add("namenode_ipc_reader_threads", &s->ipc_reader_threads, "event-loop threads serving Hadoop IPC connections");
  f.Add("namenode_ipc_handler_threads", &s->ipc_handler_threads, "threads running Hadoop IPC calls");
  f.Add("namenode_ipc_queue_size", &s->ipc_queue_size,
        "IPC calls waiting for a handler; while it is full, connections with more calls are not read");
  f.Add("namenode_ipc_max_connections", &s->ipc_max_connections, "further IPC connections are closed at once");
  f.Add("namenode_ipc_max_connections_per_address", &s->ipc_max_connections_per_address,
        "further IPC connections from one client IP address are closed at once");
  f.Add("namenode_ipc_max_calls_per_connection", &s->ipc_max_calls_per_connection,
        "IPC calls one connection may have running; beyond it the connection is not read until one ends");
  f.Add("namenode_ipc_max_reply_buffer", &s->ipc_max_reply_buffer,
        "IPC reply bytes a client has not taken yet; beyond it its connection is not read");
  f.Add("namenode_ipc_request_timeout_ms", &s->ipc_request_timeout_ms,
        "an IPC frame, and the connection handshake, must arrive whole within this; a reply not taken "
        "within it closes the connection");
  f.Add("namenode_ipc_idle_timeout_ms", &s->ipc_idle_timeout_ms,
        "close IPC connections silent this long while none of their calls runs");
  f.Add("namenode_ipc_max_frame", &s->ipc_max_frame, "largest Hadoop IPC frame accepted");
  f.Add("port_file", &s->port_file, "once listening, write rpc_port=N and ipc_port=M lines to this file");
  f.Add("namenode_default_block_size", &s->default_block_size, "default block size of new files");
  f.Add("namenode_default_replication", &s->default_replication, "default replication of new files");
  f.Add("namenode_min_replication", &s->min_replication, "replicas a block needs before a file may close");
  f.Add("namenode_max_replication", &s->max_replication, "largest replication a file may ask for");
  f.Add("namenode_heartbeat_interval_ms", &s->heartbeat_interval_ms, "datanode heartbeat interval (told to datanodes)");
  f.Add("namenode_datanode_dead_interval_ms", &s->datanode_dead_interval_ms,
        "a datanode without heartbeat for this long is dead");
  f.Add("namenode_replication_interval_ms", &s->replication_interval_ms, "period of the replication monitor");
  f.Add("namenode_topology_file", &s->topology_file, "rack map: lines 'host-or-host:port /rack', '#' comments");
  f.Add("namenode_superuser", &s->superuser, "superuser name (default: the user running the namenode)");
  f.Add("namenode_supergroup", &s->supergroup, "members of this group are superusers");
  f.Add("namenode_user_groups", &s->user_groups,
        "static user->groups map 'alice=g1,g2;bob=g3', consulted before the OS group database");
  f.Add("namenode_safemode_threshold", &s->safemode_threshold,
        "share of blocks that need a reported replica before safe mode ends (>1: never automatically)");
  f.Add("namenode_safemode_extension_ms", &s->safemode_extension_ms, "extra time in safe mode once the threshold holds");
  f.Add("namenode_block_access_tokens", &s->block_access_tokens,
        "sign a block access token (HMAC-SHA256) into every located block; datanodes refuse block ops without "
        "a valid one (dfs.block.access.token.enable)");
  f.Add("namenode_block_key_update_interval_ms", &s->block_key_update_interval_ms,
        "make a new block token signing key this often (dfs.block.access.key.update.interval)");
  f.Add("namenode_block_token_lifetime_ms", &s->block_token_lifetime_ms,
        "how long a block access token stays valid (dfs.block.access.token.lifetime)");
  f.Add("namenode_delegation_key_update_interval_ms", &s->delegation_key_update_interval_ms,
        "make a new delegation token master key this often (dfs.namenode.delegation.key.update-interval)");
  f.Add("namenode_delegation_token_renew_interval_ms", &s->delegation_token_renew_interval_ms,
        "a delegation token dies this long after it was issued or last renewed "
        "(dfs.namenode.delegation.token.renew-interval)");
  f.Add("namenode_delegation_token_max_lifetime_ms", &s->delegation_token_max_lifetime_ms,
        "no delegation token lives longer than this (dfs.namenode.delegation.token.max-lifetime)");
  f.Add("namenode_authn_token_lifetime_ms", &s->authn_token_lifetime_ms,
        "kerberos mode: a login on the gRPC door gives an authentication token valid this long");
  f.Add("namenode_lease_soft_limit_ms", &s->lease_soft_limit_ms, "lease age after which another client may recover");
  f.Add("namenode_lease_hard_limit_ms", &s->lease_hard_limit_ms, "lease age after which the namenode recovers the file");
  f.Add("namenode_block_recovery_timeout_ms", &s->block_recovery_timeout_ms,
        "a lease (block) recovery a datanode has not committed within this time is started again");
  f.Add("namenode_listing_limit", &s->listing_limit, "entries per getListing page");
  f.Add("namenode_listing_max_bytes", &s->listing_max_bytes,
        "a getListing page ends once its entries (with their block locations) pass this size; at least one entry");
  f.Add("namenode_handler_threads", &s->handler_threads, "threads running client calls");
  f.Add("namenode_handler_queue_size", &s->handler_queue_size, "client calls queued for a handler before backpressure");
  f.Add("namenode_datanode_handler_threads", &s->datanode_handler_threads, "threads running datanode calls");
  f.Add("namenode_complete_wait_ms", &s->complete_wait_ms, "how long complete waits for the last block's replicas");
  f.Add("namenode_max_replication_streams", &s->max_replication_streams,
        "re-replications in flight per source datanode");
  f.Add("namenode_replication_timeout_ms", &s->replication_timeout_ms,
        "re-replication not confirmed within this time is issued again");
  f.Add("namenode_block_invalidate_limit", &s->block_invalidate_limit,
        "block deletions sent to one datanode per heartbeat reply");
  AddLogFlags(f, &s->log);
}

Result<AuthToLocal> NamenodeAuthToLocal(const NamenodeSettings& s) {
  ASSIGN_OR_RETURN(PrincipalParts parts, SplitPrincipal(s.kerberos_principal));
  return AuthToLocal::Parse(s.auth_to_local, parts.realm);
}

Status FinalizeNamenodeSettings(NamenodeSettings* s) {
  if (s->name_dir.empty()) return InvalidArgument("--namenode_name_dir is required");
  RETURN_IF_ERROR(s->security.Validate());
  RETURN_IF_ERROR(CheckListenAddress(s->security, s->bind_host, "cairn-namenode"));
  if (s->security.kerberos()) {
    if (s->keytab.empty()) return InvalidArgument("--security=kerberos needs --namenode_keytab");
    if (s->ipc_port < 0) return InvalidArgument("--security=kerberos needs the Hadoop IPC door (--namenode_ipc_port)");
    ASSIGN_OR_RETURN(s->kerberos_principal, ResolveServicePrincipal(std::move(s->kerberos_principal)));
    ASSIGN_OR_RETURN(AuthToLocal rules, NamenodeAuthToLocal(*s));
    // The superuser is the user the namenode's own principal maps to (HDFS: the user the
    // namenode runs as), plus the members of the supergroup.
    if (s->superuser.empty()) {
      ASSIGN_OR_RETURN(s->superuser, rules.Map(s->kerberos_principal));
    }
  }
  if (s->superuser.empty()) s->superuser = ProcessUserName();
  if (s->default_block_size.bytes == 0 || s->default_block_size.bytes % 512 != 0)
    return InvalidArgument("--namenode_default_block_size must be a positive multiple of 512");
  if (s->min_replication < 1) return InvalidArgument("--namenode_min_replication must be at least 1");
  if (s->max_replication < s->min_replication)
    return InvalidArgument("--namenode_max_replication must be at least --namenode_min_replication");
  if (s->default_replication < s->min_replication || s->default_replication > s->max_replication)
    return InvalidArgument("--namenode_default_replication must lie in [min_replication, max_replication]");
  if (s->heartbeat_interval_ms <= 0 || s->datanode_dead_interval_ms <= 0 || s->replication_interval_ms <= 0 ||
      s->block_recovery_timeout_ms <= 0)
    return InvalidArgument("intervals must be positive");
  if (s->listing_limit <= 0) return InvalidArgument("--namenode_listing_limit must be positive");
  if (s->listing_max_bytes.bytes == 0) return InvalidArgument("--namenode_listing_max_bytes must be positive");
  if (s->handler_threads <= 0 || s->datanode_handler_threads <= 0 || s->handler_queue_size <= 0)
    return InvalidArgument("handler thread and queue counts must be positive");
  if (s->ipc_reader_threads <= 0 || s->ipc_handler_threads <= 0 || s->ipc_queue_size <= 0 ||
      s->ipc_max_connections <= 0 || s->ipc_max_connections_per_address <= 0 ||
      s->ipc_max_calls_per_connection <= 0 || s->ipc_max_reply_buffer.bytes == 0 || s->ipc_request_timeout_ms <= 0)
    return InvalidArgument("the --namenode_ipc_* thread counts, bounds and timeouts must be positive");
  if (s->safemode_threshold < 0) return InvalidArgument("--namenode_safemode_threshold must not be negative");
  return Status::OK();
}

}  // namespace cairn::namenode
