// SharedClusterSuite: a GoogleTest fixture base for suites whose tests share one
// MiniCluster, started before the suite's first test and stopped after its last. The suite
// names itself (CRTP) and says how its cluster looks:
//
//   class ReadWriteTest : public SharedClusterSuite<ReadWriteTest> {
//    public:
//     static MiniClusterOptions ClusterOptions() { ... }
//   };
//
// Tests reach the cluster as cluster_ (null when it failed to start: the suite set-up
// failure is reported and each test should ASSERT_NE(cluster_, nullptr)).
//
// Thread-safety: GoogleTest's main thread only.
#pragma once

#include <gtest/gtest.h>

#include "tests/support/mini_cluster.h"

namespace cairn::testing {

template <typename Suite>
class SharedClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = MiniCluster::Start(Suite::ClusterOptions());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static inline MiniCluster* cluster_ = nullptr;
};

}  // namespace cairn::testing
