// Data and single-process baselines of `cairn-bench mr`.
//
// Text: lines of 4..16 words drawn with a skewed distribution from a 50,000-word
// vocabulary (so a few words are very frequent and most are rare, like real text).
// Records: TeraSort's shape in ASCII (as gensort -a): a 10-byte printable key, a 32-digit
// hex row number, filler, "\r\n" — 100 bytes, so GNU sort can sort them as lines and its
// order is the key order.
//
// The baselines read a local copy of the same bytes: a C++ wordcount (CountWords into a
// CountTable, the built-in's own counting core, on one thread) and a C++ sort (all records
// in memory, std::sort on the key), each writing its result to a file; and shell pipelines
// (`sort | uniq -c`, GNU sort) run through /bin/sh.
//
// Thread-safety: functions of one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace cairn::bench {

// Calls sink with consecutive chunks (about chunk_bytes each) of `total` bytes of data.
Status GenerateText(uint64_t total, uint64_t seed, const std::function<Status(std::string_view)>& sink);
Status GenerateRecords(uint64_t total, uint64_t seed, const std::function<Status(std::string_view)>& sink);

// Seconds taken.
Result<double> CppWordCount(const std::string& in, const std::string& out);
Result<double> CppSort(const std::string& in, const std::string& out);
Result<double> ShellCommand(const std::string& command);

}  // namespace cairn::bench
