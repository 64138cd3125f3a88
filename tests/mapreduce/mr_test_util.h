// Helpers of the MapReduce integration tests: generated text and records, single-process
// reference answers, reading a job's output back, and running a job to its end.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/file_system.h"
#include "client/job_client.h"
#include "common/clock.h"
#include "compute/counters.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::testing {

// Lines of words from a small vocabulary with a skewed distribution, lengths 0..~200, so
// lines cross block boundaries everywhere.
inline std::string GenerateText(size_t bytes, uint64_t seed) {
  static const char* kWords[] = {"the", "cairn", "data", "block", "replica", "node", "rack", "local", "map",
                                 "reduce", "shuffle", "sort", "a", "of", "to", "stone", "mountain", "path",
                                 "Cairn", "THE", "x", "yy", "zzz", "hello,", "world!"};
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(bytes + 256);
  while (out.size() < bytes) {
    int words = static_cast<int>(rng() % 30);
    for (int i = 0; i < words; ++i) {
      size_t w = std::min<size_t>(rng() % 25, rng() % 25);
      if (i > 0) out += (rng() % 7 == 0) ? "\t" : " ";
      out += kWords[w];
      if (rng() % 50 == 0) out += std::to_string(rng() % 1000);
    }
    out += "\n";
  }
  return out;
}

inline std::map<std::string, uint64_t> ReferenceWordCount(const std::vector<std::string>& texts) {
  std::map<std::string, uint64_t> counts;
  for (const auto& text : texts) {
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      size_t s = i;
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i > s) counts[text.substr(s, i - s)]++;
    }
  }
  return counts;
}

// Writes data to path (replacing it) with the cluster's block size and replication.
inline Status WriteFile(client::FileSystem& fs, const std::string& path, const std::string& data) {
  client::CreateOptions o;
  o.overwrite = true;
  return WriteRemoteFile(fs, path, data, o);
}

// The output directory's part files in name order, concatenated; *names gets their names.
// The job report a `cairn job … --json` command printed: its first JSON line (a failed
// job adds a line after it); an error quoting the output when there is none.
inline Result<nlohmann::json> JobReportJson(const std::string& cli_output) {
  const size_t start = cli_output.find('{');
  if (start == std::string::npos) return Internal("no JSON job report in: {}", cli_output);
  const size_t end = cli_output.find('\n', start);
  return nlohmann::json::parse(cli_output.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

// The first block file (not its .meta) on datanode i's disks, "" when none.
inline std::string FirstBlockFile(const MiniCluster& cluster, int i = 0) {
  for (const auto& d : cluster.datanode_data_dirs(i)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(d)) {
      const std::string name = e.path().filename().string();
      if (e.is_regular_file() && name.rfind("blk_", 0) == 0 && name.find(".meta") == std::string::npos)
        return e.path().string();
    }
  }
  return "";
}

inline Result<std::string> ReadOutput(client::FileSystem& fs, const std::string& dir,
                                      std::vector<std::string>* names = nullptr) {
  ASSIGN_OR_RETURN(std::vector<client::FileStatus> entries, fs.List(dir));
  std::string all;
  for (const auto& e : entries) {
    if (names) names->push_back(e.name);
    if (e.name.rfind("part-", 0) != 0) continue;
    ASSIGN_OR_RETURN(std::string data, ReadRemoteFile(fs, e.path));
    all += data;
  }
  return all;
}

// "key\tvalue" lines into a map (each key once, else an empty map and a test failure).
inline std::map<std::string, uint64_t> ParseCounts(const std::string& output) {
  std::map<std::string, uint64_t> out;
  size_t start = 0;
  while (start < output.size()) {
    size_t nl = output.find('\n', start);
    std::string line = output.substr(start, nl - start);
    start = nl == std::string::npos ? output.size() : nl + 1;
    size_t tab = line.rfind('\t');
    EXPECT_NE(tab, std::string::npos) << "line without a tab: " << line;
    if (tab == std::string::npos) continue;
    std::string key = line.substr(0, tab);
    EXPECT_EQ(out.count(key), 0u) << "key twice: " << key;
    out[key] = std::stoull(line.substr(tab + 1));
  }
  return out;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

inline Result<JobReport> RunJob(client::JobClient& jobs, const JobSpec& spec, int timeout_ms = 180000) {
  ASSIGN_OR_RETURN(std::string id, jobs.Submit(spec));
  int64_t deadline = MonotonicMillis() + timeout_ms;
  for (;;) {
    ASSIGN_OR_RETURN(JobReport r, jobs.Status(id, true));
    if (r.state() != JOB_RUNNING) return r;
    if (MonotonicMillis() > deadline) return TimedOut("job {} still running after {} ms", id, timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

inline int64_t Counter(const JobReport& r, const std::string& name, const std::string& group = "cairn") {
  return compute::FindCounter(r.counters(), name, group);
}

inline JobSpec Builtin(const std::string& name, std::vector<std::string> inputs, const std::string& output) {
  JobSpec spec;
  spec.set_kind(JobSpec::BUILTIN);
  spec.set_builtin(name);
  for (auto& i : inputs) spec.add_input_paths(i);
  spec.set_output_path(output);
  return spec;
}

}  // namespace cairn::testing
