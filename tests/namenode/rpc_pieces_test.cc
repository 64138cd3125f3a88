// Small pieces of the front doors and settings: the method table and gRPC path mapping,
// peer address parsing, the static user->groups map, topology files, mode strings.
#include <gtest/gtest.h>

#include "cairn/namenode.pb.h"
#include "namenode/blocks/topology.h"
#include "namenode/fs/permission.h"
#include "common/grpc_status.h"
#include "namenode/rpc/grpc_client_service.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/user_group_resolver.h"
#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode {
namespace {

TEST(MethodTableTest, MapsGrpcPathsToHadoopNames) {
  EXPECT_EQ(MethodNameFromGrpcPath("/cairn.ClientNamenode/GetFileInfo"), "getFileInfo");
  EXPECT_EQ(MethodNameFromGrpcPath("/cairn.ClientNamenode/Rename2"), "rename2");
  EXPECT_EQ(MethodNameFromGrpcPath("/cairn.ClientNamenode/Fsck"), "fsck");
  EXPECT_EQ(MethodNameFromGrpcPath("/cairn.ClientNamenode/"), "");
}

TEST(MethodTableTest, EveryServiceMethodHasAHandler) {
  testing::NamenodeHarness h;
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("cairn.ClientNamenode");
  ASSERT_NE(service, nullptr);
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* m = service->method(i);
    std::string name = MethodNameFromGrpcPath("/cairn.ClientNamenode/" + m->name());
    if (name == "authenticate") continue;  // the gRPC door's own login (GrpcLogin), not an operation
    const MethodTable::Method* entry = h.node().methods().Find(name);
    ASSERT_NE(entry, nullptr) << name << " has no handler";
    EXPECT_EQ(entry->request_prototype->GetDescriptor(), m->input_type()) << name;
    EXPECT_EQ(entry->response_prototype->GetDescriptor(), m->output_type()) << name;
  }
  EXPECT_EQ(h.node().methods().Find("noSuchMethod"), nullptr);
}

TEST(MethodTableTest, TypedHandlersRunThroughTheGenericSignature) {
  MethodTable table;
  table.Add<hh::GetFileInfoRequestProto, hh::GetFileInfoResponseProto>(
      "getFileInfo", [](const CallContext& c, const hh::GetFileInfoRequestProto& req, hh::GetFileInfoResponseProto* resp) {
        resp->mutable_fs()->set_owner(c.user + ":" + req.src());
        return Status::OK();
      });
  const MethodTable::Method* m = table.Find("getFileInfo");
  ASSERT_NE(m, nullptr);
  std::unique_ptr<google::protobuf::Message> req(m->request_prototype->New());
  std::unique_ptr<google::protobuf::Message> resp(m->response_prototype->New());
  static_cast<hh::GetFileInfoRequestProto*>(req.get())->set_src("/x");
  CallContext c;
  c.user = "u";
  ASSERT_OK(m->handler(c, *req, resp.get()));
  EXPECT_EQ(static_cast<hh::GetFileInfoResponseProto*>(resp.get())->fs().owner(), "u:/x");
}

TEST(PeerHostTest, StripsSchemeAndPort) {
  EXPECT_EQ(PeerHost("ipv4:10.1.2.3:5000"), "10.1.2.3");
  EXPECT_EQ(PeerHost("ipv6:[::1]:5000"), "::1");
  EXPECT_EQ(PeerHost("ipv6:%5B::1%5D:5000"), "::1");
}

TEST(UserGroupResolverTest, StaticMappingComesFirst) {
  ASSERT_OK_AND_ASSIGN(auto r, UserGroupResolver::Create(" alice = g1, g2 ; bob=g3;"));
  EXPECT_EQ(r->GroupsFor("alice"), (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(r->GroupsFor("bob"), (std::vector<std::string>{"g3"}));
  EXPECT_TRUE(r->GroupsFor("no-such-user-anywhere-xyz").empty());
  EXPECT_FALSE(r->GroupsFor("root").empty());  // from the OS database
  EXPECT_EQ(UserGroupResolver::Create("alice").status().code(), ErrorCode::kInvalidArgument);
}

TEST(TopologyTest, ParsesFilesAndPrefersHostPort) {
  ASSERT_OK_AND_ASSIGN(Topology t, Topology::Parse("# racks\n10.0.0.1 /r1\n10.0.0.1:9867 r2/  # port-specific\n\n"
                                                   "node7 /dc1/r3\n"));
  EXPECT_EQ(t.RackOf("10.0.0.1", "x", 9866), "/r1");
  EXPECT_EQ(t.RackOf("10.0.0.1", "x", 9867), "/r2");
  EXPECT_EQ(t.RackOf("10.9.9.9", "node7", 1), "/dc1/r3");
  EXPECT_EQ(t.RackOf("10.9.9.9", "other", 1), "");
  EXPECT_EQ(Topology::Parse("host /r extra").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Topology::Parse("lonely-host").status().code(), ErrorCode::kInvalidArgument);
}

TEST(ModeStringTest, LikeLsDashL) {
  Inode dir;
  dir.rec.set_type(InodeRecord::DIRECTORY);
  dir.rec.set_permission(01777);
  EXPECT_EQ(ModeString(dir), "drwxrwxrwt");
  Inode file;
  file.rec.set_type(InodeRecord::FILE);
  file.rec.set_permission(0640);
  EXPECT_EQ(ModeString(file), "-rw-r-----");
  EXPECT_EQ(FsActionName(kActionReadExecute), "READ_EXECUTE");
}

}  // namespace
}  // namespace cairn::namenode
