// Standalone fuzz driver: runs a target (fuzz_target.h) over its seeds, over any corpus
// files named on the command line, and over --iterations mutations of them (bit flips,
// byte changes, insertions, deletions, truncations, splices, random bytes) drawn from a
// fixed --seed, so a failure reproduces. --write-seeds DIR writes the seeds as files for
// libFuzzer's corpus. A crash is the failure: the process dies, and ctest reports it.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace {

std::string Mutate(const std::vector<std::string>& pool, std::mt19937_64& rng) {
  std::string s = pool[rng() % pool.size()];
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    const size_t n = s.size();
    switch (rng() % 8) {
      case 0:  // flip a bit
        if (n) s[rng() % n] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (n) {
          static const unsigned char kValues[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x8f, 0x20};
          s[rng() % n] = static_cast<char>(kValues[rng() % sizeof kValues]);
        }
        break;
      case 2:  // insert random bytes
        s.insert(n ? rng() % n : 0, std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
      case 3:  // delete a range
        if (n) {
          const size_t at = rng() % n;
          s.erase(at, 1 + rng() % std::min<size_t>(16, n - at));
        }
        break;
      case 4:  // truncate
        if (n) s.resize(rng() % n);
        break;
      case 5: {  // splice with another input
        const std::string& other = pool[rng() % pool.size()];
        if (!other.empty()) s = s.substr(0, n ? rng() % n : 0) + other.substr(rng() % other.size());
        break;
      }
      case 6:  // duplicate a range (repetition finds length bugs)
        if (n) {
          const size_t at = rng() % n;
          s.insert(at, s.substr(at, 1 + rng() % std::min<size_t>(32, n - at)));
        }
        break;
      default:  // fresh random bytes
        s.assign(rng() % 64, '\0');
        for (char& c : s) c = static_cast<char>(rng());
        break;
    }
  }
  return s;
}

void RunOne(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 20000;
  unsigned long long seed = 1;
  std::vector<std::string> pool = CairnFuzzSeeds();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--iterations" && i + 1 < argc) {
      iterations = std::atol(argv[++i]);
    } else if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--write-seeds" && i + 1 < argc) {
      const std::filesystem::path dir = argv[++i];
      std::filesystem::create_directories(dir);
      for (size_t k = 0; k < pool.size(); ++k) {
        std::ofstream out(dir / ("seed-" + std::to_string(k)), std::ios::binary);
        out << pool[k];
      }
      return 0;
    } else {
      std::ifstream in(arg, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", arg.c_str());
        return 2;
      }
      pool.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (pool.empty()) pool.emplace_back();
  for (const auto& s : pool) RunOne(s);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) RunOne(Mutate(pool, rng));
  std::printf("%zu seeds and %ld mutations ran without a crash\n", pool.size(), iterations);
  return 0;
}
