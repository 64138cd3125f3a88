#include "client/file_system.h"

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "cairn/namenode.pb.h"
#include "client/client_context.h"
#include "client/dfs_input_stream.h"
#include "client/dfs_output_stream.h"
#include "client/pipeline_recovery.h"
#include "client/proto_convert.h"
#include "common/gssapi.h"
#include "common/process_user.h"
#include "common/delegation_token.h"
#include "common/whole_file.h"
#include "client/readahead_input_stream.h"
#include "common/clock.h"
#include "common/path.h"

namespace cairn::client {

struct FileSystem::Impl {
  std::shared_ptr<ClientContext> ctx;
  std::mutex defaults_mu;
  std::optional<ServerDefaults> defaults;  // guarded by defaults_mu
};

std::string ResolveClientUser(const std::string& configured) {
  if (!configured.empty()) return configured;
  for (const char* var : {"CAIRN_USER", "HADOOP_USER_NAME"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  return ProcessUserName();
}

namespace {

// Truncate polls isFileClosed from this interval, doubling up to the maximum.
constexpr int kFirstTruncatePollMs = 50;
constexpr int kMaxTruncatePollMs = 1000;

std::string NewClientName() {
  std::random_device rd;
  return fmt::format("cairn-client-{}-{:08x}", ::getpid(), rd());
}

// The canonical form of an absolute path ("/a/b/" -> "/a/b"); relative paths are refused
// here, before any RPC.
Result<std::string> CanonicalPath(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<std::string_view> parts, SplitPath(path));
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? std::string("/") : out;
}

hh::FsPermissionProto Permission(uint32_t mode) {
  hh::FsPermissionProto p;
  p.set_perm(mode & 07777);
  return p;
}

}  // namespace

Result<std::optional<hadoop::common::TokenProto>> ReadDelegationTokenFor(const std::string& token_file,
                                                                          const std::string& namenode) {
  ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(token_file));
  auto tokens = DecodeTokenStorage(bytes);
  if (!tokens.ok()) return tokens.status().WithContext(token_file);
  std::string_view service = namenode;
  if (service.rfind("hdfs://", 0) == 0) service.remove_prefix(7);
  if (!service.empty() && service.back() == '/') service.remove_suffix(1);
  return SelectDelegationToken(*tokens, service);
}

FileSystem::FileSystem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileSystem::~FileSystem() = default;

Result<std::unique_ptr<FileSystem>> FileSystem::Connect(const ClientOptions& options) {
  RETURN_IF_ERROR(ParseReplaceDatanodePolicy(options.replace_datanode_on_failure).status());
  auto ctx = std::make_shared<ClientContext>();
  ctx->options = options;
  ctx->user = ResolveClientUser(options.user);
  ctx->client_name = options.client_name.empty() ? NewClientName() : options.client_name;
  NamenodeClientSettings settings;
  settings.address = options.namenode;
  settings.user = ctx->user;
  settings.kerberos_principal = options.namenode_principal;
  if (const char* env = std::getenv("CAIRN_NAMENODE_PRINCIPAL"); settings.kerberos_principal.empty() && env)
    settings.kerberos_principal = env;
  settings.tls_ca_file = options.tls_ca_file;
  if (const char* env = std::getenv("CAIRN_TLS_CA_FILE"); settings.tls_ca_file.empty() && env)
    settings.tls_ca_file = env;
  std::string token_file = options.token_file;
  if (const char* env = std::getenv("HADOOP_TOKEN_FILE_LOCATION"); token_file.empty() && env) token_file = env;
  if (options.delegation_token) {
    settings.delegation_token = options.delegation_token;
  } else if (!token_file.empty()) {
    ASSIGN_OR_RETURN(settings.delegation_token, ReadDelegationTokenFor(token_file, options.namenode));
  }
  if (settings.delegation_token) {
    // Who we are is the token's owner.
    ASSIGN_OR_RETURN(DelegationTokenIdentifier id,
                     DecodeDelegationTokenIdentifier(settings.delegation_token->identifier()));
    settings.user = id.owner;
    ctx->user = id.owner;
  } else if (!settings.kerberos_principal.empty()) {
    // Who we are is what the ticket says: its principal goes in the connection context,
    // and its first component is the user name this client reports.
    ASSIGN_OR_RETURN(settings.user, TicketCachePrincipal());
    ctx->user = settings.user.substr(0, settings.user.find_first_of("/@"));
    // A proxy user (a service acting for someone) names that someone instead; the
    // namenode's proxy-user rules decide whether it may.
    std::string proxy = options.proxy_user;
    if (const char* env = std::getenv("HADOOP_PROXY_USER"); proxy.empty() && env) proxy = env;
    if (!proxy.empty()) {
      settings.user = proxy;
      ctx->user = proxy;
    }
  }
  settings.rpc_timeout_ms = options.rpc_timeout_ms;
  settings.rpc_retry_ms = options.rpc_retry_ms;
  ASSIGN_OR_RETURN(ctx->namenode, NamenodeClient::Create(settings));
  ctx->leases = std::make_unique<LeaseRenewer>(ctx->namenode.get(), ctx->client_name, options.lease_renew_interval_ms);
  auto impl = std::make_unique<Impl>();
  impl->ctx = std::move(ctx);
  return std::unique_ptr<FileSystem>(new FileSystem(std::move(impl)));
}

const ClientOptions& FileSystem::options() const { return impl_->ctx->options; }
const std::string& FileSystem::user() const { return impl_->ctx->user; }
const std::string& FileSystem::client_name() const { return impl_->ctx->client_name; }
NamenodeClient& FileSystem::namenode() { return *impl_->ctx->namenode; }

Result<ServerDefaults> FileSystem::GetServerDefaults() {
  std::lock_guard lock(impl_->defaults_mu);
  if (impl_->defaults) return *impl_->defaults;
  ASSIGN_OR_RETURN(hh::GetServerDefaultsResponseProto resp, namenode().GetServerDefaults({}));
  const auto& d = resp.serverdefaults();
  ServerDefaults out;
  out.block_size = d.blocksize();
  out.bytes_per_checksum = d.bytesperchecksum();
  out.write_packet_size = d.writepacketsize();
  out.replication = d.replication();
  impl_->defaults = out;
  return out;
}

Result<std::unique_ptr<InputStream>> FileSystem::Open(const std::string& path) { return Open(path, OpenOptions{}); }

Result<std::unique_ptr<InputStream>> FileSystem::Open(const std::string& path, const OpenOptions& options) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  ASSIGN_OR_RETURN(std::unique_ptr<DfsInputStream> in, DfsInputStream::Open(impl_->ctx, p));
  if (options.readahead_bytes == 0) return std::unique_ptr<InputStream>(std::move(in));
  return std::unique_ptr<InputStream>(
      std::make_unique<ReadAheadInputStream>(std::move(in), options.readahead_bytes, options.readahead_chunk_bytes));
}

