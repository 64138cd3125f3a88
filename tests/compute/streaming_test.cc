// Hadoop Streaming's contract on the task side: lines in, key<TAB>value lines out,
// reporter: lines on stderr, exit codes with the stderr tail, the environment.
#include "compute/runtime/streaming.h"

#include <gtest/gtest.h>

#include <csignal>
#include <mutex>

#include "compute/runtime/task_context.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class Collect : public mr::Emitter {
 public:
  void Emit(std::string_view k, std::string_view v) override { out.emplace_back(std::string(k), std::string(v)); }
  std::vector<std::pair<std::string, std::string>> out;
};

class Values : public mr::ValueIterator {
 public:
  explicit Values(std::vector<std::string> v) : v_(std::move(v)) {}
  bool Next(std::string_view* out) override {
    if (i_ >= v_.size()) return false;
    *out = v_[i_++];
    return true;
  }

 private:
  std::vector<std::string> v_;
  size_t i_ = 0;
};

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // as cairn-task does: a command that quits must not kill us
    dir_ = testing::MakeTempDir("streaming");
    spec_.set_attempt_id("attempt_1_0001_m_000000_0");
    env_.working_dir = dir_;
    env_.variables = {"mapreduce_task_attempt_id=attempt_1_0001_m_000000_0", "CAIRN_TEST_VAR=hello"};
  }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_;
  TaskSpec spec_;
  TaskEnvironment env_;
};

TEST_F(StreamingTest, MapperLinesCountersStatusAndEnvironment) {
  TaskContextImpl ctx(spec_);
  StreamingMapper mapper(
      "while read -r line; do printf '%s\\t1\\n' \"$line\"; echo 'reporter:counter:demo,lines,1' >&2; done; "
      "echo \"env\t$CAIRN_TEST_VAR $mapreduce_task_attempt_id\"; echo 'no tab here'; "
      "echo 'reporter:status:all done' >&2; echo 'a log line' >&2",
      env_);
  Collect out;
  mapper.Setup(ctx);
  for (const char* line : {"alpha", "beta gamma", ""}) mapper.Map({}, line, out);
  mapper.Cleanup(out);
  ASSERT_FALSE(ctx.failed()) << ctx.failure();
  std::vector<std::pair<std::string, std::string>> want = {{"alpha", "1"},
                                                           {"beta gamma", "1"},
                                                           {"", "1"},
                                                           {"env", "hello attempt_1_0001_m_000000_0"},
                                                           {"no tab here", ""}};
  EXPECT_EQ(out.out, want);
  CounterSet counters;
  ctx.AddUserCounters(&counters);
  EXPECT_EQ(counters.Get("demo", "lines"), 3);
  EXPECT_EQ(ctx.status(), "all done");
}

TEST_F(StreamingTest, FailingCommandReportsExitCodeAndStderr) {
  TaskContextImpl ctx(spec_);
  StreamingMapper mapper("cat >/dev/null; echo 'Traceback: something broke' >&2; exit 3", env_);
  Collect out;
  mapper.Setup(ctx);
  mapper.Map({}, "x", out);
  mapper.Cleanup(out);
  ASSERT_TRUE(ctx.failed());
  EXPECT_NE(ctx.failure().find("exited with code 3"), std::string::npos) << ctx.failure();
  EXPECT_NE(ctx.failure().find("Traceback: something broke"), std::string::npos) << ctx.failure();
}

TEST_F(StreamingTest, CommandThatStopsReadingEarlyFails) {
  TaskContextImpl ctx(spec_);
  StreamingMapper mapper("exit 7", env_);
  Collect out;
  mapper.Setup(ctx);
  std::string big(1 << 20, 'x');
  for (int i = 0; i < 8 && !ctx.failed(); ++i) mapper.Map({}, big, out);
  mapper.Cleanup(out);
  ASSERT_TRUE(ctx.failed());
  EXPECT_NE(ctx.failure().find("code 7"), std::string::npos) << ctx.failure();
}

TEST_F(StreamingTest, ReducerGetsSortedKeyValueLines) {
  TaskContextImpl ctx(spec_);
  StreamingReducer reducer("reducer", "awk -F'\\t' '{s[$1]+=$2} END {for (k in s) print k \"\\t\" s[k]}' | sort", env_);
  Collect out;
  reducer.Setup(ctx);
  Values a({"1", "2"}), b({"5"});
  reducer.Reduce("apple", a, out);
  reducer.Reduce("pear", b, out);
  reducer.Cleanup(out);
  ASSERT_FALSE(ctx.failed()) << ctx.failure();
  std::vector<std::pair<std::string, std::string>> want = {{"apple", "3"}, {"pear", "5"}};
  EXPECT_EQ(out.out, want);
}

}  // namespace
}  // namespace cairn::compute
