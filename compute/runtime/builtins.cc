// The built-in jobs:
//   wordcount  words (split at whitespace) and their counts; in-mapper aggregation in a
//              CountTable, a summing combiner and reducer.
//   grep PAT   every match of the extended regular expression PAT and its count.
//   distinct   each distinct input line once.
//   sort       TeraSort: fixed-size records (100 bytes) ordered by their first key_bytes
//              (10) bytes, range-partitioned on sampled keys so that the part files in
//              order are one sorted sequence; written back as raw records.
#include <regex.h>

#include <charconv>

#include "compute/runtime/count_table.h"
#include "compute/runtime/job_program.h"

namespace cairn::compute {

namespace {

// Aggregated map output is emitted when the table holds this much, bounding its memory.
constexpr size_t kFlushTableBytes = 64 << 20;

void EmitCounts(const CountTable& table, mr::Emitter& out) {
  char digits[24];
  table.ForEach([&](std::string_view key, uint64_t count) {
    auto r = std::to_chars(digits, digits + sizeof digits, count);
    out.Emit(key, std::string_view(digits, static_cast<size_t>(r.ptr - digits)));
  });
}

class WordCountMapper final : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Emitter& out) override {
    CountWords(line, &table_);
    if (table_.memory_bytes() > kFlushTableBytes) Flush(out);
  }
  void Cleanup(mr::Emitter& out) override { Flush(out); }

 private:
  void Flush(mr::Emitter& out) {
    EmitCounts(table_, out);
    table_.Clear();
  }
  CountTable table_{1 << 16};
};

// Sums decimal counts (reducer and combiner of wordcount and grep).
class SumReducer final : public mr::Reducer {
 public:
  void Setup(mr::TaskContext& context) override { context_ = &context; }
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override {
    uint64_t sum = 0;
    std::string_view v;
    while (values.Next(&v)) {
      uint64_t n = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), n);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
        if (context_ != nullptr) context_->Fail("count '" + std::string(v) + "' of key '" + std::string(key) + "' is not a number");
        return;
      }
      sum += n;
    }
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, sum);
    out.Emit(key, std::string_view(digits, static_cast<size_t>(r.ptr - digits)));
  }

 private:
  mr::TaskContext* context_ = nullptr;
};

class GrepMapper final : public mr::Mapper {
 public:
  explicit GrepMapper(std::string pattern) : pattern_(std::move(pattern)) {}
  ~GrepMapper() override {
    if (compiled_) ::regfree(&re_);
  }
  void Setup(mr::TaskContext& context) override {
    compiled_ = ::regcomp(&re_, pattern_.c_str(), REG_EXTENDED) == 0;
    if (!compiled_) context.Fail("grep pattern '" + pattern_ + "' does not compile");
  }
  void Map(std::string_view, std::string_view line, mr::Emitter& out) override {
    if (!compiled_) return;
    // regexec needs a terminated string; REG_STARTEND would avoid the copy where supported.
    line_.assign(line.data(), line.size());
    const char* p = line_.c_str();
    int flags = 0;
    regmatch_t m;
    while (*p != '\0' || flags == 0) {
      if (::regexec(&re_, p, 1, &m, flags) != 0) break;
      if (m.rm_eo == m.rm_so) {  // an empty match: step past it
        if (p[m.rm_eo] == '\0') break;
        p += m.rm_eo + 1;
      } else {
        table_.Add(std::string_view(p + m.rm_so, static_cast<size_t>(m.rm_eo - m.rm_so)), 1);
        p += m.rm_eo;
      }
      flags = REG_NOTBOL;
    }
    if (table_.memory_bytes() > kFlushTableBytes) {
      EmitCounts(table_, out);
      table_.Clear();
    }
  }
  void Cleanup(mr::Emitter& out) override {
    EmitCounts(table_, out);
    table_.Clear();
  }

 private:
  const std::string pattern_;
  regex_t re_{};
  bool compiled_ = false;
  std::string line_;
  CountTable table_;
};

