// The CLI's shared argument parser (client/cli/args.h).
#include "client/cli/args.h"

#include <gtest/gtest.h>

namespace cairn::cli {
namespace {

struct Parsed {
  bool r = false, f = false, json = false;
  std::string replication;
  std::vector<std::string> operands;
};

Status ParseInto(Parsed* p, const std::vector<std::string>& args, size_t min = 1, size_t max = 100) {
  ArgParser parser("cmd [-r] [-f] [--json] [--replication N] PATH...", "test");
  parser.Flag("-r,--recursive", &p->r, "r")
      .Flag("-f", &p->f, "f")
      .Flag("--json", &p->json, "json")
      .Option("-n,--replication", &p->replication, "N", "n")
      .Operands(&p->operands, min, max);
  return parser.Parse(args);
}

TEST(ArgParserTest, FlagsOptionsAndOperandsInAnyOrder) {
  Parsed p;
  ASSERT_TRUE(ParseInto(&p, {"/a", "-r", "--replication", "2", "/b", "--json"}).ok());
  EXPECT_TRUE(p.r);
  EXPECT_FALSE(p.f);
  EXPECT_TRUE(p.json);
  EXPECT_EQ(p.replication, "2");
  EXPECT_EQ(p.operands, (std::vector<std::string>{"/a", "/b"}));
}

TEST(ArgParserTest, CombinedShortFlagsAndEqualsValues) {
  Parsed p;
  ASSERT_TRUE(ParseInto(&p, {"-rf", "--replication=3", "/x"}).ok());
  EXPECT_TRUE(p.r && p.f);
  EXPECT_EQ(p.replication, "3");
  Parsed q;
  ASSERT_TRUE(ParseInto(&q, {"-rn5", "/x"}).ok());
  EXPECT_TRUE(q.r);
  EXPECT_EQ(q.replication, "5");
}

TEST(ArgParserTest, DashIsAnOperandAndDoubleDashEndsOptions) {
  Parsed p;
  ASSERT_TRUE(ParseInto(&p, {"-", "--", "-r", "--json"}).ok());
  EXPECT_FALSE(p.r);
  EXPECT_EQ(p.operands, (std::vector<std::string>{"-", "-r", "--json"}));
}

TEST(ArgParserTest, UsageErrorsAreInvalidArgumentWithOneLineMessages) {
  Parsed a;
  Status st = ParseInto(&a, {"--bogus", "/x"});
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--bogus"), std::string::npos);
  Parsed b;
  EXPECT_EQ(ParseInto(&b, {"/x", "--replication"}).code(), ErrorCode::kInvalidArgument);
  Parsed c;
  EXPECT_EQ(ParseInto(&c, {"--json=1", "/x"}).code(), ErrorCode::kInvalidArgument);
  Parsed d;
  st = ParseInto(&d, {"-r"});
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("missing operand"), std::string::npos);
  Parsed e;
  EXPECT_EQ(ParseInto(&e, {"/a", "/b", "/c"}, 1, 2).code(), ErrorCode::kInvalidArgument);
  Parsed f;
  EXPECT_EQ(ParseInto(&f, {"-x"}).code(), ErrorCode::kInvalidArgument);
  for (const Status& s : {ParseInto(&a, {"--bogus"}), ParseInto(&d, {"-r"})})
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST(ArgParserTest, HelpStopsParsingAndListsOptions) {
  Parsed p;
  bool r = false;
  std::vector<std::string> ops;
  ArgParser parser("cmd [-r] PATH", "does things");
  parser.Flag("-r,--recursive", &r, "go deep").Operands(&ops, 1);
  ASSERT_TRUE(parser.Parse({"--help"}).ok());  // no operand needed with --help
  EXPECT_TRUE(parser.help_requested());
  std::string help = parser.Help("cairn");
  EXPECT_NE(help.find("usage: cairn cmd [-r] PATH"), std::string::npos);
  EXPECT_NE(help.find("-r, --recursive"), std::string::npos);
  EXPECT_NE(help.find("go deep"), std::string::npos);
}

TEST(ParseCountTest, AcceptsDecimalWithinRange) {
  EXPECT_EQ(*ParseCount("3", "n", 10), 3u);
  EXPECT_EQ(*ParseCount("0", "n", 10), 0u);
  EXPECT_EQ(*ParseCount("10", "n", 10), 10u);
  EXPECT_FALSE(ParseCount("11", "n", 10).ok());
  EXPECT_FALSE(ParseCount("", "n", 10).ok());
  EXPECT_FALSE(ParseCount("-1", "n", 10).ok());
  EXPECT_FALSE(ParseCount("3x", "n", 10).ok());
  EXPECT_FALSE(ParseCount("99999999999999999999999", "n", UINT64_MAX).ok());
  EXPECT_EQ(*ParseCount("18446744073709551615", "n", UINT64_MAX), UINT64_MAX);
}

}  // namespace
}  // namespace cairn::cli
