// Extended attributes with HDFS semantics: namespaces, CREATE/REPLACE flags, the
// "At least one of the attributes provided was not found" error, permissions.
#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class XAttrTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(h_.Touch("/f")); }

  Status Set(const CallContext& c, hh::XAttrProto::XAttrNamespaceProto ns, const std::string& name,
             const std::string& value, uint32_t flag) {
    hh::SetXAttrRequestProto req;
    req.set_src("/f");
    req.mutable_xattr()->set_namespace_(ns);
    req.mutable_xattr()->set_name(name);
    req.mutable_xattr()->set_value(value);
    req.set_flag(flag);
    hh::SetXAttrResponseProto resp;
    return SetXAttr(h_.nn(), c, req, &resp);
  }

  Result<hh::GetXAttrsResponseProto> Get(const CallContext& c, std::vector<std::string> names) {
    hh::GetXAttrsRequestProto req;
    req.set_src("/f");
    for (const auto& n : names) {
      auto* x = req.add_xattrs();
      x->set_namespace_(hh::XAttrProto::USER);
      x->set_name(n);
    }
    hh::GetXAttrsResponseProto resp;
    Status st = GetXAttrs(h_.nn(), c, req, &resp);
    if (!st.ok()) return st;
    return resp;
  }

  NamenodeHarness h_;
};

TEST_F(XAttrTest, CreateReplaceGetListRemove) {
  const CallContext su = h_.Super();
  ASSERT_OK(Set(su, hh::XAttrProto::USER, "a", "1", hh::XATTR_CREATE));
  EXPECT_EQ(Set(su, hh::XAttrProto::USER, "a", "2", hh::XATTR_CREATE).code(), ErrorCode::kIoError);
  EXPECT_EQ(Set(su, hh::XAttrProto::USER, "b", "2", hh::XATTR_REPLACE).code(), ErrorCode::kIoError);
  ASSERT_OK(Set(su, hh::XAttrProto::USER, "a", "3", hh::XATTR_REPLACE));
  ASSERT_OK(Set(su, hh::XAttrProto::USER, "b", "4", hh::XATTR_CREATE | hh::XATTR_REPLACE));
  EXPECT_EQ(Set(su, hh::XAttrProto::USER, "c", "4", 0).code(), ErrorCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto one, Get(su, {"a"}));
  ASSERT_EQ(one.xattrs_size(), 1);
  EXPECT_EQ(one.xattrs(0).value(), "3");
  ASSERT_OK_AND_ASSIGN(auto all, Get(su, {}));
  EXPECT_EQ(all.xattrs_size(), 2);
  auto missing = Get(su, {"a", "zzz"});
  ASSERT_EQ(missing.status().code(), ErrorCode::kIoError);
  EXPECT_EQ(missing.status().message().rfind("At least one of the attributes provided was not found", 0), 0u);
  hh::ListXAttrsRequestProto lr;
  lr.set_src("/f");
  hh::ListXAttrsResponseProto lresp;
  ASSERT_OK(ListXAttrs(h_.nn(), su, lr, &lresp));
  ASSERT_EQ(lresp.xattrs_size(), 2);
  EXPECT_FALSE(lresp.xattrs(0).has_value());
  hh::RemoveXAttrRequestProto rr;
  rr.set_src("/f");
  rr.mutable_xattr()->set_namespace_(hh::XAttrProto::USER);
  rr.mutable_xattr()->set_name("a");
  hh::RemoveXAttrResponseProto rresp;
  ASSERT_OK(RemoveXAttr(h_.nn(), su, rr, &rresp));
  Status again = RemoveXAttr(h_.nn(), su, rr, &rresp);
  EXPECT_EQ(again.code(), ErrorCode::kIoError);
  EXPECT_EQ(again.message().rfind("At least one of the attributes provided was not found", 0), 0u);
}

TEST_F(XAttrTest, NamespacesAndPermissions) {
  EXPECT_EQ(Set(h_.As("bob"), hh::XAttrProto::USER, "a", "1", hh::XATTR_CREATE).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Set(h_.Super(), hh::XAttrProto::SYSTEM, "a", "1", hh::XATTR_CREATE).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Set(h_.As("bob"), hh::XAttrProto::TRUSTED, "a", "1", hh::XATTR_CREATE).code(),
            ErrorCode::kPermissionDenied);
  ASSERT_OK(Set(h_.Super(), hh::XAttrProto::TRUSTED, "t", "1", hh::XATTR_CREATE));
  ASSERT_OK(Set(h_.Super(), hh::XAttrProto::USER, "u", "1", hh::XATTR_CREATE));
  // bob may read /f (0644) but sees only the user namespace.
  ASSERT_OK_AND_ASSIGN(auto bobs, Get(h_.As("bob"), {}));
  ASSERT_EQ(bobs.xattrs_size(), 1);
  EXPECT_EQ(bobs.xattrs(0).name(), "u");
  EXPECT_EQ(Set(h_.Super(), hh::XAttrProto::USER, std::string(16385, 'n'), "", hh::XATTR_CREATE).code(),
            ErrorCode::kInvalidArgument);
  for (int i = 0; i < 30; ++i)
    ASSERT_OK(Set(h_.Super(), hh::XAttrProto::USER, fmt::format("k{}", i), "v", hh::XATTR_CREATE));
  EXPECT_EQ(Set(h_.Super(), hh::XAttrProto::USER, "one-too-many", "v", hh::XATTR_CREATE).code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace cairn::namenode::testing
