// Real tools on a real mount: cp -r, tar, rsync, find, ls -lR, du, mv, rm -r, dd with
// large blocks, cat of files `cairn put` wrote and `cairn cat` of files written through
// the mount; the errors tools see; appends and truncating redirects; statfs.
#include <gtest/gtest.h>

#include "tests/fuse/mount_fixture.h"

namespace cairn::fuse {
namespace {

// A local tree with files from 0 bytes to several 1 MiB blocks, nested and empty
// directories, a symlink.
constexpr const char* kMakeTree = R"sh(
mkdir -p $L/src/a/b/c $L/src/empty $L/src/d
for s in 0 1 511 512 4096 65536 1048575 1048576 1048577 3670016; do
  head -c $s /dev/urandom > $L/src/f_$s
done
head -c 2500000 /dev/urandom > $L/src/a/b/c/deep
echo hello > $L/src/a/hello.txt
head -c 100000 /dev/urandom > $L/src/d/x
ln -s hello.txt $L/src/a/link
)sh";

// sha256 of every file under a directory, by relative path.
constexpr const char* kSums = "sums() { (cd \"$1\" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }\n";

TEST_F(MountTest, CopyTreeWithCpAndCompareChecksums) {
  ShOk(kMakeTree);
  ShOk(std::string(kSums) + R"sh(
cp -r $L/src $M/tree
diff <(sums $L/src) <(sums $M/tree)
diff <(cd $L/src && find . | sort) <(cd $M/tree && find . | sort)
test "$(readlink $M/tree/a/link)" = hello.txt
test "$(cat $M/tree/a/link)" = hello
cp -r $M/tree $L/back
diff <(sums $L/src) <(sums $L/back)
)sh");
  // The namespace holds the same bytes: read back with the CLI.
  ShOk("test \"$(cairn cat /tree/a/b/c/deep | sha256sum)\" = \"$(sha256sum < $L/src/a/b/c/deep)\"");
}

TEST_F(MountTest, FindLsDuOnTheMount) {
  ShOk(kMakeTree);
  ShOk("cp -r $L/src $M/tree");
  const std::string ls = ShOk("ls -lR $M/tree");
  EXPECT_NE(ls.find("f_3670016"), std::string::npos) << ls;
  EXPECT_NE(ls.find("link -> hello.txt"), std::string::npos) << ls;
  EXPECT_NE(ls.find("3670016"), std::string::npos) << ls;
  ShOk(R"sh(
test "$(find $M/tree -type f | wc -l)" = 13
test "$(find $M/tree -type d | wc -l)" = 6
test "$(find $M/tree -type l | wc -l)" = 1
test "$(find $M/tree -name 'f_1048576')" = "$M/tree/f_1048576"
# File sizes add up exactly; du counts the allocated blocks of every file.
bytes() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s}'; }
test "$(bytes $M/tree)" = "$(bytes $L/src)"
test "$(du -s --block-size=1 $M/tree | cut -f1)" -ge "$(bytes $L/src)"
test "$(du -s --block-size=1 $M/tree/a/b/c | cut -f1)" -ge 2500000
stat -c '%s %a' $M/tree/f_1048577 | grep -qx '1048577 [0-7]*'
)sh");
}

TEST_F(MountTest, TarIntoAndOutOfTheMount) {
  ShOk(kMakeTree);
  ShOk(std::string(kSums) + R"sh(
mkdir $M/t
tar c -C $L/src . | tar x -C $M/t
diff <(sums $L/src) <(sums $M/t)
# tar x restored the modification times.
test "$(stat -c %Y $L/src/d/x)" = "$(stat -c %Y $M/t/d/x)"
tar cf $M/archive.tar -C $L/src .
mkdir $L/out
tar xf $M/archive.tar -C $L/out
diff <(sums $L/src) <(sums $L/out)
mkdir $L/out2
tar c -C $M/t . | tar x -C $L/out2
diff <(sums $L/src) <(sums $L/out2)
)sh");
}

TEST_F(MountTest, RsyncArchiveModeAndASecondRunHasNothingToDo) {
  ShOk(kMakeTree);
  ShOk(std::string(kSums) + R"sh(
rsync -a $L/src/ $M/r/
diff <(sums $L/src) <(sums $M/r)
test "$(readlink $M/r/a/link)" = hello.txt
# Sizes, times and modes came through: nothing left to transfer.
test -z "$(rsync -ai $L/src/ $M/r/)"
echo changed >> $L/src/a/hello.txt
rsync -a $L/src/ $M/r/
test "$(cat $M/r/a/hello.txt)" = "$(printf 'hello\nchanged')"
rsync -a $M/r/ $L/back/
diff <(sums $L/src) <(sums $L/back)
)sh");
}

