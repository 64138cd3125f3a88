// The map task driver: records from the split through the mapper into the sort buffer
// (jobs with reducers) or straight into the part file (map-only jobs).
#include <exception>

#include "compute/ids.h"
#include "compute/local_files.h"
#include "compute/runtime/map_output_buffer.h"
#include "compute/runtime/output_writer.h"
#include "compute/runtime/record_reader.h"
#include "compute/runtime/split_input.h"
#include "compute/runtime/task_runtime.h"

namespace cairn::compute {

namespace {

constexpr uint64_t kDefaultSortBufferBytes = 192ull << 20;
constexpr int kRecordsPerCheck = 4096;

Result<std::unique_ptr<Partitioner>> MakePartitioner(const TaskSpec& spec, const JobProgram& program) {
  if (program.range_partitioned) {
    std::vector<std::string> bounds(spec.partition_bounds().begin(), spec.partition_bounds().end());
    ASSIGN_OR_RETURN(std::unique_ptr<RangePartitioner> p, RangePartitioner::Create(std::move(bounds), spec.num_reducers()));
    return std::unique_ptr<Partitioner>(std::move(p));
  }
  return std::unique_ptr<Partitioner>(new HashPartitioner(spec.num_reducers()));
}

// Feeds every record of the split to the mapper; returns the reader's or the task's error.
Status MapRecords(TaskRuntime& rt, RecordReader& reader, mr::Mapper& mapper, mr::Emitter& out,
                  const Status* emitter_status) {
  TaskCounters& c = rt.counters();
  std::string_view record;
  uint64_t records = 0, last_bytes = 0;
  int until_check = kRecordsPerCheck;
  while (reader.Next(&record)) {
    mapper.Map({}, record, out);
    ++records;
    if (--until_check == 0) {
      until_check = kRecordsPerCheck;
      c.map_input_records.Add(records);
      records = 0;
      c.map_input_bytes.Add(reader.record_bytes() - last_bytes);
      last_bytes = reader.record_bytes();
      rt.set_progress(reader.progress());
      if (rt.context().failed()) return Aborted("{}", rt.context().failure());
      if (emitter_status != nullptr && !emitter_status->ok()) return *emitter_status;
    }
  }
  c.map_input_records.Add(records);
  c.map_input_bytes.Add(reader.record_bytes() - last_bytes);
  return reader.status();
}

Status RunMap(TaskRuntime& rt, const JobProgram& program, std::string* output_file) {
  const TaskSpec& spec = rt.spec();
  const JobSpec& job = spec.job();
  SplitInput input(spec.split(), [&rt] { return rt.fs(); }, &rt.counters());
  std::unique_ptr<RecordReader> reader = job.input_format() == JobSpec::FIXED
                                             ? MakeFixedRecordReader(&input, input.range(), job.record_bytes())
                                             : MakeLineReader(&input, input.range());
  ASSIGN_OR_RETURN(std::unique_ptr<mr::Mapper> mapper, program.mapper());
  mapper->Setup(rt.context());
  rt.set_phase("map");

  if (spec.num_reducers() == 0) {
    ASSIGN_OR_RETURN(client::FileSystem * fs, rt.fs());
    *output_file = spec.output_dir() + "/" + PartFileName(MAP, spec.index());
    ASSIGN_OR_RETURN(std::unique_ptr<OutputWriter> writer,
                     OutputWriter::Create(*fs, *output_file, job.output_replication(), program.output_format,
                                          &rt.counters()));
    RETURN_IF_ERROR(MapRecords(rt, *reader, *mapper, *writer, &writer->status()));
    mapper->Cleanup(*writer);
    if (rt.context().failed()) return Aborted("{}", rt.context().failure());
    rt.set_phase("commit");
    return writer->Close();
  }

  ASSIGN_OR_RETURN(std::unique_ptr<Partitioner> partitioner, MakePartitioner(spec, program));
  MapOutputOptions options;
  options.partitions = spec.num_reducers();
  // Default: up to a third of the task's memory (its limit), at most 192 MiB.
  uint64_t default_buffer = kDefaultSortBufferBytes;
  if (spec.resources().memory_bytes() > 0)
    default_buffer = std::min<uint64_t>(default_buffer, spec.resources().memory_bytes() / 3);
  options.buffer_bytes = job.sort_buffer_bytes() > 0 ? job.sort_buffer_bytes() : default_buffer;
  options.dir = rt.work_dir() + "/output";
  options.partitioner = partitioner.get();
  options.combiner = program.combiner;
  options.context = &rt.context();
  MapOutputBuffer buffer(options, &rt.counters());
  RETURN_IF_ERROR(MapRecords(rt, *reader, *mapper, buffer, &buffer.status()));
  mapper->Cleanup(buffer);
  if (rt.context().failed()) return Aborted("{}", rt.context().failure());
  rt.set_phase("sort and spill");
  RETURN_IF_ERROR(buffer.Finish());
  if (rt.context().failed()) return Aborted("{}", rt.context().failure());
  return Status::OK();
}

}  // namespace

TaskOutcome RunMapTask(TaskRuntime& rt, const JobProgram& program) {
  TaskOutcome outcome;
  Status st = MakeDirectories(rt.work_dir() + "/output");
  if (st.ok()) {
    try {
      st = RunMap(rt, program, &outcome.output_file);
    } catch (const std::exception& e) {
      st = Aborted("the mapper threw: {}", e.what());
    }
  }
  outcome.status = st;
  if (st.ok()) rt.set_progress(1.0f);
  return outcome;
}

}  // namespace cairn::compute
