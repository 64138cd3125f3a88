// The reduce task driver: fetch this partition of every map's output, merge the sorted
// segments, and run the reducer over the merged stream into the part file.
#include <fcntl.h>
#include <unistd.h>

#include <exception>

#include "compute/ids.h"
#include "compute/local_files.h"
#include "compute/runtime/merger.h"
#include "compute/runtime/output_writer.h"
#include "compute/runtime/shuffle_fetcher.h"
#include "compute/runtime/task_runtime.h"

namespace cairn::compute {

namespace {

constexpr float kCopyShare = 1.0f / 3;

// Counts records as they pass, for progress.
class CountingSource final : public RecordSource {
 public:
  CountingSource(RecordSource& in, TaskRuntime& rt, uint64_t total) : in_(in), rt_(rt), total_(total) {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (!in_.Next(key, value)) return false;
    if (++n_ % 8192 == 0 && total_ > 0)
      rt_.set_progress(kCopyShare + (1 - kCopyShare) * static_cast<float>(static_cast<double>(n_) / total_));
    return true;
  }
  Status status() const override { return in_.status(); }

 private:
  RecordSource& in_;
  TaskRuntime& rt_;
  const uint64_t total_;
  uint64_t n_ = 0;
};

// Closes the files of the segments on the way out.
struct OpenFiles {
  std::vector<int> fds;
  ~OpenFiles() {
    for (int fd : fds) ::close(fd);
  }
};

Status RunReduce(TaskRuntime& rt, const JobProgram& program, TaskOutcome* outcome) {
  const TaskSpec& spec = rt.spec();
  rt.set_phase("shuffle");
  const std::string shuffle_dir = rt.work_dir() + "/shuffle";
  RETURN_IF_ERROR(MakeDirectories(shuffle_dir));
  ShuffleOptions options;
  // A quarter of the task's memory holds fetched map output; the rest goes to files.
  if (spec.resources().memory_bytes() > 0)
    options.memory_bytes = std::min<uint64_t>(options.memory_bytes, spec.resources().memory_bytes() / 4);
  ShuffleFetcher fetcher(spec, shuffle_dir, options, &rt.counters());
  const int maps = std::max(1, spec.map_outputs_size());
  ASSIGN_OR_RETURN(std::vector<FetchedSegment> segments,
                   fetcher.FetchAll(&outcome->fetch_failed_maps, [&rt, maps](int done) {
                     rt.set_progress(kCopyShare * static_cast<float>(done) / static_cast<float>(maps));
                   }));

  rt.set_phase("reduce");
  OpenFiles files;
  std::vector<std::unique_ptr<SegmentReader>> readers;
  std::vector<RecordSource*> sources;
  uint64_t total_records = 0;
  const size_t buffer = std::max<size_t>(256 << 10, (128u << 20) / std::max<size_t>(1, segments.size()));
  for (const FetchedSegment& seg : segments) {
    if (seg.data) {
      readers.push_back(std::make_unique<SegmentReader>(*seg.data, "map " + std::to_string(seg.map_index)));
      sources.push_back(readers.back().get());
      total_records += seg.records;
      continue;
    }
    int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(errno, "open " + seg.path);
    files.fds.push_back(fd);
    (void)::posix_fadvise(fd, static_cast<off_t>(seg.offset), static_cast<off_t>(seg.length), POSIX_FADV_SEQUENTIAL);
    readers.push_back(std::make_unique<SegmentReader>(fd, seg.offset, seg.length, buffer, seg.path));
    sources.push_back(readers.back().get());
    total_records += seg.records;
  }
  MergingSource merged(std::move(sources));
  CountingSource counted(merged, rt, total_records);

  ASSIGN_OR_RETURN(client::FileSystem * fs, rt.fs());
  outcome->output_file = spec.output_dir() + "/" + PartFileName(REDUCE, spec.index());
  ASSIGN_OR_RETURN(std::unique_ptr<OutputWriter> writer,
                   OutputWriter::Create(*fs, outcome->output_file, spec.job().output_replication(),
                                        program.output_format, &rt.counters()));
  ASSIGN_OR_RETURN(std::unique_ptr<mr::Reducer> reducer, program.reducer());
  reducer->Setup(rt.context());
  ReduceStats stats;
  Status st = RunGroupedReduce(counted, *reducer, *writer, &stats, [&] {
    return rt.context().failed() || !writer->status().ok();
  });
  rt.counters().reduce_input_groups.Add(stats.groups);
  rt.counters().reduce_input_records.Add(stats.records);
  RETURN_IF_ERROR(st);
  reducer->Cleanup(*writer);
  if (rt.context().failed()) return Aborted("{}", rt.context().failure());
  rt.set_phase("commit");
  return writer->Close();
}

}  // namespace

TaskOutcome RunReduceTask(TaskRuntime& rt, const JobProgram& program) {
  TaskOutcome outcome;
  try {
    outcome.status = RunReduce(rt, program, &outcome);
  } catch (const std::exception& e) {
    outcome.status = Aborted("the reducer threw: {}", e.what());
  }
  if (outcome.status.ok()) rt.set_progress(1.0f);
  return outcome;
}

}  // namespace cairn::compute
