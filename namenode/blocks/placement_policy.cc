#include "namenode/blocks/placement_policy.h"

#include <algorithm>
#include <random>
#include <unordered_map>

namespace cairn::namenode {

namespace {
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// The state of one ChooseTargets call.
class Chooser {
 public:
  Chooser(const std::vector<NodeView>& nodes, const PlacementRequest& req) : nodes_(nodes), req_(req) {
    double load = 0;
    size_t live = 0;
    std::unordered_set<std::string> racks;
    for (const auto& n : nodes_) {
      if (!n.alive) continue;
      ++live;
      load += n.xceivers;
      racks.insert(n.rack);
    }
    avg_load_ = live ? load / static_cast<double>(live) : 0;
    size_t total = req.existing.size() + static_cast<size_t>(std::max(0, req.replicas));
    max_per_rack_ = racks.size() <= 1 ? total : (total - 1) / racks.size() + 2;
    for (uint32_t e : req.existing) Take(e, /*result=*/false);
  }

  bool Usable(const NodeView& n) const {
    if (!n.alive || n.decommissioning) return false;
    if (req_.excluded.count(n.index) || in_chain_.count(n.index)) return false;
    if (n.remaining < req_.block_size) return false;
    if (relaxed_) return true;
    if (n.stale) return false;
    if (avg_load_ > 0 && n.xceivers > 2.0 * avg_load_) return false;
    return true;
  }

  // When too few nodes qualify, stale and busy nodes are better than no replica.
  bool Relax() {
    if (relaxed_) return false;
    relaxed_ = true;
    return true;
  }

  // A usable node satisfying pred whose rack is not full; the less loaded of two random ones.
  template <typename Pred>
  std::optional<uint32_t> Pick(Pred pred, bool respect_rack_limit = true) const {
    std::vector<uint32_t> cands;
    for (const auto& n : nodes_) {
      if (!Usable(n) || !pred(n)) continue;
      if (respect_rack_limit) {
        auto it = rack_count_.find(n.rack);
        if (it != rack_count_.end() && it->second >= max_per_rack_) continue;
      }
      cands.push_back(n.index);
    }
    if (cands.empty()) return std::nullopt;
    std::uniform_int_distribution<size_t> d(0, cands.size() - 1);
    uint32_t a = cands[d(Rng())];
    uint32_t b = cands[d(Rng())];
    return nodes_[b].xceivers < nodes_[a].xceivers ? b : a;
  }

  std::optional<uint32_t> PickAny() const {
    if (auto n = Pick([](const NodeView&) { return true; })) return n;
    return Pick([](const NodeView&) { return true; }, /*respect_rack_limit=*/false);
  }

  void Take(uint32_t index, bool result) {
    chain_.push_back(index);
    in_chain_.insert(index);
    ++rack_count_[nodes_[index].rack];
    if (result) result_.push_back(index);
  }

  std::optional<uint32_t> Next() {
    const size_t pos = chain_.size();
    if (req_.new_rack) {
      if (auto n = Pick([&](const NodeView& v) { return rack_count_.count(v.rack) == 0; }, false)) return n;
    }
    if (pos == 0) {
      if (!req_.avoid_local && !req_.writer_ip.empty()) {
        if (auto n = Pick([&](const NodeView& v) { return v.ip == req_.writer_ip; })) return n;
      }
      return PickAny();
    }
    const std::string& rack0 = nodes_[chain_[0]].rack;
    if (pos == 1) {
      if (auto n = Pick([&](const NodeView& v) { return v.rack != rack0; })) return n;
      return PickAny();
    }
    if (pos == 2) {
      const std::string& rack1 = nodes_[chain_[1]].rack;
      if (rack0 == rack1) {
        if (auto n = Pick([&](const NodeView& v) { return v.rack != rack0; })) return n;
      } else if (auto n = Pick([&](const NodeView& v) { return v.rack == rack1; })) {
        return n;
      }
      return PickAny();
    }
    return PickAny();
  }

  bool TryFavored(const std::string& hostport) {
    for (const auto& n : nodes_) {
      std::string port = ":" + std::to_string(n.xfer_port);
      if ((hostport == n.ip + port || hostport == n.host + port) && Usable(n)) {
        Take(n.index, true);
        return true;
      }
    }
    return false;
  }

  std::vector<uint32_t> result_;

 private:
  const std::vector<NodeView>& nodes_;
  const PlacementRequest& req_;
  double avg_load_ = 0;
  size_t max_per_rack_ = 0;
  bool relaxed_ = false;
  std::vector<uint32_t> chain_;
  std::unordered_set<uint32_t> in_chain_;
  std::unordered_map<std::string, size_t> rack_count_;
};
}  // namespace

std::vector<uint32_t> PlacementPolicy::ChooseTargets(const std::vector<NodeView>& nodes,
                                                     const PlacementRequest& req) const {
  Chooser c(nodes, req);
  for (const std::string& f : req.favored) {
    if (static_cast<int>(c.result_.size()) >= req.replicas) break;
    c.TryFavored(f);
  }
  while (static_cast<int>(c.result_.size()) < req.replicas) {
    std::optional<uint32_t> next = c.Next();
    if (!next) {
      if (c.Relax()) continue;
      break;
    }
    c.Take(*next, true);
  }
  return c.result_;
}

std::vector<uint32_t> PlacementPolicy::ChooseExcess(const std::vector<NodeView>& nodes,
                                                    std::vector<uint32_t> replicas, size_t keep) const {
  std::vector<uint32_t> drop;
  while (replicas.size() > keep) {
    std::unordered_map<std::string, int> per_rack;
    for (uint32_t r : replicas) ++per_rack[nodes[r].rack];
    // Prefer a replica that shares its rack with another, so the racks covered stay covered.
    auto shares_rack = [&](uint32_t r) { return per_rack[nodes[r].rack] > 1; };
    bool any_shared = std::any_of(replicas.begin(), replicas.end(), shares_rack);
    auto best = replicas.end();
    for (auto it = replicas.begin(); it != replicas.end(); ++it) {
      if (any_shared && !shares_rack(*it)) continue;
      if (best == replicas.end() || nodes[*it].remaining < nodes[*best].remaining) best = it;
    }
    drop.push_back(*best);
    replicas.erase(best);
  }
  return drop;
}

size_t PlacementPolicy::LiveRacks(const std::vector<NodeView>& nodes) {
  std::unordered_set<std::string> racks;
  for (const auto& n : nodes)
    if (n.alive) racks.insert(n.rack);
  return racks.size();
}

}  // namespace cairn::namenode
