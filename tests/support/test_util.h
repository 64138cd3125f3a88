// Small helpers for tests: random bytes with a seed, temporary directories, file I/O on
// the local disk, and Status matchers.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "common/status.h"

namespace cairn::testing {

// Deterministic pseudo-random bytes.
std::string RandomBytes(size_t n, uint64_t seed);

// A fresh directory under $TMPDIR (or /tmp) named cairn-<tag>-XXXXXX.
std::string MakeTempDir(const std::string& tag);
void RemoveTree(const std::string& path);

Status WriteLocalFile(const std::string& path, const std::string& data);
Result<std::string> ReadLocalFile(const std::string& path);

}  // namespace cairn::testing

#define ASSERT_OK(expr)                                 \
  do {                                                  \
    ::cairn::Status _s = (expr);                        \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                 \
  do {                                                  \
    ::cairn::Status _s = (expr);                        \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
// lhs = value of a Result<T>, failing the test on error.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                                   \
  auto CAIRN_CONCAT(_res_, __LINE__) = (expr);                                            \
  ASSERT_TRUE(CAIRN_CONCAT(_res_, __LINE__).ok()) << #expr << ": "                        \
                                                  << CAIRN_CONCAT(_res_, __LINE__).status().ToString(); \
  lhs = std::move(CAIRN_CONCAT(_res_, __LINE__)).value()