class DistinctMapper final : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Emitter& out) override {
    table_.Add(line, 1);
    if (table_.memory_bytes() > kFlushTableBytes) Flush(out);
  }
  void Cleanup(mr::Emitter& out) override { Flush(out); }

 private:
  void Flush(mr::Emitter& out) {
    table_.ForEach([&](std::string_view key, uint64_t) { out.Emit(key, {}); });
    table_.Clear();
  }
  CountTable table_{1 << 16};
};

// Each key once, with an empty value (reducer and combiner of distinct).
class DistinctReducer final : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator&, mr::Emitter& out) override { out.Emit(key, {}); }
};

class SortMapper final : public mr::Mapper {
 public:
  explicit SortMapper(uint32_t key_bytes) : key_bytes_(key_bytes) {}
  void Map(std::string_view, std::string_view record, mr::Emitter& out) override {
    out.Emit(record.substr(0, key_bytes_), record.substr(key_bytes_));
  }

 private:
  const uint32_t key_bytes_;
};

class IdentityReducer final : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override {
    std::string_view v;
    while (values.Next(&v)) out.Emit(key, v);
  }
};

template <typename T, typename... Args>
std::function<Result<std::unique_ptr<mr::Mapper>>()> MapperOf(Args... args) {
  return [=]() -> Result<std::unique_ptr<mr::Mapper>> { return std::unique_ptr<mr::Mapper>(new T(args...)); };
}

template <typename T>
ReducerFactory ReducerOf() {
  return []() -> Result<std::unique_ptr<mr::Reducer>> { return std::unique_ptr<mr::Reducer>(new T()); };
}

}  // namespace

Status ValidateBuiltin(const JobSpec& spec) {
  const std::string& name = spec.builtin();
  size_t args = static_cast<size_t>(spec.builtin_args_size());
  if (name == "wordcount" || name == "distinct") {
    if (args != 0) return InvalidArgument("{} takes no arguments", name);
    if (spec.input_format() != JobSpec::TEXT) return InvalidArgument("{} reads text input", name);
    return Status::OK();
  }
  if (name == "grep") {
    if (args != 1) return InvalidArgument("grep takes one argument, the pattern");
    if (spec.input_format() != JobSpec::TEXT) return InvalidArgument("grep reads text input");
    regex_t re;
    int rc = ::regcomp(&re, spec.builtin_args(0).c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char msg[256];
      ::regerror(rc, &re, msg, sizeof msg);
      return InvalidArgument("grep pattern '{}': {}", spec.builtin_args(0), msg);
    }
    ::regfree(&re);
    return Status::OK();
  }
  if (name == "sort") {
    if (args != 0) return InvalidArgument("sort takes no arguments");
    if (spec.input_format() != JobSpec::FIXED) return InvalidArgument("sort reads fixed-size records");
    if (spec.key_bytes() == 0 || spec.key_bytes() > spec.record_bytes())
      return InvalidArgument("sort: key of {} bytes in records of {} bytes", spec.key_bytes(), spec.record_bytes());
    return Status::OK();
  }
  if (name.empty()) return InvalidArgument("no built-in job named (wordcount, grep, sort or distinct)");
  return InvalidArgument("unknown built-in job '{}' (wordcount, grep, sort or distinct)", name);
}

Result<JobProgram> MakeBuiltinProgram(const JobSpec& spec) {
  RETURN_IF_ERROR(ValidateBuiltin(spec));
  JobProgram p;
  const std::string& name = spec.builtin();
  if (name == "wordcount") {
    p.mapper = MapperOf<WordCountMapper>();
    p.reducer = ReducerOf<SumReducer>();
    p.combiner = ReducerOf<SumReducer>();
  } else if (name == "grep") {
    p.mapper = MapperOf<GrepMapper>(spec.builtin_args(0));
    p.reducer = ReducerOf<SumReducer>();
    p.combiner = ReducerOf<SumReducer>();
  } else if (name == "distinct") {
    p.mapper = MapperOf<DistinctMapper>();
    p.reducer = ReducerOf<DistinctReducer>();
    p.combiner = ReducerOf<DistinctReducer>();
  } else {  // sort
    p.mapper = MapperOf<SortMapper>(spec.key_bytes());
    p.reducer = ReducerOf<IdentityReducer>();
    p.output_format = OutputFormat::kRaw;
    p.range_partitioned = true;
  }
  return p;
}

}  // namespace cairn::compute
