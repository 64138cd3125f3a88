// ArgParser: the one argument parser of the `cairn` CLI commands and of cairn-bench.
//
// A command declares its flags (-r, --recursive), options with a value (--replication N,
// --replication=N) and how many positional operands it takes; Parse() fills the targets.
// Short flags combine (-rf); "--" ends the options; "-" alone is an operand (stdin or
// stdout). Every mistake is a kInvalidArgument with a one-line message, which callers
// report as a usage error (exit code 2). -h/--help sets help_requested().
//
// Thread-safety: one thread.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::cli {

class ArgParser {
 public:
  // synopsis: "ls [-R] [--json] PATH..." (after the program name); description: one line.
  ArgParser(std::string synopsis, std::string description);

  // names: "-r", "--json" or "-r,--recursive".
  ArgParser& Flag(const std::string& names, bool* target, std::string help);
  ArgParser& Option(const std::string& names, std::string* target, std::string value_name, std::string help);
  // Operands go to *out; fewer than min or more than max is a usage error.
  ArgParser& Operands(std::vector<std::string>* out, size_t min,
                      size_t max = std::numeric_limits<size_t>::max());

  Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }
  // Synopsis, description and one line per option.
  std::string Help(const std::string& program) const;

 private:
  struct Spec {
    std::vector<std::string> names;
    bool* flag = nullptr;
    std::string* value = nullptr;
    std::string value_name;
    std::string help;
  };
  const Spec* Find(const std::string& name) const;

  std::string synopsis_;
  std::string description_;
  std::vector<Spec> specs_;
  std::vector<std::string>* operands_ = nullptr;
  size_t min_operands_ = 0;
  size_t max_operands_ = 0;
  bool help_requested_ = false;
};

// Parses a non-negative decimal integer that must fit `max`; `what` names it in errors.
Result<uint64_t> ParseCount(const std::string& text, const std::string& what, uint64_t max);

}  // namespace cairn::cli
