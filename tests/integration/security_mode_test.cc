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
  // Kerberos mode needs daemon certificates.
  auto no_tls = RunCommand({bin + "/cairn-namenode", "--namenode_name_dir=" + dir + "/nn", "--security=kerberos",
                            "--namenode_rpc_port=0", "--namenode_ipc_port=0"},
                           {}, "", true, 30000);
  ASSERT_TRUE(no_tls.ok());
  EXPECT_NE(no_tls->exit_code, 0);
  EXPECT_NE(no_tls->out.find("needs --tls_ca_file, --tls_cert_file and --tls_key_file"), std::string::npos)
      << no_tls->out;
  auto ca = RunCommand({bin + "/cairn", "admin", "ca", "init", dir + "/ca"});
  ASSERT_TRUE(ca.ok() && ca->exit_code == 0) << (ca.ok() ? ca->out : ca.status().ToString());
  auto dn_cert = RunCommand({bin + "/cairn", "admin", "ca", "issue", dir + "/ca", "datanode", "localhost"});
  ASSERT_TRUE(dn_cert.ok() && dn_cert->exit_code == 0) << (dn_cert.ok() ? dn_cert->out : "");
  const std::string tls_ca = "--tls_ca_file=" + dir + "/ca/ca.crt",
                    tls_cert = "--tls_cert_file=" + dir + "/ca/datanode-localhost.crt",
                    tls_key = "--tls_key_file=" + dir + "/ca/datanode-localhost.key";
  // Compute in kerberos mode needs its Kerberos identity, and never runs tasks unconfined.
  for (const auto& [argv, why] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{bin + "/cairn-jobmaster", "--jobmaster_namenode=127.0.0.1:1", "--jobmaster_data_dir=" + dir + "/jm",
             "--jobmaster_port=0", "--security=kerberos", tls_ca, tls_cert, tls_key},
            "--security=kerberos needs --jobmaster_kerberos_principal, --jobmaster_keytab and "
            "--jobmaster_namenode_principal"},
           {{bin + "/cairn-datanode", "--datanode_namenode=127.0.0.1:1", "--datanode_data_dirs=" + dir + "/dn",
             "--datanode_xfer_port=0", "--security=kerberos", tls_ca, tls_cert, tls_key,
             "--executor_jobmaster=127.0.0.1:2", "--executor_unconfined_tasks"},
            "--executor_unconfined_tasks cannot be used with it"}}) {
    auto r = RunCommand(argv, {}, "", true, 30000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(r->exit_code, 0) << argv[0];
    EXPECT_NE(r->out.find(why), std::string::npos) << r->out;
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
