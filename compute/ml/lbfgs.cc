#include "compute/ml/lbfgs.h"

#include <cmath>

namespace cairn::ml {

namespace {
constexpr double kArmijo = 1e-4;
constexpr double kMinStep = 1e-12;
}  // namespace

double DotD(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

Lbfgs::Lbfgs(std::vector<double> x0, int max_iterations, double tolerance, int memory)
    : x_(std::move(x0)), trial_(x_), max_iter_(max_iterations), tol_(tolerance), memory_(memory) {
  if (max_iter_ <= 0) done_ = true;
}

void Lbfgs::NewDirection() {
  // Two-loop recursion: d = -H g.
  std::vector<double> q = g_;
  std::vector<double> alpha(s_.size());
  for (int i = static_cast<int>(s_.size()) - 1; i >= 0; --i) {
    alpha[i] = rho_[i] * DotD(s_[i], q);
    for (size_t j = 0; j < q.size(); ++j) q[j] -= alpha[i] * y_[i][j];
  }
  double gamma = 1;
  if (!s_.empty()) gamma = DotD(s_.back(), y_.back()) / DotD(y_.back(), y_.back());
  for (double& v : q) v *= gamma;
  for (size_t i = 0; i < s_.size(); ++i) {
    double beta = rho_[i] * DotD(y_[i], q);
    for (size_t j = 0; j < q.size(); ++j) q[j] += s_[i][j] * (alpha[i] - beta);
  }
  d_.resize(q.size());
  for (size_t j = 0; j < q.size(); ++j) d_[j] = -q[j];
  if (DotD(d_, g_) >= 0) {  // not a descent direction: fall back to steepest descent
    for (size_t j = 0; j < q.size(); ++j) d_[j] = -g_[j];
    s_.clear();
    y_.clear();
    rho_.clear();
  }
  step_ = 1;
  if (s_.empty()) {
    const double gn = std::sqrt(DotD(g_, g_));
    step_ = gn > 0 ? std::min(1.0, 1.0 / gn) : 1;
  }
  for (size_t j = 0; j < x_.size(); ++j) trial_[j] = x_[j] + step_ * d_[j];
}

void Lbfgs::Tell(double f, const std::vector<double>& g) {
  if (done_) return;
  if (!started_) {
    started_ = true;
    f_ = f;
    g_ = g;
    if (std::sqrt(DotD(g_, g_)) <= tol_) {
      done_ = true;
      return;
    }
    NewDirection();
    return;
  }
  const double slope = DotD(g_, d_);
  if (std::isfinite(f) && f <= f_ + kArmijo * step_ * slope) {
    std::vector<double> s(x_.size()), y(x_.size());
    for (size_t j = 0; j < x_.size(); ++j) {
      s[j] = trial_[j] - x_[j];
      y[j] = g[j] - g_[j];
    }
    const double sy = DotD(s, y);
    if (sy > 1e-12) {
      s_.push_back(std::move(s));
      y_.push_back(std::move(y));
      rho_.push_back(1.0 / sy);
      if (static_cast<int>(s_.size()) > memory_) {
        s_.pop_front();
        y_.pop_front();
        rho_.pop_front();
      }
    }
    const double improvement = f_ - f;
    x_ = trial_;
    f_ = f;
    g_ = g;
    ++iter_;
    if (iter_ >= max_iter_ || improvement <= tol_ * std::max(1.0, std::fabs(f)) || std::sqrt(DotD(g_, g_)) <= tol_) {
      done_ = true;
      trial_ = x_;
      return;
    }
    NewDirection();
    return;
  }
  step_ *= 0.5;
  if (step_ < kMinStep) {
    done_ = true;
    trial_ = x_;
    return;
  }
  for (size_t j = 0; j < x_.size(); ++j) trial_[j] = x_[j] + step_ * d_[j];
}

}  // namespace cairn::ml
