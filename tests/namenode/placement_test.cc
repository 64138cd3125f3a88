// Rack-aware placement (HDFS's default policy) on hand-made node snapshots.
#include <set>

#include <gtest/gtest.h>

#include "namenode/blocks/placement_policy.h"

namespace cairn::namenode {
namespace {

std::vector<NodeView> Cluster(int racks, int per_rack) {
  std::vector<NodeView> nodes;
  for (int r = 0; r < racks; ++r) {
    for (int i = 0; i < per_rack; ++i) {
      NodeView v;
      v.index = static_cast<uint32_t>(nodes.size());
      v.ip = fmt::format("10.0.{}.{}", r, i + 1);
      v.host = v.ip;
      v.uuid = fmt::format("dn-{}-{}", r, i);
      v.xfer_port = 9866;
      v.rack = fmt::format("/rack{}", r);
      v.capacity = v.remaining = 1ull << 40;
      v.alive = true;
      nodes.push_back(v);
    }
  }
  return nodes;
}

TEST(PlacementPolicyTest, FirstLocalSecondRemoteThirdBesideSecond) {
  PlacementPolicy p;
  auto nodes = Cluster(3, 4);
  for (int trial = 0; trial < 200; ++trial) {
    PlacementRequest req;
    req.replicas = 3;
    req.writer_ip = "10.0.1.2";
    req.block_size = 1 << 20;
    auto t = p.ChooseTargets(nodes, req);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(nodes[t[0]].ip, "10.0.1.2");
    EXPECT_NE(nodes[t[1]].rack, nodes[t[0]].rack);
    EXPECT_EQ(nodes[t[2]].rack, nodes[t[1]].rack);
    EXPECT_EQ(std::set<uint32_t>(t.begin(), t.end()).size(), 3u);
  }
}

TEST(PlacementPolicyTest, UnknownWriterGetsARandomFirstNodeAndMoreReplicasSpread) {
  PlacementPolicy p;
  auto nodes = Cluster(3, 4);
  std::set<uint32_t> firsts;
  for (int trial = 0; trial < 200; ++trial) {
    PlacementRequest req;
    req.replicas = 6;
    req.writer_ip = "192.168.1.1";
    auto t = p.ChooseTargets(nodes, req);
    ASSERT_EQ(t.size(), 6u);
    firsts.insert(t[0]);
    EXPECT_EQ(std::set<uint32_t>(t.begin(), t.end()).size(), 6u);
    std::map<std::string, int> per_rack;
    for (uint32_t i : t) ++per_rack[nodes[i].rack];
    for (const auto& [rack, n] : per_rack) EXPECT_LE(n, (6 - 1) / 3 + 2) << rack;
  }
  EXPECT_GT(firsts.size(), 5u);
}

TEST(PlacementPolicyTest, SkipsExcludedDeadFullNodesAndPrefersFreshIdleOnes) {
  PlacementPolicy p;
  auto nodes = Cluster(1, 6);
  nodes[0].alive = false;
  nodes[1].remaining = 1000;         // nearly full for a 1 MiB block
  nodes[2].xceivers = 100;           // far above twice the average
  nodes[3].stale = true;
  PlacementRequest req;
  req.replicas = 3;
  req.excluded = {4};
  req.block_size = 1 << 20;
  for (int trial = 0; trial < 50; ++trial) {
    auto t = p.ChooseTargets(nodes, req);
    // Only node 5 is fresh and idle; the stale and the busy node fill in after it.
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0], 5u);
    EXPECT_EQ(std::set<uint32_t>(t.begin(), t.end()), (std::set<uint32_t>{2, 3, 5}));
  }
  req.replicas = 1;
  req.excluded = {2, 3, 4, 5};
  EXPECT_TRUE(p.ChooseTargets(nodes, req).empty());  // dead and full nodes never
}

TEST(PlacementPolicyTest, SharedIpPicksAmongThoseNodes) {
  PlacementPolicy p;
  auto nodes = Cluster(1, 3);
  for (auto& n : nodes) n.ip = "127.0.0.1";
  std::set<uint32_t> firsts;
  for (int trial = 0; trial < 100; ++trial) {
    PlacementRequest req;
    req.replicas = 1;
    req.writer_ip = "127.0.0.1";
    firsts.insert(p.ChooseTargets(nodes, req).at(0));
  }
  EXPECT_EQ(firsts.size(), 3u);
}

TEST(PlacementPolicyTest, ReReplicationContinuesAfterExistingReplicas) {
  PlacementPolicy p;
  auto nodes = Cluster(2, 3);
  PlacementRequest req;
  req.replicas = 1;
  req.existing = {0};  // one replica on rack0: the next goes off-rack
  for (int trial = 0; trial < 50; ++trial) {
    auto t = p.ChooseTargets(nodes, req);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(nodes[t[0]].rack, "/rack1");
  }
  req.existing = {0, 3};  // racks differ: the third joins the second's rack
  for (int trial = 0; trial < 50; ++trial) {
    auto t = p.ChooseTargets(nodes, req);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(nodes[t[0]].rack, "/rack1");
    EXPECT_NE(t[0], 3u);
  }
}

TEST(PlacementPolicyTest, FavoredNodesComeFirst) {
  PlacementPolicy p;
  auto nodes = Cluster(2, 3);
  PlacementRequest req;
  req.replicas = 2;
  req.favored = {"10.0.1.3:9866"};
  auto t = p.ChooseTargets(nodes, req);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(nodes[t[0]].ip, "10.0.1.3");
}

TEST(PlacementPolicyTest, ExcessKeepsRackDiversityAndFreesFullestNode) {
  PlacementPolicy p;
  auto nodes = Cluster(2, 3);
  nodes[1].remaining = 10;  // rack0, fullest
  // Replicas on 0, 1 (rack0) and 3 (rack1); drop one: it must come from rack0, the fuller.
  auto drop = p.ChooseExcess(nodes, {0, 1, 3}, 2);
  ASSERT_EQ(drop.size(), 1u);
  EXPECT_EQ(drop[0], 1u);
  auto drop2 = p.ChooseExcess(nodes, {0, 3}, 1);
  ASSERT_EQ(drop2.size(), 1u);
}

}  // namespace
}  // namespace cairn::namenode
