#include "compute/ml/ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace cairn::ml {

namespace {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from (seed, partition, row).
double Uniform(uint64_t seed, int32_t partition, uint64_t row) {
  uint64_t h = Mix(Mix(seed ^ 0x5bd1e995ULL) ^ (static_cast<uint64_t>(static_cast<uint32_t>(partition)) << 40) ^ row);
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

void Grow(MlPartial* out, size_t n) {
  if (static_cast<size_t>(out->values_size()) < n) out->mutable_values()->Resize(static_cast<int>(n), 0.0);
}

int32_t ModelFold(const MlCommand& cmd, int m) { return m < cmd.model_fold_size() ? cmd.model_fold(m) : -1; }
uint32_t Folds(const MlCommand& cmd) { return std::max<uint32_t>(1, cmd.folds()); }

// Row weights: rows whose fold is (in_fold) or is not (!in_fold) `fold`, and sampled rows
// when fraction < 1. Empty when every row counts.
std::vector<float> RowWeights(const MlCommand& cmd, const Partition& p, int32_t fold, bool in_fold, double fraction) {
  const uint32_t folds = Folds(cmd);
  const bool use_fold = folds > 1 && fold >= 0;
  const bool sample = fraction > 0 && fraction < 1;
  if (!use_fold && !sample) return {};
  std::vector<float> w(p.rows(), 1.0f);
  for (size_t i = 0; i < p.rows(); ++i) {
    bool keep = true;
    if (use_fold) keep = (FoldOf(p.index, i, folds) == static_cast<uint32_t>(fold)) == in_fold;
    if (keep && sample) keep = Sampled(cmd.seed(), p.index, i, fraction);
    w[i] = keep ? 1.0f : 0.0f;
  }
  return w;
}

Status CheckModel(const MlModel& m, const Partition& p, size_t want_weights) {
  if (m.features() != p.features)
    return InvalidArgument("the model has {} features, the data {}", m.features(), p.features);
  if (static_cast<size_t>(m.weights_size()) != want_weights)
    return InvalidArgument("the model has {} weights, expected {}", m.weights_size(), want_weights);
  return Status::OK();
}

Status NeedLabels(const Partition& p) {
  if (p.y.size() != p.rows()) return InvalidArgument("this step needs labelled data; the data has no label column");
  return Status::OK();
}

void AppendRow(const Partition& p, size_t i, double weight, MlPartial* out) {
  for (uint32_t j = 0; j < p.features; ++j) out->add_samples(p.row(i)[j]);
  out->add_sample_weights(weight);
}

Status Evaluate(const MlCommand& cmd, const Partition& p, Kernels& k, MlPartial* out) {
  Grow(out, static_cast<size_t>(cmd.models_size()) * kEvalValues);
  std::vector<float> scratch(p.rows());
  std::vector<int32_t> idx;
  for (int m = 0; m < cmd.models_size(); ++m) {
    const MlModel& model = cmd.models(m);
    std::vector<float> w = RowWeights(cmd, p, ModelFold(cmd, m), /*in_fold=*/true, 0);
    double* v = out->mutable_values()->mutable_data() + static_cast<size_t>(m) * kEvalValues;
    if (model.algorithm() == "kmeans") {
      RETURN_IF_ERROR(CheckModel(model, p, static_cast<size_t>(model.k()) * p.features));
      k.MinDistances(p, model.weights().data(), model.k(), scratch.data());
      for (size_t i = 0; i < p.rows(); ++i) {
        if (!w.empty() && w[i] == 0) continue;
        v[0] += 1;
        v[1] += scratch[i];
      }
      continue;
    }
    RETURN_IF_ERROR(NeedLabels(p));
    RETURN_IF_ERROR(CheckModel(model, p, p.features + 1));
    k.Margins(p, model.weights().data(), scratch.data());
    const bool logistic = model.algorithm() == "logreg";
    for (size_t i = 0; i < p.rows(); ++i) {
      if (!w.empty() && w[i] == 0) continue;
      const double z = scratch[i], y = p.y[i];
      v[0] += 1;
      if (logistic) {
        v[1] += ((z >= 0) == (y >= 0.5)) ? 1 : 0;
        v[2] += std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))) - y * z;
      } else {
        v[1] += (z - y) * (z - y);
        v[2] += y;
        v[3] += y * y;
      }
    }
  }
  return Status::OK();
}

