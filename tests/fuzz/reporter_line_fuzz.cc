// Hadoop Streaming's reporter: lines, which any streaming command writes on its stderr:
// whatever the line, a report it yields must say the same when written out again.
#include <cstdlib>
#include <string>

#include "compute/runtime/reporter_line.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn::compute;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto report = ParseReporterLine(line);
  if (!report || report->kind != ReporterLine::Kind::kCounter) return 0;
  const std::string again = "reporter:counter:" + std::string(report->group) + "," + std::string(report->name) +
                            "," + std::to_string(report->amount);
  const auto reparsed = ParseReporterLine(again);
  if (!reparsed || reparsed->group != report->group || reparsed->name != report->name ||
      reparsed->amount != report->amount) {
    std::abort();  // the parser reads back differently what it parsed
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  return {"reporter:counter:demo,lines,1", "reporter:counter:streaming,input_file_set,1\r",
          "reporter:counter:g,n,-9223372036854775808", "reporter:status:mapping attempt_1_m_000003_0",
          "reporter:status:", "a log line"};
}
