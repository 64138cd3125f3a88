#include "compute/runtime/map_output_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/endian.h"
#include "compute/runtime/merger.h"

namespace cairn::compute {

namespace {

constexpr size_t kWriteBufferBytes = 4 << 20;

inline uint64_t KeyPrefix(std::string_view key) {
  uint8_t bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(bytes, key.data(), std::min<size_t>(8, key.size()));
  return LoadBigEndian64(bytes);
}

// Writes what a combiner emits into a segment, counting records and keeping the first error.
class SegmentEmitter final : public mr::Emitter {
 public:
  explicit SegmentEmitter(SegmentWriter& out) : out_(out) {}
  void Emit(std::string_view key, std::string_view value) override {
    if (!status.ok()) return;
    status = out_.Append(key, value);
    ++records;
  }
  Status status;
  uint64_t records = 0;

 private:
  SegmentWriter& out_;
};

// The records of a sorted run of index entries, as a RecordSource for the grouped reduce.
class EntrySource final : public RecordSource {
 public:
  using Entry = MapOutputBuffer::Entry;
  EntrySource(const char* kv, const Entry* begin, const Entry* end) : kv_(kv), p_(begin), end_(end) {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (p_ == end_) return false;
    *key = std::string_view(kv_ + p_->offset, p_->key_len);
    *value = std::string_view(kv_ + p_->offset + p_->key_len, p_->value_len);
    ++p_;
    return true;
  }
  Status status() const override { return Status::OK(); }

 private:
  const char* kv_;
  const Entry* p_;
  const Entry* end_;
};

}  // namespace

MapOutputBuffer::MapOutputBuffer(MapOutputOptions options, TaskCounters* counters)
    : options_(std::move(options)), counters_(counters) {
  // Index entries take their share of the budget; the rest holds keys and values.
  kv_capacity_ = std::max<uint64_t>(options_.buffer_bytes, 1 << 20);
  kv_capacity_ = std::min<uint64_t>(kv_capacity_, 0xF0000000ull);
  kv_.reset(new char[kv_capacity_]);
}

MapOutputBuffer::~MapOutputBuffer() = default;

std::string MapOutputBuffer::SpillPath(int i) const { return options_.dir + "/spill" + std::to_string(i) + ".out"; }

void MapOutputBuffer::Append(uint32_t partition, std::string_view key, std::string_view value) {
  std::memcpy(kv_.get() + kv_used_, key.data(), key.size());
  std::memcpy(kv_.get() + kv_used_ + key.size(), value.data(), value.size());
  entries_.push_back(Entry{KeyPrefix(key), partition, static_cast<uint32_t>(kv_used_), static_cast<uint32_t>(key.size()),
                           static_cast<uint32_t>(value.size())});
  kv_used_ += key.size() + value.size();
}

void MapOutputBuffer::Emit(std::string_view key, std::string_view value) {
  if (!status_.ok()) return;
  uint32_t partition = options_.partitioner != nullptr && options_.partitions > 1
                           ? static_cast<uint32_t>(options_.partitioner->Partition(key))
                           : 0;
  counters_->map_output_records.Add(1);
  counters_->map_output_bytes.Add(key.size() + value.size());
  const uint64_t need = key.size() + value.size();
  const uint64_t budget_used = kv_used_ + (entries_.size() + 1) * sizeof(Entry);
  if (budget_used + need > kv_capacity_ && !entries_.empty()) {
    status_ = Spill();
    if (!status_.ok()) return;
  }
  if ((entries_.size() + 1) * sizeof(Entry) + need > kv_capacity_) {
    // Bigger than the whole buffer: a spill of its own.
    std::string path = SpillPath(static_cast<int>(spills_.size()));
    auto writer = SegmentWriter::Create(path, kWriteBufferBytes);
    if (!writer.ok()) {
      status_ = writer.status();
      return;
    }
    std::vector<PartitionEntry> index(options_.partitions);
    index[partition].offset = 0;
    status_ = (*writer)->Append(key, value);
    if (status_.ok()) status_ = (*writer)->Close();
    index[partition].length = (*writer)->offset();
    index[partition].records = 1;
    for (int p = partition + 1; p < options_.partitions; ++p) index[p].offset = (*writer)->offset();
    spills_.push_back(std::move(index));
    counters_->spilled_records.Add(1);
    return;
  }
  if (entries_.capacity() == 0) entries_.reserve(std::min<uint64_t>(kv_capacity_ / 64, 1u << 20));
  Append(partition, key, value);
}

bool MapOutputBuffer::Less(const Entry& a, const Entry& b) const {
  if (a.partition != b.partition) return a.partition < b.partition;
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  const size_t n = std::min(a.key_len, b.key_len);
  if (n > 8) {
    int c = std::memcmp(kv_.get() + a.offset + 8, kv_.get() + b.offset + 8, n - 8);
    if (c != 0) return c < 0;
  }
  return a.key_len < b.key_len;
}

Status MapOutputBuffer::WriteRun(SegmentWriter& out, const Entry* begin, const Entry* end, uint64_t* records) {
  if (!options_.combiner) {
    for (const Entry* e = begin; e != end; ++e) {
      const char* k = kv_.get() + e->offset;
      RETURN_IF_ERROR(out.Append(std::string_view(k, e->key_len), std::string_view(k + e->key_len, e->value_len)));
    }
    *records = static_cast<uint64_t>(end - begin);
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<mr::Reducer> combiner, options_.combiner());
  if (options_.context != nullptr) combiner->Setup(*options_.context);
  EntrySource source(kv_.get(), begin, end);
  SegmentEmitter emitter(out);
  ReduceStats stats;
  RETURN_IF_ERROR(RunGroupedReduce(source, *combiner, emitter, &stats));
  combiner->Cleanup(emitter);
  RETURN_IF_ERROR(emitter.status);
  counters_->combine_input_records.Add(stats.records);
  counters_->combine_output_records.Add(emitter.records);
  *records = emitter.records;
  return Status::OK();
}

Status MapOutputBuffer::Spill() {
  std::sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) { return Less(a, b); });
  std::string path = SpillPath(static_cast<int>(spills_.size()));
  ASSIGN_OR_RETURN(std::unique_ptr<SegmentWriter> writer, SegmentWriter::Create(path, kWriteBufferBytes));
  std::vector<PartitionEntry> index(options_.partitions);
  const Entry* p = entries_.data();
  const Entry* end = p + entries_.size();
  uint64_t spilled = 0;
  for (int part = 0; part < options_.partitions; ++part) {
    const Entry* run_end = p;
    while (run_end != end && run_end->partition == static_cast<uint32_t>(part)) ++run_end;
    index[part].offset = writer->offset();
    uint64_t records = 0;
    if (run_end != p) RETURN_IF_ERROR(WriteRun(*writer, p, run_end, &records));
    index[part].length = writer->offset() - index[part].offset;
    index[part].records = records;
    spilled += records;
    p = run_end;
  }
  if (p != end) return Internal("map output entry with partition out of range");
  RETURN_IF_ERROR(writer->Close());
  spills_.push_back(std::move(index));
  counters_->spilled_records.Add(spilled);
  entries_.clear();
  kv_used_ = 0;
  return Status::OK();
}

