// Map output segments: the on-disk record format, the index file, merging and grouping.
#include "compute/segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "compute/runtime/merger.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

using testing::MakeTempDir;

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("segment"); }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(SegmentTest, RoundTripIncludingRecordsLargerThanTheBuffers) {
  std::string path = dir_ + "/seg";
  std::vector<std::pair<std::string, std::string>> records;
  std::mt19937 rng(5);
  for (int i = 0; i < 5000; ++i) {
    size_t vlen = i % 997 == 0 ? 300000 : rng() % 200;
    records.emplace_back(fmt::format("key{:06d}", i), std::string(vlen, static_cast<char>('a' + i % 26)));
  }
  records.emplace_back("", "");  // empty key and value
  {
    ASSERT_OK_AND_ASSIGN(auto w, SegmentWriter::Create(path, 64 * 1024));
    for (const auto& [k, v] : records) ASSERT_OK(w->Append(k, v));
    ASSERT_OK(w->Close());
  }
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  off_t size = ::lseek(fd, 0, SEEK_END);
  SegmentReader reader(fd, 0, static_cast<uint64_t>(size), 4096, path);
  std::string_view k, v;
  size_t n = 0;
  while (reader.Next(&k, &v)) {
    ASSERT_LT(n, records.size());
    EXPECT_EQ(k, records[n].first);
    EXPECT_EQ(v, records[n].second);
    ++n;
  }
  EXPECT_OK(reader.status());
  EXPECT_EQ(n, records.size());
  ::close(fd);
}

TEST_F(SegmentTest, TruncatedSegmentIsCorruption) {
  std::string path = dir_ + "/seg";
  {
    ASSERT_OK_AND_ASSIGN(auto w, SegmentWriter::Create(path));
    ASSERT_OK(w->Append("hello", "world"));
    ASSERT_OK(w->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::string bytes, testing::ReadLocalFile(path));
  SegmentReader reader(std::string_view(bytes).substr(0, bytes.size() - 2));
  std::string_view k, v;
  EXPECT_FALSE(reader.Next(&k, &v));
  EXPECT_EQ(reader.status().code(), ErrorCode::kCorruption);
}

TEST_F(SegmentTest, IndexFileRoundTrip) {
  std::vector<PartitionEntry> entries = {{0, 10, 1}, {10, 0, 0}, {10, 12345678901ull, 42}};
  ASSERT_OK(WriteIndexFile(dir_ + "/idx", entries));
  ASSERT_OK_AND_ASSIGN(auto back, ReadIndexFile(dir_ + "/idx"));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].length, 12345678901ull);
  EXPECT_EQ(back[2].records, 42u);
  ASSERT_OK(testing::WriteLocalFile(dir_ + "/bad", "12345"));
  EXPECT_EQ(ReadIndexFile(dir_ + "/bad").status().code(), ErrorCode::kCorruption);
}

std::string Encode(const std::vector<std::pair<std::string, std::string>>& records, const std::string& path) {
  auto w = SegmentWriter::Create(path);
  for (const auto& [k, v] : records) EXPECT_OK((*w)->Append(k, v));
  EXPECT_OK((*w)->Close());
  return *testing::ReadLocalFile(path);
}

class CollectingEmitter : public mr::Emitter {
 public:
  void Emit(std::string_view k, std::string_view v) override { out.emplace_back(std::string(k), std::string(v)); }
  std::vector<std::pair<std::string, std::string>> out;
};

// Concatenates the values of each key, reading only the first two when `partial`.
class ConcatReducer : public mr::Reducer {
 public:
  explicit ConcatReducer(bool partial) : partial_(partial) {}
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override {
    std::vector<std::string> vs;
    std::string_view v;
    while ((!partial_ || vs.size() < 2) && values.Next(&v)) vs.emplace_back(v);
    std::sort(vs.begin(), vs.end());
    std::string joined;
    for (const auto& s : vs) joined += s;
    out.Emit(key, joined);
  }

 private:
  bool partial_;
};

TEST_F(SegmentTest, MergeAndGroupAcrossSegments) {
  std::string a = Encode({{"a", "1"}, {"b", "2"}, {"d", "3"}}, dir_ + "/a");
  std::string b = Encode({{"a", "4"}, {"c", "5"}, {"d", "6"}, {"d", "7"}}, dir_ + "/b");
  std::string c = Encode({}, dir_ + "/c");
  for (bool partial : {false, true}) {
    SegmentReader ra(a), rb(b), rc(c);
    MergingSource merged({&ra, &rb, &rc});
    CollectingEmitter out;
    ConcatReducer reducer(partial);
    ReduceStats stats;
    ASSERT_OK(RunGroupedReduce(merged, reducer, out, &stats));
    std::vector<std::pair<std::string, std::string>> want = {
        {"a", "14"}, {"b", "2"}, {"c", "5"}, {"d", partial ? "36" : "367"}};
    EXPECT_EQ(out.out, want) << "partial " << partial;
    EXPECT_EQ(stats.groups, 4u);
  }
}

TEST_F(SegmentTest, MergeManySortedRunsIsSorted) {
  std::mt19937 rng(9);
  std::vector<std::string> encoded;
  std::multiset<std::string> all;
  for (int s = 0; s < 20; ++s) {
    std::vector<std::string> keys;
    for (int i = 0; i < 500; ++i) keys.push_back(std::to_string(rng() % 10000));
    std::sort(keys.begin(), keys.end());
    std::vector<std::pair<std::string, std::string>> recs;
    for (auto& k : keys) {
      recs.emplace_back(k, "");
      all.insert(k);
    }
    encoded.push_back(Encode(recs, dir_ + "/s" + std::to_string(s)));
  }
  std::vector<std::unique_ptr<SegmentReader>> readers;
  std::vector<RecordSource*> sources;
  for (auto& e : encoded) {
    readers.push_back(std::make_unique<SegmentReader>(e));
    sources.push_back(readers.back().get());
  }
  MergingSource merged(sources);
  std::vector<std::string> out;
  std::string_view k, v;
  while (merged.Next(&k, &v)) out.emplace_back(k);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
  EXPECT_EQ(std::multiset<std::string>(out.begin(), out.end()), all);
}

}  // namespace
}  // namespace cairn::compute
