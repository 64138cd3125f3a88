// A seeded, time-bounded storm of faults under a workload of writes and reads: datanodes
// killed with SIGKILL (and restarted), bytes flipped in replicas on disk, while files are
// written and read back. Faults stay within what three replicas tolerate (at most one node
// down at a time, at most one damaged replica per block, and only on blocks that are fully
// replicated). Every file whose write was acknowledged must read back byte-identical during
// the storm and after the cluster has healed. The test prints
//   faults injected: N, files verified: M, bytes lost: 0
// CAIRN_FAULT_SEED and CAIRN_FAULT_SECONDS change the seed (default fixed) and duration.
#include <csignal>
#include <cstdlib>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;
constexpr size_t kMaxFiles = 300;  // keeps the disk space of a long storm bounded

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

// Bytes of `want` that `got` does not hold (missing or different).
uint64_t BytesLost(const std::string& want, const Result<std::string>& got) {
  if (!got.ok()) return want.size();
  uint64_t lost = want.size() > got->size() ? want.size() - got->size() : 0;
  for (size_t i = 0; i < std::min(want.size(), got->size()); ++i) lost += want[i] != (*got)[i] ? 1 : 0;
  return lost;
}

TEST(RandomFaultTest, NothingAcknowledgedIsLost) {
  const uint64_t seed = EnvOr("CAIRN_FAULT_SEED", 20240607);
  const int64_t seconds = static_cast<int64_t>(EnvOr("CAIRN_FAULT_SECONDS", 30));
  std::fprintf(stderr, "random fault test: seed %llu, %lld s\n", static_cast<unsigned long long>(seed),
               static_cast<long long>(seconds));
  MiniClusterOptions opts;
  opts.datanodes = 5;
  opts.racks = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 2000;
  opts.namenode_flags = {"--namenode_replication_timeout_ms=5000"};
  opts.datanode_flags = {"--datanode_scan_bytes_per_sec=64MiB", "--datanode_scan_period_ms=2000",
                         "--datanode_socket_timeout_ms=10000"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  client::ClientOptions co;
  co.namenode = cluster->namenode_address();
  co.socket_timeout_ms = 10000;
  ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(co));

  std::mt19937_64 rng(seed);
  std::map<std::string, std::string> acked;  // path -> content, for every acknowledged write
  std::vector<std::string> paths;
  int faults = 0, kills = 0, corruptions = 0, reads = 0, write_failures = 0;
  uint64_t lost = 0;
  int down = -1;          // the datanode that is down now, if any
  int64_t down_since = 0;
  // Blocks with a damaged replica not yet healed, and where: a block is damaged again only
  // once that copy is gone (or rewritten good) and the namenode sees three good replicas.
  struct Damage {
    int node;
    std::string path;
    uint64_t offset, length;
  };
  std::map<uint64_t, Damage> damaged;

  auto healthy_block = [&](const std::string& path, uint64_t block_id) {
    auto report = fs->Fsck(path, true);
    if (!report.ok() || report->files_size() != 1) return false;
    for (const auto& b : report->files(0).blocks())
      if (b.block_id() == block_id) return b.health() == FsckBlock::HEALTHY && b.replicas_size() == 3;
    return false;
  };
  auto healed = [&](uint64_t block_id, const Damage& d) {
    const std::string file = ReplicaFile(*cluster, d.node, block_id);
    if (!file.empty()) {
      auto now = ReadLocalFile(file);
      if (!now.ok() || *now != acked[d.path].substr(d.offset, d.length)) return false;
    }
    return healthy_block(d.path, block_id);
  };

  const int64_t deadline = MonotonicMillis() + seconds * 1000;
  for (int step = 0; MonotonicMillis() < deadline; ++step) {
    // A node down for a while comes back (as an operator would restart it).
    if (down >= 0 && MonotonicMillis() - down_since > 2500) {
      ASSERT_OK(cluster->RestartDatanode(down));
      ASSERT_OK(cluster->WaitForLiveDatanodes(5));
      down = -1;
    }
    int action = static_cast<int>(rng() % 100);
    if (action < 40 && paths.size() >= kMaxFiles) action = 50;  // enough data: read it instead
    if (action < 40 || paths.empty()) {
      const std::string path = fmt::format("/storm/f{}", step);
      const std::string data = RandomBytes(rng() % (4 * kBlock) + 1, rng());
      Status st = WriteRemoteFile(*fs, path, data);
      if (st.ok()) {
        acked[path] = data;
        paths.push_back(path);
      } else {
        ++write_failures;  // not acknowledged: nothing was promised
        std::fprintf(stderr, "write of %s failed: %s\n", path.c_str(), st.ToString().c_str());
      }
    } else if (action < 70) {
      const std::string& path = paths[rng() % paths.size()];
      auto back = ReadRemoteFile(*fs, path);
      const uint64_t l = BytesLost(acked[path], back);
      EXPECT_EQ(l, 0u) << path << ": " << (back.ok() ? std::string("content differs") : back.status().ToString());
      lost += l;
      ++reads;
    } else if (action < 85) {
      if (down >= 0) continue;
      down = static_cast<int>(rng() % cluster->num_datanodes());
      ASSERT_OK(cluster->StopDatanode(down, SIGKILL));
      down_since = MonotonicMillis();
      ++faults;
      ++kills;
    } else {
      // Damage one replica of a fully replicated block, on a node that is up.
      const std::string& path = paths[rng() % paths.size()];
      auto blocks = fs->GetBlockLocations(path, 0, acked[path].size());
      if (!blocks.ok() || blocks->empty()) continue;
      const auto& b = (*blocks)[rng() % blocks->size()];
      if (auto it = damaged.find(b.block_id); it != damaged.end()) {
        if (!healed(it->first, it->second)) continue;
        damaged.erase(it);
      }
      if (!healthy_block(path, b.block_id) || b.hosts.empty()) continue;
      const int node = cluster->DatanodeIndex(b.hosts[rng() % b.hosts.size()]);
      if (node < 0 || node == down) continue;
      const uint64_t offset = rng() % std::max<uint64_t>(1, b.length);
      if (!CorruptReplicaFile(*cluster, node, b.block_id, offset, 1 + static_cast<int>(rng() % 8))) continue;
      damaged[b.block_id] = Damage{node, path, b.offset, b.length};
      ++faults;
      ++corruptions;
    }
  }

  // Heal: everyone back, full replication everywhere, then check every acknowledged file.
  if (down >= 0) {
    ASSERT_OK(cluster->RestartDatanode(down));
  }
  ASSERT_OK(cluster->WaitForLiveDatanodes(5));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 120000);
  int verified = 0;
  for (const auto& [path, data] : acked) {
    const uint64_t l = BytesLost(data, ReadRemoteFile(*fs, path));
    EXPECT_EQ(l, 0u) << path;
    lost += l;
    ++verified;
  }
  std::printf("faults injected: %d, files verified: %d, bytes lost: %llu\n", faults, verified,
              static_cast<unsigned long long>(lost));
  std::printf("(%d datanode kills, %d damaged replicas, %d reads during the storm, %d writes not acknowledged)\n",
              kills, corruptions, reads, write_failures);
  std::fflush(stdout);
  EXPECT_EQ(lost, 0u);
  EXPECT_GT(faults, 5);
  EXPECT_GT(verified, 10);
}

}  // namespace
}  // namespace cairn::fault