Result<std::unique_ptr<OutputStream>> FileSystem::Create(const std::string& path, const CreateOptions& options) {
  return Create(path, options, nullptr);
}

Result<std::unique_ptr<OutputStream>> FileSystem::Create(const std::string& path, const CreateOptions& options,
                                                         FileStatus* created) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  uint32_t replication = options.replication;
  uint64_t block_size = options.block_size;
  if (replication == 0 || block_size == 0) {
    ASSIGN_OR_RETURN(ServerDefaults defaults, GetServerDefaults());
    if (replication == 0) replication = defaults.replication;
    if (block_size == 0) block_size = defaults.block_size;
  }
  if (block_size == 0 || block_size % kDefaultBytesPerChecksum != 0)
    return InvalidArgument("block size {} is not a positive multiple of the {}-byte checksum chunk", block_size,
                           kDefaultBytesPerChecksum);
  hh::CreateRequestProto req;
  req.set_src(p);
  *req.mutable_masked() = Permission(options.permission);
  req.set_clientname(impl_->ctx->client_name);
  req.set_createflag(hh::CREATE | (options.overwrite ? hh::OVERWRITE : 0));
  req.set_createparent(options.create_parent);
  req.set_replication(replication);
  req.set_blocksize(block_size);
  ASSIGN_OR_RETURN(hh::CreateResponseProto resp, namenode().Create(req));
  WritingFile file{p, resp.has_fs() ? resp.fs().fileid() : 0, replication};
  if (resp.has_fs() && resp.fs().blocksize() > 0) block_size = resp.fs().blocksize();
  if (created != nullptr && resp.has_fs()) *created = ToFileStatus(resp.fs(), p);
  return std::unique_ptr<OutputStream>(DfsOutputStream::ForCreate(impl_->ctx, std::move(file), block_size));
}

