#include "compute/runtime/shuffle_fetcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "cairn/compute.grpc.pb.h"
#include "common/grpc_status.h"
#include "common/tls_credentials.h"
#include "compute/local_files.h"
#include "compute/runtime/child_process.h"
#include "compute/runtime/map_output_buffer.h"
#include "compute/shuffle_proof.h"

namespace cairn::compute {

ShuffleFetcher::ShuffleFetcher(const TaskSpec& spec, std::string work_dir, ShuffleOptions options,
                               TaskCounters* counters)
    : spec_(spec),
      work_dir_(std::move(work_dir)),
      options_(options),
      counters_(counters),
      memory_left_(options.memory_bytes) {}

Result<FetchedSegment> ShuffleFetcher::FetchLocal(const MapOutputLocation& loc) {
  ASSIGN_OR_RETURN(std::vector<PartitionEntry> index, ReadIndexFile(MapOutputBuffer::IndexFile(loc.local_dir())));
  if (spec_.index() >= static_cast<int>(index.size()))
    return Corruption("map output of {} has {} partitions, not {}", loc.attempt_id(), index.size(), spec_.num_reducers());
  const PartitionEntry& e = index[spec_.index()];
  FetchedSegment seg;
  seg.map_index = loc.map_index();
  seg.path = MapOutputBuffer::OutputFile(loc.local_dir());
  seg.offset = e.offset;
  seg.length = e.length;
  seg.records = e.records;
  return seg;
}

Result<FetchedSegment> ShuffleFetcher::FetchRemote(const MapOutputLocation& loc) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // With TLS the shuffle service shows its datanode's certificate from the cluster CA.
  ASSIGN_OR_RETURN(auto credentials, MakeClientChannelCredentials(spec_.tls_ca_file()));
  auto channel = grpc::CreateCustomChannel(loc.shuffle_address(), credentials, args);
  auto stub = Shuffle::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.rpc_timeout_ms));
  FetchMapOutputRequest req;
  req.set_job_id(spec_.job_id());
  req.set_attempt_id(loc.attempt_id());
  req.set_partition(spec_.index());
  req.set_proof(MapOutputProof(spec_.shuffle_secret(), spec_.job_id(), loc.attempt_id(), spec_.index()));
  FetchedSegment seg;
  seg.map_index = loc.map_index();
  auto reader = stub->FetchMapOutput(&ctx, req);
  MapOutputChunk chunk;
  uint64_t total = 0, expected = 0, reserved = 0;
  int fd = -1;
  bool first = true;
  Status st;
  while (st.ok() && reader->Read(&chunk)) {
    if (first) {
      first = false;
      expected = chunk.total_bytes();
      seg.records = chunk.records();
      // Into memory if the budget allows, else into a file.
      uint64_t left = memory_left_.load();
      while (left >= expected && !memory_left_.compare_exchange_weak(left, left - expected)) {
      }
      if (left >= expected) {
        reserved = expected;
        seg.data = std::make_shared<std::string>();
        seg.data->reserve(static_cast<size_t>(expected));
      } else {
        seg.path = work_dir_ + "/map_" + std::to_string(loc.map_index()) + ".seg";
        fd = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) st = ErrnoError(errno, "create " + seg.path);
      }
    }
    if (!st.ok()) break;
    if (seg.data) {
      if (total + chunk.data().size() > expected) st = Corruption("{} sent more than it announced", loc.shuffle_address());
      else seg.data->append(chunk.data());
    } else {
      st = WriteAllToFd(fd, chunk.data().data(), chunk.data().size());
    }
    total += chunk.data().size();
  }
  if (!st.ok()) ctx.TryCancel();
  grpc::Status gst = reader->Finish();
  if (fd >= 0) ::close(fd);
  if (st.ok() && !gst.ok()) st = FromGrpcStatus(gst).WithContext("fetching from " + loc.shuffle_address());
  if (st.ok() && total != expected)
    st = Corruption("fetched {} of {} bytes of {} from {}", total, expected, loc.attempt_id(), loc.shuffle_address());
  if (!st.ok()) {
    if (!seg.path.empty()) ::unlink(seg.path.c_str());
    memory_left_.fetch_add(reserved);
    return st;
  }
  counters_->shuffle_bytes.Add(total);  // counted here and for local segments in FetchOne
  seg.offset = 0;
  seg.length = total;
  return seg;
}

Result<FetchedSegment> ShuffleFetcher::FetchOne(const MapOutputLocation& loc) {
  if (!loc.local_dir().empty()) {
    auto local = FetchLocal(loc);
    if (local.ok()) {
      counters_->shuffle_bytes.Add(local->length);
      return local;
    }
    spdlog::warn("local map output of {} unreadable, fetching it over the network: {}", loc.attempt_id(),
                 local.status().ToString());
  }
  return FetchRemote(loc);
}

Result<std::vector<FetchedSegment>> ShuffleFetcher::FetchAll(std::vector<int>* failed_maps,
                                                             const std::function<void(int done)>& on_progress) {
  const int n = spec_.map_outputs_size();
  std::vector<Result<FetchedSegment>> results(n, Result<FetchedSegment>(Aborted("not fetched")));
  std::atomic<int> next{0}, done{0};
  std::mutex progress_mu;  // serialises on_progress calls
  auto worker = [&] {
    for (;;) {
      int i = next.fetch_add(1);
      if (i >= n) return;
      const MapOutputLocation& loc = spec_.map_outputs(i);
      int backoff = options_.retry_backoff_ms;
      for (int attempt = 1;; ++attempt) {
        results[i] = FetchOne(loc);
        if (results[i].ok() || attempt >= options_.attempts) break;
        spdlog::warn("fetch of map {} ({}) from {} failed (attempt {}): {}", loc.map_index(), loc.attempt_id(),
                     loc.shuffle_address(), attempt, results[i].status().ToString());
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
        backoff *= 2;
      }
      int d = done.fetch_add(1) + 1;
      std::lock_guard lock(progress_mu);
      if (on_progress) on_progress(d);
    }
  };
  std::vector<std::thread> threads;
  int parallel = std::max(1, std::min(options_.parallel_fetches, n));
  for (int t = 0; t < parallel; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  std::vector<FetchedSegment> segments;
  Status first_error;
  for (int i = 0; i < n; ++i) {
    if (results[i].ok()) {
      if (results[i]->length > 0) segments.push_back(std::move(*results[i]));
      continue;
    }
    failed_maps->push_back(spec_.map_outputs(i).map_index());
    if (first_error.ok())
      first_error = results[i].status().WithContext("map " + std::to_string(spec_.map_outputs(i).map_index()));
  }
  if (!first_error.ok())
    return Unavailable("could not fetch the output of {} map(s); first: {}", failed_maps->size(), first_error.message());
  return segments;
}

}  // namespace cairn::compute
