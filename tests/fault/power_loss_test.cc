// Power cuts to the whole cluster at random moments: the namenode and every datanode run
// under the power-cut layer (tests/support/power_cut), writers create, write, hsync,
// close, append, rename and delete files, and at a random instant every daemon is stopped
// and killed at once and everything they had not synced is thrown away. After a restart:
//   - every acknowledged close holds exactly its bytes (appends and renames included);
//   - every hsynced prefix of a file still open at the cut is there;
//   - an acknowledged delete stays deleted;
//   - every file the namespace lists as complete reads back whole (no block missing).
// The daemons run under the layer from their first start, so the first cut also tests
// that a freshly formatted namenode and datanodes survive. A control run with
// --datanode_sync_on_close=false shows that the test sees lost data.
#include <cstdlib>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/power_cut/power_cut.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;
constexpr int kWriters = 3;

// What the writers were told about one file. Only calls that returned OK count.
struct FileModel {
  std::string path;
  std::string content;        // acknowledged bytes (closed), or bytes written so far (open)
  size_t durable = 0;         // of those, how many an OK close or hsync covers
  bool open = false;          // created (acknowledged) but not closed
  bool deleted = false;       // delete acknowledged
  bool forgotten = false;     // no longer checked: nothing of it was ever promised
  // An operation in flight at the cut: any of its outcomes is right.
  enum class InFlight { kNone, kCreate, kClose, kAppend, kRename, kDelete } in_flight = InFlight::kNone;
  std::string rename_to;      // kRename: the new name
  size_t append_base = 0;     // kAppend: the acknowledged length before the append
};

struct Totals {
  int cuts = 0;
  int files_verified = 0;
  uint64_t bytes_lost = 0;
};

class PowerLossTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& datanode_flags, const std::vector<std::string>& namenode_flags = {}) {
    state_ = MakeTempDir("power-cut-state");
    MiniClusterOptions opts;
    opts.datanodes = 3;
    opts.replication = 3;
    opts.block_size = kBlock;
    opts.heartbeat_interval_ms = 100;
    // io_uring would bypass the layer's libc calls.
    opts.datanode_flags = {"--datanode_io_engine=sync", "--datanode_block_report_interval_ms=1000"};
    opts.datanode_flags.insert(opts.datanode_flags.end(), datanode_flags.begin(), datanode_flags.end());
    opts.namenode_flags = namenode_flags;
    // Every daemon under the layer from its first start: the format must survive a cut too.
    EnterPowerCutLayer(state_);
    auto cluster = MiniCluster::Start(opts);
    ASSERT_OK(cluster.status());
    cluster_ = std::move(*cluster);
    WaitWritable();
  }

  void TearDown() override { LeavePowerCutLayer(); }

  client::ClientOptions Options() const {
    auto o = cluster_->ClientOptionsFor();
    EXPECT_TRUE(o.ok());
    o->rpc_timeout_ms = 5000;
    o->rpc_retry_ms = 1000;  // a dead namenode ends the writers' calls quickly
    o->socket_timeout_ms = 5000;
    o->complete_timeout_ms = 5000;
    o->read_block_acquire_attempts = 1;  // a lost block fails its read at once
    return *o;
  }

  // Out of safe mode: a change goes through.
  void WaitWritable() {
    auto fs = client::FileSystem::Connect(Options());
    ASSERT_OK(fs.status());
    ASSERT_EVENTUALLY((*fs)->Mkdirs("/p").ok(), 60000);
  }

  // One writer until the cut: its own directory, its own files. Only this thread touches
  // `files` until it is joined.
  void Writer(int w, uint64_t seed, bool hsync, std::vector<FileModel>* files) {
    using IF = FileModel::InFlight;
    auto connected = client::FileSystem::Connect(Options());
    if (!connected.ok()) return;
    client::FileSystem& fs = **connected;
    std::mt19937_64 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    const std::string dir = fmt::format("/p/w{}", w);
    if (!fs.Mkdirs(dir).ok()) return;
    for (int step = 0; !cut_; ++step) {
      std::vector<size_t> closed;
      for (size_t i = 0; i < files->size(); ++i) {
        const FileModel& f = (*files)[i];
        if (!f.open && !f.deleted && !f.forgotten && f.in_flight == IF::kNone) closed.push_back(i);
      }
      const int action = closed.empty() ? 0 : pick(10);
      if (action < 6) {  // a new file: chunks, some hsyncs, a close
        files->push_back(FileModel{fmt::format("{}/r{}-f{}", dir, round_, step)});
        FileModel& f = files->back();
        f.in_flight = IF::kCreate;
        auto out = fs.Create(f.path);
        if (!out.ok()) return;
        f.open = true;
        f.in_flight = IF::kNone;
        const int chunks = 1 + pick(6);
        for (int c = 0; c < chunks; ++c) {
          const std::string data = RandomBytes(1 + rng() % (kBlock * 3 / 4), rng());
          f.content += data;  // written, not yet acknowledged
          if (!(*out)->Write(data.data(), data.size()).ok()) return;
          if (hsync && pick(3) == 0) {
            if (!(*out)->Hsync().ok()) return;
            f.durable = f.content.size();
          }
        }
        f.in_flight = IF::kClose;
        if (!(*out)->Close().ok()) return;
        f.open = false;
        f.durable = f.content.size();
        f.in_flight = IF::kNone;
        continue;
      }
      FileModel& f = (*files)[closed[static_cast<size_t>(pick(static_cast<int>(closed.size())))]];
      if (action < 8) {  // an append to a closed file
        const std::string data = RandomBytes(1 + rng() % (kBlock / 2), rng());
        f.in_flight = IF::kAppend;
        f.append_base = f.content.size();
        f.content += data;
        auto out = fs.Append(f.path);
        if (!out.ok() || !(*out)->Write(data.data(), data.size()).ok() || !(*out)->Close().ok()) return;
        f.durable = f.content.size();
      } else if (action == 8) {  // a rename
        f.in_flight = IF::kRename;
        f.rename_to = f.path + "-m";
        if (!fs.Rename(f.path, f.rename_to).ok()) return;
        f.path = f.rename_to;
      } else {  // a delete
        f.in_flight = IF::kDelete;
        auto deleted = fs.Delete(f.path, false);
        if (!deleted.ok() || !*deleted) return;
        f.deleted = true;
      }
      f.in_flight = IF::kNone;
    }
  }

  // Writers run; at a random moment every daemon is stopped, then killed, then the power
  // cut is applied and everything restarts.
  void CutRound(uint64_t seed, bool hsync, int min_ms, int max_ms) {
    cut_ = false;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
      writers.emplace_back([&, w] { Writer(w, seed * 31 + w, hsync, &files_[w]); });
    std::mt19937_64 rng(seed);
    std::this_thread::sleep_for(std::chrono::milliseconds(min_ms + static_cast<int>(rng() % (max_ms - min_ms))));
    // Writers stop starting operations; those in flight end when the daemons die.
    auto report = CutPower(*cluster_, state_, [&] { cut_ = true; });
    for (auto& t : writers) t.join();
    ASSERT_OK(report.status());
    std::fprintf(stderr, "power cut %d: %s\n", totals_.cuts + 1, report->ToString().c_str());
    EXPECT_EQ(report->names_lost, 0);
    ++totals_.cuts;
    ++round_;
    WaitWritable();
  }

  // Checks every file the writers ever made; returns the acknowledged bytes missing.
  uint64_t Verify() {
    auto connected = client::FileSystem::Connect(Options());
    EXPECT_OK(connected.status());
    if (!connected.ok()) return 0;
    client::FileSystem& fs = **connected;
    uint64_t lost = 0;
    for (auto& files : files_) {
      for (FileModel& f : files) {
        using IF = FileModel::InFlight;
        if (f.forgotten) continue;
        if (f.deleted) {
          EXPECT_FALSE(fs.Stat(f.path).ok()) << f.path << ": an acknowledged delete came undone";
          continue;
        }
        std::string path = f.path;
        if (f.in_flight == IF::kRename && fs.Stat(f.rename_to).ok()) path = f.rename_to;
        auto st = fs.Stat(path);
        if (!st.ok()) {
          // Absent is right only if its creation or deletion was in flight.
          if (f.in_flight == IF::kCreate || f.in_flight == IF::kDelete) {
            f.deleted = true;
            continue;
          }
          ADD_FAILURE() << path << " is gone: " << st.status().ToString();
          lost += f.durable;
          f.deleted = true;
          continue;
        }
        if (f.open || f.in_flight == IF::kCreate || f.in_flight == IF::kClose || f.in_flight == IF::kAppend) {
          // Its writer died: recover the lease so the last block's length is settled.
          (void)fs.RecoverLease(path);
          bool closed = false;
          for (int i = 0; i < 600 && !closed; ++i) {
            auto c = fs.IsFileClosed(path);
            closed = c.ok() && *c;
            if (!closed) {
              (void)fs.RecoverLease(path);
              std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
          }
          if (!closed && f.durable == 0) {
            // Nothing of it was acknowledged, and its last block is gone with the cut
            // while the namenode had a length for it: it stays open, as in HDFS.
            std::fprintf(stderr, "%s: nothing acknowledged, and lease recovery cannot close it\n", path.c_str());
            f.forgotten = true;
            continue;
          }
          EXPECT_TRUE(closed) << path << ": lease recovery did not close it";
        }
        auto back = ReadRemoteFile(fs, path);
        if (!back.ok()) {
          ADD_FAILURE() << path << ": " << back.status().ToString();
          lost += f.durable;
          continue;
        }
        ++totals_.files_verified;
        // At least the acknowledged bytes, and nothing that was never written.
        const size_t floor = f.in_flight == IF::kAppend ? f.append_base : f.durable;
        const bool prefix = back->size() <= f.content.size() && f.content.compare(0, back->size(), *back) == 0;
        if (!prefix) {
          ADD_FAILURE() << path << ": " << back->size() << " bytes that are not what was written ("
                        << f.content.size() << " written)";
          lost += floor;
        } else if (back->size() < floor) {
          ADD_FAILURE() << path << ": " << back->size() << " bytes, but " << floor << " were acknowledged";
          lost += floor - back->size();
        }
        const bool exact = f.open || f.in_flight != IF::kNone ? true : back->size() == f.content.size();
        EXPECT_TRUE(exact) << path << ": " << back->size() << " bytes, closed with " << f.content.size();
        // What survived is now the file, closed.
        f.path = path;
        f.content = *back;
        f.durable = back->size();
        f.open = false;
        f.in_flight = IF::kNone;
      }
    }
    // Every complete file in the namespace reads back whole.
    std::vector<std::string> dirs = {"/p"};
    while (!dirs.empty()) {
      const std::string d = dirs.back();
      dirs.pop_back();
      auto entries = fs.List(d);
      EXPECT_OK(entries.status());
      if (!entries.ok()) continue;
      for (const auto& e : *entries) {
        if (e.is_dir) {
          dirs.push_back(e.path);
          continue;
        }
        auto closed = fs.IsFileClosed(e.path);
        if (!closed.ok() || !*closed) continue;
        auto back = ReadRemoteFile(fs, e.path);
        EXPECT_TRUE(back.ok()) << e.path << " is complete but does not read back: " << back.status().ToString();
      }
    }
    return lost;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::string state_;
  std::atomic<bool> cut_{false};
  int round_ = 0;
  std::vector<FileModel> files_[kWriters];
  Totals totals_;
};

TEST_F(PowerLossTest, AcknowledgedDataSurvivesPowerCutsAtRandomMoments) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  const char* seed_env = std::getenv("CAIRN_POWER_CUT_SEED");
  const uint64_t seed = seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10) : std::random_device{}();
  std::fprintf(stderr, "seed %llu (CAIRN_POWER_CUT_SEED repeats it)\n", static_cast<unsigned long long>(seed));
  for (int round = 0; round < 4; ++round) {
    ASSERT_NO_FATAL_FAILURE(CutRound(seed + round, /*hsync=*/true, 300, 2000));
    totals_.bytes_lost += Verify();
  }
  std::fprintf(stderr, "power cuts: %d, files verified: %d, bytes lost: %llu\n", totals_.cuts, totals_.files_verified,
               static_cast<unsigned long long>(totals_.bytes_lost));
  EXPECT_EQ(totals_.bytes_lost, 0u);
  EXPECT_GT(totals_.files_verified, 0);
}

// The control: with replicas finalized unsynced, a cut loses closed files, and this test
// sees it. (So the test above could fail.)
TEST_F(PowerLossTest, WithoutSyncOnCloseACutLosesClosedFiles) {
  // Blocks will be missing, so safe mode must not wait for them.
  ASSERT_NO_FATAL_FAILURE(Start({"--datanode_sync_on_close=false"}, {"--namenode_safemode_threshold=0"}));
  ASSERT_NO_FATAL_FAILURE(CutRound(7, /*hsync=*/false, 1500, 1501));
  ::testing::TestPartResultArray failures;
  uint64_t lost = 0;
  {
    ::testing::ScopedFakeTestPartResultReporter quiet(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS,
                                                     &failures);
    lost = Verify();
  }
  std::fprintf(stderr, "sync on close off: bytes lost %llu, %d failures seen\n", static_cast<unsigned long long>(lost),
               failures.size());
  EXPECT_GT(lost, 0u);
}

}  // namespace
}  // namespace cairn::fault
