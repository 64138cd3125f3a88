// The map-side sort buffer: partitions, sorting, spills, the combiner and the final merge.
#include "compute/runtime/map_output_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <charconv>
#include <map>
#include <random>

#include <fmt/format.h>

#include "compute/runtime/count_table.h"
#include "compute/runtime/merger.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

using Records = std::vector<std::pair<std::string, std::string>>;

// Reads partition p of a map's output.
Records ReadPartition(const std::string& dir, int p) {
  auto index = ReadIndexFile(MapOutputBuffer::IndexFile(dir));
  EXPECT_TRUE(index.ok());
  int fd = ::open(MapOutputBuffer::OutputFile(dir).c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  const PartitionEntry& e = (*index)[p];
  SegmentReader reader(fd, e.offset, e.length, 4096, "out");
  Records out;
  std::string_view k, v;
  while (reader.Next(&k, &v)) out.emplace_back(k, v);
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(out.size(), e.records);
  ::close(fd);
  return out;
}

class SumCombiner : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override {
    uint64_t sum = 0;
    std::string_view v;
    while (values.Next(&v)) {
      uint64_t n = 0;
      std::from_chars(v.data(), v.data() + v.size(), n);
      sum += n;
    }
    out.Emit(key, std::to_string(sum));
  }
};

class MapOutputBufferTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("mapout"); }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_;
};

TEST_P(MapOutputBufferTest, SortedPartitionsWithManySpills) {
  const bool combine = GetParam();
  const int partitions = 4;
  HashPartitioner partitioner(partitions);
  MapOutputOptions options;
  options.partitions = partitions;
  options.buffer_bytes = 1 << 20;  // the minimum: forces several spills
  options.dir = dir_;
  options.partitioner = &partitioner;
  if (combine) options.combiner = [] { return Result<std::unique_ptr<mr::Reducer>>(std::make_unique<SumCombiner>()); };
  TaskCounters counters;
  MapOutputBuffer buffer(options, &counters);
  std::mt19937 rng(1);
  std::map<std::string, uint64_t> expected;
  std::multiset<std::pair<std::string, std::string>> emitted;
  for (int i = 0; i < 120000; ++i) {
    std::string key = fmt::format("k{}", rng() % 5000);
    expected[key] += 1;
    buffer.Emit(key, "1");
    emitted.emplace(key, "1");
  }
  buffer.Emit(std::string(3 << 20, 'z'), "1");  // bigger than the whole buffer
  expected[std::string(3 << 20, 'z')] += 1;
  emitted.emplace(std::string(3 << 20, 'z'), "1");
  ASSERT_OK(buffer.Finish());
  EXPECT_GT(buffer.spills(), 2);
  EXPECT_EQ(counters.map_output_records.Get(), 120001u);

  std::map<std::string, uint64_t> got;
  std::multiset<std::pair<std::string, std::string>> all;
  for (int p = 0; p < partitions; ++p) {
    Records recs = ReadPartition(dir_, p);
    for (size_t i = 1; i < recs.size(); ++i) EXPECT_LE(recs[i - 1].first, recs[i].first);
    for (const auto& [k, v] : recs) {
      EXPECT_EQ(partitioner.Partition(k), p);
      got[k] += std::stoull(v);
      all.emplace(k, v);
    }
  }
  EXPECT_EQ(got, expected);
  if (combine) {
    EXPECT_GT(counters.combine_input_records.Get(), counters.combine_output_records.Get());
    // After the final merge's combine, each key appears once.
    EXPECT_EQ(all.size(), expected.size());
  } else {
    EXPECT_EQ(all, emitted);
  }
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutCombiner, MapOutputBufferTest, ::testing::Bool());

TEST(MapOutputBufferEmptyTest, NoRecordsGiveEmptyPartitions) {
  std::string dir = testing::MakeTempDir("mapout");
  HashPartitioner partitioner(3);
  MapOutputOptions options;
  options.partitions = 3;
  options.dir = dir;
  options.partitioner = &partitioner;
  TaskCounters counters;
  MapOutputBuffer buffer(options, &counters);
  ASSERT_OK(buffer.Finish());
  for (int p = 0; p < 3; ++p) EXPECT_TRUE(ReadPartition(dir, p).empty());
  testing::RemoveTree(dir);
}

TEST(PartitionerTest, RangeBoundsGiveTotalOrder) {
  std::vector<std::string> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back(fmt::format("{:04d}", (i * 7919) % 1000));
  auto bounds = ChooseRangeBounds(samples, 4);
  ASSERT_EQ(bounds.size(), 3u);
  EXPECT_EQ(bounds, (std::vector<std::string>{"0250", "0500", "0750"}));
  ASSERT_OK_AND_ASSIGN(auto p, RangePartitioner::Create(bounds, 4));
  EXPECT_EQ(p->Partition("0000"), 0);
  EXPECT_EQ(p->Partition("0249"), 0);
  EXPECT_EQ(p->Partition("0250"), 1);
  EXPECT_EQ(p->Partition("0999"), 3);
  EXPECT_EQ(p->Partition("1"), 3);
  EXPECT_FALSE(RangePartitioner::Create({"b", "a"}, 3).ok());
  EXPECT_FALSE(RangePartitioner::Create({"a"}, 3).ok());
}

TEST(PartitionerTest, HashPartitionerIsStableAndSpreads) {
  HashPartitioner p(8);
  std::vector<int> counts(8);
  for (int i = 0; i < 8000; ++i) counts[p.Partition(fmt::format("word{}", i))]++;
  for (int c : counts) EXPECT_GT(c, 700);
  EXPECT_EQ(p.Partition("cairn"), HashPartitioner(8).Partition("cairn"));
  EXPECT_EQ(HashPartitioner(1).Partition("x"), 0);
}

TEST(CountTableTest, MatchesAMap) {
  CountTable table(16);
  std::map<std::string, uint64_t> ref;
  std::mt19937 rng(3);
  std::string text;
  for (int i = 0; i < 50000; ++i) {
    std::string w = fmt::format("w{}", rng() % 3000);
    text += w;
    text += (i % 10 == 0) ? "\n" : (i % 3 == 0 ? "\t " : " ");
    ref[w]++;
  }
  CountWords(text, &table);
  std::map<std::string, uint64_t> got;
  table.ForEach([&](std::string_view k, uint64_t c) { got[std::string(k)] = c; });
  EXPECT_EQ(got, ref);
  EXPECT_EQ(table.size(), ref.size());
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  table.Add("", 2);
  table.Add("", 3);
  table.ForEach([&](std::string_view k, uint64_t c) {
    EXPECT_EQ(k, "");
    EXPECT_EQ(c, 5u);
  });
}

}  // namespace
}  // namespace cairn::compute
