#include <cstdio>
#include <cstdlib>

#include "tools/bench/benchmarks.h"

namespace cairn::bench {

void CommonArgs::AddTo(cli::ArgParser& parser) {
  parser.Option("--namenode", &namenode, "HOST:PORT", "namenode: HOST:PORT (gRPC door) or hdfs://HOST:PORT (IPC door); default $CAIRN_NAMENODE")
      .Option("--user", &user, "NAME", "user to act as")
      .Option("--runs", &runs, "N", "repetitions; the median is reported (default 3)")
      .Option("--local-dir", &local_dir, "DIR", "where baseline files go (default $TMPDIR or /tmp)")
      .Flag("--keep", &keep, "keep the benchmark's files afterwards");
}

Result<bool> CommonArgs::Parse(cli::ArgParser& parser, const std::vector<std::string>& args, bool* usage_error) {
  AddTo(parser);
  *usage_error = true;
  RETURN_IF_ERROR(parser.Parse(args));
  if (!parser.help_requested()) return true;
  std::fputs(parser.Help("cairn-bench").c_str(), stdout);
  *usage_error = false;
  return false;
}

Result<int> CommonArgs::Runs() const {
  ASSIGN_OR_RETURN(uint64_t n, cli::ParseCount(runs, "--runs", 1000));
  if (n == 0) return InvalidArgument("--runs must be at least 1");
  return static_cast<int>(n);
}

std::string CommonArgs::LocalDir() const {
  if (!local_dir.empty()) return local_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

Result<std::unique_ptr<client::FileSystem>> CommonArgs::Connect() const {
  client::ClientOptions opts;
  opts.namenode = namenode;
  if (opts.namenode.empty()) {
    const char* env = std::getenv("CAIRN_NAMENODE");
    if (env != nullptr) opts.namenode = env;
  }
  opts.user = user;
  return client::FileSystem::Connect(opts);
}

}  // namespace cairn::bench
