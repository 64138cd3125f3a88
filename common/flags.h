// FlagSet: the one settings system of every Cairn binary.
//
// Each component keeps its settings in a plain struct with defaults and binds the fields
// to flag names here (names carry the component and unit: datanode_heartbeat_interval_ms).
// Values come from the command line (--name=value or --name value) and from config files
// (--config FILE, lines of `name = value`, '#' comments); the command line wins. --help
// prints every flag with its default and help text. Built on Boost.Program_options.
//
// Thread-safety: build and parse on one thread at start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn {

// A byte count that parses "128MiB", "64k", "1G", "4096".
struct ByteSize {
  uint64_t bytes = 0;
};
Result<uint64_t> ParseByteSize(std::string_view text);
std::string FormatByteSize(uint64_t bytes);  // "128MiB", "1.5GiB", "17B"

class FlagSet {
 public:
  FlagSet(std::string program, std::string summary);
  ~FlagSet();
  FlagSet(const FlagSet&) = delete;
  FlagSet& operator=(const FlagSet&) = delete;

  void Add(const std::string& name, bool* target, const std::string& help);
  void Add(const std::string& name, int* target, const std::string& help);
  void Add(const std::string& name, int64_t* target, const std::string& help);
  void Add(const std::string& name, uint64_t* target, const std::string& help);
  void Add(const std::string& name, double* target, const std::string& help);
  void Add(const std::string& name, std::string* target, const std::string& help);
  void Add(const std::string& name, std::vector<std::string>* target, const std::string& help);
  void Add(const std::string& name, ByteSize* target, const std::string& help);

  // Parses flags. Arguments that are not flags go to *positional (an error when null).
  // After --help, help_requested() is true and the caller should print Usage() and exit 0.
  Status Parse(int argc, char** argv, std::vector<std::string>* positional = nullptr);
  bool help_requested() const { return help_requested_; }
  std::string Usage() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string program_;
  std::string summary_;
  bool help_requested_ = false;
};

}  // namespace cairn
