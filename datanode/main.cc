// cairn-datanode: stores blocks on local disks and serves HDFS's DataTransferProtocol.
#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/flags.h"
#include "common/logging.h"
#include "common/process_limits.h"
#include "common/signals.h"
#include "datanode/datanode.h"

int main(int argc, char** argv) {
  cairn::BlockShutdownSignals();
  cairn::datanode::DatanodeSettings settings;
  cairn::LogSettings log_settings;
  cairn::FlagSet flags("cairn-datanode", "Cairn datanode: block storage and the HDFS data transfer protocol.");
  cairn::datanode::AddDatanodeFlags(flags, &settings);
  cairn::AddLogFlags(flags, &log_settings);
  cairn::Status st = flags.Parse(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-datanode: %s\n", st.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  cairn::InitLogging("datanode", log_settings);
  // Every transfer connection holds a socket and two replica files.
  spdlog::info("file descriptor limit {}", cairn::RaiseFileDescriptorLimit());
  auto dn = cairn::datanode::Datanode::Start(settings);
  if (!dn.ok()) {
    spdlog::critical("cannot start: {}", dn.status().ToString());
    return 1;
  }
  int sig = cairn::WaitForShutdownSignal();
  spdlog::info("signal {}: shutting down", sig);
  (*dn)->Stop();
  spdlog::info("stopped");
  return 0;
}
