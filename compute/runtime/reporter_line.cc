#include "compute/runtime/reporter_line.h"

#include "common/parse_number.h"

namespace cairn::compute {

namespace {
constexpr std::string_view kCounter = "reporter:counter:";
constexpr std::string_view kStatus = "reporter:status:";

// Java's String.trim: drops leading and trailing characters up to ' ' ('\r' included).
std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// Long.parseLong: an optional sign, then decimal digits only, in range.
std::optional<int64_t> ParseLong(std::string_view s) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  int64_t value = 0;
  if (!ParseWholeNumber(s, &value)) return std::nullopt;
  return value;
}
}  // namespace

std::optional<ReporterLine> ParseReporterLine(std::string_view line) {
  ReporterLine report;
  if (line.starts_with(kStatus)) {
    report.kind = ReporterLine::Kind::kStatus;
    report.status = Trim(line.substr(kStatus.size()));
    return report;
  }
  if (!line.starts_with(kCounter)) return std::nullopt;
  // As Hadoop's PipeMapRed: the trimmed rest is exactly GROUP,NAME,AMOUNT.
  const std::string_view rest = Trim(line.substr(kCounter.size()));
  const size_t c1 = rest.find(',');
  if (c1 == std::string_view::npos) return std::nullopt;
  const size_t c2 = rest.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  const auto amount = ParseLong(rest.substr(c2 + 1));  // "5x" and "1,2" are log output
  if (!amount) return std::nullopt;
  report.kind = ReporterLine::Kind::kCounter;
  report.group = rest.substr(0, c1);
  report.name = rest.substr(c1 + 1, c2 - c1 - 1);
  report.amount = *amount;
  return report;
}

}  // namespace cairn::compute
