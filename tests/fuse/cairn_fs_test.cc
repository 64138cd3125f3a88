// CairnFs driven directly (no kernel mount) against a real cluster: the write rules of
// HDFS files as POSIX sees them (append-only, EOPNOTSUPP inside a file and the file left
// intact, zeros for gaps, O_TRUNC recreates, O_APPEND appends), truncate, rename with and
// without replace, errno mapping, paged readdir, symlinks, attributes, uid mapping, and
// that an open never sees stale cached attributes.
#include "client/fuse/cairn_fs.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::fuse {
namespace {

using cairn::testing::MiniCluster;

constexpr Caller kRoot{0, 0};
constexpr Caller kNobody{65534, 65534};

class CairnFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cairn::testing::MiniClusterOptions opts;
    opts.datanodes = 1;
    opts.replication = 1;
    opts.namenode_flags = {"--namenode_listing_limit=7"};
    auto c = MiniCluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    auto client = cluster_->Connect();
    ASSERT_TRUE(client.ok());
    direct_ = std::move(client).value();
    FuseSettings s;
    s.namenode = cluster_->client_namenode_address();
    s.attr_timeout_ms = 60000;  // long, so tests see what the cache would serve
    s.readahead.bytes = 1 << 20;
    s.readahead_chunk.bytes = 128 * 1024;
    fs_ = std::make_unique<CairnFs>(s);
    fs_->SetKernelInvalidator([this](const std::string& p) { invalidated_.push_back(p); });
  }

  uint64_t CreateFile(const std::string& path, mode_t mode = 0644, int flags = O_WRONLY) {
    uint64_t fh = 0;
    int rc = fs_->Create(kRoot, path, mode, flags | O_CREAT, &fh);
    EXPECT_EQ(rc, 0) << path;
    return fh;
  }
  void WriteAt(uint64_t fh, uint64_t offset, const std::string& data) {
    EXPECT_EQ(fs_->Write(fh, data.data(), data.size(), offset), static_cast<int>(data.size()));
  }
  void Put(const std::string& path, const std::string& data) {
    client::CreateOptions o;
    o.overwrite = true;
    ASSERT_OK(cairn::testing::WriteRemoteFile(*direct_, path, data, o));
  }
  std::string Cat(const std::string& path) {
    auto data = cairn::testing::ReadRemoteFile(*direct_, path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  std::string ReadThrough(const std::string& path) {
    uint64_t fh = 0;
    EXPECT_EQ(fs_->Open(kRoot, path, O_RDONLY, &fh), 0);
    std::string out, buf(100000, '\0');
    for (uint64_t off = 0;;) {
      int n = fs_->Read(fh, buf.data(), buf.size(), off);
      EXPECT_GE(n, 0);
      if (n <= 0) break;
      out.append(buf.data(), static_cast<size_t>(n));
      off += static_cast<uint64_t>(n);
    }
    EXPECT_EQ(fs_->Release(fh), 0);
    return out;
  }
  struct stat Attr(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(fs_->GetAttr(kRoot, path, std::nullopt, &st), 0) << path;
    return st;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::FileSystem> direct_;
  std::unique_ptr<CairnFs> fs_;
  std::vector<std::string> invalidated_;
};

TEST_F(CairnFsTest, CreateWriteCloseAndReadBack) {
  const std::string data = cairn::testing::RandomBytes(2500 * 1000, 1);  // three 1 MiB blocks
  uint64_t fh = CreateFile("/f", 0640);
  WriteAt(fh, 0, data.substr(0, 1000000));
  WriteAt(fh, 1000000, data.substr(1000000));
  EXPECT_EQ(Attr("/f").st_size, static_cast<off_t>(data.size()));  // while open: the bytes written
  EXPECT_EQ(fs_->Flush(fh), 0);
  // close(2) returned: the file is complete for every reader.
  auto st = direct_->Stat("/f");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, data.size());
  EXPECT_EQ(st->permission, 0640u);
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/f"), data);
  EXPECT_EQ(ReadThrough("/f"), data);
  EXPECT_EQ(Attr("/f").st_mode, static_cast<mode_t>(S_IFREG | 0640));
}

TEST_F(CairnFsTest, WritesInsideTheFileFailWithEopnotsuppAndLeaveItIntact) {
  const std::string first = cairn::testing::RandomBytes(100000, 2), more = "tail";
  uint64_t fh = CreateFile("/r");
  WriteAt(fh, 0, first);
  EXPECT_EQ(fs_->Write(fh, "XX", 2, 10), -EOPNOTSUPP);
  EXPECT_EQ(fs_->Write(fh, "XX", 2, 0), -EOPNOTSUPP);
  WriteAt(fh, first.size(), more);  // the stream is still fine
  EXPECT_EQ(fs_->Flush(fh), 0);
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/r"), first + more);
  // Same on a completed file reopened for writing.
  ASSERT_EQ(fs_->Open(kRoot, "/r", O_WRONLY, &fh), 0);
  EXPECT_EQ(fs_->Write(fh, "YY", 2, 5), -EOPNOTSUPP);
  WriteAt(fh, first.size() + more.size(), "!");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/r"), first + more + "!");
}

TEST_F(CairnFsTest, WritesPastTheEndFillTheGapWithZeros) {
  uint64_t fh = CreateFile("/gap");
  WriteAt(fh, 0, "head");
  WriteAt(fh, 100, "tail");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/gap"), "head" + std::string(96, '\0') + "tail");
}

TEST_F(CairnFsTest, AppendAndTruncatingOpens) {
  Put("/a", "one");
  ASSERT_OK(direct_->Chmod("/a", 0604));
  uint64_t fh = 0;
  // O_APPEND: the end, whatever offset the kernel sends.
  ASSERT_EQ(fs_->Open(kRoot, "/a", O_WRONLY | O_APPEND, &fh), 0);
  WriteAt(fh, 0, "two");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/a"), "onetwo");
  // Plain O_WRONLY at the end appends too.
  ASSERT_EQ(fs_->Open(kRoot, "/a", O_WRONLY, &fh), 0);
  WriteAt(fh, 6, "three");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/a"), "onetwothree");
  // O_TRUNC recreates, keeping the permission.
  ASSERT_EQ(fs_->Open(kRoot, "/a", O_WRONLY | O_TRUNC, &fh), 0);
  WriteAt(fh, 0, "new");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/a"), "new");
  EXPECT_EQ(direct_->Stat("/a")->permission, 0604u);
  // create() of an existing name without O_EXCL opens it; with O_EXCL it is EEXIST.
  EXPECT_EQ(fs_->Create(kRoot, "/a", 0644, O_WRONLY | O_CREAT | O_EXCL, &fh), -EEXIST);
  ASSERT_EQ(fs_->Create(kRoot, "/a", 0644, O_WRONLY | O_CREAT | O_TRUNC, &fh), 0);
  WriteAt(fh, 0, "again");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/a"), "again");
}

TEST_F(CairnFsTest, TruncateToZeroToTheLengthLongerAndInsideABlock) {
  const std::string data = cairn::testing::RandomBytes(1500 * 1000, 3);
  Put("/t", data);
  EXPECT_EQ(fs_->Truncate(kRoot, "/t", std::nullopt, data.size()), 0);
  EXPECT_EQ(Cat("/t"), data);
  // At a block boundary (1 MiB blocks), inside a block (HDFS truncate with block recovery:
  // the call returns once the replicas are cut) and to zero.
  EXPECT_EQ(fs_->Truncate(kRoot, "/t", std::nullopt, 1 << 20), 0);
  EXPECT_EQ(Cat("/t"), data.substr(0, 1 << 20));
  EXPECT_EQ(fs_->Truncate(kRoot, "/t", std::nullopt, 10), 0);
  EXPECT_EQ(Cat("/t"), data.substr(0, 10));
  EXPECT_EQ(fs_->Truncate(kRoot, "/t", std::nullopt, 0), 0);
  EXPECT_EQ(Cat("/t"), "");
  // Longer: zeros.
  EXPECT_EQ(fs_->Truncate(kRoot, "/t", std::nullopt, 5), 0);
  EXPECT_EQ(Cat("/t"), std::string(5, '\0'));
  // ftruncate through an open writer cuts what it wrote.
  uint64_t fh = CreateFile("/u");
  WriteAt(fh, 0, "written");
  EXPECT_EQ(fs_->Truncate(kRoot, "", fh, 0), 0);
  WriteAt(fh, 0, "fresh");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/u"), "fresh");
  EXPECT_EQ(fs_->Truncate(kRoot, "/missing", std::nullopt, 0), -ENOENT);
}

TEST_F(CairnFsTest, RenameWithAndWithoutReplace) {
  Put("/x", "x");
  Put("/y", "y");
  EXPECT_EQ(fs_->Rename(kRoot, "/x", "/y", RENAME_NOREPLACE), -EEXIST);
  EXPECT_EQ(fs_->Rename(kRoot, "/x", "/y", RENAME_EXCHANGE), -EINVAL);
  EXPECT_EQ(fs_->Rename(kRoot, "/x", "/y", 0), 0);
  EXPECT_EQ(Cat("/y"), "x");
  EXPECT_EQ(direct_->Stat("/x").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs_->Rename(kRoot, "/y", "/y", 0), 0);
  ASSERT_EQ(fs_->Mkdir(kRoot, "/d1", 0755), 0);
  ASSERT_EQ(fs_->Mkdir(kRoot, "/d2", 0755), 0);
  Put("/d2/inside", "i");
  EXPECT_EQ(fs_->Rename(kRoot, "/d1", "/d2", 0), -ENOTEMPTY);
  EXPECT_EQ(fs_->Rename(kRoot, "/y", "/d1", 0), -EISDIR);
  EXPECT_EQ(fs_->Rename(kRoot, "/d1", "/y", 0), -ENOTDIR);
  EXPECT_EQ(fs_->Rename(kRoot, "/d2", "/d2/moved", 0), -EINVAL);  // into itself
  EXPECT_EQ(fs_->Rename(kRoot, "/d2", "/d2/inside/deeper", 0), -ENOTDIR);
  EXPECT_EQ(fs_->Rename(kRoot, "/nothing", "/z", 0), -ENOENT);
  // An open writer follows its file (and its directory) through renames.
  uint64_t fh = CreateFile("/d2/w");
  WriteAt(fh, 0, "abc");
  EXPECT_EQ(fs_->Rename(kRoot, "/d2", "/d3", 0), 0);
  WriteAt(fh, 3, "def");
  EXPECT_EQ(Attr("/d3/w").st_size, 6);
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/d3/w"), "abcdef");
}

TEST_F(CairnFsTest, ErrnosOfNamespaceOperations) {
  struct stat st {};
  EXPECT_EQ(fs_->GetAttr(kRoot, "/none", std::nullopt, &st), -ENOENT);
  EXPECT_EQ(fs_->Unlink(kRoot, "/none"), -ENOENT);
  EXPECT_EQ(fs_->Rmdir(kRoot, "/none"), -ENOENT);
  uint64_t fh = 0;
  EXPECT_EQ(fs_->Open(kRoot, "/none", O_RDONLY, &fh), -ENOENT);
  ASSERT_EQ(fs_->Mkdir(kRoot, "/d", 0755), 0);
  Put("/d/f", "f");
  EXPECT_EQ(fs_->Rmdir(kRoot, "/d"), -ENOTEMPTY);
  EXPECT_EQ(fs_->Mkdir(kRoot, "/d/f/sub", 0755), -ENOTDIR);
  EXPECT_EQ(fs_->Mkdir(kRoot, "/no/parent", 0755), -ENOENT);
  EXPECT_EQ(fs_->Open(kRoot, "/d", O_WRONLY, &fh), -EISDIR);
  EXPECT_EQ(fs_->Unlink(kRoot, "/d/f"), 0);
  EXPECT_EQ(fs_->Rmdir(kRoot, "/d"), 0);
  EXPECT_EQ(fs_->Mkdir(kRoot, "/bad:name", 0755), -EINVAL);
}

TEST_F(CairnFsTest, CallersActAsTheirOwnUsers) {
  ASSERT_EQ(fs_->Mkdir(kRoot, "/private", 0700), 0);
  ASSERT_EQ(fs_->Mkdir(kRoot, "/shared", 0777), 0);
  uint64_t fh = 0;
  EXPECT_EQ(fs_->Create(kNobody, "/private/x", 0644, O_WRONLY | O_CREAT, &fh), -EACCES);
  EXPECT_EQ(fs_->OpenDir(kNobody, "/private", &fh), -EACCES);
  EXPECT_EQ(fs_->Access(kNobody, "/private", W_OK), -EACCES);
  EXPECT_EQ(fs_->Access(kRoot, "/private", W_OK), 0);
  ASSERT_EQ(fs_->Create(kNobody, "/shared/mine", 0600, O_WRONLY | O_CREAT, &fh), 0);
  EXPECT_EQ(fs_->Release(fh), 0);
  auto st = direct_->Stat("/shared/mine");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->owner, "nobody");
  EXPECT_EQ(Attr("/shared/mine").st_uid, 65534u);
  // nobody's file, mode 0600: root is the superuser, another user is refused.
  EXPECT_EQ(fs_->Open(kRoot, "/shared/mine", O_RDONLY, &fh), 0);
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(fs_->Open(Caller{1234, 1234}, "/shared/mine", O_RDONLY, &fh), -EACCES);
}

