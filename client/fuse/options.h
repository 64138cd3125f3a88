// The cairn-fuse command line: `cairn-fuse MOUNTPOINT [--namenode HOST:PORT] [-o opt[,opt]...]
// [-f] [-d] [-s] [--flag=value ...]`.
//
// Mount options (-o) are split in two: a Cairn setting given as an option (namenode=,
// user=, attr_timeout_ms=, readahead=, ..., and libfuse's own attr_timeout=,
// entry_timeout=, negative_timeout= in seconds) becomes the matching flag; every other
// option (allow_other, default_permissions, ro, fsname=, ...) goes to libfuse and the
// kernel unchanged. The flags are then parsed by FlagSet, so each setting has one parser.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "client/fuse/settings.h"
#include "common/status.h"

namespace cairn::fuse {

struct CommandLine {
  FuseSettings settings;
  bool help = false;  // --help or -h: print Usage() and exit 0
};

// args excludes argv[0]. kInvalidArgument for usage errors.
Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args);
std::string Usage();

}  // namespace cairn::fuse
