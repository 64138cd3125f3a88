// SplitNonEmpty: the non-empty pieces of a separated list ("a,,b" -> {"a", "b"}), the one
// splitter of flag values, CLI operands and kernel control files.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn {

std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);

}  // namespace cairn
