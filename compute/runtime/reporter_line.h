// Hadoop Streaming's stderr protocol: a command reports progress by writing
// `reporter:counter:GROUP,NAME,AMOUNT` (adds AMOUNT, a signed decimal, to a counter) or
// `reporter:status:MESSAGE` (sets the task's status) as a line on its stderr. Every other
// line, malformed reporter lines included, is ordinary log output.
//
// ParseReporterLine is the one parser of such lines; its views point into the line.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cairn::compute {

struct ReporterLine {
  enum class Kind { kCounter, kStatus };
  Kind kind = Kind::kStatus;
  std::string_view group;   // kCounter
  std::string_view name;    // kCounter
  int64_t amount = 0;       // kCounter
  std::string_view status;  // kStatus
};

// The report a stderr line makes, or nullopt when it is log output.
std::optional<ReporterLine> ParseReporterLine(std::string_view line);

}  // namespace cairn::compute
