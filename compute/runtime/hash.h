// Fast, stable hashing and comparison of short byte strings (words, keys). HashBytes must
// give the same value in every task process of a job, which std::hash does not promise
// across builds; the hash partitioner and the built-ins' hash tables use it. Both read
// short strings with a few overlapping fixed-size loads instead of byte loops or calls.
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

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Up to 8 bytes [p, p + n), n <= 8, as one word (overlapping loads, no byte loop).
inline uint64_t LoadShort(const char* p, size_t n) {
  if (n >= 4) return uint64_t{Load32(p)} | uint64_t{Load32(p + n - 4)} << 32;
  if (n == 0) return 0;
  return uint64_t{static_cast<uint8_t>(p[0])} | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
         uint64_t{static_cast<uint8_t>(p[n - 1])} << 16;
}

inline uint64_t HashBytes(const char* p, size_t len) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const uint64_t seed = kMul ^ (len * 0x2127599bf4325c37ULL);
  if (len <= 8) return MixBits(seed ^ LoadShort(p, len));
  if (len <= 16) return MixBits((seed ^ Load64(p)) * kMul ^ Load64(p + len - 8));
  uint64_t h = seed;
  while (len > 8) {
    h = (h ^ MixBits(Load64(p))) * kMul;
    p += 8;
    len -= 8;
  }
  return MixBits(h ^ Load64(p + len - 8));
}

inline uint64_t HashBytes(std::string_view s) { return HashBytes(s.data(), s.size()); }

// a[0, n) == b[0, n).
inline bool BytesEqual(const char* a, const char* b, size_t n) {
  if (n <= 8) return LoadShort(a, n) == LoadShort(b, n);
  if (n <= 16) return Load64(a) == Load64(b) && Load64(a + n - 8) == Load64(b + n - 8);
  return std::memcmp(a, b, n) == 0;
}

}  // namespace cairn::compute