Result<std::unique_ptr<OutputStream>> FileSystem::Append(const std::string& path) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::AppendRequestProto req;
  req.set_src(p);
  req.set_clientname(impl_->ctx->client_name);
  req.set_flag(hh::APPEND);
  ASSIGN_OR_RETURN(hh::AppendResponseProto resp, namenode().Append(req));
  hh::HdfsFileStatusProto stat = resp.stat();
  if (!resp.has_stat()) {
    hh::GetFileInfoRequestProto info;
    info.set_src(p);
    ASSIGN_OR_RETURN(hh::GetFileInfoResponseProto got, namenode().GetFileInfo(info));
    if (!got.has_fs()) return NotFound("{}: no such file", p);
    stat = got.fs();
  }
  std::optional<hh::LocatedBlockProto> last;
  if (resp.has_block()) {
    last = resp.block();
  } else if (stat.length() > 0) {
    // The last block is full: the next block follows it.
    hh::GetBlockLocationsRequestProto locate;
    locate.set_src(p);
    locate.set_offset(stat.length() - 1);
    locate.set_length(1);
    ASSIGN_OR_RETURN(hh::GetBlockLocationsResponseProto located, namenode().GetBlockLocations(locate));
    const auto& blocks = located.locations().blocks();
    if (!blocks.empty()) last = blocks[blocks.size() - 1];
  }
  uint64_t block_size = stat.blocksize();
  if (block_size == 0) {
    ASSIGN_OR_RETURN(ServerDefaults defaults, GetServerDefaults());
    block_size = defaults.block_size;
  }
  WritingFile file{p, stat.fileid(), stat.block_replication()};
  ASSIGN_OR_RETURN(std::unique_ptr<DfsOutputStream> out,
                   DfsOutputStream::ForAppend(impl_->ctx, std::move(file), block_size, stat.length(), last));
  return std::unique_ptr<OutputStream>(std::move(out));
}

Result<FileStatus> FileSystem::Stat(const std::string& path) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::GetFileInfoRequestProto req;
  req.set_src(p);
  ASSIGN_OR_RETURN(hh::GetFileInfoResponseProto resp, namenode().GetFileInfo(req));
  if (!resp.has_fs()) return NotFound("{}: no such file or directory", p);
  return ToFileStatus(resp.fs(), p);
}

namespace {

// One getListing page of canonical path `p` after `start_after`; kNotFound when p is missing.
Result<hh::DirectoryListingProto> FetchListingPage(NamenodeClient& nn, const std::string& p,
                                                   const std::string& start_after) {
  hh::GetListingRequestProto req;
  req.set_src(p);
  req.set_startafter(start_after);
  req.set_needlocation(false);
  ASSIGN_OR_RETURN(hh::GetListingResponseProto resp, nn.GetListing(req));
  if (!resp.has_dirlist()) return NotFound("{}: no such file or directory", p);
  return std::move(*resp.mutable_dirlist());
}

// A file lists itself: HDFS sends it with an empty name. A lone non-directory entry named
// like the path could be either that or a same-named child: ask which.
Result<bool> ListsItself(FileSystem& fs, const hh::DirectoryListingProto& page, const std::string& p) {
  if (page.partiallisting_size() != 1 || page.remainingentries() != 0) return false;
  const auto& only = page.partiallisting(0);
  if (only.path().empty()) return true;
  if (only.filetype() == hh::HdfsFileStatusProto::IS_DIR || only.path() != BaseName(p)) return false;
  ASSIGN_OR_RETURN(FileStatus st, fs.Stat(p));
  return !st.is_dir;
}

}  // namespace

