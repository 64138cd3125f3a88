// Lbfgs: limited-memory BFGS with a backtracking (Armijo) line search, written in
// reverse-communication style: it says which point it wants evaluated next (point()),
// the caller evaluates the objective and gradient there — for many optimisers at once in
// one distributed step, as tune does for all trials and folds — and hands them back with
// Tell(). done() once converged, out of iterations or unable to make progress.
//
// Thread-safety: a value; one thread.
#pragma once

#include <deque>
#include <vector>

namespace cairn::ml {

class Lbfgs {
 public:
  Lbfgs(std::vector<double> x0, int max_iterations, double tolerance, int memory = 10);

  const std::vector<double>& point() const { return trial_; }
  void Tell(double f, const std::vector<double>& g);
  bool done() const { return done_; }
  const std::vector<double>& x() const { return x_; }
  double f() const { return f_; }
  int iterations() const { return iter_; }

 private:
  void NewDirection();

  std::vector<double> x_, g_, d_, trial_;
  double f_ = 0;
  double step_ = 1;
  bool started_ = false;
  bool done_ = false;
  int iter_ = 0;
  const int max_iter_;
  const double tol_;
  const int memory_;
  std::deque<std::vector<double>> s_, y_;
  std::deque<double> rho_;
};

// Dot product and norm helpers shared by the solvers.
double DotD(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace cairn::ml