Status Predict(const MlCommand& cmd, const Partition& p, Kernels& k, const PredictionWriter& writer, MlPartial* out) {
  if (cmd.models_size() != 1) return InvalidArgument("PREDICT takes one model");
  if (!writer) return InvalidArgument("PREDICT needs somewhere to write");
  const MlModel& model = cmd.models(0);
  std::string text;
  text.reserve(p.rows() * 12);
  if (model.algorithm() == "kmeans") {
    RETURN_IF_ERROR(CheckModel(model, p, static_cast<size_t>(model.k()) * p.features));
    std::vector<int32_t> idx(p.rows());
    k.Assign(p, model.weights().data(), model.k(), idx.data());
    for (size_t i = 0; i < p.rows(); ++i) text += PredictionLine(model, 0, idx[i]);
  } else {
    RETURN_IF_ERROR(CheckModel(model, p, p.features + 1));
    std::vector<float> z(p.rows());
    k.Margins(p, model.weights().data(), z.data());
    for (size_t i = 0; i < p.rows(); ++i) text += PredictionLine(model, z[i], -1);
  }
  RETURN_IF_ERROR(writer(cmd.output_dir(), p.index, text));
  Grow(out, 1);
  out->mutable_values()->mutable_data()[0] += static_cast<double>(p.rows());
  return Status::OK();
}

Status CostSample(const MlCommand& cmd, const Partition& p, Kernels& k, MlPartial* out) {
  if (cmd.models_size() != 1) return InvalidArgument("KMEANS_COST_SAMPLE takes one model");
  const MlModel& model = cmd.models(0);
  const uint32_t kc = model.k();
  RETURN_IF_ERROR(CheckModel(model, p, static_cast<size_t>(kc) * p.features));
  Grow(out, 1);
  std::vector<float> d2(p.rows(), 1.0f);
  if (kc > 0) k.MinDistances(p, model.weights().data(), kc, d2.data());
  double cost = 0;
  for (float d : d2) cost += d;
  out->mutable_values()->mutable_data()[0] += cost;
  if (p.rows() == 0) return Status::OK();
  const uint32_t cap = cmd.max_samples() > 0 ? cmd.max_samples() : 1u << 20;
  if (cmd.oversample() > 0) {
    // k-means||: every row independently with probability min(1, l·d²/φ).
    const double phi = cmd.phi() > 0 ? cmd.phi() : cost;
    uint32_t taken = 0;
    for (size_t i = 0; i < p.rows() && taken < cap; ++i) {
      if (phi <= 0) break;
      if (Uniform(cmd.seed(), p.index, i) < std::min(1.0, cmd.oversample() * d2[i] / phi)) {
        AppendRow(p, i, 1.0, out);
        ++taken;
      }
    }
    return Status::OK();
  }
  // k-means++: one row by d², weighted by this partition's cost; the driver picks among
  // the partitions' rows by those weights, which makes the whole choice exactly by d².
  if (cost <= 0) return Status::OK();
  const double target = Uniform(cmd.seed(), p.index, p.rows()) * cost;
  double acc = 0;
  size_t pick = p.rows() - 1;
  for (size_t i = 0; i < p.rows(); ++i) {
    acc += d2[i];
    if (acc > target) {
      pick = i;
      break;
    }
  }
  AppendRow(p, pick, cost, out);
  return Status::OK();
}

}  // namespace

uint32_t FoldOf(int32_t partition, uint64_t row, uint32_t folds) {
  return static_cast<uint32_t>(Mix((static_cast<uint64_t>(static_cast<uint32_t>(partition)) << 40) ^ row ^ 0xf01dULL) % folds);
}

bool Sampled(uint64_t seed, int32_t partition, uint64_t row, double fraction) {
  return Uniform(seed, partition, row) < fraction;
}

size_t GramValues(uint32_t f) { return static_cast<size_t>(f + 1) * (f + 1) + (f + 1) + 2; }
size_t LogregValues(uint32_t f) { return f + 3; }
size_t KmeansValues(uint32_t f, uint32_t k) { return static_cast<size_t>(k) * f + k + 1; }

std::string PredictionLine(const MlModel& model, float z, int32_t cluster) {
  if (model.algorithm() == "kmeans") return fmt::format("{}\n", cluster);
  if (model.algorithm() == "logreg") {
    const double prob = 1.0 / (1.0 + std::exp(-static_cast<double>(z)));
    return fmt::format("{}\t{:.6f}\n", prob >= 0.5 ? 1 : 0, prob);
  }
  return fmt::format("{:.6g}\n", z);
}