TEST_F(CairnFsTest, ReadDirPagesThroughLargeDirectories) {
  ASSERT_EQ(fs_->Mkdir(kRoot, "/big", 0755), 0);
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {  // the namenode pages by 7
    const std::string name = fmt::format("e{:02}", i);
    Put("/big/" + name, "");
    expected.push_back(name);
  }
  uint64_t dh = 0;
  ASSERT_EQ(fs_->OpenDir(kRoot, "/big", &dh), 0);
  // The kernel's buffer takes 3 entries per call; each call resumes at the last offset.
  std::vector<std::string> names;
  uint64_t offset = 0;
  for (int calls = 0; calls < 100; ++calls) {
    int taken = 0;
    uint64_t last = offset;
    ASSERT_EQ(fs_->ReadDir(kRoot, dh, offset, [&](const std::string& name, const struct stat* st, uint64_t next) {
      if (taken == 3) return false;
      ++taken;
      names.push_back(name);
      if (st != nullptr) EXPECT_TRUE(S_ISREG(st->st_mode)) << name;
      last = next;
      return true;
    }), 0);
    if (taken == 0) break;
    offset = last;
  }
  std::vector<std::string> want{".", ".."};
  want.insert(want.end(), expected.begin(), expected.end());
  EXPECT_EQ(names, want);
  // Back to the start (rewinddir).
  std::vector<std::string> again;
  ASSERT_EQ(fs_->ReadDir(kRoot, dh, 0, [&](const std::string& n, const struct stat*, uint64_t) {
    again.push_back(n);
    return true;
  }), 0);
  EXPECT_EQ(again, want);
  EXPECT_EQ(fs_->ReleaseDir(dh), 0);
  EXPECT_EQ(fs_->ReleaseDir(dh), -EBADF);
}

