#include "common/split.h"

namespace cairn {

std::vector<std::string> SplitNonEmpty(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t at = text.find(separator, start);
    if (at == std::string_view::npos) at = text.size();
    if (at > start) out.emplace_back(text.substr(start, at - start));
    start = at + 1;
  }
  return out;
}

}  // namespace cairn
