#include "compute/resources.h"

#include <gtest/gtest.h>

#include <thread>

namespace cairn::compute {
namespace {

TEST(ResourcesTest, ProbesThisMachine) {
  NodeResources r = ProbeNodeResources();
  EXPECT_EQ(r.cpu_slots, std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_GT(r.memory_bytes, 64ull << 20);
  if (!BuiltWithCuda()) EXPECT_TRUE(r.gpus.empty());
  for (const auto& g : r.gpus) {
    EXPECT_FALSE(g.name.empty());
    EXPECT_GT(g.memory_bytes, 0u);
  }
}

}  // namespace
}  // namespace cairn::compute
