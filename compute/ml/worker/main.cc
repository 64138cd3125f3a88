// cairn-ml-worker: one ML job's worker on one executor (see ml_worker.h). The executor
// starts it when the job's first task lands on its node and kills it when the job ends.
// It listens on the Unix socket <dir>/worker.sock (nowhere on the network: the job master
// reaches it through the executor) and writes "unix:<dir>/worker.sock" to <dir>/address
// once serving.
#include <cstdio>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "common/flags.h"
#include "common/logging.h"
#include "common/signals.h"
#include "compute/local_files.h"
#include "compute/ml/worker/ml_worker.h"

int main(int argc, char** argv) {
  using namespace cairn;
  BlockShutdownSignals();
  ml::MlWorkerSettings settings;
  std::string dir;
  LogSettings log;
  FlagSet flags("cairn-ml-worker", "Cairn ML worker: one ML job's cached partitions and steps on one executor.");
  flags.Add("ml_worker_dir", &dir, "directory the worker writes its address file into");
  flags.Add("ml_worker_cache_bytes", &settings.cache_bytes, "bytes of parsed partitions kept in memory");
  flags.Add("ml_worker_backend", &settings.backend, "kernel backend: empty (automatic), cpu or cuda");
  flags.Add("ml_worker_threads", &settings.threads, "CPU kernel threads (0: every core)");
  AddLogFlags(flags, &log);
  Status st = flags.Parse(argc, argv);
  if (!st.ok() || dir.empty()) {
    std::fprintf(stderr, "cairn-ml-worker: %s\n", st.ok() ? "--ml_worker_dir is required" : st.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  InitLogging("ml-worker", log);
  settings.dir = dir;
  auto worker = ml::MlWorker::Create(settings);
  if (!worker.ok()) {
    spdlog::critical("cannot start: {}", worker.status().ToString());
    return 1;
  }
  const std::string address = ml::MlWorkerAddress(dir);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials());
  builder.RegisterService(worker->get());
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    spdlog::critical("cannot listen on {}", address);
    return 1;
  }
  st = compute::WriteFileAtomically(dir + "/address", address, /*sync=*/false);
  if (!st.ok()) {
    spdlog::critical("cannot write the address file: {}", st.ToString());
    return 1;
  }
  spdlog::info("ML worker serving on {} ({} kernels, cache {} bytes)", address, (*worker)->backend_name(),
               settings.cache_bytes);
  int sig = WaitForShutdownSignal();
  spdlog::info("signal {} received; stopping", sig);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