TEST_F(MountTest, MvAndRmR) {
  ShOk(kMakeTree);
  ShOk(R"sh(
cp -r $L/src $M/tree
mv $M/tree/f_4096 $M/tree/renamed
test ! -e $M/tree/f_4096
cmp $L/src/f_4096 $M/tree/renamed
mv $M/tree/a $M/moved_dir
cmp $L/src/a/b/c/deep $M/moved_dir/b/c/deep
# mv over an existing file replaces it.
mv $M/tree/f_1 $M/tree/f_512
cmp $L/src/f_1 $M/tree/f_512
test "$(stat -c %s $M/tree/f_512)" = 1
rm -r $M/tree $M/moved_dir
test ! -e $M/tree
test -z "$(ls $M)"
test "$(cairn ls /)" = "Found 0 items"
)sh");
}

TEST_F(MountTest, DdWithLargeBlocksAndCairnCatOfWhatItWrote) {
  ShOk(R"sh(
head -c 20971520 /dev/urandom > $L/big
dd if=$L/big of=$M/dd bs=1M status=none
dd if=$M/dd of=$L/dd_back bs=4M status=none
cmp $L/big $L/dd_back
test "$(cairn cat /dd | sha256sum)" = "$(sha256sum < $L/big)"
dd if=$L/big of=$M/dd16 bs=16M status=none
cmp $L/big $M/dd16
)sh");
}

TEST_F(MountTest, CatOfFilesWrittenByCairnPut) {
  ShOk(R"sh(
head -c 3000000 /dev/urandom > $L/p
cairn mkdir -p /put
cairn put $L/p /put/p
cat $M/put/p | cmp - $L/p
test "$(stat -c %s $M/put/p)" = 3000000
)sh");
}

TEST_F(MountTest, WritesInsideAFileFailWithEopnotsuppAndLeaveItIntact) {
  ShOk("head -c 10000 /dev/urandom > $L/f && cp $L/f $M/f");
  auto r = Sh("printf XX | dd of=$M/f bs=1 seek=100 conv=notrunc status=none");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("Operation not supported"), std::string::npos) << r.out;
  ShOk("cmp $L/f $M/f && cairn cat /f | cmp - $L/f");
  // The log names it.
  ShOk("grep -q 'EOPNOTSUPP' " + cluster_->dir() + "/fuse.log");
}

TEST_F(MountTest, ErrorsToolsSee) {
  auto r = Sh("cat $M/nothing");
  EXPECT_NE(r.out.find("No such file or directory"), std::string::npos) << r.out;
  ShOk("mkdir $M/d && touch $M/d/f");
  r = Sh("rmdir $M/d");
  EXPECT_NE(r.out.find("Directory not empty"), std::string::npos) << r.out;
  r = Sh("mkdir $M/d");
  EXPECT_NE(r.out.find("File exists"), std::string::npos) << r.out;
  r = Sh("mkdir $M/d/f/x");
  EXPECT_NE(r.out.find("Not a directory"), std::string::npos) << r.out;
  r = Sh("mv $M/d $M/d/f/inside");
  EXPECT_NE(r.exit_code, 0) << r.out;
}

TEST_F(MountTest, AppendsAndTruncatingRedirects) {
  ShOk(R"sh(
echo one > $M/f
echo two >> $M/f
test "$(cat $M/f)" = "$(printf 'one\ntwo')"
echo three > $M/f
test "$(cat $M/f)" = three
test "$(cairn cat /f)" = three
truncate -s 0 $M/f
test "$(stat -c %s $M/f)" = 0
truncate -s 0 $M/f
echo four >> $M/f
test "$(cat $M/f)" = four
: > $M/f
test ! -s $M/f
touch $M/t
test -e $M/t && test ! -s $M/t
chmod 600 $M/t
test "$(stat -c %a $M/t)" = 600
touch -d '2001-02-03 04:05:06' $M/t
test "$(stat -c %Y $M/t)" = "$(date -d '2001-02-03 04:05:06' +%s)"
)sh");
}

TEST_F(MountTest, StatFsReportsTheClusterCapacity) {
  std::string out = ShOk("set +x; df -B1 --output=size,avail $M | tail -1");
  out = out.substr(out.find("set +x\n") + 7);  // after bash's trace of `set +x`
  unsigned long long size = 0, avail = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "%llu %llu", &size, &avail), 2) << out;
  EXPECT_GT(size, 0u);
  EXPECT_GT(avail, 0u);
  EXPECT_LE(avail, size);
}

}  // namespace
}  // namespace cairn::fuse
