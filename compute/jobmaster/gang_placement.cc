#include "compute/jobmaster/gang_placement.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "compute/jobmaster/resource_fit.h"

namespace cairn::compute {

namespace {

// The part of an executor placement works on: its totals and what is in use.
ExecutorInfo Scratch(const ExecutorInfo& e, bool idle) {
  ExecutorInfo s;
  s.id = e.id;
  s.node = e.node;
  s.total = e.total;
  if (!idle) {
    s.used_slots = e.used_slots;
    s.used_memory = e.used_memory;
    s.gpu_used = e.gpu_used;
  }
  return s;
}

bool HasReplicaOn(const InputSplit& split, const std::string& node) {
  return std::find(split.hosts().begin(), split.hosts().end(), node) != split.hosts().end();
}

}  // namespace

std::string HostOfAddress(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

int GangCapacityWhenIdle(int n, const ComputeResources& per_worker, const std::map<std::string, ExecutorInfo>& executors) {
  int count = 0;
  for (const auto& [id, e] : executors) {
    ExecutorInfo s = Scratch(e, /*idle=*/true);
    // A worker that takes nothing would fit forever; n bounds the count.
    while (count < n && FitsNow(s, per_worker)) {
      ComputeResources r = per_worker;
      Reserve(s, &r);
      ++count;
    }
    if (count >= n) break;
  }
  return count;
}

Result<std::vector<GangWorker>> PlaceGang(int n, const ComputeResources& per_worker,
                                          const std::vector<InputSplit>& splits,
                                          const std::map<std::string, ExecutorInfo>& executors) {
  std::vector<ExecutorInfo> pool;
  std::vector<uint64_t> local_bytes;
  for (const auto& [id, e] : executors) {
    pool.push_back(Scratch(e, /*idle=*/false));
    uint64_t bytes = 0;
    for (const auto& s : splits) bytes += HasReplicaOn(s, e.node) ? s.length() : 0;
    local_bytes.push_back(bytes);
  }
  std::vector<int> count(pool.size(), 0);
  std::vector<GangWorker> workers;
  for (int k = 0; k < n; ++k) {
    int best = -1;
    for (int i = 0; i < static_cast<int>(pool.size()); ++i) {
      if (!FitsNow(pool[i], per_worker)) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      // local_bytes[i] / (count[i] + 1) > local_bytes[best] / (count[best] + 1), in integers.
      unsigned __int128 lhs = static_cast<unsigned __int128>(local_bytes[i]) * (count[best] + 1);
      unsigned __int128 rhs = static_cast<unsigned __int128>(local_bytes[best]) * (count[i] + 1);
      if (lhs > rhs || (lhs == rhs && count[i] < count[best])) best = i;
    }
    if (best < 0) {
      return ResourceExhausted(
          "waiting for resources: {} of {} workers ({} each) fit on the {} executors' free resources now", k, n,
          DescribeResources(per_worker), pool.size());
    }
    GangWorker w;
    w.executor_id = pool[best].id;
    w.node = pool[best].node;
    w.resources = per_worker;
    Reserve(pool[best], &w.resources);
    ++count[best];
    workers.push_back(std::move(w));
  }
  // Ranks grouped by executor, executors in the order they were first chosen.
  std::vector<std::string> order;
  for (const auto& w : workers) {
    if (std::find(order.begin(), order.end(), w.executor_id) == order.end()) order.push_back(w.executor_id);
  }
  std::stable_sort(workers.begin(), workers.end(), [&](const GangWorker& a, const GangWorker& b) {
    return std::find(order.begin(), order.end(), a.executor_id) < std::find(order.begin(), order.end(), b.executor_id);
  });
  for (auto& w : workers) {
    w.node_rank = static_cast<int>(std::find(order.begin(), order.end(), w.executor_id) - order.begin());
    for (const auto& o : workers) {
      if (o.executor_id != w.executor_id) continue;
      ++w.local_world_size;
      if (&o < &w) ++w.local_rank;
    }
  }
  // Shards: biggest first, each to the least loaded worker holding a replica within its share.
  uint64_t total = 0, largest = 0;
  for (const auto& s : splits) {
    total += s.length();
    largest = std::max<uint64_t>(largest, s.length());
  }
  const uint64_t allowed = total / static_cast<uint64_t>(n) + largest;
  std::vector<int> by_size(splits.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](int a, int b) { return splits[a].length() > splits[b].length(); });
  for (int si : by_size) {
    const InputSplit& s = splits[si];
    GangWorker* local = nullptr;
    GangWorker* any = nullptr;
    for (auto& w : workers) {
      if (any == nullptr || w.bytes < any->bytes) any = &w;
      if (HasReplicaOn(s, w.node) && w.bytes + s.length() <= allowed && (local == nullptr || w.bytes < local->bytes))
        local = &w;
    }
    GangWorker* to = local != nullptr ? local : any;
    to->splits.push_back(si);
    to->bytes += s.length();
    if (HasReplicaOn(s, to->node)) to->local_bytes += s.length();
  }
  for (auto& w : workers) std::sort(w.splits.begin(), w.splits.end());
  return workers;
}

}  // namespace cairn::compute