Status FileSystem::ListEach(const std::string& path, const std::function<bool(const FileStatus&)>& fn) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  std::string start_after;
  for (bool first_page = true;; first_page = false) {
    ASSIGN_OR_RETURN(hh::DirectoryListingProto page, FetchListingPage(namenode(), p, start_after));
    if (first_page) {
      ASSIGN_OR_RETURN(bool self, ListsItself(*this, page, p));
      if (self) {
        fn(ToFileStatus(page.partiallisting(0), p));
        return Status::OK();
      }
    }
    for (const auto& entry : page.partiallisting()) {
      if (!fn(ToFileStatus(entry, JoinPath(p, entry.path())))) return Status::OK();
    }
    if (page.remainingentries() == 0 || page.partiallisting_size() == 0) return Status::OK();
    start_after = page.partiallisting(page.partiallisting_size() - 1).path();
  }
}

Result<ListingPage> FileSystem::ListPage(const std::string& path, const std::string& start_after) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  ASSIGN_OR_RETURN(hh::DirectoryListingProto page, FetchListingPage(namenode(), p, start_after));
  ASSIGN_OR_RETURN(bool self, ListsItself(*this, page, p));
  if (self) return NotDirectory("{}: not a directory", p);
  ListingPage out;
  out.entries.reserve(static_cast<size_t>(page.partiallisting_size()));
  for (const auto& entry : page.partiallisting()) out.entries.push_back(ToFileStatus(entry, JoinPath(p, entry.path())));
  out.has_more = page.remainingentries() > 0 && !out.entries.empty();
  return out;
}

Result<std::vector<FileStatus>> FileSystem::List(const std::string& path) {
  std::vector<FileStatus> out;
  RETURN_IF_ERROR(ListEach(path, [&](const FileStatus& st) {
    out.push_back(st);
    return true;
  }));
  return out;
}

Status FileSystem::Mkdirs(const std::string& path, uint32_t permission) { return Mkdir(path, permission, true); }

Status FileSystem::Mkdir(const std::string& path, uint32_t permission, bool create_parent) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::MkdirsRequestProto req;
  req.set_src(p);
  *req.mutable_masked() = Permission(permission);
  req.set_createparent(create_parent);
  ASSIGN_OR_RETURN(hh::MkdirsResponseProto resp, namenode().Mkdirs(req));
  if (!resp.result()) return IoError("mkdirs {} failed", p);
  return Status::OK();
}

Result<bool> FileSystem::Delete(const std::string& path, bool recursive) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::DeleteRequestProto req;
  req.set_src(p);
  req.set_recursive(recursive);
  ASSIGN_OR_RETURN(hh::DeleteResponseProto resp, namenode().Delete(req));
  return resp.result();
}

Status FileSystem::Rename(const std::string& src, const std::string& dst, bool overwrite) {
  ASSIGN_OR_RETURN(std::string s, CanonicalPath(src));
  ASSIGN_OR_RETURN(std::string d, CanonicalPath(dst));
  hh::Rename2RequestProto req;
  req.set_src(s);
  req.set_dst(d);
  req.set_overwritedest(overwrite);
  return namenode().Rename2(req).status();
}

