// Block access tokens on a real cluster: the namenode signs one into every located block
// (both doors), real datanodes refuse raw block ops without it, and libcairn fetches fresh
// tokens by itself when the ones it holds have expired or the namenode restarted with new
// keys. Stock `hdfs` clients pass the tokens through as they are (tests/integration/
// hdfs_cli_test.cc runs them against this same default).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "client/namenode_client.h"
#include "common/block_token.h"
#include "common/data_transfer.h"
#include "common/proto_io.h"
#include "common/socket.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

namespace hh = hadoop::hdfs;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::ReadRemoteFile;
using testing::WriteRemoteFile;

// A raw OP_READ_BLOCK of the whole block from the first location; the datanode's answer.
Result<hh::BlockOpResponseProto> RawRead(const hh::LocatedBlockProto& lb, const hadoop::common::TokenProto& token,
                                         uint64_t gen_stamp) {
  const auto& dn = lb.locs(0).id();
  ASSIGN_OR_RETURN(Socket s, ConnectTcp(dn.ipaddr(), static_cast<int>(dn.xferport()), 5000));
  RETURN_IF_ERROR(s.SetTimeouts(10000, 10000));
  BufferedReader in(&s);
  hh::OpReadBlockProto op;
  *op.mutable_header()->mutable_baseheader()->mutable_block() = lb.b();
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_generationstamp(gen_stamp);
  *op.mutable_header()->mutable_baseheader()->mutable_token() = token;
  op.mutable_header()->set_clientname("attacker");
  op.set_offset(0);
  op.set_len(lb.b().numbytes());
  RETURN_IF_ERROR(SendOp(s, DataTransferOp::kReadBlock, op));
  hh::BlockOpResponseProto reply;
  RETURN_IF_ERROR(ReadBlockOpResponse(in, &reply));
  return reply;
}

Result<hh::LocatedBlockProto> FirstBlock(client::FileSystem& fs, const std::string& path) {
  hh::GetBlockLocationsRequestProto req;
  req.set_src(path);
  req.set_offset(0);
  req.set_length(1);
  ASSIGN_OR_RETURN(auto resp, fs.namenode().GetBlockLocations(req));
  if (resp.locations().blocks_size() == 0) return NotFound("{} has no blocks", path);
  return resp.locations().blocks(0);
}

// One datanode, replication 1, and these namenode flags.
MiniClusterOptions OneNode(std::vector<std::string> namenode_flags = {}) {
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.namenode_flags = std::move(namenode_flags);
  return o;
}

TEST(BlockTokenClusterTest, DatanodesRefuseRawReadsWithoutTheNamenodesToken) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(OneNode()));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = cairn::testing::RandomBytes(300000, 1);
  ASSERT_OK(WriteRemoteFile(*fs, "/secret", data));
  ASSERT_OK_AND_ASSIGN(hh::LocatedBlockProto lb, FirstBlock(*fs, "/secret"));
  ASSERT_EQ(lb.blocktoken().kind(), "HDFS_BLOCK_TOKEN");
  auto id = DecodeBlockToken(lb.blocktoken());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->block_id(), lb.b().blockid());

  ASSERT_OK_AND_ASSIGN(auto ok, RawRead(lb, lb.blocktoken(), lb.b().generationstamp()));
  EXPECT_EQ(ok.status(), hh::SUCCESS) << ok.message();
  ASSERT_OK_AND_ASSIGN(auto none, RawRead(lb, EmptyBlockToken(), lb.b().generationstamp()));
  EXPECT_EQ(none.status(), hh::ERROR_ACCESS_TOKEN);
  auto forged = lb.blocktoken();
  forged.mutable_password()->back() ^= 1;
  ASSERT_OK_AND_ASSIGN(auto bad, RawRead(lb, forged, lb.b().generationstamp()));
  EXPECT_EQ(bad.status(), hh::ERROR_ACCESS_TOKEN);
  ASSERT_OK_AND_ASSIGN(auto stamp0, RawRead(lb, lb.blocktoken(), 0));
  EXPECT_NE(stamp0.status(), hh::SUCCESS);
  // The file is untouched and still reads through the client.
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/secret"));
  EXPECT_EQ(back, data);
}

TEST(BlockTokenClusterTest, ClientsFetchNewTokensWhenTheirsExpireOrTheKeysChange) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(OneNode({"--namenode_block_token_lifetime_ms=1500"})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = cairn::testing::RandomBytes(3 * 1024 * 1024 + 17, 2);  // four blocks
  ASSERT_OK(WriteRemoteFile(*fs, "/f", data));

  // A stream opened now holds tokens that are stale by the time it reads.
  ASSERT_OK_AND_ASSIGN(auto in, fs->Open("/f"));
  ASSERT_OK_AND_ASSIGN(hh::LocatedBlockProto old, FirstBlock(*fs, "/f"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  ASSERT_OK_AND_ASSIGN(auto expired, RawRead(old, old.blocktoken(), old.b().generationstamp()));
  EXPECT_EQ(expired.status(), hh::ERROR_ACCESS_TOKEN);
  EXPECT_NE(expired.message().find("expired"), std::string::npos) << expired.message();
  ASSERT_OK_AND_ASSIGN(std::string back, testing::ReadToEnd(*in));
  EXPECT_EQ(back, data);

  // A restarted namenode signs with new keys; the datanode learns them at its next
  // heartbeat, and a stream holding tokens of the old keys refetches.
  ASSERT_OK_AND_ASSIGN(auto again, fs->Open("/f"));
  ASSERT_OK(cluster->RestartNamenode());
  ASSERT_OK(cluster->WaitForLiveDatanodes(1));
  ASSERT_OK_AND_ASSIGN(hh::LocatedBlockProto fresh, FirstBlock(*fs, "/f"));
  EXPECT_NE(DecodeBlockToken(fresh.blocktoken())->key_id(), DecodeBlockToken(old.blocktoken())->key_id());
  auto fresh_read_works = [&] {
    auto r = RawRead(fresh, fresh.blocktoken(), fresh.b().generationstamp());
    return r.ok() && r->status() == hh::SUCCESS;
  };
  ASSERT_EVENTUALLY(fresh_read_works(), 30000);
  ASSERT_OK_AND_ASSIGN(std::string second, testing::ReadToEnd(*again));
  EXPECT_EQ(second, data);
}

TEST(BlockTokenClusterTest, TokensCanBeTurnedOff) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(OneNode({"--namenode_block_access_tokens=false"})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK(WriteRemoteFile(*fs, "/open", "no tokens here"));
  ASSERT_OK_AND_ASSIGN(hh::LocatedBlockProto lb, FirstBlock(*fs, "/open"));
  EXPECT_TRUE(lb.blocktoken().identifier().empty());
  ASSERT_OK_AND_ASSIGN(auto r, RawRead(lb, EmptyBlockToken(), lb.b().generationstamp()));
  EXPECT_EQ(r.status(), hh::SUCCESS) << r.message();
}

}  // namespace
}  // namespace cairn
