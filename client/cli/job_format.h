// Text and JSON renderings of jobs for the `cairn job` commands: the status page, the
// one-line list entries, the map/reduce progress line of `job wait`, the attempt logs, and
// the JSON objects of --json (field names are part of the CLI's interface: keep them).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cairn/compute.pb.h"

namespace cairn::cli {

// Share of launched maps that ran node-local (0..1), from the job's counters; for gang
// jobs, the share of input bytes given to workers on a node holding a replica.
double DataLocalShare(const JobReport& job);

std::string JobStatusText(const JobReport& job);
std::string JobListLine(const JobReport& job);
// "map [=====>    ]  62% 5/8   reduce [          ]   0% 0/1"
std::string JobProgressLine(const JobReport& job, int bar_width = 20);
// Every attempt of the tasks that match `task` (all when empty): state, node, exit code,
// diagnostics and the tail of its stderr.
std::string JobLogsText(const JobReport& job, const std::string& task);
// Whether a task or attempt id matches a --task filter: the full id, or its end
// ("m_000003", "r_000000", "m_000003_1").
bool TaskMatches(const std::string& id, const std::string& filter);

nlohmann::json JobToJson(const JobReport& job);
std::string ExecutorLine(const ExecutorReport& e);
// "2 (0.5 in use): 0: NVIDIA H100 80.0GiB; 1: ..." or "none".
std::string ExecutorGpuText(const ExecutorReport& e);
nlohmann::json GpuDevicesJson(const ComputeResources& r);
nlohmann::json ExecutorToJson(const ExecutorReport& e);

}  // namespace cairn::cli
