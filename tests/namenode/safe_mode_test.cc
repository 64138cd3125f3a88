// Safe mode: after a restart with blocks the namenode refuses changes (retryable
// kSafeMode with the block counts) but serves reads, and leaves once enough blocks are
// reported (plus the extension); manual enter/leave through setSafeMode.
#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

hh::SetSafeModeResponseProto SafeMode(NamenodeHarness& h, hh::SafeModeActionProto action, const CallContext& c) {
  hh::SetSafeModeRequestProto req;
  req.set_action(action);
  hh::SetSafeModeResponseProto resp;
  EXPECT_OK(SetSafeMode(h.nn(), c, req, &resp));
  return resp;
}

// Writes `n` one-block files, each replicated on dn0, and returns the block ids.
std::vector<uint64_t> WriteFiles(NamenodeHarness& h, uint32_t dn, int n) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    std::string path = fmt::format("/f{}", i);
    EXPECT_OK(h.Create(h.Super(), path, "w", hh::CREATE, 0644, 1).status());
    auto lb = h.AddBlock(path, "w");
    EXPECT_TRUE(lb.ok());
    h.Report(dn, lb->b().blockid(), lb->b().generationstamp(), 10);
    auto last = WithLength(*lb, 10);
    auto done = h.Complete(path, "w", &last);
    EXPECT_TRUE(done.ok() && *done);
    ids.push_back(lb->b().blockid());
  }
  return ids;
}

TEST(SafeModeTest, EmptyNamespaceLeavesAtOnce) {
  NamenodeHarness h([](NamenodeSettings& s) { s.safemode_threshold = 0.999; });
  EXPECT_FALSE(h.nn().safe_mode.IsOn());
  ASSERT_OK(h.Mkdirs("/ok"));
}

TEST(SafeModeTest, RestartWaitsForBlockReports) {
  NamenodeHarness h([](NamenodeSettings& s) { s.safemode_threshold = 0.75; });
  uint32_t dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  auto ids = WriteFiles(h, dn, 4);
  h.Reopen();
  ASSERT_TRUE(h.nn().safe_mode.IsOn());
  Status st = h.Mkdirs("/blocked");
  ASSERT_EQ(st.code(), ErrorCode::kSafeMode);
  EXPECT_TRUE(st.IsRetryable());
  EXPECT_NE(st.message().find("The reported blocks 0 needs additional 3 blocks to reach the threshold 0.7500 of "
                              "total blocks 4"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(h.Delete("/f0", false).status().code(), ErrorCode::kSafeMode);
  // Reads still work.
  EXPECT_TRUE(h.Stat("/f0"));
  dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  BlockReportRequest report;
  report.set_datanode_uuid("dn0");
  for (int i = 0; i < 2; ++i) {
    auto* r = report.add_replicas();
    r->set_block_id(ids[i]);
    auto info = h.nn().blocks.Get(ids[i]);
    r->set_gen_stamp(info->gen_stamp);
    r->set_num_bytes(10);
  }
  h.nn().blocks.ProcessFullReport(dn, report);
  EXPECT_TRUE(h.nn().safe_mode.IsOn());  // 2 of 4 < 75 %
  auto* r = report.add_replicas();
  r->set_block_id(ids[2]);
  r->set_gen_stamp(h.nn().blocks.Get(ids[2])->gen_stamp);
  r->set_num_bytes(10);
  h.nn().blocks.ProcessFullReport(dn, report);
  EXPECT_FALSE(h.nn().safe_mode.IsOn());
  ASSERT_OK(h.Mkdirs("/allowed"));
}

TEST(SafeModeTest, ExtensionDelaysTheExit) {
  NamenodeHarness h([](NamenodeSettings& s) {
    s.safemode_threshold = 1;
    s.safemode_extension_ms = 300;
  });
  uint32_t dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  auto ids = WriteFiles(h, dn, 1);
  h.Reopen();
  dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  h.Report(dn, ids[0], h.nn().blocks.Get(ids[0])->gen_stamp, 10);
  int64_t start = MonotonicMillis();
  ASSERT_TRUE(h.nn().safe_mode.IsOn());
  EXPECT_NE(h.nn().safe_mode.Describe().find("will be turned off automatically in"), std::string::npos);
  while (h.nn().safe_mode.IsOn() && MonotonicMillis() - start < 5000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(h.nn().safe_mode.IsOn());
  EXPECT_GE(MonotonicMillis() - start, 250);
}

TEST(SafeModeTest, ManualEnterAndLeaveNeedTheSuperuser) {
  NamenodeHarness h;
  hh::SetSafeModeRequestProto req;
  req.set_action(hh::SAFEMODE_ENTER);
  hh::SetSafeModeResponseProto resp;
  EXPECT_EQ(SetSafeMode(h.nn(), h.As("bob"), req, &resp).code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(SafeMode(h, hh::SAFEMODE_ENTER, h.Super()).result());
  EXPECT_TRUE(SafeMode(h, hh::SAFEMODE_GET, h.As("bob")).result());
  Status st = h.Mkdirs("/x");
  EXPECT_EQ(st.code(), ErrorCode::kSafeMode);
  EXPECT_NE(st.message().find("turned on manually"), std::string::npos);
  h.node().RunMonitorOnce();
  EXPECT_TRUE(h.nn().safe_mode.IsOn());  // manual mode never ends by itself
  EXPECT_FALSE(SafeMode(h, hh::SAFEMODE_LEAVE, h.Super()).result());
  ASSERT_OK(h.Mkdirs("/x"));
}

}  // namespace
}  // namespace cairn::namenode::testing
