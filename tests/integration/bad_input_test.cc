// Bad input against a real cluster: every malformed request gets a clear error and stored
// data does not change. Paths are sent straight to the namenode (bypassing the client
// library's own checks) so the server's validation is what is tested; malformed
// DataTransferProtocol traffic goes straight to a datanode process's transfer port.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "client/namenode_client.h"
#include "common/checksum.h"
#include "common/data_transfer.h"
#include "common/endian.h"
#include "common/proto_io.h"
#include "common/whole_file.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using cairn::testing::ReadRemoteFile;
using cairn::testing::WriteRemoteFile;

namespace hh = hadoop::hdfs;
using client::FileStatus;
using client::FileSystem;
using testing::MiniCluster;
using testing::MiniClusterOptions;

constexpr uint64_t kBlock = 64 * 1024;



// Everything a user could observe: each path's type, size, mode, owner and bytes.
using Snapshot = std::map<std::string, std::string>;
Status TakeSnapshot(FileSystem& fs, const std::string& dir, Snapshot* snap) {
  ASSIGN_OR_RETURN(auto entries, fs.List(dir));
  for (const FileStatus& e : entries) {
    std::string desc = fmt::format("{} {} {:o} {}:{} r{}", e.is_dir ? 'd' : 'f', e.length, e.permission, e.owner,
                                   e.group, e.replication);
    if (e.is_dir) {
      RETURN_IF_ERROR(TakeSnapshot(fs, e.path, snap));
    } else {
      ASSIGN_OR_RETURN(std::string data, ReadRemoteFile(fs, e.path));
      desc += " crc" + std::to_string(Crc32c(data.data(), data.size()));
    }
    (*snap)[e.path] = desc;
  }
  return Status::OK();
}

// Reads until the server ends the exchange (closes or resets the connection); false when
// the read timed out instead: the server hung.
bool ServerEndsTheExchange(Socket& s) {
  char buf[4096];
  for (;;) {
    auto n = s.ReadSome(buf, sizeof buf);
    if (!n.ok()) return n.status().code() != ErrorCode::kTimedOut;
    if (*n == 0) return true;
  }
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MiniClusterOptions opts;
    opts.block_size = kBlock;
    ASSERT_OK_AND_ASSIGN(cluster_, MiniCluster::Start(opts));
    ASSERT_OK_AND_ASSIGN(fs_, cluster_->Connect());
    ASSERT_OK(fs_->Mkdirs("/data/dir/sub"));
    ASSERT_OK(WriteRemoteFile(*fs_, "/data/file", testing::RandomBytes(3 * kBlock + 7, 1)));
    ASSERT_OK(WriteRemoteFile(*fs_, "/data/dir/small", "small"));
    ASSERT_OK(fs_->Chmod("/data/dir/small", 0600));
    ASSERT_OK(TakeSnapshot(*fs_, "/", &before_));
    ASSERT_EQ(before_.size(), 5u);
    client::NamenodeClientSettings raw;
    raw.address = cluster_->namenode_address();
    raw.user = fs_->user();
    raw.rpc_retry_ms = 0;
    ASSERT_OK_AND_ASSIGN(raw_, client::NamenodeClient::Create(raw));
  }
  void ExpectUnchanged() {
    Snapshot after;
    ASSERT_OK(TakeSnapshot(*fs_, "/", &after));
    EXPECT_EQ(after, before_);
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<client::NamenodeClient> raw_;
  Snapshot before_;
};

TEST_F(BadInputTest, MalformedPathsAreRefusedByTheNamenode) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"relative/path", "not absolute"},
      {"/data/../etc", "'..'"},
      {"/data/./file", "'.'"},
      {"/data//file", "empty path component"},
      {"/data/" + std::string(256, 'n'), "exceeds the limit"},
      {std::string("/data/nul\0byte", 14), "NUL"},
      {"", "empty path"},
      {"/data/a:b", "':'"},
  };
  for (const auto& [path, why] : bad) {
    SCOPED_TRACE(why);
    hh::MkdirsRequestProto mk;
    mk.set_src(path);
    mk.mutable_masked()->set_perm(0755);
    mk.set_createparent(true);
    Status st = raw_->Mkdirs(mk).status();
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find(why), std::string::npos) << st.message();

    hh::CreateRequestProto create;
    create.set_src(path);
    create.mutable_masked()->set_perm(0644);
    create.set_clientname("bad-input");
    create.set_createflag(hh::CREATE | hh::OVERWRITE);
    create.set_createparent(true);
    create.set_replication(3);
    create.set_blocksize(kBlock);
    EXPECT_EQ(raw_->Create(create).status().code(), ErrorCode::kInvalidArgument);

    hh::DeleteRequestProto del;
    del.set_src(path);
    del.set_recursive(true);
    EXPECT_EQ(raw_->Delete(del).status().code(), ErrorCode::kInvalidArgument);

    hh::Rename2RequestProto mv;
    mv.set_src("/data/file");
    mv.set_dst(path);
    mv.set_overwritedest(true);
    EXPECT_EQ(raw_->Rename2(mv).status().code(), ErrorCode::kInvalidArgument);
  }
  // The client library refuses them before any call, with the same code.
  EXPECT_EQ(fs_->Mkdirs("relative").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs_->Open("/data/../data/file").status().code(), ErrorCode::kInvalidArgument);
  ExpectUnchanged();
}