Status MapOutputBuffer::Merge() {
  const int n = static_cast<int>(spills_.size());
  std::vector<int> fds;
  auto close_all = [&] {
    for (int fd : fds) ::close(fd);
  };
  for (int i = 0; i < n; ++i) {
    int fd = ::open(SpillPath(i).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Status st = ErrnoError(errno, "open " + SpillPath(i));
      close_all();
      return st;
    }
    fds.push_back(fd);
  }
  const std::string out_path = OutputFile(options_.dir);
  auto writer = SegmentWriter::Create(out_path, kWriteBufferBytes);
  if (!writer.ok()) {
    close_all();
    return writer.status();
  }
  std::vector<PartitionEntry> index(options_.partitions);
  const size_t read_buffer = std::max<size_t>(256 << 10, (64u << 20) / static_cast<size_t>(n));
  Status st;
  uint64_t spilled = 0;
  for (int part = 0; part < options_.partitions && st.ok(); ++part) {
    std::vector<std::unique_ptr<SegmentReader>> readers;
    std::vector<RecordSource*> sources;
    for (int i = 0; i < n; ++i) {
      const PartitionEntry& e = spills_[i][part];
      if (e.length == 0) continue;
      readers.push_back(std::make_unique<SegmentReader>(fds[i], e.offset, e.length, read_buffer, SpillPath(i)));
      sources.push_back(readers.back().get());
    }
    index[part].offset = (*writer)->offset();
    MergingSource merged(std::move(sources));
    uint64_t records = 0;
    if (options_.combiner) {
      auto combiner = options_.combiner();
      if (!combiner.ok()) {
        st = combiner.status();
        break;
      }
      if (options_.context != nullptr) (*combiner)->Setup(*options_.context);
      SegmentEmitter emitter(**writer);
      ReduceStats stats;
      st = RunGroupedReduce(merged, **combiner, emitter, &stats);
      (*combiner)->Cleanup(emitter);
      if (st.ok()) st = emitter.status;
      counters_->combine_input_records.Add(stats.records);
      counters_->combine_output_records.Add(emitter.records);
      records = emitter.records;
    } else {
      std::string_view k, v;
      while (st.ok() && merged.Next(&k, &v)) {
        st = (*writer)->Append(k, v);
        ++records;
      }
      if (st.ok()) st = merged.status();
    }
    index[part].length = (*writer)->offset() - index[part].offset;
    index[part].records = records;
    spilled += records;
  }
  close_all();
  if (st.ok()) st = (*writer)->Close();
  if (!st.ok()) return st;
  counters_->spilled_records.Add(spilled);
  for (int i = 0; i < n; ++i) ::unlink(SpillPath(i).c_str());
  return WriteIndexFile(IndexFile(options_.dir), index);
}

Status MapOutputBuffer::Finish() {
  RETURN_IF_ERROR(status_);
  if (!entries_.empty() || spills_.empty()) RETURN_IF_ERROR(Spill());
  kv_.reset();
  if (spills_.size() == 1) {
    if (std::rename(SpillPath(0).c_str(), OutputFile(options_.dir).c_str()) != 0)
      return ErrnoError(errno, "rename " + SpillPath(0));
    return WriteIndexFile(IndexFile(options_.dir), spills_[0]);
  }
  return Merge();
}

}  // namespace cairn::compute
