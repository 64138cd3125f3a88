// A test plugin built against cairn/mapreduce.h alone: counts words by length. Keys are
// the lengths as 3-digit numbers (so they sort numerically), values counts. The job param
// `min_length` drops shorter words; each dropped word bumps the counter wordlen.dropped.
#include <cairn/mapreduce.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

class WordLengthMapper : public cairn::mr::Mapper {
 public:
  void Setup(cairn::mr::TaskContext& context) override {
    context_ = &context;
    std::string_view p = context.Param("min_length");
    if (!p.empty()) min_length_ = std::atoi(std::string(p).c_str());
  }
  void Map(std::string_view, std::string_view line, cairn::mr::Emitter& out) override {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      if (i == start) continue;
      int len = static_cast<int>(i - start);
      if (len < min_length_) {
        context_->IncrementCounter("wordlen", "dropped", 1);
        continue;
      }
      char key[16];
      std::snprintf(key, sizeof key, "%03d", len);
      out.Emit(key, "1");
    }
  }

 private:
  cairn::mr::TaskContext* context_ = nullptr;
  int min_length_ = 0;
};

class SumReducer : public cairn::mr::Reducer {
 public:
  void Reduce(std::string_view key, cairn::mr::ValueIterator& values, cairn::mr::Emitter& out) override {
    long long sum = 0;
    std::string_view v;
    while (values.Next(&v)) sum += std::atoll(std::string(v).c_str());
    out.Emit(key, std::to_string(sum));
  }
};

}  // namespace

CAIRN_MAPREDUCE_PLUGIN_WITH_COMBINER(WordLengthMapper, SumReducer, SumReducer)
