// Hadoop Streaming's reporter: lines, parsed as Hadoop's PipeMapRed does.
#include <gtest/gtest.h>

#include "compute/runtime/reporter_line.h"

namespace cairn::compute {
namespace {

TEST(ReporterLineTest, CountersAddTheirAmount) {
  auto r = ParseReporterLine("reporter:counter:demo,lines,12");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, ReporterLine::Kind::kCounter);
  EXPECT_EQ(r->group, "demo");
  EXPECT_EQ(r->name, "lines");
  EXPECT_EQ(r->amount, 12);
  r = ParseReporterLine("reporter:counter:g,n,-3\r");  // a CRLF line from a Windows-made script
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->amount, -3);
  r = ParseReporterLine("reporter:counter:g,n,+9223372036854775807");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->amount, INT64_MAX);
}

TEST(ReporterLineTest, StatusIsTheTrimmedRest) {
  auto r = ParseReporterLine("reporter:status:  mapping part 3 ");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, ReporterLine::Kind::kStatus);
  EXPECT_EQ(r->status, "mapping part 3");
}

TEST(ReporterLineTest, MalformedReportsAreLogOutput) {
  for (const char* line : {"reporter:counter:g,n", "reporter:counter:g,n,", "reporter:counter:g,n,5x",
                           "reporter:counter:g,n,1,2", "reporter:counter:g,n,+", "reporter:counter:g,n,+-1",
                           "reporter:counter:g,n,99999999999999999999", "reporter:counter:", "reporter:count:g,n,1",
                           "a log line", "", " reporter:status:x"}) {
    EXPECT_FALSE(ParseReporterLine(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace cairn::compute
