#include "compute/runtime/count_table.h"

#include <array>

namespace cairn::compute {

CountTable::CountTable(size_t initial_slots) {
  size_t n = 16;
  while (n < initial_slots) n <<= 1;
  slots_.assign(n, Slot{0, 0, 0, 0});
  mask_ = n - 1;
}

void CountTable::Clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{0, 0, 0, 0});
  used_ = 0;
  arena_.clear();
}

void CountTable::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{0, 0, 0, 0});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = s.hash & mask_;
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void CountTable::Add(std::string_view key, uint64_t amount) {
  const uint64_t h = HashBytes(key) | 1;  // never 0, which marks an empty slot
  size_t i = h & mask_;
  for (;;) {
    Slot& s = slots_[i];
    if (s.hash == h && s.len == key.size() && std::memcmp(arena_.data() + s.offset, key.data(), key.size()) == 0) {
      s.count += amount;
      return;
    }
    if (s.hash == 0) break;
    i = (i + 1) & mask_;
  }
  const uint32_t offset = static_cast<uint32_t>(arena_.size());
  arena_.insert(arena_.end(), key.begin(), key.end());
  slots_[i] = Slot{h, amount, offset, static_cast<uint32_t>(key.size())};
  if (++used_ * 4 > slots_.size() * 3) Grow();
}

namespace {
constexpr std::array<bool, 256> MakeSpaceTable() {
  std::array<bool, 256> t{};
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kSpace = MakeSpaceTable();
}  // namespace

void CountWords(std::string_view text, CountTable* table) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && kSpace[static_cast<unsigned char>(*p)]) ++p;
    const char* start = p;
    while (p < end && !kSpace[static_cast<unsigned char>(*p)]) ++p;
    if (p > start) table->Add(std::string_view(start, static_cast<size_t>(p - start)), 1);
  }
}

}  // namespace cairn::compute
