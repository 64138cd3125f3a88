#include "compute/executor/shuffle_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/grpc_status.h"
#include "common/socket.h"
#include "compute/ids.h"
#include "compute/local_files.h"
#include "compute/segment.h"
#include "compute/shuffle_proof.h"

namespace cairn::compute {

namespace {
constexpr size_t kChunkBytes = 1 << 20;
}

std::string MapOutputDir(const std::string& work_dir, const std::string& job_id, const std::string& attempt_id) {
  return work_dir + "/jobs/" + job_id + "/" + attempt_id + "/output";
}

ShuffleServer::~ShuffleServer() { Stop(); }

Status ShuffleServer::Start(const std::string& host, int port, int threads,
                           std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::ServerBuilder builder;
  std::string address = HostPort{host, port}.ToString();
  builder.AddListeningPort(address, credentials, &port_);
  builder.RegisterService(this);
  for (grpc::Service* service : extra_services_) builder.RegisterService(service);
  grpc::ResourceQuota quota("shuffle");
  quota.SetMaxThreads(std::max(2, threads + 1));
  builder.SetResourceQuota(quota);
  builder.SetMaxSendMessageSize(kChunkBytes + 4096);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) return Unavailable("cannot listen on {} for the shuffle service", address);
  spdlog::info("shuffle service listening on {}:{}", host, port_);
  return Status::OK();
}

void ShuffleServer::Stop() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
  }
}

grpc::Status ShuffleServer::FetchMapOutput(grpc::ServerContext* ctx, const FetchMapOutputRequest* req,
                                           grpc::ServerWriter<MapOutputChunk>* writer) {
  if (!IsSafeId(req->job_id()) || !IsSafeId(req->attempt_id()) || req->partition() < 0)
    return ToGrpcStatus(InvalidArgument("bad map output request ({}, {}, {})", req->job_id(), req->attempt_id(),
                                        req->partition()));
  // The job's proof first: nothing of a job's data, not even whether it exists, goes to
  // anyone but its own reducers.
  Status allowed = CheckMapOutputProof(secrets_(req->job_id()), req->job_id(), req->attempt_id(), req->partition(),
                                       req->proof());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  const std::string dir = MapOutputDir(work_dir_, req->job_id(), req->attempt_id());
  // The attempt dir belongs to the map task's account: nothing under it is followed
  // through a symbolic link (a task could point one at a block file).
  const std::string attempt_dir = dir.substr(0, dir.rfind('/'));
  const std::string output = dir.substr(dir.rfind('/') + 1);
  auto index_file = TaskFile::Open(attempt_dir, output + "/file.out.index");
  auto index = index_file.ok() ? ReadIndexFile(index_file->path()) : Result<std::vector<PartitionEntry>>(index_file.status());
  if (!index.ok()) {
    Status st = index.status().code() == ErrorCode::kNotFound
                    ? NotFound("no map output of {} here", req->attempt_id())
                    : index.status();
    return ToGrpcStatus(st);
  }
  if (req->partition() >= static_cast<int>(index->size()))
    return ToGrpcStatus(InvalidArgument("{} has {} partitions, not {}", req->attempt_id(), index->size(),
                                        req->partition() + 1));
  const PartitionEntry e = (*index)[req->partition()];
  const std::string path = dir + "/file.out";
  auto data_file = TaskFile::Open(attempt_dir, output + "/file.out");
  if (!data_file.ok()) return ToGrpcStatus(data_file.status());
  int fd = ::fcntl(data_file->fd(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return ToGrpcStatus(ErrnoError(errno, "open " + path));
  (void)::posix_fadvise(fd, static_cast<off_t>(e.offset), static_cast<off_t>(e.length), POSIX_FADV_SEQUENTIAL);
  MapOutputChunk chunk;
  chunk.set_total_bytes(e.length);
  chunk.set_records(e.records);
  std::string* data = chunk.mutable_data();
  uint64_t sent = 0;
  Status st;
  do {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, e.length - sent));
    data->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, data->data() + got, n - got, static_cast<off_t>(e.offset + sent + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        st = r < 0 ? ErrnoError(errno, "read " + path) : Corruption("{} is shorter than its index says", path);
        break;
      }
      got += static_cast<size_t>(r);
    }
    if (!st.ok()) break;
    if (ctx->IsCancelled() || !writer->Write(chunk)) {
      st = Aborted("the fetcher went away");
      break;
    }
    sent += n;
    chunk.clear_total_bytes();
    chunk.clear_records();
  } while (sent < e.length);
  ::close(fd);
  return ToGrpcStatus(st);
}

}  // namespace cairn::compute
