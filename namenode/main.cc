// cairn-namenode: the namespace and block-map server of Cairn. See namenode/namenode.h.
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/flags.h"
#include "common/logging.h"
#include "common/process_limits.h"
#include "common/signals.h"
#include "namenode/namenode.h"
#include "namenode/settings.h"

int main(int argc, char** argv) {
  using namespace cairn;
  BlockShutdownSignals();
  namenode::NamenodeSettings settings;
  FlagSet flags("cairn-namenode", "Cairn namenode: the file system namespace, block map and datanode registry.");
  namenode::RegisterNamenodeFlags(flags, &settings);
  Status st = flags.Parse(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-namenode: %s\n", st.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  st = namenode::FinalizeNamenodeSettings(&settings);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-namenode: %s\n", st.message().c_str());
    return 2;
  }
  InitLogging("namenode", settings.log);
  // Client connections and RocksDB files each hold a descriptor: a RocksDB write that fails
  // for want of one stops every namespace change.
  spdlog::info("file descriptor limit {}", RaiseFileDescriptorLimit());
  auto nn = namenode::Namenode::Create(settings);
  if (!nn.ok()) {
    spdlog::critical("cannot start: {}", nn.status().ToString());
    return 1;
  }
  // The main thread's signal wait below then runs the orderly shutdown.
  (*nn)->OnStoreFailure([] { ::kill(::getpid(), SIGTERM); });
  st = (*nn)->Start();
  if (!st.ok()) {
    spdlog::critical("cannot start: {}", st.ToString());
    return 1;
  }
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received; shutting down", sig);
  (*nn)->Stop();
  if ((*nn)->store_failed()) {
    spdlog::critical("namenode stopped after a failed namespace write");
    return 1;
  }
  spdlog::info("namenode stopped");
  return 0;
}
