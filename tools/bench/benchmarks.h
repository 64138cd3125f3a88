// cairn-bench's benchmarks. Each parses its own arguments (with the CLI's ArgParser), runs
// its figure `--runs` times against the cluster and against a baseline measured in the
// same run on this machine, and prints one JSON line with the medians and their ratio.
//
// Thread-safety: called once from main.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/cli/args.h"
#include "client/file_system.h"
#include "common/status.h"

namespace cairn::bench {

// Options every benchmark takes.
struct CommonArgs {
  std::string namenode;  // empty: $CAIRN_NAMENODE
  std::string user;
  std::string runs = "3";
  std::string local_dir;  // baseline files go here; empty: $TMPDIR or /tmp
  bool keep = false;      // leave the benchmark's files behind

  void AddTo(cli::ArgParser& parser);
  // Adds these options to parser and parses args. Returns false when --help was asked (the
  // help is printed: nothing to run). Errors from here on count as usage errors (exit 2)
  // unless the benchmark clears *usage_error once it starts measuring.
  Result<bool> Parse(cli::ArgParser& parser, const std::vector<std::string>& args, bool* usage_error);
  Result<int> Runs() const;
  std::string LocalDir() const;
  Result<std::unique_ptr<client::FileSystem>> Connect() const;
};

// Returns kInvalidArgument for usage errors (exit code 2).
Status RunDfsio(const std::vector<std::string>& args, bool* usage_error);
Status RunNnBench(const std::vector<std::string>& args, bool* usage_error);
Status RunFuseBench(const std::vector<std::string>& args, bool* usage_error);
Status RunMrBench(const std::vector<std::string>& args, bool* usage_error);
Status RunMlBench(const std::vector<std::string>& args, bool* usage_error);

}  // namespace cairn::bench
