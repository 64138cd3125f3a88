// FileSystem and LeaseRenewer against an in-process fake namenode: address and user
// selection, path validation before any RPC, HDFS answers turned into Status codes,
// listing pages, datanode liveness, and lease renewal while writers are open.
#include "client/file_system.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "client/lease_renewer.h"
#include "client/namenode_client.h"
#include "tests/client/fake_namenode.h"
#include "tests/support/mini_cluster.h"

namespace cairn::client {
namespace {

using testing::FakeNamenode;

std::unique_ptr<FileSystem> Connect(const FakeNamenode& nn, const std::string& user = "carol") {
  ClientOptions opts;
  opts.namenode = nn.address();
  opts.user = user;
  opts.rpc_retry_ms = 1000;
  auto fs = FileSystem::Connect(opts);
  EXPECT_TRUE(fs.ok()) << fs.status().ToString();
  return std::move(fs).value();
}

hh::HdfsFileStatusProto Entry(const std::string& name, bool dir) {
  hh::HdfsFileStatusProto e;
  e.set_filetype(dir ? hh::HdfsFileStatusProto::IS_DIR : hh::HdfsFileStatusProto::IS_FILE);
  e.set_path(name);
  e.set_length(dir ? 0 : 10);
  e.mutable_permission()->set_perm(dir ? 0755 : 0644);
  e.set_owner("carol");
  e.set_group("supergroup");
  e.set_modification_time(1);
  e.set_access_time(1);
  return e;
}

TEST(FileSystemConnectTest, ValidatesTheAddress) {
  ClientOptions opts;
  opts.namenode = "not-an-address";
  EXPECT_EQ(FileSystem::Connect(opts).status().code(), ErrorCode::kInvalidArgument);
  opts.namenode = "";
  EXPECT_EQ(FileSystem::Connect(opts).status().code(), ErrorCode::kInvalidArgument);
}

TEST(FileSystemConnectTest, UserComesFromOptionsThenEnvironment) {
  FakeNamenode nn;
  nn.Start();
  EXPECT_EQ(Connect(nn, "dave")->user(), "dave");
  ::setenv("CAIRN_USER", "erin", 1);
  ::setenv("HADOOP_USER_NAME", "frank", 1);
  EXPECT_EQ(Connect(nn, "")->user(), "erin");
  ::unsetenv("CAIRN_USER");
  EXPECT_EQ(Connect(nn, "")->user(), "frank");
  ::unsetenv("HADOOP_USER_NAME");
  EXPECT_FALSE(Connect(nn, "")->user().empty());
}

TEST(FileSystemTest, RelativeAndMalformedPathsAreRefusedBeforeAnyRpc) {
  FakeNamenode nn;
  nn.Start();
  auto fs = Connect(nn);
  EXPECT_EQ(fs->Stat("relative/path").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->Open("x").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->Create("x").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->Mkdirs("a/b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->Delete("/a/../b", true).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->Rename("/a", "b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs->List("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(nn.calls(), 0);
}

TEST(FileSystemTest, MissingPathIsNotFoundAndUserIsSent) {
  FakeNamenode nn;
  nn.get_file_info = [](const auto&, auto*) { return Status::OK(); };  // no `fs`: missing
  nn.Start();
  auto fs = Connect(nn, "carol");
  auto st = fs->Stat("/nope/");
  EXPECT_EQ(st.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(st.status().message().find("/nope"), std::string::npos);
  EXPECT_EQ(nn.last_user(), "carol");
}

TEST(FileSystemTest, StatConvertsTheStatus) {
  FakeNamenode nn;
  std::string asked;
  nn.get_file_info = [&](const auto& req, auto* resp) {
    asked = req.src();
    *resp->mutable_fs() = Entry("", false);
    resp->mutable_fs()->set_block_replication(2);
    resp->mutable_fs()->set_blocksize(1 << 20);
    return Status::OK();
  };
  nn.Start();
  auto st = Connect(nn)->Stat("/a/b/");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(asked, "/a/b");  // canonical form
  EXPECT_EQ(st->path, "/a/b");
  EXPECT_EQ(st->name, "b");
  EXPECT_FALSE(st->is_dir);
  EXPECT_EQ(st->length, 10u);
  EXPECT_EQ(st->permission, 0644u);
  EXPECT_EQ(st->replication, 2u);
  EXPECT_EQ(st->block_size, 1u << 20);
}

TEST(FileSystemTest, ListFollowsPagesWithStartAfter) {
  FakeNamenode nn;
  std::vector<std::string> names;
  for (int i = 0; i < 7; ++i) names.push_back("f" + std::to_string(i));
  std::vector<std::string> start_afters;
  nn.get_listing = [&](const auto& req, auto* resp) {
    start_afters.push_back(req.startafter());
    auto* list = resp->mutable_dirlist();
    size_t i = 0;
    while (i < names.size() && !req.startafter().empty() && names[i] <= req.startafter()) ++i;
    size_t end = std::min(names.size(), i + 3);  // pages of 3
    for (; i < end; ++i) *list->add_partiallisting() = Entry(names[i], false);
    list->set_remainingentries(static_cast<uint32_t>(names.size() - end));
    return Status::OK();
  };
  nn.Start();
  auto entries = Connect(nn)->List("/dir");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 7u);
  EXPECT_EQ((*entries)[0].path, "/dir/f0");
  EXPECT_EQ((*entries)[6].path, "/dir/f6");
  EXPECT_EQ(start_afters, (std::vector<std::string>{"", "f2", "f5"}));
}

TEST(FileSystemTest, ListOfAFileIsTheFileItself) {
  FakeNamenode nn;
  nn.get_listing = [](const auto&, auto* resp) {
    *resp->mutable_dirlist()->add_partiallisting() = Entry("", false);  // HDFS: empty local name
    resp->mutable_dirlist()->set_remainingentries(0);
    return Status::OK();
  };
  nn.Start();
  auto entries = Connect(nn)->List("/a/file.txt");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "/a/file.txt");
}

TEST(FileSystemTest, ListOfAMissingDirectoryIsNotFound) {
  FakeNamenode nn;
  nn.get_listing = [](const auto&, auto*) { return Status::OK(); };  // no dirList
  nn.Start();
  EXPECT_EQ(Connect(nn)->List("/gone").status().code(), ErrorCode::kNotFound);
}

TEST(FileSystemTest, DeleteReportsWhetherSomethingWasDeleted) {
  FakeNamenode nn;
  nn.del = [](const auto& req, auto* resp) {
    resp->set_result(req.src() == "/exists");
    return req.recursive() || req.src() != "/full" ? Status::OK() : DirectoryNotEmpty("/full is not empty");
  };
  nn.Start();
  auto fs = Connect(nn);
  EXPECT_TRUE(*fs->Delete("/exists", false));
  EXPECT_FALSE(*fs->Delete("/missing", false));
  EXPECT_EQ(fs->Delete("/full", false).status().code(), ErrorCode::kDirectoryNotEmpty);
}

TEST(FileSystemTest, DatanodeReportMarksLiveNodes) {
  FakeNamenode nn;
  auto node = [](const std::string& uuid, int port) {
    hh::DatanodeInfoProto dn;
    dn.mutable_id()->set_ipaddr("127.0.0.1");
    dn.mutable_id()->set_hostname("localhost");
    dn.mutable_id()->set_datanodeuuid(uuid);
    dn.mutable_id()->set_xferport(port);
    dn.mutable_id()->set_infoport(0);
    dn.mutable_id()->set_ipcport(0);
    dn.set_location("/rack1");
    dn.set_capacity(1000);
    dn.set_numblocks(4);
    return dn;
  };
  nn.datanode_report = [&](const auto& req, auto* resp) {
    *resp->add_di() = node("a", 1001);
    if (req.type() == hh::ALL) *resp->add_di() = node("b", 1002);
    return Status::OK();
  };
  nn.Start();
  auto report = Connect(nn)->GetDatanodeReport();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->size(), 2u);
  EXPECT_TRUE((*report)[0].live);
  EXPECT_FALSE((*report)[1].live);
  EXPECT_EQ((*report)[1].address, "127.0.0.1:1002");
  EXPECT_EQ((*report)[0].rack, "/rack1");
  EXPECT_EQ((*report)[0].capacity, 1000u);
  EXPECT_EQ((*report)[0].blocks, 4u);
  EXPECT_EQ((*report)[1].decommission_blocks_pending, 0u);  // no datanodeAdmin: no details
}

TEST(FileSystemTest, DatanodeReportCarriesDecommissionProgressAndFailedVolumes) {
  FakeNamenode nn;
  nn.datanode_report = [&](const auto& req, auto* resp) {
    auto* dn = resp->add_di();
    dn->mutable_id()->set_ipaddr("127.0.0.1");
    dn->mutable_id()->set_hostname("localhost");
    dn->mutable_id()->set_datanodeuuid("a");
    dn->mutable_id()->set_xferport(1001);
    dn->mutable_id()->set_infoport(0);
    dn->mutable_id()->set_ipcport(0);
    dn->set_adminstate(hh::DatanodeInfoProto::DECOMMISSION_INPROGRESS);
    return Status::OK();
  };
  nn.datanode_admin = [&](const DatanodeAdminRequest& req, DatanodeAdminResponse* resp) {
    EXPECT_EQ(req.action(), DatanodeAdminRequest::STATUS);
    auto* s = resp->add_datanodes();
    s->set_datanode_uuid("a");
    s->set_blocks(10);
    s->set_blocks_pending(7);
    s->set_failed_volumes(1);
    s->add_volume_failures("/data/2: input/output error");
    return Status::OK();
  };
  nn.Start();
  auto report = Connect(nn)->GetDatanodeReport();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->size(), 1u);
  EXPECT_EQ((*report)[0].admin_state, "DECOMMISSION_INPROGRESS");
  EXPECT_EQ((*report)[0].decommission_blocks_pending, 7u);
  EXPECT_EQ((*report)[0].failed_volumes, 1u);
  ASSERT_EQ((*report)[0].volume_failures.size(), 1u);
  EXPECT_EQ((*report)[0].volume_failures[0], "/data/2: input/output error");
}

TEST(LeaseRenewerTest, RenewsOnlyWhileWritersAreOpen) {
  FakeNamenode nn;
  std::atomic<int> renewals{0};
  std::string holder;
  nn.renew_lease = [&](const auto& req, auto*) {
    holder = req.clientname();
    ++renewals;
    return Status::OK();
  };
  nn.Start();
  NamenodeClientSettings s;
  s.address = nn.address();
  s.user = "carol";
  auto client = NamenodeClient::Create(s);
  ASSERT_TRUE(client.ok());
  LeaseRenewer renewer(client->get(), "client-1", 50);
  renewer.AddWriter();
  ASSERT_EVENTUALLY(renewer.renewals() >= 3, 10000);
  EXPECT_EQ(holder, "client-1");
  renewer.RemoveWriter();
  // Let an in-flight renewal finish, then nothing more happens.
  ASSERT_EVENTUALLY(renewals.load() == renewer.renewals(), 10000);
  int settled = renewals.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // six intervals: would renew if still active
  EXPECT_LE(renewals.load(), settled + 1);
}

}  // namespace
}  // namespace cairn::client
