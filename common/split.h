// SplitNonEmpty: the non-empty pieces of a separated list ("a,,b" -> {"a", "b"}), the one
// splitter of flag values, CLI operands and kernel control files. SplitTrimmed also strips
// each piece's surrounding whitespace first (" a , b ;" -> {"a", "b"}), for lists people
// write by hand (group mappings, proxy-user rules).
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn {

std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);
std::vector<std::string> SplitTrimmed(std::string_view text, char separator);
std::string_view TrimWhitespace(std::string_view text);

}  // namespace cairn