TEST_F(CairnFsTest, SymlinksAndAttributes) {
  Put("/target", "data");
  ASSERT_EQ(fs_->Symlink(kRoot, "target", "/link"), 0);
  EXPECT_TRUE(S_ISLNK(Attr("/link").st_mode));
  EXPECT_EQ(Attr("/link").st_size, 6);
  char buf[64];
  ASSERT_EQ(fs_->ReadLink(kRoot, "/link", buf, sizeof(buf)), 0);
  EXPECT_STREQ(buf, "target");
  EXPECT_EQ(fs_->ReadLink(kRoot, "/target", buf, sizeof(buf)), -EINVAL);
  EXPECT_EQ(fs_->Symlink(kRoot, "x", "/link"), -EEXIST);

  EXPECT_EQ(fs_->Chmod(kRoot, "/target", std::nullopt, 0600), 0);
  EXPECT_EQ(Attr("/target").st_mode & 07777, 0600u);
  EXPECT_EQ(fs_->Chown(kRoot, "/target", std::nullopt, 65534, 65534), 0);
  EXPECT_EQ(direct_->Stat("/target")->owner, "nobody");
  EXPECT_EQ(direct_->Stat("/target")->group, "nogroup");
  EXPECT_EQ(Attr("/target").st_uid, 65534u);
  const struct timespec times[2] = {{0, UTIME_OMIT}, {1500000000, 250000000}};
  EXPECT_EQ(fs_->Utimens(kRoot, "/target", std::nullopt, times), 0);
  EXPECT_EQ(Attr("/target").st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(Attr("/target").st_mtim.tv_nsec, 250000000);
  EXPECT_EQ(Attr("/target").st_ino, direct_->Stat("/target")->file_id);

  struct statvfs vfs {};
  ASSERT_EQ(fs_->StatFs(kRoot, &vfs), 0);
  EXPECT_GT(vfs.f_blocks, 0u);
  EXPECT_GT(vfs.f_bavail, 0u);
}

TEST_F(CairnFsTest, TimesSetWhileWritingSurviveCompletion) {
  // tar and cp -p set times on the open descriptor, before close completes the file.
  uint64_t fh = CreateFile("/timed");
  WriteAt(fh, 0, "content");
  const struct timespec times[2] = {{981173106, 0}, {981173106, 0}};
  EXPECT_EQ(fs_->Utimens(kRoot, "", fh, times), 0);
  EXPECT_EQ(fs_->Flush(fh), 0);
  EXPECT_EQ(direct_->Stat("/timed")->modification_time, 981173106000);
  // A write after the utimens moves the time on again.
  EXPECT_EQ(fs_->Utimens(kRoot, "", fh, times), 0);
  WriteAt(fh, 7, "+");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_GT(direct_->Stat("/timed")->modification_time, 981173106000);
}

TEST_F(CairnFsTest, AnOpenNeverServesStaleCachedLengths) {
  Put("/grow", "short");
  EXPECT_EQ(Attr("/grow").st_size, 5);  // now cached for a minute
  Put("/grow", "a longer content");     // another client replaces it
  EXPECT_EQ(Attr("/grow").st_size, 5);  // the cache still says 5, as it may
  invalidated_.clear();
  EXPECT_EQ(ReadThrough("/grow"), "a longer content");
  // The open told the kernel to drop its copy, and refreshed the cache.
  EXPECT_EQ(invalidated_, std::vector<std::string>{"/grow"});
  EXPECT_EQ(Attr("/grow").st_size, 16);
}

TEST_F(CairnFsTest, ReadWriteHandlesReadWhatTheyWrote) {
  uint64_t fh = 0;
  ASSERT_EQ(fs_->Create(kRoot, "/rw", 0644, O_RDWR | O_CREAT, &fh), 0);
  const std::string data = cairn::testing::RandomBytes(300000, 4);
  WriteAt(fh, 0, data);
  std::string buf(1000, '\0');
  ASSERT_EQ(fs_->Read(fh, buf.data(), buf.size(), 299500), 500);
  EXPECT_EQ(buf.substr(0, 500), data.substr(299500));
  EXPECT_EQ(fs_->Fsync(fh), 0);
  WriteAt(fh, data.size(), "more");
  ASSERT_EQ(fs_->Read(fh, buf.data(), 10, data.size()), 4);
  EXPECT_EQ(buf.substr(0, 4), "more");
  EXPECT_EQ(fs_->Release(fh), 0);
  EXPECT_EQ(Cat("/rw"), data + "more");
  EXPECT_EQ(fs_->Read(fh, buf.data(), 10, 0), -EBADF);
}

}  // namespace
}  // namespace cairn::fuse