Status FileSystem::SetReplication(const std::string& path, uint32_t replication) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::SetReplicationRequestProto req;
  req.set_src(p);
  req.set_replication(replication);
  ASSIGN_OR_RETURN(hh::SetReplicationResponseProto resp, namenode().SetReplication(req));
  if (resp.result()) return Status::OK();
  // HDFS answers false for directories and missing paths: say which.
  ASSIGN_OR_RETURN(FileStatus st, Stat(p));
  if (st.is_dir) return IsDirectory("{}: cannot set the replication of a directory", p);
  return IoError("setReplication {} failed", p);
}

Status FileSystem::Chmod(const std::string& path, uint32_t permission) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::SetPermissionRequestProto req;
  req.set_src(p);
  *req.mutable_permission() = Permission(permission);
  return namenode().SetPermission(req).status();
}

Status FileSystem::Chown(const std::string& path, const std::string& owner, const std::string& group) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  if (owner.empty() && group.empty()) return InvalidArgument("chown {}: neither owner nor group given", p);
  hh::SetOwnerRequestProto req;
  req.set_src(p);
  if (!owner.empty()) req.set_username(owner);
  if (!group.empty()) req.set_groupname(group);
  return namenode().SetOwner(req).status();
}

Status FileSystem::SetTimes(const std::string& path, int64_t mtime_ms, int64_t atime_ms) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::SetTimesRequestProto req;
  req.set_src(p);
  req.set_mtime(static_cast<uint64_t>(mtime_ms));  // -1 (all ones) leaves it unchanged, as in HDFS
  req.set_atime(static_cast<uint64_t>(atime_ms));
  return namenode().SetTimes(req).status();
}

Result<bool> FileSystem::StartTruncate(const std::string& path, uint64_t new_length) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::TruncateRequestProto req;
  req.set_src(p);
  req.set_newlength(new_length);
  req.set_clientname(impl_->ctx->client_name);
  ASSIGN_OR_RETURN(hh::TruncateResponseProto resp, namenode().Call("truncate", &NamenodeClient::Stub::Truncate, req));
  return resp.result();
}

Status FileSystem::Truncate(const std::string& path, uint64_t new_length) {
  ASSIGN_OR_RETURN(bool done, StartTruncate(path, new_length));
  const int64_t deadline = MonotonicMillis() + options().truncate_wait_ms;
  int backoff_ms = kFirstTruncatePollMs;
  while (!done) {
    if (MonotonicMillis() >= deadline)
      return TimedOut("truncate {} to {} bytes: the block recovery cutting its last block did not finish within {} ms",
                      path, new_length, options().truncate_wait_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, kMaxTruncatePollMs);
    ASSIGN_OR_RETURN(done, IsFileClosed(path));
  }
  return Status::OK();
}

Result<bool> FileSystem::IsFileClosed(const std::string& path) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::IsFileClosedRequestProto req;
  req.set_src(p);
  ASSIGN_OR_RETURN(hh::IsFileClosedResponseProto resp, namenode().IsFileClosed(req));
  return resp.result();
}

Status FileSystem::CreateSymlink(const std::string& target, const std::string& link, bool create_parent) {
  ASSIGN_OR_RETURN(std::string l, CanonicalPath(link));
  if (target.empty()) return InvalidArgument("symlink {}: empty target", l);
  hh::CreateSymlinkRequestProto req;
  req.set_target(target);
  req.set_link(l);
  *req.mutable_dirperm() = Permission(0755);
  req.set_createparent(create_parent);
  return namenode().Call("createSymlink", &NamenodeClient::Stub::CreateSymlink, req).status();
}

Status FileSystem::CheckAccess(const std::string& path, uint32_t mode) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::CheckAccessRequestProto req;
  req.set_path(p);
  req.set_mode(static_cast<hh::AclEntryProto::FsActionProto>(mode & 7));
  return namenode().Call("checkAccess", &NamenodeClient::Stub::CheckAccess, req).status();
}

Result<ContentSummary> FileSystem::GetContentSummary(const std::string& path) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::GetContentSummaryRequestProto req;
  req.set_path(p);
  ASSIGN_OR_RETURN(hh::GetContentSummaryResponseProto resp, namenode().GetContentSummary(req));
  const auto& s = resp.summary();
  return ContentSummary{s.length(), s.filecount(), s.directorycount(), s.spaceconsumed()};
}

