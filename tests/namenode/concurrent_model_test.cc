// The namespace under concurrent load, against a model: worker threads create files and
// directories, rename and delete subtrees and stat what they made, each in a subtree of its
// own, while listers page through everything; the namenode is killed with SIGKILL in the
// middle of it and restarted, twice. After each restart every subtree must equal its
// worker's model of the acknowledged operations: every change answered OK is there, no
// change refused is, and the one call in flight at the kill is either wholly there or
// wholly absent.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "client/file_system.h"
#include "common/clock.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using testing::MiniCluster;
using testing::MiniClusterOptions;

// Relative path ("" is the worker's root) -> is a directory.
using Tree = std::map<std::string, bool>;

std::string Join(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }
bool Within(const std::string& path, const std::string& top) {
  return path == top || (path.size() > top.size() && path.compare(0, top.size(), top) == 0 && path[top.size()] == '/');
}
int Depth(const std::string& path) { return path.empty() ? 0 : 1 + static_cast<int>(std::count(path.begin(), path.end(), '/')); }

// One change, as the model applies it.
struct Change {
  enum Kind { kMkdir, kCreate, kRename, kDelete } kind;
  std::string path;
  std::string to;  // kRename
  void ApplyTo(Tree& tree) const {
    switch (kind) {
      case kMkdir:
        tree[path] = true;
        break;
      case kCreate:
        tree[path] = false;
        break;
      case kDelete:
        for (auto it = tree.begin(); it != tree.end();) it = Within(it->first, path) ? tree.erase(it) : std::next(it);
        break;
      case kRename: {
        Tree moved;
        for (auto it = tree.begin(); it != tree.end();) {
          if (Within(it->first, path)) {
            moved[to + it->first.substr(path.size())] = it->second;
            it = tree.erase(it);
          } else {
            ++it;
          }
        }
        tree.insert(moved.begin(), moved.end());
        break;
      }
    }
  }
};

class Worker {
 public:
  Worker(int id, std::string root) : id_(id), root_(std::move(root)), rng_(1000 + id) { model_[""] = true; }

  // Runs random operations until `killing` is seen on a failed call (or `stop`).
  void Run(client::FileSystem& fs, const std::atomic<bool>& killing, const std::atomic<bool>& stop) {
    pending_.reset();
    while (!stop.load()) {
      auto change = Pick();
      if (!change) continue;
      Status st = Do(fs, *change);
      if (st.ok()) {
        change->ApplyTo(model_);
        ++acknowledged_;
        continue;
      }
      if (killing.load()) {
        pending_ = *change;  // in flight at the kill: it may or may not have happened
        return;
      }
      errors_.push_back(fmt::format("{} {} -> {}: {}", static_cast<int>(change->kind), change->path, change->to, st.ToString()));
      return;
    }
  }

  // The subtree on the namenode equals the model, with or without the call in flight.
  ::testing::AssertionResult Matches(client::FileSystem& fs) {
    Tree actual;
    Status st = Walk(fs, "", &actual);
    if (!st.ok()) return ::testing::AssertionFailure() << root_ << ": " << st.ToString();
    if (actual == model_) {
      pending_.reset();
      return ::testing::AssertionSuccess();
    }
    if (pending_) {
      Tree with = model_;
      pending_->ApplyTo(with);
      if (actual == with) {
        model_ = std::move(with);
        pending_.reset();
        return ::testing::AssertionSuccess();
      }
    }
    std::string diff;
    for (const auto& [p, dir] : model_) {
      auto it = actual.find(p);
      if (it == actual.end()) diff += " missing:" + p;
      else if (it->second != dir) diff += " wrong-type:" + p;
    }
    for (const auto& [p, dir] : actual) {
      if (!model_.count(p)) diff += " unexpected:" + p;
    }
    return ::testing::AssertionFailure() << root_ << " differs from the model of its acknowledged operations:" << diff
                                         << (pending_ ? " (the call in flight does not explain it)" : "");
  }

  const std::vector<std::string>& errors() const { return errors_; }
  int acknowledged() const { return acknowledged_; }

 private:
  std::string Abs(const std::string& rel) const { return rel.empty() ? root_ : root_ + "/" + rel; }

  std::optional<Change> Pick() {
    std::vector<std::string> dirs, entries;
    for (const auto& [p, dir] : model_) {
      if (dir && Depth(p) < 4) dirs.push_back(p);
      if (!p.empty()) entries.push_back(p);
    }
    auto pick = [&](const std::vector<std::string>& from) { return from[rng_() % from.size()]; };
    auto fresh_in = [&](const std::string& dir, const char* prefix) -> std::optional<std::string> {
      for (int tries = 0; tries < 4; ++tries) {
        std::string p = Join(dir, fmt::format("{}{}", prefix, rng_() % 6));
        if (!model_.count(p)) return p;
      }
      return std::nullopt;
    };
    const int roll = static_cast<int>(rng_() % 100);
    if (roll < 30 || entries.empty()) {
      auto p = fresh_in(pick(dirs), "f");
      if (!p) return std::nullopt;
      return Change{Change::kCreate, *p, ""};
    }
    if (roll < 55) {
      auto p = fresh_in(pick(dirs), "d");
      if (!p) return std::nullopt;
      return Change{Change::kMkdir, *p, ""};
    }
    if (roll < 80) {
      const std::string src = pick(entries);
      const std::string into = pick(dirs);
      if (Within(into, src)) return std::nullopt;  // a directory cannot move into itself
      auto to = fresh_in(into, "r");
      if (!to) return std::nullopt;
      return Change{Change::kRename, src, *to};
    }
    return Change{Change::kDelete, pick(entries), ""};
  }

