// libcairn: the client library. A FileSystem talks to the namenode over its native gRPC
// front door and to datanodes over DataTransferProtocol; everything users do (the `cairn`
// CLI, cairn-fuse, jobs, benchmarks) goes through it.
//
// Semantics follow HDFS: paths are absolute, files are written once by a single writer
// (create or append, then close), readers see what was completed or hflushed. A
// FileSystem is thread-safe and meant to be shared; each stream belongs to one thread at a
// time. Errors are Status codes from common/status.h (kNotFound, kPermissionDenied, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/input_stream.h"
#include "client/output_stream.h"
#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn {
class FsckResponse;
}

namespace cairn::client {

class NamenodeClient;

// The delegation token in a token storage file for the namenode at `namenode` (as
// ClientOptions::namenode spells it); nullopt when the file holds none for it.
Result<std::optional<hadoop::common::TokenProto>> ReadDelegationTokenFor(const std::string& token_file,
                                                                          const std::string& namenode);

struct ClientOptions {
  std::string namenode;            // host:port of the namenode's gRPC front door, or hdfs://host:port of its IPC door
  std::string user;                // empty: $CAIRN_USER, then $HADOOP_USER_NAME, then the OS user
  // The namenode's Kerberos principal ("nn/_HOST@REALM"); empty: $CAIRN_NAMENODE_PRINCIPAL.
  // Set: log in with the ticket kinit got (hdfs:// addresses only); the user is the
  // ticket's, whatever `user` says.
  std::string namenode_principal;
  // A Hadoop token storage file (`cairn token fetch`, `hdfs fetchdt`); empty:
  // $HADOOP_TOKEN_FILE_LOCATION. When it holds a delegation token for the namenode, the
  // client logs in with it (hdfs:// addresses only) as the token's owner, without a ticket.
  std::string token_file;
  // A delegation token given in memory (a job's, from its task spec); set: it is used
  // instead of token_file, on either door.
  std::optional<hadoop::common::TokenProto> delegation_token;
  // The cluster CA; set: the gRPC door speaks TLS. Empty: $CAIRN_TLS_CA_FILE.
  std::string tls_ca_file;
  // With a Kerberos ticket: act for this user (a proxy user, as HADOOP_PROXY_USER does);
  // empty: $HADOOP_PROXY_USER. The namenode's --namenode_proxy_users must allow it.
  std::string proxy_user;
  std::string client_name;         // lease holder name; empty: "cairn-client-<pid>-<random>"
  int rpc_timeout_ms = 60000;      // per namenode call
  int rpc_retry_ms = 30000;        // keep retrying retryable namenode errors this long
  int socket_timeout_ms = 60000;   // datanode reads and writes
  uint32_t packet_data_bytes = 64 * 1024;
  uint32_t write_window_packets = 80;  // unacknowledged packets in flight per pipeline
  int lease_renew_interval_ms = 30000;  // renewLease period while streams are open (soft limit / 2)
  int complete_timeout_ms = 30000;     // Close keeps retrying a false complete() this long
  int truncate_wait_ms = 60000;        // Truncate waits this long for a cut inside a block to finish
  int write_block_attempts = 3;        // pipeline set-ups tried per new block (excluding bad nodes)
  // Write-pipeline recovery after a datanode fails: whether to bring in a replacement node
  // ("never", "default" as HDFS: replication >= 3 and half the nodes lost or the block
  // hflushed/appended to, "always"), whether to go on without one when none can be had,
  // and how many recoveries one block may need before the write fails.
  std::string replace_datanode_on_failure = "default";
  bool replace_datanode_best_effort = true;
  int pipeline_recovery_attempts = 5;
  // Reads: when every replica of a block failed, fetch its locations again (replicas may
  // have moved or come back) this many times, waiting a little longer each time.
  int read_block_acquire_attempts = 3;
  uint32_t read_prefetch_blocks = 10;  // block locations fetched ahead per getBlockLocations
  int socket_buffer_bytes = 0;         // SO_SNDBUF/SO_RCVBUF for datanode sockets; 0: kernel autotuning
};

struct FileStatus {
  std::string path;                // absolute path
  std::string name;                // last component ("" for /)
  bool is_dir = false;
  bool is_symlink = false;
  std::string symlink_target;
  uint64_t length = 0;
  uint32_t permission = 0;         // mode bits, e.g. 0644
  std::string owner;
  std::string group;
  int64_t modification_time = 0;   // ms since epoch
  int64_t access_time = 0;
  uint32_t replication = 0;
  uint64_t block_size = 0;
  uint64_t file_id = 0;
  int32_t children_num = -1;       // directories: number of entries
};

struct ContentSummary {
  uint64_t length = 0;             // bytes in files
  uint64_t file_count = 0;
  uint64_t directory_count = 0;
  uint64_t space_consumed = 0;     // bytes times replication
};

struct FsStats {
  uint64_t capacity = 0;
  uint64_t used = 0;
  uint64_t remaining = 0;
  uint64_t under_replicated = 0;
  uint64_t corrupt_blocks = 0;
  uint64_t missing_blocks = 0;
};

struct DatanodeReport {
  std::string uuid;
  std::string address;             // ip:xferPort
  std::string hostname;
  std::string rack;
  bool live = true;
  std::string admin_state;         // NORMAL, DECOMMISSION_INPROGRESS, DECOMMISSIONED, ...
  uint64_t capacity = 0;
  uint64_t used = 0;
  uint64_t remaining = 0;
  uint64_t blocks = 0;
  int64_t last_heartbeat_ms_ago = 0;
  uint32_t xceivers = 0;
  uint64_t decommission_blocks_pending = 0;  // decommissioning: blocks still to copy elsewhere
  uint32_t failed_volumes = 0;
  std::vector<std::string> volume_failures;  // "path: reason"
};

struct BlockLocation {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t block_id = 0;
  uint64_t gen_stamp = 0;
  std::vector<std::string> hosts;  // ip:xferPort, nearest first
  std::vector<std::string> racks;
};

struct ServerDefaults {
  uint64_t block_size = 0;
  uint32_t bytes_per_checksum = 0;
  uint32_t write_packet_size = 0;
  uint32_t replication = 0;
};

struct OpenOptions {
  // 0: Read() fetches on demand. Otherwise a background thread keeps up to this many bytes
  // past the read position fetched (see ReadAheadInputStream), so the network transfer of
  // the next bytes overlaps whatever the caller does with the current ones.
  uint64_t readahead_bytes = 0;
  uint32_t readahead_chunk_bytes = 1 << 20;  // unit the background thread fetches in
};

// One page of a directory listing.
struct ListingPage {
  std::vector<FileStatus> entries;  // sorted by name
  bool has_more = false;            // entries after the last one remain
};

struct CreateOptions {
  bool overwrite = false;
  uint32_t replication = 0;        // 0: the namenode's default
  uint64_t block_size = 0;         // 0: the namenode's default
  uint32_t permission = 0644;
  bool create_parent = true;
};

// The user a client acts as: `configured` when set, else $CAIRN_USER, $HADOOP_USER_NAME,
// then the OS user.
std::string ResolveClientUser(const std::string& configured);

class FileSystem {
 public:
  static Result<std::unique_ptr<FileSystem>> Connect(const ClientOptions& options);
  ~FileSystem();

