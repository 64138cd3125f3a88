// cairn-datanode as a process: the flags and port file of its contract, block ops refused
// until the namenode's token keys arrive, clean exit on SIGTERM, and no acknowledged block
// lost to SIGKILL.
#include <csignal>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "datanode/store/block_layout.h"
#include "tests/datanode/dtp_client.h"
#include "tests/datanode/key_serving_namenode.h"
#include "tests/support/process.h"

namespace cairn::datanode {
namespace {

using cairn::testing::RandomBytes;
using cairn::testing::Subprocess;
using namespace testing;  // NOLINT: the test helpers

class DatanodeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = cairn::testing::MakeTempDir("dnproc");
    nn_.Start();
  }
  void TearDown() override {
    proc_.Kill();
    cairn::testing::RemoveTree(dir_);
  }
  void Start() {
    std::filesystem::remove(dir_ + "/ports");
    std::vector<std::string> argv = {std::string(CAIRN_BIN_DIR) + "/cairn-datanode",
                                     "--datanode_namenode=" + nn_address_,
                                     "--datanode_data_dirs=" + dir_ + "/data",
                                     "--datanode_xfer_port=" + std::to_string(port_),
                                     "--port_file=" + dir_ + "/ports",
                                     "--datanode_heartbeat_interval_ms=200"};
    auto p = Subprocess::Start(argv, dir_ + "/datanode.log");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    proc_ = std::move(p).value();
    ASSERT_EVENTUALLY_OK([&] {
      std::ifstream in(dir_ + "/ports");
      std::string line;
      return std::getline(in, line) && line.rfind("xfer_port=", 0) == 0 && (port_ = std::stoi(line.substr(10))) > 0;
    });
  }
  // Writes once the datanode has the namenode's keys (it refuses block ops before).
  void WriteWhenRegistered(uint64_t block_id, const std::string& data) {
    WriteOptions o;
    o.token = nn_.Token(block_id);
    ASSERT_EVENTUALLY_OK([&] {
      auto w = WriteBlock(port_, {}, block_id, data, o);
      return w.ok() && w->AllAcksSucceeded(1);
    });
  }
  std::string dir_;
  KeyServingNamenode nn_;
  std::string nn_address_ = "127.0.0.1:1";  // nothing listens there, until a test names nn_
  int port_ = 0;
  Subprocess proc_;
};

TEST_F(DatanodeProcessTest, RefusesBlockOpsUntilItHasTheNamenodesKeysAndExitsCleanlyOnSigterm) {
  Start();  // its namenode is unreachable
  std::string data = RandomBytes(300000, 1);
  WriteOptions o;
  o.token = nn_.Token(1);
  auto w = WriteBlock(port_, {}, 1, data, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->setup.status(), hh::ERROR_ACCESS_TOKEN) << w->setup.message();
  proc_.Kill();

  nn_address_ = nn_.address();
  Start();
  WriteWhenRegistered(1, data);
  auto r = ReadBlock(port_, 1, 1000, 17, data.size() - 17, true, nn_.Token(1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_BYTES_EQ(r->data, data.substr(17));
  ASSERT_TRUE(proc_.Signal(SIGTERM).ok());
  auto code = proc_.Wait(20000);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
}

TEST_F(DatanodeProcessTest, AcknowledgedBlocksSurviveSigkill) {
  nn_address_ = nn_.address();
  Start();
  std::string done = RandomBytes(250000, 2), partial = RandomBytes(150000, 3);
  WriteWhenRegistered(2, done);
  // A second block is half written (acknowledged packets, no last packet) when the kill comes.
  auto s = ConnectTcp("127.0.0.1", port_, 5000);
  ASSERT_TRUE(s.ok());
  BufferedReader in(&*s);
  WriteOptions o;
  o.token = nn_.Token(3);
  ASSERT_TRUE(SendOp(*s, DataTransferOp::kWriteBlock, MakeWriteOp(3, {}, o)).ok());
  hh::BlockOpResponseProto setup;
  ASSERT_TRUE(ReadBlockOpResponse(in, &setup).ok());
  int64_t seqno = 0;
  ASSERT_TRUE(SendDataPackets(*s, partial, o, &seqno).ok());
  for (int64_t i = 0; i < seqno; ++i) {
    hh::PipelineAckProto ack;
    ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
  }
  ASSERT_TRUE(proc_.Signal(SIGKILL).ok());
  ASSERT_TRUE(proc_.Wait(20000).ok());
  s->Close();

  Start();  // same port, same data
  Result<ReadResult> r = IoError("not read");
  ASSERT_EVENTUALLY_OK([&] {  // once registered again
    r = ReadBlock(port_, 2, 1000, 0, done.size(), true, nn_.Token(2));
    return r.ok() && r->response.status() == hh::SUCCESS;
  });
  ASSERT_EQ(r->response.status(), hh::SUCCESS) << r->response.message();
  EXPECT_BYTES_EQ(r->data, done);
  EXPECT_TRUE(std::filesystem::exists(FinalizedDir(dir_ + "/data", 2) + "/blk_2"));
  // The half-written block is back as RBW with every acknowledged byte readable.
  EXPECT_TRUE(std::filesystem::exists(RbwDir(dir_ + "/data") + "/blk_3"));
  auto p = ReadBlock(port_, 3, 1000, 0, partial.size(), true, nn_.Token(3));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->response.status(), hh::SUCCESS) << p->response.message();
  EXPECT_BYTES_EQ(p->data, partial);
}

TEST_F(DatanodeProcessTest, HelpAndBadFlags) {
  auto help = cairn::testing::RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn-datanode", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->exit_code, 0);
  for (const char* flag : {"--datanode_namenode", "--datanode_data_dirs", "--datanode_xfer_port", "--port_file",
                           "--datanode_io_engine", "--datanode_ibr_delay_ms", "--log_level"})
    EXPECT_NE(help->out.find(flag), std::string::npos) << flag;
  auto missing = cairn::testing::RunCommand(
      {std::string(CAIRN_BIN_DIR) + "/cairn-datanode", "--datanode_data_dirs=" + dir_ + "/x"});
  ASSERT_TRUE(missing.ok());
  EXPECT_NE(missing->exit_code, 0);
  EXPECT_NE(missing->out.find("datanode_namenode"), std::string::npos) << missing->out;
  auto engine = cairn::testing::RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn-datanode",
                                            "--datanode_namenode=127.0.0.1:1", "--datanode_data_dirs=" + dir_ + "/x",
                                            "--datanode_io_engine=aio"});
  ASSERT_TRUE(engine.ok());
  EXPECT_NE(engine->exit_code, 0);
}

}  // namespace
}  // namespace cairn::datanode
