// CountTable: an open-addressing hash table from byte strings to counts, with the keys in
// one arena, for the built-ins' in-mapper aggregation (wordcount, grep, distinct) and for
// cairn-bench's single-process baseline. A new key costs one arena append; a known key
// costs a hash and a compare. No allocation per key. Probing walks a dense array of 32-bit
// hash tags (4 bytes a slot, so it stays in cache); the entry is read only on a tag match.
//
// CountWords splits text at ASCII whitespace (space, \t, \n, \v, \f, \r) as Hadoop's
// WordCount does and counts each word.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "compute/runtime/hash.h"

namespace cairn::compute {

class CountTable {
 public:
  explicit CountTable(size_t initial_slots = 1 << 14);

  void Add(std::string_view key, uint64_t amount);
  size_t size() const { return used_; }
  // Bytes held by slots and keys.
  size_t memory_bytes() const { return tags_.size() * (sizeof(uint32_t) + sizeof(Entry)) + arena_.size(); }
  // f(std::string_view key, uint64_t count) for every key, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < tags_.size(); ++i) {
      if (tags_[i] != 0) f(std::string_view(arena_.data() + entries_[i].offset, entries_[i].len), entries_[i].count);
    }
  }
  void Clear();

 private:
  struct Entry {
    uint64_t count;
    uint32_t offset;  // of the key in arena_
    uint32_t len;
  };
  void Grow();

  std::vector<uint32_t> tags_;  // per slot: 0 empty, else high hash bits | 1
  std::vector<Entry> entries_;  // per slot
  size_t mask_;
  size_t used_ = 0;
  std::vector<char> arena_;
};

void CountWords(std::string_view text, CountTable* table);

}  // namespace cairn::compute
