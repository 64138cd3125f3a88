#include "tools/bench/mr_data.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "compute/runtime/count_table.h"

namespace cairn::bench {

namespace {

constexpr size_t kChunkBytes = 8 << 20;
constexpr size_t kVocabulary = 50000;

struct Rng {
  uint64_t x;
  uint64_t Next() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoError(errno, "write " + path);
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

Result<std::string> ReadAll(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, path);
  struct stat st{};
  ::fstat(fd, &st);
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

}  // namespace

Status GenerateText(uint64_t total, uint64_t seed, const std::function<Status(std::string_view)>& sink) {
  Rng rng{seed * 0x9E3779B97F4A7C15ull + 1};
  std::vector<std::string> vocab(kVocabulary);
  for (auto& w : vocab) {
    size_t len = 2 + rng.Next() % 9;
    for (size_t i = 0; i < len; ++i) w += static_cast<char>('a' + rng.Next() % 26);
  }
  std::string chunk;
  chunk.reserve(kChunkBytes + 256);
  uint64_t done = 0;
  while (done < total) {
    chunk.clear();
    while (chunk.size() < kChunkBytes && done + chunk.size() < total) {
      int words = 4 + static_cast<int>(rng.Next() % 13);
      for (int i = 0; i < words; ++i) {
        // The smaller of two uniform draws, squared: heavily skewed towards low indexes.
        double u = static_cast<double>(std::min(rng.Next(), rng.Next()) >> 11) / static_cast<double>(1ull << 53);
        const std::string& w = vocab[static_cast<size_t>(u * u * kVocabulary) % kVocabulary];
        if (i > 0) chunk += ' ';
        chunk += w;
      }
      chunk += '\n';
    }
    if (done + chunk.size() > total) {
      // End on a whole line within the requested size.
      size_t keep = static_cast<size_t>(total - done);
      size_t nl = chunk.rfind('\n', keep == 0 ? 0 : keep - 1);
      chunk.resize(nl == std::string::npos ? 0 : nl + 1);
      if (chunk.empty()) break;
    }
    RETURN_IF_ERROR(sink(chunk));
    done += chunk.size();
    if (done + 2 >= total) break;
  }
  return Status::OK();
}

Status GenerateRecords(uint64_t total, uint64_t seed, const std::function<Status(std::string_view)>& sink) {
  Rng rng{seed * 0x9E3779B97F4A7C15ull + 7};
  const uint64_t records = total / 100;
  std::string chunk;
  chunk.reserve(kChunkBytes);
  for (uint64_t i = 0; i < records;) {
    chunk.clear();
    for (; i < records && chunk.size() + 100 <= kChunkBytes; ++i) {
      char rec[100];
      for (int k = 0; k < 10; ++k) rec[k] = static_cast<char>(' ' + rng.Next() % 95);
      auto hex = fmt::format_to_n(rec + 10, 32, "{:032X}", i);
      (void)hex;
      std::memset(rec + 42, 'A' + static_cast<char>(i % 26), 56);
      rec[98] = '\r';
      rec[99] = '\n';
      chunk.append(rec, 100);
    }
    RETURN_IF_ERROR(sink(chunk));
  }
  return Status::OK();
}

Result<double> CppWordCount(const std::string& in, const std::string& out) {
  auto start = std::chrono::steady_clock::now();
  int fd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, in);
  compute::CountTable table(1 << 16);
  std::vector<char> buf(8 << 20);
  size_t carry = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data() + carry, buf.size() - carry);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return ErrnoError(errno, "read " + in);
    }
    size_t have = carry + static_cast<size_t>(n);
    if (n == 0) {
      compute::CountWords(std::string_view(buf.data(), have), &table);
      break;
    }
    // Count up to the last whitespace; the partial word waits for the next read.
    size_t cut = have;
    while (cut > 0 && !std::isspace(static_cast<unsigned char>(buf[cut - 1]))) --cut;
    if (cut == 0) cut = have;
    compute::CountWords(std::string_view(buf.data(), cut), &table);
    carry = have - cut;
    std::memmove(buf.data(), buf.data() + cut, carry);
  }
  ::close(fd);
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (ofd < 0) return ErrnoError(errno, out);
  std::string text;
  char digits[24];
  Status st;
  table.ForEach([&](std::string_view word, uint64_t count) {
    auto r = std::to_chars(digits, digits + sizeof digits, count);
    text.append(word);
    text += '\t';
    text.append(digits, static_cast<size_t>(r.ptr - digits));
    text += '\n';
    if (text.size() > (4 << 20) && st.ok()) {
      st = WriteAll(ofd, text.data(), text.size(), out);
      text.clear();
    }
  });
  if (st.ok()) st = WriteAll(ofd, text.data(), text.size(), out);
  ::close(ofd);
  RETURN_IF_ERROR(st);
  return Seconds(start);
}

Result<double> CppSort(const std::string& in, const std::string& out) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::string data, ReadAll(in));
  const size_t n = data.size() / 100;
  struct Entry {
    uint64_t prefix;
    uint32_t index;
  };
  std::vector<Entry> entries(n);
  for (size_t i = 0; i < n; ++i) {
    const auto* k = reinterpret_cast<const unsigned char*>(data.data() + i * 100);
    uint64_t p = 0;
    for (int b = 0; b < 8; ++b) p = p << 8 | k[b];
    entries[i] = {p, static_cast<uint32_t>(i)};
  }
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return std::memcmp(data.data() + a.index * 100ull + 8, data.data() + b.index * 100ull + 8, 2) < 0;
  });
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, out);
  std::string buf;
  buf.reserve(4 << 20);
  Status st;
  for (const Entry& e : entries) {
    buf.append(data.data() + e.index * 100ull, 100);
    if (buf.size() >= (4 << 20)) {
      st = WriteAll(fd, buf.data(), buf.size(), out);
      if (!st.ok()) break;
      buf.clear();
    }
  }
  if (st.ok()) st = WriteAll(fd, buf.data(), buf.size(), out);
  ::close(fd);
  RETURN_IF_ERROR(st);
  return Seconds(start);
}

Result<double> ShellCommand(const std::string& command) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork");
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Aborted("'{}' failed (status {})", command, status);
  return Seconds(start);
}

}  // namespace cairn::bench
