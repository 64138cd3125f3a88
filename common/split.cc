#include "common/split.h"

#include <cctype>

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

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitTrimmed(std::string_view text, char separator) {
  std::vector<std::string> out;
  for (const std::string& piece : SplitNonEmpty(text, separator)) {
    std::string_view t = TrimWhitespace(piece);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

}  // namespace cairn
