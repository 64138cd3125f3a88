// cairn-fuse: mounts a Cairn namespace as a local folder.
//   cairn-fuse MOUNTPOINT [--namenode HOST:PORT] [-o OPT[,OPT...]] [-f] [-d] [-s]
// Exit codes: 0 mounted (and, with -f, unmounted cleanly), 1 failure, 2 usage error.
#include <cstdio>
#include <string>
#include <vector>

#include "client/fuse/mount.h"
#include "client/fuse/options.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto command_line = cairn::fuse::ParseCommandLine(args);
  if (!command_line.ok()) {
    std::fprintf(stderr, "cairn-fuse: %s\n", command_line.status().message().c_str());
    return 2;
  }
  if (command_line->help) {
    std::fputs(cairn::fuse::Usage().c_str(), stdout);
    return 0;
  }
  return cairn::fuse::RunMount(command_line->settings);
}
