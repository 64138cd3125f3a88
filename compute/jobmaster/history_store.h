// HistoryStore: the job master's durable record of jobs, one file per job under
// <data_dir>/history/<job_id>.job holding its JobReport (with tasks and attempts, so that
// `cairn job logs` works after a restart). Each save replaces the file atomically and is
// synced before it returns. A job is saved when submitted (RUNNING) and when it ends; at
// start-up a job still RUNNING in the history was cut short by a restart.
//
// Thread-safety: Save/Remove may be called from any thread for different jobs; one caller
// at a time per job (the job master's committer thread after submission).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "common/status.h"

namespace cairn::compute {

class HistoryStore {
 public:
  static Result<std::unique_ptr<HistoryStore>> Open(const std::string& data_dir);

  // Every stored job, oldest submission first. Unreadable files are skipped with a warning.
  std::vector<JobReport> LoadAll() const;
  Status Save(const JobReport& report);
  Status Remove(const std::string& job_id);

 private:
  explicit HistoryStore(std::string dir) : dir_(std::move(dir)) {}
  std::string PathOf(const std::string& job_id) const { return dir_ + "/" + job_id + ".job"; }
  const std::string dir_;
};

}  // namespace cairn::compute
