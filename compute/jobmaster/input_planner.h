// Input planning for a job at submit: input paths (files, directories, globs) become the
// list of input files, each file's blocks become map splits (one per block, with the
// replica holders and their racks from the namenode), and a sort job's keys are sampled
// to cut the key space into equal ranges.
//
// Directories contribute the files directly inside them; names starting with '_' or '.'
// are skipped (Hadoop's hidden files: _SUCCESS, _temporary, .crc). Globs use fnmatch
// patterns per path component (*, ?, [...]).
//
// Thread-safety: pure functions over a FileSystem (which is thread-safe).
#pragma once

#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "client/file_system.h"

namespace cairn::compute {

struct PlannedInput {
  std::vector<std::string> files;
  std::vector<InputSplit> splits;
  uint64_t total_bytes = 0;
};

// Every file a path or pattern names. kNotFound (with the path in the message) when a plain
// path does not exist or a pattern matches nothing.
Result<std::vector<client::FileStatus>> ExpandInputPath(client::FileSystem& fs, const std::string& path);

// Files and splits of the job's inputs. Fixed-size record input must have whole records.
Result<PlannedInput> PlanInput(client::FileSystem& fs, const JobSpec& spec);

// Up to `samples` keys (the first key_bytes of records) read from splits spread over the
// input, for RangePartitioner bounds.
Result<std::vector<std::string>> SampleKeys(client::FileSystem& fs, const std::vector<InputSplit>& splits,
                                            uint32_t record_bytes, uint32_t key_bytes, int samples);

}  // namespace cairn::compute
