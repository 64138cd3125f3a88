// cairn-fault-writer: a client process for fault tests to kill. It writes --bytes bytes of
// seeded pseudo-random data (testing::RandomBytes(bytes, seed), so a test can regenerate
// them) to --path in --chunk pieces, hflushing after each and printing "acked <bytes>" once
// the hflush returned, i.e. once those bytes are acknowledged by the pipeline and visible
// at the namenode. With --close it closes the file at the end and prints "closed";
// without, it waits to be killed. Any error is printed as "error: <status>" (exit 1).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "client/file_system.h"
#include "common/flags.h"
#include "common/logging.h"
#include "tests/support/test_util.h"

int main(int argc, char** argv) {
  std::string namenode, path;
  uint64_t bytes = 0, chunk = 64 * 1024, seed = 1;
  int replication = 3, pause_ms = 0;
  uint64_t block_size = 0;
  bool close = false;
  cairn::FlagSet flags("cairn-fault-writer", "Writes and hflushes a file until killed (fault tests).");
  flags.Add("namenode", &namenode, "namenode gRPC address HOST:PORT");
  flags.Add("path", &path, "file to create");
  flags.Add("bytes", &bytes, "bytes to write in all");
  flags.Add("chunk", &chunk, "bytes per write + hflush");
  flags.Add("seed", &seed, "seed of the data");
  flags.Add("replication", &replication, "replication of the file");
  flags.Add("block_size", &block_size, "block size of the file (0: the namenode's default)");
  flags.Add("pause_ms", &pause_ms, "sleep between chunks");
  flags.Add("close", &close, "close the file at the end (else wait to be killed)");
  cairn::Status st = flags.Parse(argc, argv);
  if (!st.ok() || namenode.empty() || path.empty() || chunk == 0) {
    std::fprintf(stderr, "cairn-fault-writer: %s\n%s", st.ok() ? "--namenode, --path and --chunk are required" : st.message().c_str(),
                 flags.Usage().c_str());
    return 2;
  }
  cairn::LogSettings log;
  log.log_level = "info";
  cairn::InitLogging("fault-writer", log);
  auto fail = [](const cairn::Status& s) {
    std::printf("error: %s\n", s.ToString().c_str());
    std::fflush(stdout);
    return 1;
  };
  cairn::client::ClientOptions options;
  options.namenode = namenode;
  auto fs = cairn::client::FileSystem::Connect(options);
  if (!fs.ok()) return fail(fs.status());
  cairn::client::CreateOptions create;
  create.replication = static_cast<uint32_t>(replication);
  create.block_size = block_size;
  auto out = (*fs)->Create(path, create);
  if (!out.ok()) return fail(out.status());
  const std::string data = cairn::testing::RandomBytes(bytes, seed);
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = std::min<uint64_t>(chunk, bytes - done);
    st = (*out)->Write(data.data() + done, n);
    if (st.ok()) st = (*out)->Hflush();
    if (!st.ok()) return fail(st);
    done += n;
    std::printf("acked %llu\n", static_cast<unsigned long long>(done));
    std::fflush(stdout);
    if (pause_ms > 0) ::usleep(static_cast<useconds_t>(pause_ms) * 1000);
  }
  if (close) {
    st = (*out)->Close();
    if (!st.ok()) return fail(st);
    std::printf("closed\n");
    std::fflush(stdout);
    return 0;
  }
  for (;;) ::pause();
}
