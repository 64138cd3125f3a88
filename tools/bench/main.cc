// cairn-bench: throughput and namenode benchmarks, one JSON line per figure.
//   cairn-bench dfsio --write|--read [--size 1GiB] [--files N] ...
//   cairn-bench nn --op create|getFileInfo|mkdirs|delete [--threads T] [--ops N] ...
//   cairn-bench fuse [--size 1GiB] [--mount-options OPTS] ...
//   cairn-bench mr wordcount|sort [--size 1GiB] [--reducers N] ...
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/logging.h"
#include "tools/bench/benchmarks.h"

namespace {
constexpr const char* kUsage =
    "usage: cairn-bench dfsio --write|--read [--size SIZE] [--files N] [--dir DIR] [--local-dir DIR] [--runs N]\n"
    "       cairn-bench nn --op create|getFileInfo|mkdirs|delete [--threads T] [--ops N] [--runs N]\n"
    "       cairn-bench fuse [--size SIZE] [--mount-options OPTS] [--runs N]   (root and /dev/fuse)\n"
    "       cairn-bench mr wordcount|sort [--size SIZE] [--reducers N] [--runs N] [--jobmaster HOST:PORT]\n"
    "       cairn-bench ml logreg|kmeans [--rows R] [--features F] [--iterations N] [--runs N]\n"
    "Common options: --namenode HOST:PORT (default $CAIRN_NAMENODE), --user NAME, --keep.\n"
    "`cairn-bench BENCHMARK --help` describes each benchmark (dfsio, nn, fuse, mr, ml).\n";
}  // namespace

int main(int argc, char** argv) {
  cairn::LogSettings log;
  const char* level = std::getenv("CAIRN_LOG_LEVEL");
  log.log_level = level != nullptr ? level : "warn";
  cairn::InitLogging("cairn-bench", log);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string bench = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  bool usage_error = false;
  cairn::Status st;
  if (bench == "dfsio") {
    st = cairn::bench::RunDfsio(rest, &usage_error);
  } else if (bench == "nn") {
    st = cairn::bench::RunNnBench(rest, &usage_error);
  } else if (bench == "fuse") {
    st = cairn::bench::RunFuseBench(rest, &usage_error);
  } else if (bench == "mr") {
    st = cairn::bench::RunMrBench(rest, &usage_error);
  } else if (bench == "ml") {
    st = cairn::bench::RunMlBench(rest, &usage_error);
  } else {
    std::fprintf(stderr, "cairn-bench: unknown benchmark '%s'\n%s", bench.c_str(), kUsage);
    return 2;
  }
  if (st.ok()) return 0;
  std::fprintf(stderr, "cairn-bench: %s: %s\n", bench.c_str(), st.message().c_str());
  return usage_error ? 2 : 1;
}
