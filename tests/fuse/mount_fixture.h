// MountTest: a MiniCluster with a real cairn-fuse mount of it, for tests that run real
// tools on the mount. Mounting needs root and /dev/fuse: where either is missing the test
// is skipped with a message saying so. Subclasses set cluster_options_ and mount_args_ in
// their constructor. Sh() runs a bash script with $M (the mount point), $L (a local
// scratch directory), $CAIRN_NAMENODE and the built binaries on $PATH.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/fuse/mount_process.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn::fuse {

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status can = CheckCanMount();
    if (!can.ok()) GTEST_SKIP() << "FUSE mount tests need /dev/fuse and root; skipping: " << can.ToString();
    auto c = cairn::testing::MiniCluster::Start(cluster_options_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    // Other users reach the mount point only if they may traverse the cluster directory.
    std::filesystem::permissions(cluster_->dir(), std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
    mnt_ = cluster_->dir() + "/mnt";
    local_ = cluster_->dir() + "/local";
    std::filesystem::create_directories(mnt_);
    std::filesystem::create_directories(local_);
    Mount();
  }

  void TearDown() override {
    if (mount_) EXPECT_OK(mount_->Stop());
    mount_.reset();
  }

  void Mount() {
    mount_.reset();
    std::vector<std::string> args{"--namenode", cluster_->client_namenode_address(), "--log_level=info"};
    args.insert(args.end(), mount_args_.begin(), mount_args_.end());
    auto m = FuseMountProcess::Start(std::string(CAIRN_BIN_DIR) + "/cairn-fuse", mnt_, args, cluster_->dir() + "/fuse.log");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mount_ = std::move(m).value();
  }

  // Runs `script` under bash -euxo pipefail (the trace shows which line failed); returns
  // the exit code and the merged output.
  cairn::testing::CommandResult Sh(const std::string& script, int timeout_ms = 300000) {
    const char* path = std::getenv("PATH");
    std::vector<std::string> env{"M=" + mnt_, "L=" + local_, "CAIRN_NAMENODE=" + cluster_->client_namenode_address(),
                                 std::string("PATH=") + CAIRN_BIN_DIR + ":" + (path ? path : "/usr/bin:/bin")};
    auto r = cairn::testing::RunCommand({"bash", "-c", "set -euxo pipefail\n" + script}, env, "", true, timeout_ms);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : cairn::testing::CommandResult{};
  }

  // Sh() that must succeed.
  std::string ShOk(const std::string& script, int timeout_ms = 300000) {
    auto r = Sh(script, timeout_ms);
    EXPECT_EQ(r.exit_code, 0) << script << "\n---\n" << r.out;
    return r.out;
  }

  cairn::testing::MiniClusterOptions cluster_options_;
  std::vector<std::string> mount_args_;
  std::unique_ptr<cairn::testing::MiniCluster> cluster_;
  std::unique_ptr<FuseMountProcess> mount_;
  std::string mnt_, local_;
};

}  // namespace cairn::fuse
