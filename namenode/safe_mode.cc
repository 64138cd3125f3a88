#include "namenode/safe_mode.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace cairn::namenode {

SafeMode::SafeMode(double threshold, int64_t extension_ms, const BlockManager& blocks)
    : threshold_(threshold), extension_ms_(extension_ms), blocks_(blocks) {}

void SafeMode::EvaluateLocked(int64_t now) {
  if (mode_ != Mode::kStartup) return;
  const uint64_t total = blocks_.SafeModeTotal();
  const uint64_t reported = blocks_.SafeModeReported();
  const bool met = threshold_ <= 1.0 &&
                   (total == 0 || static_cast<double>(reported) >= std::ceil(threshold_ * static_cast<double>(total)));
  if (!met) {
    reached_ms_ = -1;
    return;
  }
  if (reached_ms_ < 0) reached_ms_ = now;
  if (total == 0 || extension_ms_ <= 0 || now - reached_ms_ >= extension_ms_) {
    mode_ = Mode::kOff;
    spdlog::info("leaving safe mode: {} of {} blocks reported", reported, total);
  }
}

bool SafeMode::IsOn() {
  std::lock_guard lock(mu_);
  EvaluateLocked(MonotonicMillis());
  return mode_ != Mode::kOff;
}

Status SafeMode::CheckWrite(std::string_view what) {
  std::lock_guard lock(mu_);
  int64_t now = MonotonicMillis();
  EvaluateLocked(now);
  if (mode_ == Mode::kOff) return Status::OK();
  return ::cairn::SafeMode("Cannot {}. {}", what, DescribeLocked(now));
}

void SafeMode::Enter() {
  std::lock_guard lock(mu_);
  if (mode_ != Mode::kManual) spdlog::info("safe mode turned on manually");
  mode_ = Mode::kManual;
}

void SafeMode::Leave() {
  std::lock_guard lock(mu_);
  if (mode_ != Mode::kOff) spdlog::info("safe mode turned off manually");
  mode_ = Mode::kOff;
}

std::string SafeMode::Describe() {
  std::lock_guard lock(mu_);
  int64_t now = MonotonicMillis();
  EvaluateLocked(now);
  return DescribeLocked(now);
}

std::string SafeMode::DescribeLocked(int64_t now) const {
  if (mode_ == Mode::kOff) return "Safe mode is OFF";
  if (mode_ == Mode::kManual)
    return "Name node is in safe mode. It was turned on manually. Use \"hdfs dfsadmin -safemode leave\" to turn "
           "safe mode off.";
  const uint64_t total = blocks_.SafeModeTotal();
  const uint64_t reported = blocks_.SafeModeReported();
  if (threshold_ > 1.0)
    return fmt::format("Name node is in safe mode. The reported blocks {} of total blocks {}; the threshold {:.4f} "
                       "is above 1, so safe mode must be turned off manually.",
                       reported, total, threshold_);
  const auto needed = static_cast<uint64_t>(std::ceil(threshold_ * static_cast<double>(total)));
  if (reached_ms_ < 0) {
    return fmt::format("Name node is in safe mode. The reported blocks {} needs additional {} blocks to reach the "
                       "threshold {:.4f} of total blocks {}. Safe mode will be turned off automatically once the "
                       "thresholds have been reached.",
                       reported, needed > reported ? needed - reported : 0, threshold_, total);
  }
  int64_t left_s = std::max<int64_t>(0, (extension_ms_ - (now - reached_ms_) + 999) / 1000);
  return fmt::format("Name node is in safe mode. The reported blocks {} has reached the threshold {:.4f} of total "
                     "blocks {}. Safe mode will be turned off automatically in {} seconds.",
                     reported, threshold_, total, left_s);
}

}  // namespace cairn::namenode
