// Data through a real mount under load and faults: concurrent readers of one file, fio
// sequential write and read jobs with verification, and a read that is in progress when
// the datanode it reads from is killed.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/fuse/mount_fixture.h"

namespace cairn::fuse {
namespace {

TEST_F(MountTest, ConcurrentReadersOfOneFile) {
  ShOk(R"sh(
head -c 16777216 /dev/urandom > $L/big
cairn put $L/big /big
want=$(sha256sum < $L/big | cut -d' ' -f1)
for i in 1 2 3 4 5 6; do (sha256sum < $M/big > $L/sum$i) & done
wait
for i in 1 2 3 4 5 6; do test "$(cut -d' ' -f1 < $L/sum$i)" = "$want"; done
)sh");
}

// Fields of fio's terse (version 3) line for the job: [4] error, [5] KiB read, [46] KiB written.
std::vector<std::string> TerseFields(const std::string& out) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("3;", 0) != 0) continue;
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string f; std::getline(parts, f, ';');) fields.push_back(f);
    return fields;
  }
  return {};
}

TEST_F(MountTest, FioSequentialWriteAndReadJobsVerify) {
  // fallocate=none: Cairn files cannot be preallocated (fio would emulate it with writes
  // inside the file, which append-only files refuse).
  const std::string common = "--directory=$M/fio --filename=data --bs=1M --size=32M --ioengine=psync "
                             "--fallocate=none --verify=crc32c --output-format=terse --terse-version=3";
  ShOk("mkdir $M/fio");
  // Write, fsync at the end, then read everything back and check every block.
  auto r = Sh("fio --name=seqwrite --rw=write --do_verify=1 --end_fsync=1 " + common);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto f = TerseFields(r.out);
  ASSERT_GT(f.size(), 46u) << r.out;
  EXPECT_EQ(f[4], "0") << r.out;
  EXPECT_EQ(f[5], "32768") << "the verification read it all back: " << r.out;
  EXPECT_EQ(f[46], "32768") << r.out;
  // A pure sequential read pass that verifies what the write job left.
  r = Sh("fio --name=seqwrite --rw=write --verify_only " + common);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  f = TerseFields(r.out);
  ASSERT_GT(f.size(), 5u) << r.out;
  EXPECT_EQ(f[4], "0") << r.out;
  EXPECT_EQ(f[5], "32768") << r.out;
  // Four sequential readers at once.
  r = Sh("fio --name=seqread --rw=read --numjobs=4 --directory=$M/fio --filename=data --bs=1M --size=32M "
         "--ioengine=psync --output-format=terse --terse-version=3");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  ShOk("test \"$(stat -c %s $M/fio/data)\" = 33554432 && cairn cat /fio/data | cmp - $M/fio/data");
}

// Ports of the datanodes this process's sockets talk to right now (from /proc/net/tcp).
std::set<int> ConnectedDatanodePorts(const std::set<int>& datanode_ports) {
  std::set<int> found;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state != "01") continue;  // ESTABLISHED
    const int port = std::stoi(remote.substr(remote.find(':') + 1), nullptr, 16);
    const int local_port = std::stoi(local.substr(local.find(':') + 1), nullptr, 16);
    // The client side of a connection to a datanode: remote is its port, local is not.
    if (datanode_ports.count(port) && !datanode_ports.count(local_port)) found.insert(port);
  }
  return found;
}

class MountFaultTest : public MountTest {
 protected:
  MountFaultTest() {
    cluster_options_.datanodes = 3;
    cluster_options_.replication = 3;
    // One block for the whole file: more of it is left to send when the node dies than
    // socket buffers hold, so the reader always meets the death (with 8 MiB blocks the
    // rest of the first block could sit in buffers and the next blocks come from others).
    cluster_options_.block_size = 32 << 20;
    // A short read-ahead, so the read is still inside a block when the node dies.
    mount_args_ = {"-o", "readahead=1MiB,readahead_chunk=256KiB"};
  }
};

TEST_F(MountFaultTest, AReadInProgressSurvivesTheDeathOfItsDatanode) {
  const std::string data = cairn::testing::RandomBytes(24 << 20, 11);
  ASSERT_OK(cairn::testing::WriteLocalFile(local_ + "/big", data));
  ShOk("cairn put $L/big /big");
  const int fd = ::open((mnt_ + "/big").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::string got;
  std::string buf(128 * 1024, '\0');
  auto read_some = [&](size_t bytes) {
    while (got.size() < bytes) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      ASSERT_GT(n, 0) << "read failed at " << got.size() << ": " << strerror(errno);
      got.append(buf.data(), static_cast<size_t>(n));
    }
  };
  read_some(2 << 20);
  // Kill the datanode the read is streaming from (its block reader is mid-block).
  std::map<int, int> index_of_port;
  std::set<int> ports;
  for (int i = 0; i < cluster_->num_datanodes(); ++i) {
    const std::string addr = cluster_->datanode_address(i);
    const int port = std::stoi(addr.substr(addr.rfind(':') + 1));
    index_of_port[port] = i;
    ports.insert(port);
  }
  std::set<int> serving;
  ASSERT_EVENTUALLY(!(serving = ConnectedDatanodePorts(ports)).empty(), 10000);
  const int victim = index_of_port[*serving.begin()];
  ASSERT_OK(cluster_->StopDatanode(victim, SIGKILL));
  read_some(data.size());
  EXPECT_EQ(::read(fd, buf.data(), buf.size()), 0);
  ::close(fd);
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "the bytes read differ from the file's";
  // The switch to another replica was logged.
  ShOk("grep -q 'trying another replica' " + cluster_->dir() + "/fuse.log");
}

}  // namespace
}  // namespace cairn::fuse
