#include "compute/jobmaster/history_store.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "compute/ids.h"
#include "compute/local_files.h"

namespace cairn::compute {

Result<std::unique_ptr<HistoryStore>> HistoryStore::Open(const std::string& data_dir) {
  std::string dir = data_dir + "/history";
  RETURN_IF_ERROR(MakeDirectories(dir));
  return std::unique_ptr<HistoryStore>(new HistoryStore(dir));
}

std::vector<JobReport> HistoryStore::LoadAll() const {
  std::vector<JobReport> jobs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 4) != ".job") continue;
    JobReport r;
    Status st = ReadProtoFile(entry.path().string(), &r);
    if (!st.ok()) {
      spdlog::warn("job history: skipping {}: {}", name, st.ToString());
      continue;
    }
    jobs.push_back(std::move(r));
  }
  if (ec) spdlog::warn("job history: cannot list {}: {}", dir_, ec.message());
  std::sort(jobs.begin(), jobs.end(), [](const JobReport& a, const JobReport& b) {
    return a.submit_ms() != b.submit_ms() ? a.submit_ms() < b.submit_ms() : a.job_id() < b.job_id();
  });
  return jobs;
}

Status HistoryStore::Save(const JobReport& report) {
  if (!IsSafeId(report.job_id())) return InvalidArgument("bad job id '{}'", report.job_id());
  return WriteProtoFile(PathOf(report.job_id()), report, /*sync=*/true);
}

Status HistoryStore::Remove(const std::string& job_id) {
  if (!IsSafeId(job_id)) return InvalidArgument("bad job id '{}'", job_id);
  if (::unlink(PathOf(job_id).c_str()) != 0 && errno != ENOENT) return ErrnoError(errno, "unlink " + PathOf(job_id));
  return Status::OK();
}

}  // namespace cairn::compute
