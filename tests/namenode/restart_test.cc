// Persistence: closing and reopening the RocksDB store (a namenode restart) keeps every
// inode, attribute, block list, xattr and open file, and never reuses ids.
#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

TEST(NamespaceRestartTest, EverythingSurvivesAReopen) {
  NamenodeHarness h;
  uint32_t dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  ASSERT_OK(h.Mkdirs("/a/b", 0700));
  ASSERT_OK(h.Touch("/a/b/empty"));
  ASSERT_OK(h.Create(h.Super(), "/a/data", "w", hh::CREATE, 0600, 1).status());
  ASSERT_OK_AND_ASSIGN(auto lb, h.AddBlock("/a/data", "w"));
  h.Report(dn, lb.b().blockid(), lb.b().generationstamp(), 777);
  auto last = WithLength(lb, 777);
  ASSERT_OK_AND_ASSIGN(bool closed, h.Complete("/a/data", "w", &last));
  ASSERT_TRUE(closed);
  ASSERT_OK(h.Create("/a/open", "still-writing").status());
  hh::SetXAttrRequestProto x;
  x.set_src("/a/b");
  x.mutable_xattr()->set_namespace_(hh::XAttrProto::USER);
  x.mutable_xattr()->set_name("color");
  x.mutable_xattr()->set_value("blue");
  x.set_flag(hh::XATTR_CREATE);
  hh::SetXAttrResponseProto xr;
  ASSERT_OK(SetXAttr(h.nn(), h.Super(), x, &xr));
  ASSERT_OK(h.Delete("/a/b/empty", false).status());
  ASSERT_OK(h.Touch("/a/b/kept"));
  const auto before_data = *h.Stat("/a/data");
  const uint64_t open_id = h.Stat("/a/open")->fileid();
  const std::string pool = h.nn().ns.block_pool_id();

  h.Reopen();

  EXPECT_EQ(h.nn().ns.block_pool_id(), pool);
  EXPECT_EQ(h.Stat("/a/b")->permission().perm(), 0700u);
  EXPECT_FALSE(h.Stat("/a/b/empty"));
  EXPECT_TRUE(h.Stat("/a/b/kept"));
  auto data = h.Stat("/a/data");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->SerializeAsString(), before_data.SerializeAsString());
  EXPECT_EQ(data->length(), 777u);
  EXPECT_TRUE(h.nn().blocks.Contains(lb.b().blockid()));
  // Open files keep their lease holder.
  EXPECT_EQ(h.nn().leases.HolderOf(open_id), "still-writing");
  EXPECT_EQ(h.Create("/a/open", "someone-else").status().code(), ErrorCode::kAlreadyBeingCreated);
  hh::GetXAttrsRequestProto g;
  g.set_src("/a/b");
  hh::GetXAttrsResponseProto gr;
  ASSERT_OK(GetXAttrs(h.nn(), h.Super(), g, &gr));
  ASSERT_EQ(gr.xattrs_size(), 1);
  EXPECT_EQ(gr.xattrs(0).value(), "blue");
  // New ids continue after the old ones.
  ASSERT_OK(h.Touch("/a/new"));
  EXPECT_GT(h.Stat("/a/new")->fileid(), open_id);
  ASSERT_OK(h.Create("/a/new2", "w2").status());
  dn = h.AddDatanode("dn0", "10.0.0.1", 9866, "/r");
  ASSERT_OK_AND_ASSIGN(auto lb2, h.AddBlock("/a/new2", "w2"));
  EXPECT_GT(lb2.b().blockid(), lb.b().blockid());
  EXPECT_GT(lb2.b().generationstamp(), lb.b().generationstamp());
}

TEST(NamespaceRestartTest, RenamedTreesReloadInTheirNewPlace) {
  NamenodeHarness h;
  ASSERT_OK(h.Mkdirs("/x/y/z"));
  ASSERT_OK(h.Touch("/x/y/z/f"));
  hh::Rename2RequestProto r;
  r.set_src("/x/y");
  r.set_dst("/moved");
  r.set_overwritedest(false);
  hh::Rename2ResponseProto rr;
  ASSERT_OK(Rename2(h.nn(), h.Super(), r, &rr));
  h.Reopen();
  EXPECT_TRUE(h.Stat("/moved/z/f"));
  EXPECT_FALSE(h.Stat("/x/y"));
  EXPECT_EQ(h.Stat("/x")->childrennum(), 0);
  EXPECT_EQ(h.nn().ns.inode_count(), 5u);  // /, /x, /moved, /moved/z, /moved/z/f
}

}  // namespace
}  // namespace cairn::namenode::testing
