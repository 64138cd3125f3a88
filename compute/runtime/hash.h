// A fast, stable 64-bit hash of byte strings (word-at-a-time multiply-xorshift mixing). It
// must give the same value in every task process of a job, which std::hash does not
// promise across builds; the hash partitioner and the built-ins' hash tables use it.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cairn::compute {

inline uint64_t MixBits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t HashBytes(const char* p, size_t len) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = kMul ^ (len * 0x2127599bf4325c37ULL);
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ MixBits(w)) * kMul;
    p += 8;
    len -= 8;
  }
  if (len > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = (h ^ MixBits(w ^ len)) * kMul;
  }
  return MixBits(h);
}

inline uint64_t HashBytes(std::string_view s) { return HashBytes(s.data(), s.size()); }

}  // namespace cairn::compute
