// Synthetic data for the built-in algorithms (`cairn ml gen`, tests, the benchmark):
//  - classification: x ~ N(0, I), label = [x·w + b + noise·ε > 0] for a random w (linearly
//    separable when noise is 0);
//  - regression: y = x·w + b + noise·ε;
//  - clustering: k centres uniform in [-10, 10]^F, rows = a random centre + spread·N(0, I),
//    label = the centre's number.
// Rows come in chunks, each drawn from its own seed (seed, chunk), so the same options give
// the same data however it is read. Truth() says what was planted.
//
// Thread-safety: a Generator is used by one thread; chunks are independent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cairn/ml.pb.h"
#include "common/status.h"

namespace cairn::ml {

struct GenOptions {
  std::string kind = "classification";  // classification | regression | clustering
  uint64_t rows = 10000;
  uint32_t features = 8;
  uint32_t clusters = 4;                 // clustering: k
  double noise = 0;                      // label noise (classification, regression)
  double spread = 1.0;                   // clustering: standard deviation around a centre
  uint64_t seed = 1;
  MlDataFormat::Kind format = MlDataFormat::BINARY;
};

struct GenTruth {
  std::vector<double> weights;           // F then bias (classification, regression)
  std::vector<float> centres;            // k x F (clustering)
};

class Generator {
 public:
  static Result<Generator> Create(const GenOptions& options);
  const GenTruth& truth() const { return truth_; }
  MlDataFormat format() const;
  // The file's first bytes (the binary header; CSV: none).
  std::string Header() const;
  // Rows [first, first + n) encoded in the format, appended to out. first must be a
  // multiple of kChunkRows, as must n unless it reaches the end.
  void Rows(uint64_t first, uint64_t n, std::string* out) const;
  // Rows [first, first + n) as floats: features then the label, per row.
  void RowValues(uint64_t first, uint64_t n, std::vector<float>* out) const;

  static constexpr uint64_t kChunkRows = 1 << 16;

 private:
  explicit Generator(GenOptions o) : o_(std::move(o)) {}
  GenOptions o_;
  GenTruth truth_;
};

}  // namespace cairn::ml
