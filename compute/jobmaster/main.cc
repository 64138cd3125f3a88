// cairn-jobmaster: accepts MapReduce jobs and schedules their tasks on the executors of the
// datanodes that hold the input. See compute/jobmaster/job_master.h.
#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/flags.h"
#include "common/logging.h"
#include "common/signals.h"
#include "compute/jobmaster/job_master.h"

int main(int argc, char** argv) {
  using namespace cairn;
  BlockShutdownSignals();
  compute::JobMasterSettings settings;
  FlagSet flags("cairn-jobmaster", "Cairn job master: MapReduce jobs scheduled next to their data.");
  compute::RegisterJobMasterFlags(flags, &settings);
  Status st = flags.Parse(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-jobmaster: %s\n", st.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  InitLogging("jobmaster", settings.log);
  auto jm = compute::JobMaster::Create(settings);
  if (!jm.ok()) {
    spdlog::critical("cannot start: {}", jm.status().ToString());
    return 1;
  }
  st = (*jm)->Start();
  if (!st.ok()) {
    spdlog::critical("cannot start: {}", st.ToString());
    return 1;
  }
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received; shutting down", sig);
  (*jm)->Stop();
  spdlog::info("job master stopped");
  return 0;
}
