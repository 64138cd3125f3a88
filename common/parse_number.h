// ParseWholeNumber: `text` as a number of type T when all of it is one (std::from_chars:
// decimal, a '-' only where T is signed, no spaces, no '+', in T's range), the one home of
// that check for paths, plan files, flags and CLI operands. *out changes only on success.
//
// Thread-safety: a pure function.
#pragma once

#include <charconv>
#include <string_view>

namespace cairn {

template <typename T>
bool ParseWholeNumber(std::string_view text, T* out) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return false;
  *out = value;
  return true;
}

}  // namespace cairn
