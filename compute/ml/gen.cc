#include "compute/ml/gen.h"

#include <cmath>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "compute/ml/dataset.h"

namespace cairn::ml {

Result<Generator> Generator::Create(const GenOptions& o) {
  if (o.features == 0 || o.features > 100000) return InvalidArgument("features must be between 1 and 100000");
  if (o.kind != "classification" && o.kind != "regression" && o.kind != "clustering")
    return InvalidArgument("unknown kind '{}' (classification, regression or clustering)", o.kind);
  if (o.kind == "clustering" && o.clusters == 0) return InvalidArgument("clustering needs at least one cluster");
  if (o.noise < 0 || o.spread < 0) return InvalidArgument("noise and spread must not be negative");
  Generator g(o);
  std::mt19937_64 rng(o.seed * 7919 + 17);
  std::normal_distribution<double> normal(0, 1);
  if (o.kind == "clustering") {
    std::uniform_real_distribution<double> u(-10, 10);
    for (uint64_t i = 0; i < static_cast<uint64_t>(o.clusters) * o.features; ++i) g.truth_.centres.push_back(static_cast<float>(u(rng)));
  } else {
    for (uint32_t j = 0; j < o.features; ++j) g.truth_.weights.push_back(normal(rng));
    g.truth_.weights.push_back(o.kind == "regression" ? 0.5 : 0.25);
  }
  return g;
}

MlDataFormat Generator::format() const {
  MlDataFormat f;
  f.set_kind(o_.format);
  f.set_features(o_.features);
  f.set_has_label(true);
  return f;
}

std::string Generator::Header() const {
  if (o_.format != MlDataFormat::BINARY) return "";
  return EncodeBinaryHeader({o_.features, true, o_.rows});
}

void Generator::RowValues(uint64_t first, uint64_t n, std::vector<float>* out) const {
  const uint32_t f = o_.features;
  out->resize(n * (f + 1));
  for (uint64_t c = 0; c * kChunkRows < n; ++c) {
    const uint64_t chunk = first / kChunkRows + c;
    std::mt19937_64 rng(o_.seed * 1000003 + chunk * 7 + 1);
    std::normal_distribution<float> normal(0, 1);
    std::uniform_int_distribution<uint32_t> pick(0, std::max<uint32_t>(o_.clusters, 1) - 1);
    const uint64_t rows = std::min(kChunkRows, n - c * kChunkRows);
    for (uint64_t r = 0; r < rows; ++r) {
      float* row = out->data() + (c * kChunkRows + r) * (f + 1);
      if (o_.kind == "clustering") {
        const uint32_t k = pick(rng);
        const float* ctr = truth_.centres.data() + static_cast<size_t>(k) * f;
        for (uint32_t j = 0; j < f; ++j) row[j] = ctr[j] + static_cast<float>(o_.spread) * normal(rng);
        row[f] = static_cast<float>(k);
        continue;
      }
      double z = truth_.weights[f];
      for (uint32_t j = 0; j < f; ++j) {
        row[j] = normal(rng);
        z += truth_.weights[j] * row[j];
      }
      z += o_.noise * normal(rng);
      row[f] = o_.kind == "regression" ? static_cast<float>(z) : (z > 0 ? 1.0f : 0.0f);
    }
  }
}

void Generator::Rows(uint64_t first, uint64_t n, std::string* out) const {
  std::vector<float> v;
  RowValues(first, n, &v);
  const uint32_t cols = o_.features + 1;
  if (o_.format == MlDataFormat::BINARY) {
    const size_t at = out->size();
    out->resize(at + v.size() * sizeof(float));
    std::memcpy(out->data() + at, v.data(), v.size() * sizeof(float));
    return;
  }
  fmt::memory_buffer buf;
  for (uint64_t r = 0; r < n; ++r) {
    for (uint32_t j = 0; j < cols; ++j) {
      const float x = v[r * cols + j];
      if (j + 1 == cols && o_.kind != "regression") fmt::format_to(std::back_inserter(buf), "{}", static_cast<int>(x));
      else fmt::format_to(std::back_inserter(buf), "{:.6g}", x);
      buf.push_back(j + 1 == cols ? '\n' : ',');
    }
  }
  out->append(buf.data(), buf.size());
}

}  // namespace cairn::ml
