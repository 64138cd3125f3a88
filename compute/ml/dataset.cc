#include "compute/ml/dataset.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>

#include "compute/runtime/record_reader.h"

namespace cairn::ml {

namespace {

void PutU32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLe(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

bool IsSep(char c) { return c == ',' || c == ' ' || c == '\t' || c == ';' || c == '\r'; }

// Reads exactly n bytes (fewer only at the end of the file).
Result<size_t> ReadFully(compute::ByteSource* in, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ASSIGN_OR_RETURN(size_t r, in->Read(buf + got, n - got));
    if (r == 0) break;
    got += r;
  }
  return got;
}

// One memory block as a ByteSource.
class MemorySource final : public compute::ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

Result<std::shared_ptr<Partition>> ReadCsv(compute::ByteSource* in, const std::string& name, uint64_t start,
                                           uint64_t end, const MlDataFormat& format, int32_t index) {
  auto part = std::make_shared<Partition>();
  part->id = NextPartitionId();
  part->index = index;
  part->features = format.features();
  part->has_label = format.has_label();
  const uint32_t cols = format.features() + (format.has_label() ? 1 : 0);
  std::vector<float> row(cols);
  auto reader = compute::MakeLineReader(in, compute::SplitRange{name, start, end});
  std::string_view line;
  uint64_t line_no = 0;
  std::string error;
  while (reader->Next(&line)) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!ParseCsvLine(line, format.features(), format.has_label(), row.data(), &error)) {
      if (start == 0 && line_no == 1) continue;  // a header
      return InvalidArgument("{}: line {} of the split at byte {}: {}", name, line_no, start, error);
    }
    part->x.insert(part->x.end(), row.begin(), row.begin() + format.features());
    if (format.has_label()) part->y.push_back(row[format.features()]);
  }
  RETURN_IF_ERROR(reader->status());
  part->x.shrink_to_fit();
  part->y.shrink_to_fit();
  return part;
}

Result<std::shared_ptr<Partition>> ReadBinary(compute::ByteSource* in, const std::string& name, uint64_t start,
                                              uint64_t end, uint64_t file_length, const MlDataFormat& format,
                                              int32_t index) {
  const uint64_t h = kBinaryHeaderBytes;
  const uint64_t rb = BinaryRowBytes(format);
  if (file_length < h) return InvalidArgument("{} is shorter than the binary header", name);
  if ((file_length - h) % rb != 0)
    return InvalidArgument("{}: {} bytes of rows is not a whole number of {}-byte rows", name, file_length - h, rb);
  const uint64_t total_rows = (file_length - h) / rb;
  auto first_row_at = [&](uint64_t off) { return off <= h ? 0 : (off - h + rb - 1) / rb; };
  const uint64_t r0 = std::min(first_row_at(start), total_rows);
  const uint64_t r1 = std::min(first_row_at(end), total_rows);
  auto part = std::make_shared<Partition>();
  part->id = NextPartitionId();
  part->index = index;
  part->features = format.features();
  part->has_label = format.has_label();
  if (start == 0) {
    char head[kBinaryHeaderBytes];
    ASSIGN_OR_RETURN(size_t got, ReadFully(in, head, sizeof head));
    ASSIGN_OR_RETURN(BinaryHeader hd, DecodeBinaryHeader(std::string_view(head, got)));
    if (hd.features != format.features() || hd.has_label != format.has_label())
      return InvalidArgument("{}: the header says {} features{}, the job expects {}{}", name, hd.features,
                             hd.has_label ? " with labels" : "", format.features(),
                             format.has_label() ? " with labels" : "");
  }
  uint64_t pos = start == 0 ? h : start;
  std::vector<char> skip;
  const uint64_t first_off = h + r0 * rb;
  if (first_off > pos) {
    skip.resize(first_off - pos);
    ASSIGN_OR_RETURN(size_t got, ReadFully(in, skip.data(), skip.size()));
    if (got != skip.size()) return Corruption("{}: file ended early", name);
  }
  const uint64_t rows = r1 - r0;
  const uint32_t f = format.features();
  part->x.resize(rows * f);
  if (format.has_label()) part->y.resize(rows);
  constexpr uint64_t kChunkRows = 1 << 14;
  std::vector<float> buf;
  for (uint64_t r = 0; r < rows; r += kChunkRows) {
    const uint64_t n = std::min(kChunkRows, rows - r);
    if (!format.has_label()) {
      char* dst = reinterpret_cast<char*>(part->x.data() + r * f);
      ASSIGN_OR_RETURN(size_t got, ReadFully(in, dst, n * rb));
      if (got != n * rb) return Corruption("{}: file ended inside row {}", name, r0 + r + got / rb);
      continue;
    }
    buf.resize(n * (f + 1));
    ASSIGN_OR_RETURN(size_t got, ReadFully(in, reinterpret_cast<char*>(buf.data()), n * rb));
    if (got != n * rb) return Corruption("{}: file ended inside row {}", name, r0 + r + got / rb);
    for (uint64_t i = 0; i < n; ++i) {
      std::memcpy(part->x.data() + (r + i) * f, buf.data() + i * (f + 1), f * sizeof(float));
      part->y[r + i] = buf[i * (f + 1) + f];
    }
  }
  return part;
}

}  // namespace

