// Task placement: locality levels, bounded delay scheduling, failed-node avoidance,
// reduces after maps, speculation.
#include "compute/jobmaster/scheduler.h"

#include <gtest/gtest.h>

namespace cairn::compute {
namespace {

ExecutorInfo Exec(const std::string& node, const std::string& rack) {
  ExecutorInfo e;
  e.id = "exec-" + node;
  e.node = node;
  e.rack = rack;
  e.total.set_cpu_slots(4);
  e.total.set_memory_bytes(4ull << 30);
  return e;
}

TaskInfo Map(int index, std::vector<std::pair<std::string, std::string>> replicas) {
  TaskInfo t;
  t.type = MAP;
  t.index = index;
  t.id = "m" + std::to_string(index);
  for (const auto& [node, rack] : replicas) {
    t.split.add_hosts(node);
    t.split.add_racks(rack);
  }
  return t;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.locality_wait_node_ms = 1000;
    settings_.locality_wait_rack_ms = 1000;
    settings_.speculative_min_ms = 100;
    job_.spec.set_speculative(true);
    live_ = {"a:1", "b:1", "c:1"};
  }
  SchedulerSettings settings_;
  Job job_;
  std::set<std::string> live_;
};

TEST_F(SchedulerTest, NodeLocalFirst) {
  job_.maps = {Map(0, {{"b:1", "/r1"}}), Map(1, {{"a:1", "/r0"}, {"c:1", "/r1"}})};
  auto a = ChooseTask(job_, Exec("a:1", "/r0"), live_, 1000, settings_);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->index, 1);
  EXPECT_EQ(a->locality, NODE_LOCAL);
}

TEST_F(SchedulerTest, DelayThenRackLocalThenAny) {
  job_.maps = {Map(0, {{"b:1", "/r0"}}), Map(1, {{"c:1", "/r1"}})};
  ExecutorInfo a = Exec("a:1", "/r0");
  EXPECT_FALSE(ChooseTask(job_, a, live_, 10000, settings_));          // starts waiting
  EXPECT_FALSE(ChooseTask(job_, a, live_, 10999, settings_));          // still within the node wait
  auto rack = ChooseTask(job_, a, live_, 11000, settings_);
  ASSERT_TRUE(rack);
  EXPECT_EQ(rack->index, 0);
  EXPECT_EQ(rack->locality, RACK_LOCAL);
  job_.maps[0].state = TASK_RUNNING;
  EXPECT_FALSE(ChooseTask(job_, a, live_, 11500, settings_));          // only off-rack work left: wait more
  auto any = ChooseTask(job_, a, live_, 12000, settings_);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->index, 1);
  EXPECT_EQ(any->locality, OFF_RACK);
}

TEST_F(SchedulerTest, NodeLocalLaunchEndsTheWait) {
  job_.maps = {Map(0, {{"b:1", "/r0"}}), Map(1, {{"a:1", "/r0"}})};
  job_.maps[1].state = TASK_RUNNING;
  EXPECT_FALSE(ChooseTask(job_, Exec("a:1", "/r0"), live_, 10000, settings_));
  EXPECT_EQ(job_.locality_skip_since, 10000);
  auto b = ChooseTask(job_, Exec("b:1", "/r0"), live_, 10100, settings_);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->locality, NODE_LOCAL);
  EXPECT_EQ(job_.locality_skip_since, 0);
}

TEST_F(SchedulerTest, MapsWhoseReplicasHaveNoExecutorRunAtOnce) {
  job_.maps = {Map(0, {{"gone:1", "/r0"}})};
  auto a = ChooseTask(job_, Exec("a:1", "/r0"), live_, 10000, settings_);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->locality, RACK_LOCAL);
}

TEST_F(SchedulerTest, RetriesAvoidNodesWhereTheTaskFailed) {
  job_.maps = {Map(0, {{"a:1", "/r0"}})};
  job_.maps[0].failed_nodes = {"a:1"};
  EXPECT_FALSE(ChooseTask(job_, Exec("a:1", "/r0"), live_, 10000, settings_));
  auto b = ChooseTask(job_, Exec("b:1", "/r0"), live_, 13000, settings_);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->locality, RACK_LOCAL);
  // Once every live node has failed it, any node may try again.
  job_.maps[0].failed_nodes = {"a:1", "b:1", "c:1"};
  EXPECT_TRUE(ChooseTask(job_, Exec("a:1", "/r0"), live_, 20000, settings_));
}

TEST_F(SchedulerTest, ReducesOnlyAfterEveryMap) {
  job_.maps = {Map(0, {{"a:1", "/r0"}})};
  job_.maps[0].state = TASK_RUNNING;
  TaskInfo r;
  r.type = REDUCE;
  job_.reduces = {r};
  EXPECT_FALSE(ChooseTask(job_, Exec("b:1", "/r0"), live_, 0, settings_));
  job_.maps[0].state = TASK_SUCCEEDED;
  auto a = ChooseTask(job_, Exec("b:1", "/r0"), live_, 0, settings_);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, REDUCE);
  EXPECT_EQ(a->locality, NO_PREFERENCE);
}

TEST_F(SchedulerTest, SpeculatesOnStragglersElsewhere) {
  job_.maps = {Map(0, {{"a:1", "/r0"}}), Map(1, {{"a:1", "/r0"}})};
  // Map 0 finished in 1 s; map 1 has run 5 s on node a.
  AttemptInfo done;
  done.state = ATTEMPT_SUCCEEDED;
  done.start_mono_ms = 0;
  job_.maps[0].attempts = {done};
  job_.maps[0].succeeded = 0;
  job_.maps[0].state = TASK_SUCCEEDED;
  job_.maps[0].done_mono_ms = 1000;
  AttemptInfo slow;
  slow.node = "a:1";
  slow.start_mono_ms = 1000;
  job_.maps[1].attempts = {slow};
  job_.maps[1].state = TASK_RUNNING;
  EXPECT_FALSE(ChooseTask(job_, Exec("a:1", "/r0"), live_, 6000, settings_));  // not on its own node
  EXPECT_FALSE(ChooseTask(job_, Exec("b:1", "/r0"), live_, 2500, settings_));  // not slow enough yet
  auto s = ChooseTask(job_, Exec("b:1", "/r0"), live_, 6000, settings_);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->speculative);
  EXPECT_EQ(s->index, 1);
  job_.spec.set_speculative(false);
  EXPECT_FALSE(ChooseTask(job_, Exec("b:1", "/r0"), live_, 6000, settings_));
}

}  // namespace
}  // namespace cairn::compute
