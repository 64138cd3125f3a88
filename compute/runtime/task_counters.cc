#include "compute/runtime/task_counters.h"

namespace cairn::compute {

void TaskCounters::AddTo(CounterSet* set) const {
  const std::pair<std::string_view, const SingleWriterCounter*> all[] = {
      {counter::kMapInputRecords, &map_input_records},
      {counter::kMapInputBytes, &map_input_bytes},
      {counter::kBytesReadLocal, &bytes_read_local},
      {counter::kBytesReadRemote, &bytes_read_remote},
      {counter::kMapOutputRecords, &map_output_records},
      {counter::kMapOutputBytes, &map_output_bytes},
      {counter::kCombineInputRecords, &combine_input_records},
      {counter::kCombineOutputRecords, &combine_output_records},
      {counter::kSpilledRecords, &spilled_records},
      {counter::kShuffleBytes, &shuffle_bytes},
      {counter::kReduceInputGroups, &reduce_input_groups},
      {counter::kReduceInputRecords, &reduce_input_records},
      {counter::kOutputRecords, &output_records},
      {counter::kOutputBytes, &output_bytes},
  };
  for (const auto& [name, c] : all) {
    if (c->Get() != 0) set->Add(name, static_cast<int64_t>(c->Get()));
  }
}

}  // namespace cairn::compute
