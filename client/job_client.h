// JobClient: the client library's side of Cairn's compute. It talks to cairn-jobmaster
// (service cairn.JobMaster) to submit jobs, follow them, list, kill them and read their
// attempts' logs; the `cairn job` commands are built on it. StageFiles uploads local files
// (streaming --files, a plugin library) to a staging directory on Cairn, from where every
// task copies them into its working directory.
//
// Thread-safety: a JobClient may be shared between threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "client/file_system.h"
#include "common/status.h"

namespace cairn::client {

struct JobClientOptions {
  std::string jobmaster;     // HOST:PORT; empty: $CAIRN_JOBMASTER
  std::string user;          // empty: as FileSystem ($CAIRN_USER, $HADOOP_USER_NAME, the OS user)
  int rpc_timeout_ms = 120000;  // submission plans the job at the namenode, which can take a while
  // Kerberos (a job master with --security=kerberos): the job master's principal
  // ("jm/_HOST@REALM"; empty: $CAIRN_JOBMASTER_PRINCIPAL). Set: log in with the ticket
  // kinit got (client/grpc_login_client.h), and give every job a delegation token for
  // the ticket's user, fetched from `namenode` with the job master as renewer.
  std::string principal;
  // Kerberos: where job tokens come from, asked for at the first submission (the
  // FileSystem must outlive the client).
  std::function<Result<FileSystem*>()> namenode;
  std::string tls_ca_file;         // the cluster CA; set: TLS. Empty: $CAIRN_TLS_CA_FILE
};

class JobClient {
 public:
  static Result<std::unique_ptr<JobClient>> Connect(const JobClientOptions& options);
  ~JobClient();

  // The job's id; bad jobs (unknown built-in, missing input, existing output) are refused
  // here. In kerberos mode it first fetches the job's delegation token (see options).
  Result<std::string> Submit(const JobSpec& spec);
  Result<JobReport> Status(const std::string& job_id, bool include_tasks = false);
  // Newest first.
  Result<std::vector<JobReport>> List(bool include_finished = true);
  // The job's state after the call (a finished job stays as it ended).
  Result<JobState> Kill(const std::string& job_id);
  // ML jobs (compute/ml/): one step over every loaded partition, summed; Unavailable while
  // partitions are (re)loading. MlFinish ends the job (succeeded or failed with diagnostics).
  Result<MlPartial> MlStep(const std::string& job_id, const MlCommand& command, int timeout_ms);
  cairn::Status MlFinish(const std::string& job_id, bool succeeded, const std::string& diagnostics = "");
  // The executors the job master knows, with their resources and load.
  Result<std::vector<ExecutorReport>> Executors();
  // Polls every poll_ms until the job ends, calling on_poll with each report; returns the
  // final report (with tasks).
  Result<JobReport> Wait(const std::string& job_id, const std::function<void(const JobReport&)>& on_poll = {},
                         int poll_ms = 500);

  const std::string& user() const { return user_; }
  const std::string& address() const { return address_; }

  // Copies local files into staging_dir on Cairn (created if needed); returns their paths.
  static Result<std::vector<std::string>> StageFiles(FileSystem& fs, const std::vector<std::string>& local_paths,
                                                     const std::string& staging_dir);

 private:
  struct Impl;
  explicit JobClient(std::unique_ptr<Impl> impl, std::string user, std::string address);
  // Kerberos: a delegation token for this client's user, renewable by the job master.
  Result<hadoop::common::TokenProto> FetchJobToken();
  std::unique_ptr<Impl> impl_;
  std::string user_;
  std::string address_;
};

}  // namespace cairn::client
