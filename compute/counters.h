// Counters of tasks and jobs. The framework's own counters live in group "cairn" under the
// names below (stable: the CLI, tests and benchmarks read them); user counters (streaming's
// reporter:counter lines, plugins' IncrementCounter) keep the group they were given.
// CounterSet sums counters by (group, name) and converts to and from the wire list.
//
// Thread-safety: CounterSet is a value; one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "cairn/compute.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace cairn::compute {

inline constexpr std::string_view kFrameworkGroup = "cairn";

namespace counter {
inline constexpr std::string_view kMapInputRecords = "map_input_records";
inline constexpr std::string_view kMapInputBytes = "map_input_bytes";
inline constexpr std::string_view kBytesReadLocal = "bytes_read_local";     // short-circuit block reads
inline constexpr std::string_view kBytesReadRemote = "bytes_read_remote";   // through the network
inline constexpr std::string_view kMapOutputRecords = "map_output_records";
inline constexpr std::string_view kMapOutputBytes = "map_output_bytes";
inline constexpr std::string_view kCombineInputRecords = "combine_input_records";
inline constexpr std::string_view kCombineOutputRecords = "combine_output_records";
inline constexpr std::string_view kSpilledRecords = "spilled_records";
inline constexpr std::string_view kShuffleBytes = "shuffle_bytes";
inline constexpr std::string_view kReduceInputGroups = "reduce_input_groups";
inline constexpr std::string_view kReduceInputRecords = "reduce_input_records";
inline constexpr std::string_view kOutputRecords = "output_records";
inline constexpr std::string_view kOutputBytes = "output_bytes";
// Job counters (kept by the job master).
inline constexpr std::string_view kDataLocalMaps = "data_local_maps";
inline constexpr std::string_view kRackLocalMaps = "rack_local_maps";
inline constexpr std::string_view kRemoteMaps = "remote_maps";
inline constexpr std::string_view kLaunchedMaps = "launched_maps";
inline constexpr std::string_view kLaunchedReduces = "launched_reduces";
inline constexpr std::string_view kFailedAttempts = "failed_attempts";
inline constexpr std::string_view kKilledAttempts = "killed_attempts";
inline constexpr std::string_view kSpeculativeAttempts = "speculative_attempts";
inline constexpr std::string_view kRerunMaps = "rerun_maps";                // outputs lost, run again
// Gang jobs (kept by the job master): workers started, whole-gang restarts, and the input
// bytes given to workers on a node holding a replica vs elsewhere.
inline constexpr std::string_view kLaunchedWorkers = "launched_workers";
inline constexpr std::string_view kGangRestarts = "gang_restarts";
inline constexpr std::string_view kShardBytesLocal = "shard_bytes_local";
inline constexpr std::string_view kShardBytesRemote = "shard_bytes_remote";
}  // namespace counter

class CounterSet {
 public:
  void Add(std::string_view group, std::string_view name, int64_t amount);
  void Add(std::string_view name, int64_t amount) { Add(kFrameworkGroup, name, amount); }
  void AddAll(const google::protobuf::RepeatedPtrField<Counter>& counters);
  int64_t Get(std::string_view group, std::string_view name) const;
  int64_t Get(std::string_view name) const { return Get(kFrameworkGroup, name); }
  void ToProto(google::protobuf::RepeatedPtrField<Counter>* out) const;
  bool empty() const { return values_.empty(); }

 private:
  std::map<std::pair<std::string, std::string>, int64_t, std::less<>> values_;
};

// A counter's value in a wire list; 0 when absent.
int64_t FindCounter(const google::protobuf::RepeatedPtrField<Counter>& counters, std::string_view name,
                    std::string_view group = kFrameworkGroup);

}  // namespace cairn::compute
