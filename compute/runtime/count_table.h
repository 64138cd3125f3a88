// CountTable: an open-addressing hash table from byte strings to counts, with the keys in
// one arena, for the built-ins' in-mapper aggregation (wordcount, grep, distinct) and for
// cairn-bench's single-process baseline. A new key costs one arena append; a known key
// costs a hash and a compare. No allocation per key.
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
  size_t memory_bytes() const { return slots_.size() * sizeof(Slot) + arena_.size(); }
  // f(std::string_view key, uint64_t count) for every key, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.hash != 0) f(std::string_view(arena_.data() + s.offset, s.len), s.count);
    }
  }
  void Clear();

 private:
  struct Slot {
    uint64_t hash;    // 0: empty
    uint64_t count;
    uint32_t offset;  // of the key in arena_
    uint32_t len;
  };
  void Grow();

  std::vector<Slot> slots_;
  size_t mask_;
  size_t used_ = 0;
  std::vector<char> arena_;
};

void CountWords(std::string_view text, CountTable* table);

}  // namespace cairn::compute
