#include "datanode/datanode.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "common/tls_credentials.h"
#include "compute/resources.h"
#include "datanode/nn/faulty_namenode_client.h"

namespace cairn::datanode {

Status WritePortFile(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) return IoError("cannot write {}", tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError(errno, "rename " + tmp);
  return Status::OK();
}

namespace {
// The IP the namenode and clients should use: the bind address, or for a wildcard bind
// the first non-loopback IPv4 address of the host (127.0.0.1 when there is none).
std::string AdvertisedAddress(const std::string& bind_host) {
  if (!bind_host.empty() && bind_host != "0.0.0.0" && bind_host != "::") return bind_host;
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return found;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) {
      found = text;
      break;
    }
  }
  ::freeifaddrs(list);
  return found;
}
}  // namespace

Result<std::unique_ptr<Datanode>> Datanode::Start(const DatanodeSettings& settings,
                                                  std::unique_ptr<NamenodeClient> client) {
  RETURN_IF_ERROR(settings.Validate());
  ASSIGN_OR_RETURN(IoEngineKind engine, ParseIoEngineKind(settings.io_engine));
  std::unique_ptr<Datanode> dn(new Datanode());
  dn->settings_ = settings;
  if (!client) {
    ASSIGN_OR_RETURN(auto credentials, MakeDaemonChannelCredentials(settings.security));
    client = MakeGrpcNamenodeClient(settings.namenode, settings.namenode_rpc_timeout_ms, std::move(credentials));
  }
  if (!settings.fault_namenode_rpc_plan_file.empty()) {
    spdlog::warn("TESTS ONLY: faults are injected into calls to the namenode while {} exists",
                 settings.fault_namenode_rpc_plan_file);
    client = MakeFaultInjectingNamenodeClient(std::move(client), settings.fault_namenode_rpc_plan_file);
  }
  dn->client_ = std::move(client);
  dn->reports_ = std::make_unique<ReportQueue>();

  FsBlockStoreOptions store_options;
  store_options.data_dirs = settings.DataDirList();
  store_options.capacity_bytes = settings.capacity.bytes;
  store_options.reserved_bytes = settings.reserved.bytes;
  store_options.io_engine = engine;
  store_options.sync_on_close = settings.sync_on_close;
  if (!settings.fault_disk_plan_file.empty()) {
    spdlog::warn("TESTS ONLY: disk faults are injected while {} exists", settings.fault_disk_plan_file);
    store_options.disk_faults = std::make_shared<DiskFaults>(settings.fault_disk_plan_file);
  }
  ASSIGN_OR_RETURN(dn->store_, FsBlockStore::Open(store_options, dn->reports_.get()));

  BlockScannerOptions so;
  so.bytes_per_sec = settings.scan_bytes_per_sec.bytes;
  so.scan_period_ms = settings.scan_period_ms;
  so.volume_check_interval_ms = settings.volume_check_interval_ms;
  dn->scanner_ = std::make_unique<BlockScanner>(dn->store_.get(), so);

  XceiverOptions xo;
  xo.bind_host = settings.bind_host;
  xo.port = settings.xfer_port;
  xo.max_xceivers = settings.max_xceivers;
  xo.max_xceivers_per_address = settings.max_xceivers_per_address;
  xo.socket_timeout_ms = settings.socket_timeout_ms;
  xo.keepalive_ms = settings.socket_keepalive_ms;
  BlockScanner* scanner = dn->scanner_.get();
  ASSIGN_OR_RETURN(dn->xceivers_, XceiverServer::Start(xo, dn->store_.get(),
                                                       [scanner](uint64_t id) { scanner->MarkSuspect(id); },
                                                       &dn->block_keys_));
  dn->peers_ = std::make_unique<InterDatanodeServer>(*dn->store_, &dn->block_keys_, settings.security);
  RETURN_IF_ERROR(dn->peers_->Start(settings.bind_host, settings.ipc_port));
  if (!settings.port_file.empty())
    RETURN_IF_ERROR(WritePortFile(settings.port_file,
                                  fmt::format("xfer_port={}\nipc_port={}\n", dn->xceivers_->port(), dn->peers_->port())));

  CommandExecutorOptions co;
  co.replication_threads = settings.replication_threads;
  co.queue_capacity = settings.command_queue_capacity;
  co.socket_timeout_ms = settings.socket_timeout_ms;
  co.recovery_threads = settings.recovery_threads;
  co.block_keys = &dn->block_keys_;
  ASSIGN_OR_RETURN(co.peer_credentials, MakeDaemonChannelCredentials(settings.security));
  dn->commands_ = std::make_unique<CommandExecutor>(dn->store_.get(), dn->client_.get(), co);

  NamenodeActorOptions ao;
  ao.ip_address = AdvertisedAddress(settings.bind_host);
  ao.xfer_port = dn->xceivers_->port();
  ao.ipc_port = dn->peers_->port();
  char host[256] = {};
  ao.hostname = ::gethostname(host, sizeof host - 1) == 0 ? host : settings.bind_host;
  ao.rack = settings.rack;
  ao.heartbeat_interval_ms = settings.heartbeat_interval_ms;
  ao.block_report_interval_ms = settings.block_report_interval_ms;
  ao.ibr_delay_ms = settings.ibr_delay_ms;
  ao.block_keys = &dn->block_keys_;
  compute::NodeResources res = compute::ProbeNodeResources();
  ao.resources.set_cpu_slots(res.cpu_slots);
  ao.resources.set_memory_bytes(res.memory_bytes);
  ao.resources.set_gpus(static_cast<uint32_t>(res.gpus.size()));
  XceiverServer* xceivers = dn->xceivers_.get();
  dn->actor_ = std::make_unique<NamenodeActor>(ao, dn->client_.get(), dn->store_.get(), dn->reports_.get(),
                                               dn->commands_.get(), [xceivers] { return xceivers->active(); });
  dn->actor_->Start();
  dn->scanner_->Start();

  if (!settings.executor.jobmaster.empty()) {
    compute::ExecutorSettings es = settings.executor;
    es.security = settings.security;
    if (es.work_dir.empty()) es.work_dir = settings.DataDirList().front() + "/executor";
    compute::ExecutorIdentity id;
    id.datanode_uuid = dn->store_->datanode_uuid();
    id.node = fmt::format("{}:{}", ao.ip_address, ao.xfer_port);
    id.hostname = ao.hostname;
    id.rack_hint = settings.rack;
    id.bind_host = settings.bind_host;
    id.advertise_host = ao.ip_address;
    id.namenode = settings.namenode;
    FsBlockStore* store = dn->store_.get();
    auto lookup = [store](uint64_t block_id, uint64_t gen_stamp) -> Result<compute::LocalReplica> {
      ASSIGN_OR_RETURN(LocalReplicaFiles files, store->GetLocalFiles(block_id, gen_stamp));
      return compute::LocalReplica{files.data_path, files.meta_path};
    };
    ASSIGN_OR_RETURN(dn->executor_, compute::Executor::Start(es, std::move(id), std::move(lookup)));
  }
  return dn;
}

Datanode::~Datanode() { Stop(); }

void Datanode::Stop() {
  // Tasks first: they read this node's blocks.
  if (executor_) executor_->Stop();
  // A namenode that hangs must not hold up the exit: cancel calls in flight first.
  if (client_) client_->Shutdown();
  if (actor_) actor_->Stop();
  if (xceivers_) xceivers_->Stop();
  if (peers_) peers_->Stop();
  if (commands_) commands_->Stop();
  if (scanner_) scanner_->Stop();
}

}  // namespace cairn::datanode
