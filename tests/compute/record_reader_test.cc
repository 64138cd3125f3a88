// Record readers: every line (or record) is read by exactly one split, wherever the split
// boundaries fall, as Hadoop's LineRecordReader promises.
#include "compute/runtime/record_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include <fmt/format.h>

namespace cairn::compute {
namespace {

// The bytes of a file from `start`, handed out in reads of at most `chunk` bytes.
class MemorySource final : public ByteSource {
 public:
  MemorySource(const std::string& data, uint64_t start, size_t chunk) : data_(data), pos_(start), chunk_(chunk) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min({n, chunk_, data_.size() - std::min<size_t>(pos_, data_.size())});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const std::string& data_;
  size_t pos_;
  size_t chunk_;
};

std::vector<std::string> ReadAllLines(const std::string& data, uint64_t split_size, size_t chunk, size_t buffer) {
  std::vector<std::string> lines;
  for (uint64_t start = 0; start < data.size(); start += split_size) {
    uint64_t end = std::min<uint64_t>(start + split_size, data.size());
    MemorySource src(data, start, chunk);
    auto reader = MakeLineReader(&src, {"file", start, end}, buffer);
    std::string_view line;
    while (reader->Next(&line)) lines.emplace_back(line);
    EXPECT_TRUE(reader->status().ok()) << reader->status().ToString();
  }
  return lines;
}

std::vector<std::string> SplitLines(const std::string& data) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string::npos) nl = data.size();
    std::string line = data.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

std::string RandomText(size_t lines, uint64_t seed, bool crlf = false) {
  std::mt19937_64 rng(seed);
  std::string out;
  for (size_t i = 0; i < lines; ++i) {
    size_t len = rng() % 5 == 0 ? 0 : rng() % 300;  // empty lines too
    for (size_t k = 0; k < len; ++k) out += static_cast<char>('a' + rng() % 26);
    out += crlf ? "\r\n" : "\n";
  }
  return out;
}

TEST(LineReaderTest, EveryLineOnceAtAnySplitSize) {
  const std::string data = RandomText(2000, 7);
  const auto expected = SplitLines(data);
  for (uint64_t split : {1ull, 2ull, 7ull, 100ull, 299ull, 512ull, 4096ull, 100000ull, 10000000ull}) {
    EXPECT_EQ(ReadAllLines(data, split, 1 << 20, 4096), expected) << "split size " << split;
  }
}

TEST(LineReaderTest, SmallReadsAndBuffersThatMustGrow) {
  std::string data = RandomText(300, 11);
  data += std::string(20000, 'x') + "\n";  // a line longer than the buffer
  data += "last line without a newline";
  const auto expected = SplitLines(data);
  for (uint64_t split : {3ull, 333ull, 5000ull}) {
    EXPECT_EQ(ReadAllLines(data, split, 17, 4096), expected) << "split size " << split;
  }
}

TEST(LineReaderTest, CrLfEndingsAreDropped) {
  const std::string data = RandomText(500, 3, /*crlf=*/true);
  const auto expected = SplitLines(data);
  EXPECT_EQ(ReadAllLines(data, 1000, 1 << 20, 4096), expected);
  for (const auto& l : ReadAllLines(data, 1000, 1 << 20, 4096)) EXPECT_EQ(l.find('\r'), std::string::npos);
}

TEST(LineReaderTest, LineStartingExactlyAtSplitEndBelongsToThatSplit) {
  const std::string data = "aaaa\nbbbb\ncccc\n";
  // Split [0, 5) ends where "bbbb" starts: the first split reads it, the second skips it.
  MemorySource first(data, 0, 1 << 20);
  auto r1 = MakeLineReader(&first, {"f", 0, 5}, 4096);
  std::vector<std::string> got;
  std::string_view line;
  while (r1->Next(&line)) got.emplace_back(line);
  EXPECT_EQ(got, (std::vector<std::string>{"aaaa", "bbbb"}));
  MemorySource second(data, 5, 1 << 20);
  auto r2 = MakeLineReader(&second, {"f", 5, 15}, 4096);
  got.clear();
  while (r2->Next(&line)) got.emplace_back(line);
  EXPECT_EQ(got, (std::vector<std::string>{"cccc"}));
  EXPECT_FLOAT_EQ(r2->progress(), 1.0f);
}

TEST(FixedRecordReaderTest, RecordsStartingInsideTheSplit) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += fmt::format("{:010d}{}", i, std::string(90, 'v'));
  for (uint64_t split : {1ull, 64ull, 100ull, 333ull, 4096ull, 1000000ull}) {
    std::vector<std::string> keys;
    for (uint64_t start = 0; start < data.size(); start += split) {
      uint64_t end = std::min<uint64_t>(start + split, data.size());
      MemorySource src(data, start, 777);
      auto reader = MakeFixedRecordReader(&src, {"f", start, end}, 100, 4096);
      std::string_view rec;
      while (reader->Next(&rec)) {
        ASSERT_EQ(rec.size(), 100u);
        keys.emplace_back(rec.substr(0, 10));
      }
      ASSERT_TRUE(reader->status().ok());
    }
    ASSERT_EQ(keys.size(), 1000u) << "split size " << split;
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(keys[i], fmt::format("{:010d}", i));
  }
}

TEST(FixedRecordReaderTest, TruncatedRecordIsAnError) {
  std::string data(250, 'x');
  MemorySource src(data, 0, 1 << 20);
  auto reader = MakeFixedRecordReader(&src, {"f", 0, 250}, 100, 4096);
  std::string_view rec;
  EXPECT_TRUE(reader->Next(&rec));
  EXPECT_TRUE(reader->Next(&rec));
  EXPECT_FALSE(reader->Next(&rec));
  EXPECT_EQ(reader->status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(reader->status().message().find("inside a 100-byte record"), std::string::npos);
}

}  // namespace
}  // namespace cairn::compute