uint64_t NextPartitionId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

std::string EncodeBinaryHeader(const BinaryHeader& h) {
  std::string s(kBinaryMagic, sizeof kBinaryMagic);
  PutU32(&s, h.features);
  PutU32(&s, h.has_label ? 1 : 0);
  PutU64(&s, h.rows);
  PutU64(&s, 0);
  return s;
}

Result<BinaryHeader> DecodeBinaryHeader(std::string_view b) {
  if (b.size() < kBinaryHeaderBytes || std::memcmp(b.data(), kBinaryMagic, sizeof kBinaryMagic) != 0)
    return InvalidArgument("not a Cairn ML binary file (no CAIRNML1 header)");
  BinaryHeader h;
  h.features = static_cast<uint32_t>(GetLe(b.data() + 8, 4));
  h.has_label = (GetLe(b.data() + 12, 4) & 1) != 0;
  h.rows = GetLe(b.data() + 16, 8);
  if (h.features == 0 || h.features > (1u << 20)) return InvalidArgument("binary header: bad feature count {}", h.features);
  return h;
}

bool ParseCsvLine(std::string_view line, uint32_t features, bool has_label, float* out, std::string* error) {
  const uint32_t want = features + (has_label ? 1 : 0);
  const char* p = line.data();
  const char* end = p + line.size();
  uint32_t n = 0;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (p == end) break;
    if (n == want) {
      *error = fmt::format("more than {} columns", want);
      return false;
    }
    if (*p == '+') ++p;
    auto [next, ec] = std::from_chars(p, end, out[n]);
    if (ec != std::errc()) {
      const char* stop = p;
      while (stop < end && !IsSep(*stop)) ++stop;
      *error = fmt::format("column {} ('{}') is not a number", n + 1, std::string_view(p, std::min<size_t>(stop - p, 40)));
      return false;
    }
    ++n;
    p = next;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p < end) {
      if (!IsSep(*p)) {
        *error = fmt::format("unexpected '{}' after column {}", *p, n);
        return false;
      }
      ++p;
    }
  }
  if (n != want) {
    *error = fmt::format("{} columns, expected {}", n, want);
    return false;
  }
  return true;
}

Result<std::shared_ptr<Partition>> ReadPartition(compute::ByteSource* in, const std::string& name, uint64_t start,
                                                 uint64_t end, uint64_t file_length, const MlDataFormat& format,
                                                 int32_t index) {
  if (format.features() == 0) return InvalidArgument("the data format has no features");
  if (format.kind() == MlDataFormat::BINARY) return ReadBinary(in, name, start, end, file_length, format, index);
  return ReadCsv(in, name, start, end, format, index);
}

Result<std::shared_ptr<Partition>> ParseWholeFile(std::string_view data, const MlDataFormat& format) {
  MemorySource src(data);
  return ReadPartition(&src, "data", 0, data.size(), data.size(), format, 0);
}

Result<MlDataFormat> DetectFormat(std::string_view head, bool has_label) {
  MlDataFormat f;
  if (head.size() >= kBinaryHeaderBytes && std::memcmp(head.data(), kBinaryMagic, sizeof kBinaryMagic) == 0) {
    ASSIGN_OR_RETURN(BinaryHeader h, DecodeBinaryHeader(head));
    f.set_kind(MlDataFormat::BINARY);
    f.set_features(h.features);
    f.set_has_label(h.has_label);
    return f;
  }
  // CSV: count the columns of the first line that is all numbers.
  size_t pos = 0;
  for (int line_no = 0; line_no < 2 && pos < head.size(); ++line_no) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    uint32_t cols = 0;
    bool numeric = true;
    const char* p = line.data();
    const char* end = p + line.size();
    while (p < end && numeric) {
      while (p < end && IsSep(*p)) ++p;
      if (p == end) break;
      float v;
      if (*p == '+') ++p;
      auto [next, ec] = std::from_chars(p, end, v);
      numeric = ec == std::errc();
      p = next;
      ++cols;
    }
    if (!numeric || cols == 0) continue;
    uint32_t features = cols - (has_label ? 1 : 0);
    if (features == 0) return InvalidArgument("the data has a label column and no features");
    f.set_kind(MlDataFormat::CSV);
    f.set_features(features);
    f.set_has_label(has_label);
    return f;
  }
  return InvalidArgument("neither a Cairn ML binary file nor CSV of numbers");
}

}  // namespace cairn::ml