Status RunOp(const MlCommand& cmd, const Partition& p, Kernels& k, const PredictionWriter& writer, MlPartial* out) {
  const uint32_t f = p.features;
  switch (cmd.op()) {
    case MlCommand::GRAM: {
      const uint32_t folds = Folds(cmd);
      const size_t per = GramValues(f);
      Grow(out, per * folds);
      const bool labelled = p.y.size() == p.rows();
      for (uint32_t fold = 0; fold < folds; ++fold) {
        std::vector<float> w = RowWeights(cmd, p, folds > 1 ? static_cast<int32_t>(fold) : -1, /*in_fold=*/true, 0);
        double* v = out->mutable_values()->mutable_data() + per * fold;
        const size_t d = f + 1;
        if (!labelled) RETURN_IF_ERROR(NeedLabels(p));
        k.Gram(p, w.empty() ? nullptr : w.data(), v, v + d * d, v + d * d + d, v + d * d + d + 1);
      }
      break;
    }
    case MlCommand::LOGREG_GRAD: {
      RETURN_IF_ERROR(NeedLabels(p));
      const size_t per = LogregValues(f);
      Grow(out, per * cmd.models_size());
      for (int m = 0; m < cmd.models_size(); ++m) {
        RETURN_IF_ERROR(CheckModel(cmd.models(m), p, f + 1));
        std::vector<float> w = RowWeights(cmd, p, ModelFold(cmd, m), /*in_fold=*/false, cmd.sample_fraction());
        double* v = out->mutable_values()->mutable_data() + per * m;
        k.LogregLossGrad(p, w.empty() ? nullptr : w.data(), cmd.models(m).weights().data(), v, v + 1, v + f + 2);
      }
      break;
    }
    case MlCommand::KMEANS_STEP: {
      size_t base = 0;
      for (int m = 0; m < cmd.models_size(); ++m) base += KmeansValues(f, cmd.models(m).k());
      Grow(out, base);
      size_t off = 0;
      for (int m = 0; m < cmd.models_size(); ++m) {
        const MlModel& model = cmd.models(m);
        const uint32_t kc = model.k();
        RETURN_IF_ERROR(CheckModel(model, p, static_cast<size_t>(kc) * f));
        std::vector<float> w = RowWeights(cmd, p, ModelFold(cmd, m), /*in_fold=*/false, 0);
        double* v = out->mutable_values()->mutable_data() + off;
        k.KmeansStep(p, w.empty() ? nullptr : w.data(), model.weights().data(), kc, v, v + static_cast<size_t>(kc) * f,
                     v + static_cast<size_t>(kc) * f + kc);
        off += KmeansValues(f, kc);
      }
      break;
    }
    case MlCommand::KMEANS_COST_SAMPLE:
      RETURN_IF_ERROR(CostSample(cmd, p, k, out));
      break;
    case MlCommand::SAMPLE: {
      Grow(out, 1);
      const uint32_t cap = cmd.max_samples() > 0 ? cmd.max_samples() : 1u << 20;
      uint32_t taken = 0;
      for (size_t i = 0; i < p.rows() && taken < cap; ++i) {
        if (cmd.sample_fraction() > 0 && cmd.sample_fraction() < 1 && !Sampled(cmd.seed(), p.index, i, cmd.sample_fraction()))
          continue;
        AppendRow(p, i, 1.0, out);
        ++taken;
      }
      out->mutable_values()->mutable_data()[0] += taken;
      break;
    }
    case MlCommand::EVALUATE:
      RETURN_IF_ERROR(Evaluate(cmd, p, k, out));
      break;
    case MlCommand::PREDICT:
      RETURN_IF_ERROR(Predict(cmd, p, k, writer, out));
      break;
    default:
      return InvalidArgument("unknown ML step {}", static_cast<int>(cmd.op()));
  }
  out->set_rows(out->rows() + p.rows());
  return Status::OK();
}

Status MergePartial(const MlPartial& b, MlPartial* a) {
  if (a->values_size() == 0) {
    *a->mutable_values() = b.values();
  } else if (b.values_size() > 0) {
    if (b.values_size() != a->values_size())
      return Internal("partial results of different shapes ({} and {} values)", a->values_size(), b.values_size());
    double* dst = a->mutable_values()->mutable_data();
    for (int i = 0; i < b.values_size(); ++i) dst[i] += b.values(i);
  }
  a->mutable_samples()->Add(b.samples().begin(), b.samples().end());
  a->mutable_sample_weights()->Add(b.sample_weights().begin(), b.sample_weights().end());
  a->set_rows(a->rows() + b.rows());
  for (const auto& [name, v] : b.counters()) (*a->mutable_counters())[name] += v;
  return Status::OK();
}

}  // namespace cairn::ml
