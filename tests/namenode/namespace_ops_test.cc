// Namespace operations against a real RocksDB store, called directly (no network):
// mkdirs, create, getFileInfo, getListing, delete, rename and rename2 with HDFS's
// semantics and every error case.
#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class NamespaceOpsTest : public ::testing::Test {
 protected:
  NamenodeHarness h_;

  hh::GetListingResponseProto List(const std::string& path, const std::string& after = "") {
    hh::GetListingRequestProto req;
    req.set_src(path);
    req.set_startafter(after);
    req.set_needlocation(false);
    hh::GetListingResponseProto resp;
    EXPECT_OK(GetListing(h_.nn(), h_.Super(), req, &resp));
    return resp;
  }

  Result<bool> RenameOld(const std::string& src, const std::string& dst) {
    hh::RenameRequestProto req;
    req.set_src(src);
    req.set_dst(dst);
    hh::RenameResponseProto resp;
    Status st = Rename(h_.nn(), h_.Super(), req, &resp);
    if (!st.ok()) return st;
    return resp.result();
  }

  Status Rename2(const std::string& src, const std::string& dst, bool overwrite) {
    hh::Rename2RequestProto req;
    req.set_src(src);
    req.set_dst(dst);
    req.set_overwritedest(overwrite);
    hh::Rename2ResponseProto resp;
    return namenode::Rename2(h_.nn(), h_.Super(), req, &resp);
  }
};

