#include "common/clock.h"

namespace cairn {
namespace {

class RealClock final : public Clock {
 public:
  int64_t MonotonicMillis() const override { return cairn::MonotonicMillis(); }
  int64_t WallMillis() const override { return cairn::WallMillis(); }
};

}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

}  // namespace cairn
