// Lease and datanode-liveness timers on a ManualClock (common/clock.h): each limit is
// crossed by moving the clock, not by sleeping, and each holds to the millisecond.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "namenode/blocks/datanode_manager.h"
#include "namenode/lease_manager.h"

namespace cairn::namenode {
namespace {

TEST(ClockDrivenLeaseTest, SoftAndHardLimitsExpireWhenTheClockPassesThem) {
  ManualClock clock;
  LeaseManager leases(/*soft_limit_ms=*/60'000, /*hard_limit_ms=*/1'200'000, clock);
  leases.Add("writer-a", 7);
  leases.Add("writer-b", 8);
  EXPECT_FALSE(leases.SoftLimitExpired("writer-a"));

  clock.Advance(60'000);  // exactly at the soft limit: still held
  EXPECT_FALSE(leases.SoftLimitExpired("writer-a"));
  clock.Advance(1);
  EXPECT_TRUE(leases.SoftLimitExpired("writer-a"));
  EXPECT_TRUE(leases.HardLimitExpired().empty());

  // A renewal starts a fresh period for that client only.
  EXPECT_TRUE(leases.Renew("writer-b"));
  EXPECT_FALSE(leases.SoftLimitExpired("writer-b"));
  clock.Advance(1'200'000 - 60'001);  // writer-a is now exactly at its hard limit
  EXPECT_TRUE(leases.HardLimitExpired().empty());
  clock.Advance(1);
  auto expired = leases.HardLimitExpired();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].client, "writer-a");
  EXPECT_EQ(expired[0].files, std::vector<uint64_t>{7});
  clock.Advance(60'001);
  EXPECT_EQ(leases.HardLimitExpired().size(), 2u);
  EXPECT_TRUE(leases.SoftLimitExpired("nobody"));  // no lease: free to take
}

RegisterDatanodeRequest Registration(const std::string& uuid, int port) {
  RegisterDatanodeRequest req;
  req.mutable_id()->set_datanodeuuid(uuid);
  req.mutable_id()->set_ipaddr("10.0.0.1");
  req.mutable_id()->set_xferport(port);
  return req;
}

TEST(ClockDrivenLivenessTest, ASilentNodeDiesAfterTheDeadIntervalAndMustRegisterAgain) {
  ManualClock clock;
  DatanodeManagerOptions o;
  o.dead_interval_ms = 30'000;
  o.clock = &clock;
  DatanodeManager nodes(o, Topology());
  ASSERT_TRUE(nodes.Register(Registration("dn-a", 9866), "10.0.0.1").ok());
  ASSERT_TRUE(nodes.Register(Registration("dn-b", 9867), "10.0.0.1").ok());

  HeartbeatRequest beat;
  beat.set_datanode_uuid("dn-b");
  for (int i = 0; i < 3; ++i) {  // dn-b beats every 10 s, dn-a is silent
    clock.Advance(10'000);
    HeartbeatResponse resp;
    ASSERT_TRUE(nodes.Heartbeat(beat, &resp));
    EXPECT_TRUE(nodes.CheckLiveness().empty()) << i;  // dn-a is exactly at 30 s after the last
  }
  clock.Advance(1);
  auto died = nodes.CheckLiveness();
  ASSERT_EQ(died.size(), 1u);
  EXPECT_FALSE(nodes.Lookup("dn-a").has_value());
  EXPECT_EQ(nodes.Lookup("dn-b"), std::optional<uint32_t>(died[0] == 0 ? 1 : 0));

  // The dead node's next heartbeat is told to register again; after that it is live.
  HeartbeatRequest late;
  late.set_datanode_uuid("dn-a");
  HeartbeatResponse resp;
  EXPECT_FALSE(nodes.Heartbeat(late, &resp));
  EXPECT_TRUE(resp.reregister());
  ASSERT_TRUE(nodes.Register(Registration("dn-a", 9866), "10.0.0.1").ok());
  EXPECT_TRUE(nodes.Lookup("dn-a").has_value());
  auto view = nodes.View(*nodes.Lookup("dn-a"));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->last_heartbeat_ms, clock.MonotonicMillis());
}

}  // namespace
}  // namespace cairn::namenode