Result<FsStats> FileSystem::GetFsStats() {
  ASSIGN_OR_RETURN(hh::GetFsStatsResponseProto s, namenode().GetFsStats({}));
  return FsStats{s.capacity(), s.used(), s.remaining(), s.under_replicated(), s.corrupt_blocks(), s.missing_blocks()};
}

Result<std::vector<DatanodeReport>> FileSystem::GetDatanodeReport() {
  hh::GetDatanodeReportRequestProto req;
  req.set_type(hh::ALL);
  ASSIGN_OR_RETURN(hh::GetDatanodeReportResponseProto all, namenode().GetDatanodeReport(req));
  req.set_type(hh::LIVE);
  ASSIGN_OR_RETURN(hh::GetDatanodeReportResponseProto live, namenode().GetDatanodeReport(req));
  // Decommission progress and failed volumes; a namenode without the call has neither.
  Result<DatanodeAdminResponse> admin = namenode().DatanodeAdmin({});
  if (!admin.ok() && admin.status().code() != ErrorCode::kUnimplemented) return admin.status();
  std::set<std::string> live_uuids;
  for (const auto& dn : live.di()) live_uuids.insert(dn.id().datanodeuuid());
  std::map<std::string, const DatanodeAdminStatus*> by_uuid;
  if (admin.ok()) {
    for (const auto& a : admin->datanodes()) by_uuid[a.datanode_uuid()] = &a;
  }
  const int64_t now = WallMillis();
  std::vector<DatanodeReport> out;
  for (const auto& dn : all.di()) {
    DatanodeReport r = ToDatanodeReport(dn, now);
    r.live = live_uuids.count(r.uuid) > 0;
    if (auto it = by_uuid.find(r.uuid); it != by_uuid.end()) {
      r.decommission_blocks_pending = it->second->blocks_pending();
      r.failed_volumes = it->second->failed_volumes();
      r.volume_failures.assign(it->second->volume_failures().begin(), it->second->volume_failures().end());
    }
    out.push_back(std::move(r));
  }
  return out;
}

Status FileSystem::Decommission(const std::vector<std::string>& datanodes, bool decommission) {
  DatanodeAdminRequest req;
  req.set_action(decommission ? DatanodeAdminRequest::DECOMMISSION : DatanodeAdminRequest::RECOMMISSION);
  for (const auto& d : datanodes) req.add_datanodes(d);
  return namenode().DatanodeAdmin(req).status();
}

Result<bool> FileSystem::RecoverLease(const std::string& path) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::RecoverLeaseRequestProto req;
  req.set_src(p);
  req.set_clientname(impl_->ctx->client_name);
  ASSIGN_OR_RETURN(hh::RecoverLeaseResponseProto resp, namenode().RecoverLease(req));
  return resp.result();
}

Result<std::vector<BlockLocation>> FileSystem::GetBlockLocations(const std::string& path, uint64_t offset,
                                                                 uint64_t length) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  hh::GetBlockLocationsRequestProto req;
  req.set_src(p);
  req.set_offset(offset);
  req.set_length(length);
  ASSIGN_OR_RETURN(hh::GetBlockLocationsResponseProto resp, namenode().GetBlockLocations(req));
  if (!resp.has_locations()) return NotFound("{}: no such file", p);
  std::vector<BlockLocation> out;
  for (const auto& b : resp.locations().blocks()) out.push_back(ToBlockLocation(b));
  return out;
}

Result<FsckResponse> FileSystem::Fsck(const std::string& path, bool include_blocks) {
  ASSIGN_OR_RETURN(std::string p, CanonicalPath(path));
  FsckRequest req;
  req.set_path(p);
  req.set_include_blocks(include_blocks);
  return namenode().Fsck(req);
}

}  // namespace cairn::client
