// --security=simple keeps daemons off the network: each of them refuses a non-loopback
// listen address unless --allow_insecure_network is given, and then warns in its log.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/security_settings.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using testing::RunCommand;

TEST(SecurityModeTest, LoopbackHostsAreRecognised) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) EXPECT_TRUE(IsLoopbackHost(h)) << h;
  for (const char* h : {"0.0.0.0", "10.0.0.2", "::", "192.168.1.1", "example.com"}) EXPECT_FALSE(IsLoopbackHost(h)) << h;
  SecuritySettings s;
  EXPECT_TRUE(CheckListenAddress(s, "127.0.0.1", "x").ok());
  EXPECT_EQ(CheckListenAddress(s, "0.0.0.0", "x").code(), ErrorCode::kPermissionDenied);
  s.allow_insecure_network = true;
  EXPECT_TRUE(CheckListenAddress(s, "0.0.0.0", "x").ok());
  s = SecuritySettings{};
  s.mode = "kerberos";
  EXPECT_TRUE(CheckListenAddress(s, "0.0.0.0", "x").ok());
  s.mode = "none";
  EXPECT_EQ(s.Validate().code(), ErrorCode::kInvalidArgument);
}

TEST(SecurityModeTest, SimpleDaemonsRefuseTheNetworkUnlessAllowed) {
  const std::string dir = cairn::testing::MakeTempDir("secmode");
  const std::string bin = CAIRN_BIN_DIR;
  const std::vector<std::vector<std::string>> daemons = {
      {bin + "/cairn-namenode", "--namenode_name_dir=" + dir + "/nn", "--namenode_bind_host=0.0.0.0",
       "--namenode_rpc_port=0", "--namenode_ipc_port=0"},
      {bin + "/cairn-datanode", "--datanode_namenode=127.0.0.1:1", "--datanode_data_dirs=" + dir + "/dn",
       "--datanode_bind_host=0.0.0.0", "--datanode_xfer_port=0"},
      {bin + "/cairn-jobmaster", "--jobmaster_namenode=127.0.0.1:1", "--jobmaster_data_dir=" + dir + "/jm",
       "--jobmaster_bind_host=0.0.0.0", "--jobmaster_port=0"},
  };
  for (const auto& argv : daemons) {
    auto r = RunCommand(argv, {}, "", true, 30000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(r->exit_code, 0) << argv[0];
    EXPECT_NE(r->out.find("listens only on loopback addresses, not 0.0.0.0"), std::string::npos) << r->out;
    EXPECT_NE(r->out.find("--allow_insecure_network"), std::string::npos) << r->out;
  }
  // Compute is not secured yet: it refuses kerberos mode rather than run open.
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {bin + "/cairn-jobmaster", "--jobmaster_namenode=127.0.0.1:1", "--jobmaster_data_dir=" + dir + "/jm",
            "--jobmaster_port=0", "--security=kerberos"},
           {bin + "/cairn-datanode", "--datanode_namenode=127.0.0.1:1", "--datanode_data_dirs=" + dir + "/dn",
            "--datanode_xfer_port=0", "--security=kerberos", "--executor_jobmaster=127.0.0.1:2"}}) {
    auto r = RunCommand(argv, {}, "", true, 30000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(r->exit_code, 0) << argv[0];
    EXPECT_NE(r->out.find("does not run with --security=kerberos yet"), std::string::npos) << r->out;
  }
  // Allowed: the namenode starts, and says in its log what that means.
  std::vector<std::string> argv = daemons[0];
  argv.push_back("--allow_insecure_network");
  argv.push_back("--port_file=" + dir + "/ports");
  auto p = testing::Subprocess::Start(argv, dir + "/namenode.log");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::string log;
  for (int i = 0; i < 300 && !std::filesystem::exists(dir + "/ports"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(std::filesystem::exists(dir + "/ports"));
  std::ifstream in(dir + "/namenode.log");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("callers are not authenticated"), std::string::npos) << ss.str();
  p->Kill();
  cairn::testing::RemoveTree(dir);
}

}  // namespace
}  // namespace cairn
