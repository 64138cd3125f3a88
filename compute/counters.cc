#include "compute/counters.h"

namespace cairn::compute {

void CounterSet::Add(std::string_view group, std::string_view name, int64_t amount) {
  auto key = std::make_pair(std::string(group), std::string(name));
  values_[std::move(key)] += amount;
}

void CounterSet::AddAll(const google::protobuf::RepeatedPtrField<Counter>& counters) {
  for (const Counter& c : counters) Add(c.group(), c.name(), c.value());
}

int64_t CounterSet::Get(std::string_view group, std::string_view name) const {
  auto it = values_.find(std::make_pair(std::string(group), std::string(name)));
  return it == values_.end() ? 0 : it->second;
}

void CounterSet::ToProto(google::protobuf::RepeatedPtrField<Counter>* out) const {
  out->Clear();
  for (const auto& [key, value] : values_) {
    Counter* c = out->Add();
    c->set_group(key.first);
    c->set_name(key.second);
    c->set_value(value);
  }
}

int64_t FindCounter(const google::protobuf::RepeatedPtrField<Counter>& counters, std::string_view name,
                    std::string_view group) {
  int64_t sum = 0;
  for (const Counter& c : counters) {
    if (c.name() == name && c.group() == group) sum += c.value();
  }
  return sum;
}

}  // namespace cairn::compute