TEST_F(NamespaceOpsTest, RootExistsWithSuperuserOwnership) {
  auto root = h_.Stat("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->filetype(), hh::HdfsFileStatusProto::IS_DIR);
  EXPECT_EQ(root->owner(), "hdfs");
  EXPECT_EQ(root->group(), "supergroup");
  EXPECT_EQ(root->permission().perm(), 0755u);
  EXPECT_EQ(root->fileid(), kRootInodeId);
}

TEST_F(NamespaceOpsTest, MkdirsCreatesParentsAndIsIdempotent) {
  ASSERT_OK(h_.Mkdirs("/a/b/c", 0750));
  auto c = h_.Stat("/a/b/c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->filetype(), hh::HdfsFileStatusProto::IS_DIR);
  EXPECT_EQ(c->permission().perm(), 0750u);
  // Implicit parents keep u+wx.
  EXPECT_EQ(h_.Stat("/a")->permission().perm(), 0750u | 0300u);
  EXPECT_EQ(h_.Stat("/a")->childrennum(), 1);
  ASSERT_OK(h_.Mkdirs("/a/b/c"));  // existing directory: true
}

TEST_F(NamespaceOpsTest, MkdirsErrors) {
  EXPECT_EQ(h_.Mkdirs("/x/y", 0755, /*parents=*/false).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(h_.Stat("/x"));
  ASSERT_OK(h_.Touch("/f"));
  EXPECT_EQ(h_.Mkdirs("/f").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(h_.Mkdirs("/f/sub").code(), ErrorCode::kParentNotDirectory);
  for (const char* bad : {"relative", "/a/../b", "/a//b", "", "/a/./b", "/a:b"}) {
    Status st = h_.Mkdirs(bad);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << bad << " " << st.ToString();
  }
  EXPECT_EQ(h_.Mkdirs(std::string("/nul\0byte", 9)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(h_.Mkdirs("/" + std::string(256, 'x')).code(), ErrorCode::kInvalidArgument);
  // Nothing changed on the way.
  EXPECT_EQ(List("/").dirlist().partiallisting_size(), 1);
}

TEST_F(NamespaceOpsTest, CreateFillsStatusAndGrantsLease) {
  ASSERT_OK(h_.Mkdirs("/d"));
  auto st = h_.Create(h_.As("alice"), "/d/f", "c1", hh::CREATE, 0640, 2);
  EXPECT_EQ(st.status().code(), ErrorCode::kPermissionDenied);  // /d is 0755 owned by hdfs
  ASSERT_OK(h_.Mkdirs("/open", 0777));
  ASSERT_OK_AND_ASSIGN(auto fs, h_.Create(h_.As("alice"), "/open/f", "c1", hh::CREATE, 0640, 2));
  EXPECT_EQ(fs.filetype(), hh::HdfsFileStatusProto::IS_FILE);
  EXPECT_EQ(fs.owner(), "alice");
  EXPECT_EQ(fs.group(), "supergroup");  // the parent's group, as HDFS does
  EXPECT_EQ(fs.permission().perm(), 0640u);
  EXPECT_EQ(fs.block_replication(), 2u);
  EXPECT_EQ(fs.blocksize(), 1u << 20);
  EXPECT_EQ(fs.length(), 0u);
  EXPECT_GT(fs.fileid(), kRootInodeId);
  EXPECT_TRUE(fs.IsInitialized());
  EXPECT_EQ(h_.nn().leases.HolderOf(fs.fileid()), "c1");
}

TEST_F(NamespaceOpsTest, CreateErrors) {
  ASSERT_OK(h_.Mkdirs("/d"));
  auto dir = h_.Create("/d");
  EXPECT_EQ(dir.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(dir.status().message().find("already exists as a directory"), std::string::npos);
  EXPECT_EQ(h_.Create(h_.Super(), "/missing/f", "c", hh::CREATE, 0644, 3, /*parents=*/false).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(h_.Create(h_.Super(), "/d/r", "c", hh::CREATE, 0644, /*replication=*/0).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(h_.Create(h_.Super(), "/d/r", "c", hh::CREATE, 0644, /*replication=*/513).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(h_.Stat("/d/r"));
  ASSERT_OK(h_.Create("/d/f", "writer").status());
  // Open by another client: being created.
  EXPECT_EQ(h_.Create("/d/f", "other", hh::CREATE).status().code(), ErrorCode::kAlreadyBeingCreated);
  EXPECT_EQ(h_.Create("/d/f", "other", hh::CREATE | hh::OVERWRITE).status().code(), ErrorCode::kAlreadyBeingCreated);
  // The same client may recreate with OVERWRITE, but not without.
  EXPECT_EQ(h_.Create("/d/f", "writer", hh::CREATE).status().code(), ErrorCode::kAlreadyBeingCreated);
  ASSERT_OK(h_.Create("/d/f", "writer", hh::CREATE | hh::OVERWRITE).status());
  ASSERT_OK_AND_ASSIGN(bool done, h_.Complete("/d/f", "writer"));
  EXPECT_TRUE(done);
  // Closed file: exists without OVERWRITE, replaced with it.
  EXPECT_EQ(h_.Create("/d/f", "other", hh::CREATE).status().code(), ErrorCode::kAlreadyExists);
  uint64_t old_id = h_.Stat("/d/f")->fileid();
  ASSERT_OK_AND_ASSIGN(auto fresh, h_.Create("/d/f", "other", hh::CREATE | hh::OVERWRITE));
  EXPECT_NE(fresh.fileid(), old_id);
  // OVERWRITE without CREATE of a missing file.
  EXPECT_EQ(h_.Create("/d/none", "c", hh::OVERWRITE).status().code(), ErrorCode::kNotFound);
  // A file in the middle of the path.
  EXPECT_EQ(h_.Create("/d/f/x", "c").status().code(), ErrorCode::kParentNotDirectory);
}

TEST_F(NamespaceOpsTest, GetFileInfoOfMissingPathIsEmpty) {
  EXPECT_FALSE(h_.Stat("/nope"));
  ASSERT_OK(h_.Touch("/file"));
  EXPECT_FALSE(h_.Stat("/file/below"));
  hh::GetFileInfoRequestProto req;
  req.set_src("bad");
  hh::GetFileInfoResponseProto resp;
  EXPECT_EQ(GetFileInfo(h_.nn(), h_.Super(), req, &resp).code(), ErrorCode::kInvalidArgument);
}

TEST_F(NamespaceOpsTest, ListingPagesWithStartAfter) {
  NamenodeHarness small([](NamenodeSettings& s) { s.listing_limit = 3; });
  ASSERT_OK(small.Mkdirs("/dir"));
  for (const char* n : {"e", "a", "d", "b", "c", "f", "g"}) ASSERT_OK(small.Touch(std::string("/dir/") + n));
  ASSERT_OK(small.Mkdirs("/dir/sub"));
  std::vector<std::string> seen;
  std::string after;
  std::vector<uint32_t> remaining;
  while (true) {
    hh::GetListingRequestProto req;
    req.set_src("/dir");
    req.set_startafter(after);
    req.set_needlocation(false);
    hh::GetListingResponseProto resp;
    ASSERT_OK(GetListing(small.nn(), small.Super(), req, &resp));
    ASSERT_TRUE(resp.has_dirlist());
    ASSERT_LE(resp.dirlist().partiallisting_size(), 3);
    for (const auto& e : resp.dirlist().partiallisting()) seen.push_back(e.path());
    remaining.push_back(resp.dirlist().remainingentries());
    if (resp.dirlist().remainingentries() == 0) break;
    after = seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "sub"}));
  EXPECT_EQ(remaining, (std::vector<uint32_t>{5, 2, 0}));
}

// A page also ends once its entries pass --namenode_listing_max_bytes (at least one entry
// per page), and paging still returns every entry once, in order.
TEST_F(NamespaceOpsTest, ListingPagesAreBoundedInBytes) {
  constexpr size_t kMaxBytes = 600;
  NamenodeHarness small([](NamenodeSettings& s) { s.listing_max_bytes.bytes = kMaxBytes; });
  ASSERT_OK(small.Mkdirs("/wide"));
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) {
    names.push_back(fmt::format("a-rather-long-file-name-to-fill-pages-{:03}", i));
    ASSERT_OK(small.Touch("/wide/" + names.back()));
  }
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  for (;;) {
    hh::GetListingRequestProto req;
    req.set_src("/wide");
    req.set_startafter(after);
    req.set_needlocation(false);
    hh::GetListingResponseProto resp;
    ASSERT_OK(GetListing(small.nn(), small.Super(), req, &resp));
    const auto& page = resp.dirlist().partiallisting();
    ASSERT_GE(page.size(), 1);
    size_t before_last = 0;
    for (int i = 0; i + 1 < page.size(); ++i) before_last += page[i].ByteSizeLong();
    EXPECT_LT(before_last, kMaxBytes) << "the page went on past the byte bound";
    for (const auto& e : page) seen.push_back(e.path());
    ++pages;
    EXPECT_EQ(resp.dirlist().remainingentries(), names.size() - seen.size());
    if (resp.dirlist().remainingentries() == 0) break;
    after = seen.back();
  }
  EXPECT_EQ(seen, names);
  EXPECT_GE(pages, 5) << "50 entries of about 100 bytes should take several 600-byte pages";
}

// remainingEntries comes from each entry's rank in the directory: it stays exact when the
// page starts after a name that is not there and after entries come and go.
TEST_F(NamespaceOpsTest, ListingRemainingEntriesFollowRanks) {
  NamenodeHarness small([](NamenodeSettings& s) { s.listing_limit = 3; });
  ASSERT_OK(small.Mkdirs("/dir"));
  for (const char* n : {"a", "b", "c", "d", "e", "f", "g"}) ASSERT_OK(small.Touch(std::string("/dir/") + n));
  auto page = [&](const std::string& after) {
    hh::GetListingRequestProto req;
    req.set_src("/dir");
    req.set_startafter(after);
    req.set_needlocation(false);
    hh::GetListingResponseProto resp;
    EXPECT_OK(GetListing(small.nn(), small.Super(), req, &resp));
    std::vector<std::string> names;
    for (const auto& e : resp.dirlist().partiallisting()) names.push_back(e.path());
    return std::make_pair(names, resp.dirlist().remainingentries());
  };
  EXPECT_EQ(page("bb"), std::make_pair(std::vector<std::string>{"c", "d", "e"}, 2u));
  EXPECT_EQ(page("g"), std::make_pair(std::vector<std::string>{}, 0u));
  EXPECT_EQ(page("e"), std::make_pair(std::vector<std::string>{"f", "g"}, 0u));
  ASSERT_OK(small.Delete("/dir/d", false).status());
  hh::Rename2RequestProto mv;
  mv.set_src("/dir/a");
  mv.set_dst("/dir/h");
  mv.set_overwritedest(false);
  hh::Rename2ResponseProto moved;
  ASSERT_OK(namenode::Rename2(small.nn(), small.Super(), mv, &moved));
  EXPECT_EQ(page("c"), std::make_pair(std::vector<std::string>{"e", "f", "g"}, 1u));
  EXPECT_EQ(page(""), std::make_pair(std::vector<std::string>{"b", "c", "e"}, 3u));
}

TEST_F(NamespaceOpsTest, ListingOfFileAndMissingPath) {
  ASSERT_OK(h_.Touch("/f"));
  auto file = List("/f");
  ASSERT_TRUE(file.has_dirlist());
  ASSERT_EQ(file.dirlist().partiallisting_size(), 1);
  EXPECT_EQ(file.dirlist().partiallisting(0).filetype(), hh::HdfsFileStatusProto::IS_FILE);
  EXPECT_FALSE(List("/missing").has_dirlist());
}

TEST_F(NamespaceOpsTest, DeleteSemantics) {
  ASSERT_OK_AND_ASSIGN(bool missing, h_.Delete("/nothing", false));
  EXPECT_FALSE(missing);
  ASSERT_OK(h_.Mkdirs("/t/u"));
  ASSERT_OK(h_.Touch("/t/u/f"));
  EXPECT_EQ(h_.Delete("/t", false).status().code(), ErrorCode::kDirectoryNotEmpty);
  EXPECT_TRUE(h_.Stat("/t/u/f"));
  EXPECT_FALSE(h_.Delete("/", true).ok());
  EXPECT_TRUE(h_.Stat("/t"));
  ASSERT_OK_AND_ASSIGN(bool removed, h_.Delete("/t", true));
  EXPECT_TRUE(removed);
  EXPECT_FALSE(h_.Stat("/t"));
  EXPECT_FALSE(h_.Stat("/t/u/f"));
  ASSERT_OK(h_.Mkdirs("/empty"));
  ASSERT_OK_AND_ASSIGN(bool empty, h_.Delete("/empty", false));
  EXPECT_TRUE(empty);
}

TEST_F(NamespaceOpsTest, DeleteRemovesLeasesOfOpenFiles) {
  ASSERT_OK_AND_ASSIGN(auto fs, h_.Create("/open", "c9"));
  EXPECT_EQ(h_.nn().leases.HolderOf(fs.fileid()), "c9");
  ASSERT_OK(h_.Delete("/open", false).status());
  EXPECT_EQ(h_.nn().leases.HolderOf(fs.fileid()), "");
  EXPECT_EQ(h_.nn().leases.lease_count(), 0u);
}

TEST_F(NamespaceOpsTest, OldRenameMovesIntoDirectoriesAndReturnsFalse) {
  ASSERT_OK(h_.Mkdirs("/src/inner"));
  ASSERT_OK(h_.Touch("/src/inner/f"));
  ASSERT_OK(h_.Mkdirs("/dst"));
  ASSERT_OK_AND_ASSIGN(bool moved, RenameOld("/src/inner", "/dst"));
  EXPECT_TRUE(moved);
  EXPECT_TRUE(h_.Stat("/dst/inner/f"));
  EXPECT_FALSE(h_.Stat("/src/inner"));
  ASSERT_OK_AND_ASSIGN(bool r1, RenameOld("/nope", "/x"));
  EXPECT_FALSE(r1);
  ASSERT_OK(h_.Touch("/g"));
  ASSERT_OK_AND_ASSIGN(bool r2, RenameOld("/dst/inner/f", "/g"));  // destination file exists
  EXPECT_FALSE(r2);
  ASSERT_OK_AND_ASSIGN(bool r3, RenameOld("/dst", "/dst/inner/deeper"));  // into its own subtree
  EXPECT_FALSE(r3);
  ASSERT_OK_AND_ASSIGN(bool r4, RenameOld("/g", "/no/such/parent"));
  EXPECT_FALSE(r4);
  ASSERT_OK_AND_ASSIGN(bool r5, RenameOld("/g", "/h"));
  EXPECT_TRUE(r5);
  EXPECT_TRUE(h_.Stat("/h"));
  EXPECT_FALSE(h_.Stat("/g"));
  EXPECT_FALSE(RenameOld("/h", "bad").ok());  // invalid paths are still errors
}

TEST_F(NamespaceOpsTest, Rename2ErrorsAndOverwrite) {
  ASSERT_OK(h_.Mkdirs("/a/sub"));
  ASSERT_OK(h_.Touch("/a/f"));
  ASSERT_OK(h_.Touch("/b"));
  EXPECT_EQ(Rename2("/missing", "/x", false).code(), ErrorCode::kNotFound);
  EXPECT_EQ(Rename2("/a/f", "/b", false).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Rename2("/a", "/a/sub/x", false).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Rename2("/a/f", "/nope/x", false).code(), ErrorCode::kNotFound);
  EXPECT_EQ(Rename2("/a/f", "/b/x", false).code(), ErrorCode::kParentNotDirectory);
  EXPECT_EQ(Rename2("/a/f", "/a/f", false).code(), ErrorCode::kAlreadyExists);
  ASSERT_OK(h_.Mkdirs("/full/x"));
  EXPECT_EQ(Rename2("/a/sub", "/full", true).code(), ErrorCode::kDirectoryNotEmpty);
  EXPECT_EQ(Rename2("/a/f", "/full", true).code(), ErrorCode::kIsDirectory);
  EXPECT_EQ(Rename2("/a/sub", "/b", true).code(), ErrorCode::kNotDirectory);
  // Overwrite of a file.
  uint64_t id = h_.Stat("/a/f")->fileid();
  ASSERT_OK(Rename2("/a/f", "/b", true));
  EXPECT_EQ(h_.Stat("/b")->fileid(), id);
  EXPECT_FALSE(h_.Stat("/a/f"));
  // Overwrite of an empty directory.
  ASSERT_OK(h_.Mkdirs("/emptydir"));
  ASSERT_OK(Rename2("/a/sub", "/emptydir", true));
  EXPECT_TRUE(h_.Stat("/emptydir"));
  EXPECT_FALSE(h_.Stat("/a/sub"));
}

TEST_F(NamespaceOpsTest, ContentSummaryCountsTheSubtree) {
  ASSERT_OK(h_.Mkdirs("/s/t"));
  ASSERT_OK(h_.Touch("/s/a"));
  ASSERT_OK(h_.Touch("/s/t/b"));
  hh::GetContentSummaryRequestProto req;
  req.set_path("/s");
  hh::GetContentSummaryResponseProto resp;
  ASSERT_OK(GetContentSummary(h_.nn(), h_.Super(), req, &resp));
  EXPECT_EQ(resp.summary().filecount(), 2u);
  EXPECT_EQ(resp.summary().directorycount(), 2u);
  EXPECT_EQ(resp.summary().quota(), static_cast<uint64_t>(-1));
  EXPECT_TRUE(resp.IsInitialized());
}

TEST_F(NamespaceOpsTest, SetTimesAndReplication) {
  ASSERT_OK(h_.Touch("/f"));
  hh::SetTimesRequestProto t;
  t.set_src("/f");
  t.set_mtime(1234);
  t.set_atime(static_cast<uint64_t>(-1));
  hh::SetTimesResponseProto tr;
  ASSERT_OK(SetTimes(h_.nn(), h_.Super(), t, &tr));
  EXPECT_EQ(h_.Stat("/f")->modification_time(), 1234u);
  hh::SetReplicationRequestProto r;
  r.set_src("/f");
  r.set_replication(5);
  hh::SetReplicationResponseProto rr;
  ASSERT_OK(SetReplication(h_.nn(), h_.Super(), r, &rr));
  EXPECT_TRUE(rr.result());
  EXPECT_EQ(h_.Stat("/f")->block_replication(), 5u);
  r.set_src("/");
  ASSERT_OK(SetReplication(h_.nn(), h_.Super(), r, &rr));
  EXPECT_FALSE(rr.result());
  r.set_src("/f");
  r.set_replication(0);
  EXPECT_EQ(SetReplication(h_.nn(), h_.Super(), r, &rr).code(), ErrorCode::kInvalidArgument);
}

TEST_F(NamespaceOpsTest, ServerDefaultsAreComplete) {
  hh::GetServerDefaultsRequestProto req;
  hh::GetServerDefaultsResponseProto resp;
  ASSERT_OK(GetServerDefaults(h_.nn(), h_.Super(), req, &resp));
  EXPECT_TRUE(resp.IsInitialized());
  EXPECT_EQ(resp.serverdefaults().blocksize(), 1u << 20);
  EXPECT_EQ(resp.serverdefaults().bytesperchecksum(), 512u);
  EXPECT_EQ(resp.serverdefaults().checksumtype(), hh::CHECKSUM_CRC32C);
}

TEST_F(NamespaceOpsTest, SymlinksAndConcatAndTruncate) {
  hh::CreateSymlinkRequestProto s;
  s.set_target("/somewhere");
  s.set_link("/links/l");
  s.mutable_dirperm()->set_perm(0755);
  s.set_createparent(true);
  hh::CreateSymlinkResponseProto sr;
  ASSERT_OK(CreateSymlink(h_.nn(), h_.Super(), s, &sr));
  EXPECT_EQ(h_.Stat("/links/l")->filetype(), hh::HdfsFileStatusProto::IS_SYMLINK);
  EXPECT_EQ(h_.Stat("/links/l")->symlink(), "/somewhere");
  EXPECT_EQ(CreateSymlink(h_.nn(), h_.Super(), s, &sr).code(), ErrorCode::kAlreadyExists);
  hh::GetLinkTargetRequestProto g;
  g.set_path("/links/l");
  hh::GetLinkTargetResponseProto gr;
  ASSERT_OK(GetLinkTarget(h_.nn(), h_.Super(), g, &gr));
  EXPECT_EQ(gr.targetpath(), "/somewhere");
  // Concat of empty sources is refused, truncate of an empty file to 0 is a no-op.
  ASSERT_OK(h_.Touch("/c/t"));
  ASSERT_OK(h_.Touch("/c/s"));
  hh::ConcatRequestProto c;
  c.set_trg("/c/t");
  c.add_srcs("/c/s");
  hh::ConcatResponseProto cr;
  EXPECT_EQ(Concat(h_.nn(), h_.Super(), c, &cr).code(), ErrorCode::kInvalidArgument);
  hh::TruncateRequestProto tr;
  tr.set_src("/c/t");
  tr.set_newlength(10);
  tr.set_clientname("x");
  hh::TruncateResponseProto trr;
  EXPECT_EQ(Truncate(h_.nn(), h_.Super(), tr, &trr).code(), ErrorCode::kInvalidArgument);
  tr.set_newlength(0);
  ASSERT_OK(Truncate(h_.nn(), h_.Super(), tr, &trr));
  EXPECT_TRUE(trr.result());
}

}  // namespace
}  // namespace cairn::namenode::testing
