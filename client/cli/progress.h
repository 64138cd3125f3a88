// ProgressBar: one line on stderr redrawn in place ("\r") for put/get, e.g.
//   data.bin  [=========>          ]  48%  612.0MiB/1.2GiB  523.4MiB/s
// Disabled bars do nothing; callers enable them only when stdout is a terminal. Redraws
// at most every 100 ms; Finish() draws the final state and ends the line.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <string>

namespace cairn::cli {

class ProgressBar {
 public:
  // total 0: unknown (shows bytes and rate only).
  ProgressBar(bool enabled, std::string label, uint64_t total);
  ~ProgressBar();
  void Add(uint64_t bytes);
  void Finish();

  // The line for a given state (for tests).
  static std::string Render(const std::string& label, uint64_t done, uint64_t total, double seconds);

 private:
  void Draw();
  const bool enabled_;
  const std::string label_;
  const uint64_t total_;
  uint64_t done_ = 0;
  int64_t start_ms_ = 0;
  int64_t last_draw_ms_ = 0;
  bool finished_ = false;
};

}  // namespace cairn::cli
