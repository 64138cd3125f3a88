#include "client/cli/progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/flags.h"

namespace cairn::cli {

namespace {
constexpr int kRedrawMs = 100;
constexpr int kBarWidth = 24;
}  // namespace

ProgressBar::ProgressBar(bool enabled, std::string label, uint64_t total)
    : enabled_(enabled), label_(std::move(label)), total_(total), start_ms_(MonotonicMillis()) {}

ProgressBar::~ProgressBar() { Finish(); }

std::string ProgressBar::Render(const std::string& label, uint64_t done, uint64_t total, double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const std::string speed = FormatByteSize(static_cast<uint64_t>(rate)) + "/s";
  if (total == 0) return fmt::format("{}  {}  {}", label, FormatByteSize(done), speed);
  const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(frac * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  return fmt::format("{}  [{}] {:3.0f}%  {}/{}  {}", label, bar, frac * 100, FormatByteSize(done),
                     FormatByteSize(total), speed);
}

void ProgressBar::Draw() {
  const double seconds = static_cast<double>(MonotonicMillis() - start_ms_) / 1000.0;
  std::string line = "\r" + Render(label_, done_, total_, seconds) + "\033[K";
  (void)!::write(2, line.data(), line.size());
}

void ProgressBar::Add(uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  const int64_t now = MonotonicMillis();
  if (now - last_draw_ms_ < kRedrawMs) return;
  last_draw_ms_ = now;
  Draw();
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw();
  (void)!::write(2, "\n", 1);
}

}  // namespace cairn::cli