TEST_F(BadInputTest, NamespaceConflictsAreClearErrors) {
  Status st = fs_->Create("/data/dir").status();
  EXPECT_EQ(st.code(), ErrorCode::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find("directory"), std::string::npos) << st.message();
  st = fs_->Mkdirs("/data/file/below");
  EXPECT_EQ(st.code(), ErrorCode::kParentNotDirectory) << st.ToString();
  client::CreateOptions under_file;
  EXPECT_EQ(fs_->Create("/data/file/child", under_file).status().code(), ErrorCode::kParentNotDirectory);
  st = fs_->Delete("/data", /*recursive=*/false).status();
  EXPECT_EQ(st.code(), ErrorCode::kDirectoryNotEmpty) << st.ToString();
  st = fs_->Open("/data/missing").status();
  EXPECT_EQ(st.code(), ErrorCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("/data/missing"), std::string::npos) << st.message();
  EXPECT_EQ(fs_->Rename("/data/missing", "/data/x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs_->Rename("/data/dir", "/data/dir/sub/inside").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs_->Rename("/data/dir/small", "/data/file").code(), ErrorCode::kAlreadyExists);
  EXPECT_FALSE(fs_->Delete("/", true).ok());
  ExpectUnchanged();
}

TEST_F(BadInputTest, AnotherUserIsDeniedAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(auto bob, cluster_->Connect("bob"));
  auto expect_denied = [](const Status& st, const char* what) {
    EXPECT_EQ(st.code(), ErrorCode::kPermissionDenied) << what << ": " << st.ToString();
    EXPECT_NE(st.message().find("user=bob"), std::string::npos) << what << ": " << st.message();
  };
  expect_denied(bob->Create("/data/bobs").status(), "create in another's directory");
  expect_denied(bob->Mkdirs("/data/dir/bobdir"), "mkdir in another's directory");
  expect_denied(bob->Delete("/data/file", false).status(), "delete another's file");
  expect_denied(bob->Rename("/data/file", "/data/stolen"), "rename another's file");
  expect_denied(bob->Open("/data/dir/small").status(), "read a 0600 file");
  expect_denied(bob->Chmod("/data/file", 0777), "chmod another's file");
  expect_denied(bob->Chown("/data/file", "bob", ""), "chown without being superuser");
  expect_denied(bob->SetReplication("/data/file", 1), "setrep of another's file");
  expect_denied(bob->Append("/data/file").status(), "append to another's file");
  ExpectUnchanged();
}

TEST_F(BadInputTest, MalformedTransferTrafficLeavesDatanodesServing) {
  ASSERT_OK_AND_ASSIGN(HostPort dn, HostPort::Parse(cluster_->datanode_address(0)));
  auto send = [&](const std::string& bytes, bool half_close) {
    auto s = ConnectTcp(dn, 5000);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_OK(s->SetTimeouts(10000, 10000));
    ASSERT_OK(s->WriteFully(bytes));
    if (half_close) s->ShutdownWrite();
    // Whatever the datanode answers, it must end the exchange instead of hanging.
    ASSERT_TRUE(ServerEndsTheExchange(*s)) << "datanode hung";
  };
  send("this is not the protocol at all", false);
  send(std::string("\x00\x1b\x51", 3) + "junk", false);  // version 27
  send(std::string("\x00\x1c\x7e", 3) + std::string(32, '\x01'), false);  // unknown opcode
  send(std::string("\x00\x1c\x51\x40", 4) + "short", true);  // READ_BLOCK message cut short

  // A WRITE_BLOCK whose first packet is cut off mid-way.
  hh::OpWriteBlockProto op;
  auto* block = op.mutable_header()->mutable_baseheader()->mutable_block();
  block->set_poolid("BP-bad-input");
  block->set_blockid(0x7fff0001);
  block->set_generationstamp(1);
  op.mutable_header()->set_clientname("bad-input");
  op.set_stage(hh::OpWriteBlockProto::PIPELINE_SETUP_CREATE);
  op.set_pipelinesize(1);
  op.set_minbytesrcvd(0);
  op.set_maxbytesrcvd(0);
  op.set_latestgenerationstamp(1);
  op.mutable_requestedchecksum()->set_type(hh::CHECKSUM_CRC32C);
  op.mutable_requestedchecksum()->set_bytesperchecksum(512);
  std::string write = std::string("\x00\x1c\x50", 3) + SerializeDelimited(op);
  uint8_t packet_prefix[6];
  StoreBigEndian32(packet_prefix, 4 + 4 + 512);
  StoreBigEndian16(packet_prefix + 4, 12);
  write += std::string(reinterpret_cast<char*>(packet_prefix), 6) + std::string(12 + 100, '\x02');
  send(write, true);
  // An absurd packet length.
  std::string huge = std::string("\x00\x1c\x50", 3) + SerializeDelimited(op);
  huge += std::string("\x7f\xff\xff\xff\x00\x10", 6);
  send(huge, true);

  // Every datanode still serves every replica; nothing the junk named was kept.
  for (int i = 0; i < cluster_->num_datanodes(); ++i) {
    for (int j = 0; j < cluster_->num_datanodes(); ++j)
      if (j != i) ASSERT_OK(cluster_->StopDatanode(j, SIGTERM));
    Snapshot only_i;
    ASSERT_OK(TakeSnapshot(*fs_, "/", &only_i));
    EXPECT_EQ(only_i, before_) << "served by datanode " << i << " alone";
    for (int j = 0; j < cluster_->num_datanodes(); ++j)
      if (j != i) ASSERT_OK(cluster_->RestartDatanode(j));
    ASSERT_OK(cluster_->WaitForLiveDatanodes(cluster_->num_datanodes()));
  }
  ASSERT_OK_AND_ASSIGN(auto fsck, fs_->Fsck("/", true));
  EXPECT_TRUE(fsck.healthy());
  EXPECT_EQ(fsck.total_blocks(), 5u);
  ExpectUnchanged();
}

// The fuzz corpora (tests/fuzz/corpus/: recorded client traffic, transfer ops and packets,
// tokens, paths, reports...) as junk on every port: the namenode's IPC and gRPC doors and
// a datanode's transfer port. Each exchange must end (the server answers or closes; none
// hangs), a client is served within a second between them, and nothing stored changes.
TEST_F(BadInputTest, FuzzCorporaReplayedOnEveryPortChangeNothing) {
  std::vector<std::string> inputs;
  for (const auto& dir : std::filesystem::directory_iterator(std::string(CAIRN_SOURCE_DIR) + "/tests/fuzz/corpus")) {
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      ASSERT_OK_AND_ASSIGN(std::string bytes, ReadWholeFile(file.path().string()));
      inputs.push_back(std::move(bytes));
    }
  }
  ASSERT_GE(inputs.size(), 30u) << "the checked-in corpora are missing";
  std::vector<std::pair<std::string, std::string>> ports = {{"namenode IPC", cluster_->hadoop_address()},
                                                            {"namenode gRPC", cluster_->namenode_address()},
                                                            {"datanode transfer", cluster_->datanode_address(0)}};
  for (const auto& [name, address] : ports) {
    ASSERT_OK_AND_ASSIGN(HostPort port, HostPort::Parse(address));
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto s = ConnectTcp(port, 5000);
      ASSERT_TRUE(s.ok()) << name << " refused input " << i << ": " << s.status().ToString();
      ASSERT_OK(s->SetTimeouts(30000, 30000));
      (void)s->WriteFully(inputs[i]);  // the server may close first
      s->ShutdownWrite();
      ASSERT_TRUE(ServerEndsTheExchange(*s)) << name << " hung on input " << i;
      if (i % 16 == 0) {
        const auto start = std::chrono::steady_clock::now();
        ASSERT_OK(fs_->Stat("/data/dir/small").status());
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << name << ", input " << i;
      }
    }
  }
  ASSERT_OK_AND_ASSIGN(auto fsck, fs_->Fsck("/", true));
  EXPECT_TRUE(fsck.healthy());
  ExpectUnchanged();
}

}  // namespace
}  // namespace cairn