  Result<std::unique_ptr<InputStream>> Open(const std::string& path);
  Result<std::unique_ptr<InputStream>> Open(const std::string& path, const OpenOptions& options);
  Result<std::unique_ptr<OutputStream>> Create(const std::string& path, const CreateOptions& options = {});
  // Same, and fills *created with the new file's attributes as the namenode's create answer
  // gives them (HDFS's create returns the status), so a caller needs no Stat afterwards;
  // *created is left as it was when the answer carries no status.
  Result<std::unique_ptr<OutputStream>> Create(const std::string& path, const CreateOptions& options,
                                               FileStatus* created);
  Result<std::unique_ptr<OutputStream>> Append(const std::string& path);

  Result<FileStatus> Stat(const std::string& path);
  // A directory's entries (paged from the namenode, sorted by name); a file lists itself.
  Result<std::vector<FileStatus>> List(const std::string& path);
  // Same, one page at a time; return false from the callback to stop.
  Status ListEach(const std::string& path, const std::function<bool(const FileStatus&)>& fn);
  // The entries of directory `path` that sort after `start_after` ("" from the start), one
  // namenode page of them. kNotDirectory for a file.
  Result<ListingPage> ListPage(const std::string& path, const std::string& start_after);
  Status Mkdirs(const std::string& path, uint32_t permission = 0755);
  // Like Mkdirs; without create_parent a missing parent is kNotFound.
  Status Mkdir(const std::string& path, uint32_t permission, bool create_parent);
  // False when the path did not exist.
  Result<bool> Delete(const std::string& path, bool recursive);
  Status Rename(const std::string& src, const std::string& dst, bool overwrite = false);
  Status SetReplication(const std::string& path, uint32_t replication);
  Status Chmod(const std::string& path, uint32_t permission);
  // Empty owner or group leaves it unchanged.
  Status Chown(const std::string& path, const std::string& owner, const std::string& group);
  Status SetTimes(const std::string& path, int64_t mtime_ms, int64_t atime_ms);
  // Shortens a closed file to new_length (HDFS truncate). A cut inside a block is done by
  // the namenode's block recovery; this waits (up to options.truncate_wait_ms, polling
  // isFileClosed) until the file is closed again. StartTruncate only asks: true when the
  // file is done, false when the recovery is under way.
  Status Truncate(const std::string& path, uint64_t new_length);
  Result<bool> StartTruncate(const std::string& path, uint64_t new_length);
  // isFileClosed: false while a writer, lease recovery or truncate holds the file open.
  Result<bool> IsFileClosed(const std::string& path);
  // A symbolic link at `link` pointing to `target` (stored as given, never resolved by the
  // namenode).
  Status CreateSymlink(const std::string& target, const std::string& link, bool create_parent = false);
  // OK when the user may access `path` with `mode` (4 read, 2 write, 1 execute, or'ed);
  // kPermissionDenied when not, kNotFound when it does not exist.
  Status CheckAccess(const std::string& path, uint32_t mode);
  Result<ContentSummary> GetContentSummary(const std::string& path);
  Result<FsStats> GetFsStats();
  Result<std::vector<DatanodeReport>> GetDatanodeReport();
  Result<std::vector<BlockLocation>> GetBlockLocations(const std::string& path, uint64_t offset, uint64_t length);
  Result<FsckResponse> Fsck(const std::string& path, bool include_blocks);
  // Starts decommissioning (or, with decommission false, recommissions) the datanodes
  // named "ip:xferPort" or "hostname:xferPort" (superuser only).
  Status Decommission(const std::vector<std::string>& datanodes, bool decommission);
  // recoverLease: true when the file is closed (now or already); false when its lease was
  // taken from the writer and recovery of its last block is under way (ask again).
  Result<bool> RecoverLease(const std::string& path);

  // The namenode's defaults (block size, replication, ...), fetched once.
  Result<ServerDefaults> GetServerDefaults();

  const ClientOptions& options() const;
  const std::string& client_name() const;
  const std::string& user() const;
  NamenodeClient& namenode();

 private:
  struct Impl;
  explicit FileSystem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::client
