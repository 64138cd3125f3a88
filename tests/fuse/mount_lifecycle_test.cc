// The life of a mount: SIGTERM, SIGINT and `fusermount3 -u` unmount cleanly (and files
// still open for writing are completed), daemon mode detaches only once the mount is
// live, a bad namenode fails with a message, and callers' uids map to users for the
// namenode's permission checks, with and without -o default_permissions.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>

#include "tests/fuse/mount_fixture.h"

namespace cairn::fuse {
namespace {

TEST_F(MountTest, SigtermUnmountsAndCompletesFilesStillOpen) {
  const int fd = ::open((mnt_ + "/open").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "data", 4), 4);
  ASSERT_OK(mount_->Stop());  // exit 0 and no mount left
  mount_.reset();
  ::close(fd);
  auto r = cluster_->Cli({"cat", "/open"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "data");
  ASSERT_OK_AND_ASSIGN(auto fs, cluster_->Connect());
  // Complete: another writer may append at once.
  ASSERT_OK_AND_ASSIGN(auto out, fs->Append("/open"));
  ASSERT_OK(out->Write("!", 1));
  ASSERT_OK(out->Close());
}

TEST_F(MountTest, SigintAndFusermountUnmountCleanly) {
  ShOk("echo x > $M/f");
  ASSERT_OK(mount_->Signal(SIGINT));
  ASSERT_OK(mount_->Wait(30000));
  Mount();
  ShOk("test \"$(cat $M/f)\" = x");
  ShOk("fusermount3 -u $M");
  ASSERT_OK(mount_->Wait(30000));
  EXPECT_FALSE(IsFuseMount(mnt_));
  mount_.reset();
}

TEST_F(MountTest, DaemonModeReturnsOnceMountedAndBadNamenodesFail) {
  ShOk("echo hi > $M/f");
  const std::string second = cluster_->dir() + "/mnt2";
  ShOk("mkdir " + second);
  // Without -f: returns once the mount is live, and keeps serving in the background.
  ShOk("cairn-fuse " + second + " --namenode $CAIRN_NAMENODE && test \"$(cat " + second + "/f)\" = hi");
  EXPECT_TRUE(IsFuseMount(second));
  ShOk("fusermount3 -u " + second);
  ASSERT_EVENTUALLY(!IsFuseMount(second), 30000);
  // Nothing listens there: a clear message and exit 1, no mount.
  auto r = Sh("cairn-fuse " + second + " --namenode 127.0.0.1:1 --fuse_rpc_retry_ms=300 --fuse_rpc_timeout_ms=1000");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot reach the namenode at 127.0.0.1:1"), std::string::npos) << r.out;
  EXPECT_FALSE(IsFuseMount(second));
  r = Sh("cairn-fuse " + second + " --namenode $CAIRN_NAMENODE -o no_such_option");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_FALSE(IsFuseMount(second));
  r = Sh("cairn-fuse --namenode $CAIRN_NAMENODE");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no mount point"), std::string::npos) << r.out;
}

class MountPermissionTest : public MountTest {
 protected:
  MountPermissionTest() { mount_args_ = {"-o", "allow_other"}; }
  static std::string AsNobody(const std::string& cmd) {
    return "setpriv --reuid=65534 --regid=65534 --clear-groups bash -c '" + cmd + "'";
  }
};

TEST_F(MountPermissionTest, CallersActAsTheirOwnUsers) {
  ShOk("mkdir -m 700 $M/private && mkdir -m 777 $M/shared && echo secret > $M/private/s && chmod 700 $M/private");
  auto r = Sh(AsNobody("ls $M/private"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("Permission denied"), std::string::npos) << r.out;
  ShOk(AsNobody("echo mine > $M/shared/n && cat $M/shared/n"));
  ShOk("test \"$(stat -c %U $M/shared/n)\" = nobody");
  auto stat = cluster_->Cli({"stat", "--json", "/shared/n"});
  ASSERT_TRUE(stat.ok());
  EXPECT_NE(stat->out.find("\"nobody\""), std::string::npos) << stat->out;
  r = Sh(AsNobody("echo more >> $M/private/s"));
  EXPECT_NE(r.exit_code, 0) << r.out;
  ShOk("test \"$(cat $M/private/s)\" = secret");
}

class DefaultPermissionsTest : public MountTest {
 protected:
  DefaultPermissionsTest() { mount_args_ = {"-o", "allow_other,default_permissions"}; }
};

TEST_F(DefaultPermissionsTest, TheKernelChecksModeBits) {
  ShOk("mkdir -m 755 $M/d && echo text > $M/d/f && chmod 644 $M/d/f");
  const std::string nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  ShOk(nobody + "cat $M/d/f");
  auto r = Sh(nobody + "touch $M/d/new");
  EXPECT_NE(r.out.find("Permission denied"), std::string::npos) << r.out;
  r = Sh(nobody + "chmod 777 $M/d/f");
  EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
  ShOk("test \"$(stat -c %a $M/d/f)\" = 644");
}

}  // namespace
}  // namespace cairn::fuse