  Status Do(client::FileSystem& fs, const Change& c) {
    switch (c.kind) {
      case Change::kMkdir:
        return fs.Mkdir(Abs(c.path), 0755, /*create_parent=*/false);
      case Change::kCreate: {
        client::CreateOptions opts;
        opts.create_parent = false;
        opts.replication = 1;
        ASSIGN_OR_RETURN(auto out, fs.Create(Abs(c.path), opts));
        return out->Close();
      }
      case Change::kRename:
        return fs.Rename(Abs(c.path), Abs(c.to));
      case Change::kDelete: {
        ASSIGN_OR_RETURN(bool deleted, fs.Delete(Abs(c.path), /*recursive=*/true));
        return deleted ? Status::OK() : Internal("delete of an existing path answered false");
      }
    }
    return Internal("unknown change");
  }

  Status Walk(client::FileSystem& fs, const std::string& rel, Tree* out) {
    (*out)[rel] = true;
    ASSIGN_OR_RETURN(auto entries, fs.List(Abs(rel)));
    for (const auto& e : entries) {
      const std::string child = Join(rel, e.name);
      if (e.is_dir) {
        RETURN_IF_ERROR(Walk(fs, child, out));
      } else {
        (*out)[child] = false;
      }
    }
    return Status::OK();
  }

  const int id_;
  const std::string root_;
  std::mt19937 rng_;
  Tree model_;
  std::optional<Change> pending_;
  std::vector<std::string> errors_;
  int acknowledged_ = 0;
};

TEST(NamespaceModelTest, ConcurrentChangesMatchTheModelAfterEachSigkill) {
  MiniClusterOptions opts;
  opts.datanodes = 1;
  opts.replication = 1;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto client_opts, cluster->ClientOptionsFor());
  client_opts.rpc_retry_ms = 0;  // a call the kill cut off fails at once
  client_opts.rpc_timeout_ms = 10000;
  constexpr int kWorkers = 8;
  constexpr int kListers = 2;
  {
    ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(client_opts));
    for (int i = 0; i < kWorkers; ++i) ASSERT_OK(fs->Mkdirs(fmt::format("/model/w{}", i)));
  }
  std::vector<Worker> workers;
  for (int i = 0; i < kWorkers; ++i) workers.emplace_back(i, fmt::format("/model/w{}", i));

  for (int round = 0; round < 2; ++round) {
    std::atomic<bool> killing{false}, stop{false};
    std::atomic<int> listings{0};
    std::vector<std::string> lister_errors;
    std::mutex lister_mu;
    std::vector<std::thread> threads;
    for (int i = 0; i < kWorkers; ++i) {
      threads.emplace_back([&, i] {
        auto fs = client::FileSystem::Connect(client_opts);
        if (!fs.ok()) return;
        workers[i].Run(**fs, killing, stop);
      });
    }
    for (int i = 0; i < kListers; ++i) {
      threads.emplace_back([&] {
        auto fs = client::FileSystem::Connect(client_opts);
        if (!fs.ok()) return;
        while (!killing.load()) {
          // Every worker's root is listed, whatever the workers are doing inside.
          auto entries = (*fs)->List("/model");
          if (!entries.ok()) {
            if (killing.load()) break;
            std::lock_guard lock(lister_mu);
            lister_errors.push_back(entries.status().ToString());
            break;
          }
          if (entries->size() != kWorkers) {
            std::lock_guard lock(lister_mu);
            lister_errors.push_back(fmt::format("/model lists {} entries", entries->size()));
            break;
          }
          for (const auto& e : *entries) (void)(*fs)->List(e.path);  // may race with the workers: any answer
          listings.fetch_add(1);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    killing = true;
    ASSERT_OK(cluster->StopNamenode(SIGKILL));
    stop = true;
    for (auto& t : threads) t.join();
    int acknowledged = 0;
    for (auto& w : workers) {
      for (const auto& e : w.errors()) ADD_FAILURE() << "unexpected failure while the namenode ran: " << e;
      acknowledged += w.acknowledged();
    }
    for (const auto& e : lister_errors) ADD_FAILURE() << "lister: " << e;
    std::fprintf(stderr, "round %d: %d changes acknowledged so far, %d listings\n", round, acknowledged, listings.load());
    EXPECT_GT(listings.load(), 0);

    ASSERT_OK(cluster->RestartNamenode());
    ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(client_opts));
    for (auto& w : workers) EXPECT_TRUE(w.Matches(*fs));
  }
  int acknowledged = 0;
  for (auto& w : workers) acknowledged += w.acknowledged();
  EXPECT_GT(acknowledged, 200) << "too little work to mean anything";
}

}  // namespace
}  // namespace cairn
