#include "compute/runtime/merger.h"

#include <algorithm>

namespace cairn::compute {

MergingSource::MergingSource(std::vector<RecordSource*> sources)
    : sources_(std::move(sources)), heads_(sources_.size()) {}

bool MergingSource::Greater(int a, int b) const {
  int c = heads_[a].key.compare(heads_[b].key);
  return c > 0 || (c == 0 && a > b);
}

bool MergingSource::Advance(int i) {
  if (sources_[i]->Next(&heads_[i].key, &heads_[i].value)) {
    heap_.push_back(i);
    std::push_heap(heap_.begin(), heap_.end(), [this](int a, int b) { return Greater(a, b); });
    return true;
  }
  Status st = sources_[i]->status();
  if (!st.ok() && status_.ok()) status_ = st;
  return st.ok();
}

bool MergingSource::Next(std::string_view* key, std::string_view* value) {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    heap_.reserve(sources_.size());
    for (int i = 0; i < static_cast<int>(sources_.size()); ++i) {
      if (!Advance(i)) return false;
    }
  } else if (last_ >= 0) {
    int i = last_;
    last_ = -1;
    if (!Advance(i)) return false;
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), [this](int a, int b) { return Greater(a, b); });
  int top = heap_.back();
  heap_.pop_back();
  *key = heads_[top].key;
  *value = heads_[top].value;
  last_ = top;
  return true;
}

namespace {

// The values of the current group: the first is already read; the rest come from the
// source while the key stays the same. The first record of the next group is kept as a
// lookahead (its views stay valid because the source is not called again until then).
class GroupValues final : public mr::ValueIterator {
 public:
  GroupValues(RecordSource& in, ReduceStats* stats) : in_(in), stats_(stats) {}

  // Starts a group at the lookahead record; false when the source is exhausted.
  bool StartGroup() {
    if (!has_next_) return false;
    key_.assign(next_key_.data(), next_key_.size());
    first_ = next_value_;
    has_first_ = true;
    has_next_ = false;
    return true;
  }

  bool Next(std::string_view* value) override {
    if (has_first_) {
      has_first_ = false;
      *value = first_;
      ++stats_->records;
      return true;
    }
    if (group_done_) return false;
    std::string_view k, v;
    if (!in_.Next(&k, &v)) {
      group_done_ = true;
      exhausted_ = true;
      return false;
    }
    if (k != std::string_view(key_)) {
      next_key_ = k;
      next_value_ = v;
      has_next_ = true;
      group_done_ = true;
      return false;
    }
    *value = v;
    ++stats_->records;
    return true;
  }

  // Skips what the reducer left unread and reads the next group's first record.
  void FinishGroup() {
    std::string_view v;
    while (Next(&v)) {
    }
    group_done_ = false;
    if (!has_next_ && !exhausted_) Prime();
  }

  void Prime() {
    std::string_view k, v;
    if (in_.Next(&k, &v)) {
      next_key_ = k;
      next_value_ = v;
      has_next_ = true;
    } else {
      exhausted_ = true;
    }
  }

  const std::string& key() const { return key_; }

 private:
  RecordSource& in_;
  ReduceStats* stats_;
  std::string key_;
  std::string_view first_;
  bool has_first_ = false;
  std::string_view next_key_, next_value_;
  bool has_next_ = false;
  bool group_done_ = false;
  bool exhausted_ = false;
};

}  // namespace

Status RunGroupedReduce(RecordSource& in, mr::Reducer& reducer, mr::Emitter& out, ReduceStats* stats,
                        const std::function<bool()>& stop) {
  GroupValues values(in, stats);
  values.Prime();
  while (values.StartGroup()) {
    ++stats->groups;
    reducer.Reduce(values.key(), values, out);
    values.FinishGroup();
    if (stop && stop()) break;
  }
  return in.status();
}

}  // namespace cairn::compute
