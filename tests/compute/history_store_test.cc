#include "compute/jobmaster/history_store.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

TEST(HistoryStoreTest, SaveLoadRemove) {
  std::string dir = testing::MakeTempDir("history");
  {
    ASSERT_OK_AND_ASSIGN(auto store, HistoryStore::Open(dir));
    for (int i = 0; i < 3; ++i) {
      JobReport r;
      r.set_job_id("job_1_000" + std::to_string(i));
      r.set_submit_ms(100 - i);
      r.set_state(i == 0 ? JOB_RUNNING : JOB_SUCCEEDED);
      r.add_tasks()->add_attempts()->set_stderr_tail("tail " + std::to_string(i));
      ASSERT_OK(store->Save(r));
    }
    ASSERT_OK(store->Remove("job_1_0001"));
    EXPECT_FALSE(store->Save(JobReport()).ok());  // no id
    JobReport bad;
    bad.set_job_id("../escape");
    EXPECT_EQ(store->Save(bad).code(), ErrorCode::kInvalidArgument);
  }
  ASSERT_OK(testing::WriteLocalFile(dir + "/history/junk.job", "not a protobuf \xff\xff"));
  ASSERT_OK_AND_ASSIGN(auto store, HistoryStore::Open(dir));
  std::vector<JobReport> jobs = store->LoadAll();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].job_id(), "job_1_0002");  // oldest submission first
  EXPECT_EQ(jobs[1].job_id(), "job_1_0000");
  EXPECT_EQ(jobs[1].state(), JOB_RUNNING);
  EXPECT_EQ(jobs[1].tasks(0).attempts(0).stderr_tail(), "tail 0");
  testing::RemoveTree(dir);
}

}  // namespace
}  // namespace cairn::compute
