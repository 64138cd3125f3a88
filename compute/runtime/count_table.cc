#include "compute/runtime/count_table.h"

#include <array>

namespace cairn::compute {

CountTable::CountTable(size_t initial_slots) {
  size_t n = 16;
  while (n < initial_slots) n <<= 1;
  tags_.assign(n, 0);
  entries_.resize(n);
  mask_ = n - 1;
}

void CountTable::Clear() {
  std::fill(tags_.begin(), tags_.end(), 0);
  used_ = 0;
  arena_.clear();
}

void CountTable::Grow() {
  std::vector<uint32_t> old_tags(tags_.size() * 2, 0);
  std::vector<Entry> old_entries(entries_.size() * 2);
  old_tags.swap(tags_);
  old_entries.swap(entries_);
  mask_ = tags_.size() - 1;
  for (size_t i = 0; i < old_tags.size(); ++i) {
    if (old_tags[i] == 0) continue;
    const Entry& e = old_entries[i];
    size_t j = HashBytes(arena_.data() + e.offset, e.len) & mask_;
    while (tags_[j] != 0) j = (j + 1) & mask_;
    tags_[j] = old_tags[i];
    entries_[j] = e;
  }
}

void CountTable::Add(std::string_view key, uint64_t amount) {
  const uint64_t h = HashBytes(key);
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;  // never 0, which marks an empty slot
  size_t i = h & mask_;
  for (;;) {
    const uint32_t t = tags_[i];
    if (t == tag) {
      Entry& e = entries_[i];
      if (e.len == key.size() && BytesEqual(arena_.data() + e.offset, key.data(), key.size())) {
        e.count += amount;
        return;
      }
    } else if (t == 0) {
      break;
    }
    i = (i + 1) & mask_;
  }
  const uint32_t offset = static_cast<uint32_t>(arena_.size());
  arena_.insert(arena_.end(), key.begin(), key.end());
  tags_[i] = tag;
  entries_[i] = Entry{amount, offset, static_cast<uint32_t>(key.size())};
  if (++used_ * 4 > tags_.size() * 3) Grow();
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
