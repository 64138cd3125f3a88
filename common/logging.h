// Logging for every Cairn binary: spdlog with one line format, to stderr or a file.
// Components log through spdlog's free functions (spdlog::info(...)); InitLogging sets the
// level and the component tag once at start-up. LogOnce() guards messages that would
// otherwise repeat for every request (e.g. an I/O fallback).
#pragma once

#include <atomic>
#include <string>

#include <spdlog/spdlog.h>

namespace cairn {

struct LogSettings {
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
  std::string log_file;            // empty: stderr
};

class FlagSet;
void AddLogFlags(FlagSet& flags, LogSettings* settings);
void InitLogging(const std::string& component, const LogSettings& settings);

// True the first time it is called with a given flag; use with a function-local static.
inline bool LogOnce(std::atomic<bool>& flag) { return !flag.exchange(true); }

}  // namespace cairn
