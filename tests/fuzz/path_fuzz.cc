// Paths as every namespace call receives them from a client: a path SplitPath accepts must
// be rebuilt by JoinPath from its components, each of which ValidateComponent accepts, and
// ParentPath/BaseName must agree with the split.
#include <cstdlib>
#include <string>

#include "common/path.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxPathBytes + 16) return 0;
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  (void)ValidateComponent(path);
  auto parts = SplitPath(path);
  if (!parts.ok()) return 0;
  std::string rebuilt = "/";
  for (std::string_view part : *parts) {
    if (!ValidateComponent(part).ok()) std::abort();
    rebuilt = JoinPath(rebuilt, part);
  }
  std::string_view normal = path;
  if (normal.size() > 1 && normal.back() == '/') normal.remove_suffix(1);
  if (rebuilt != normal) std::abort();
  if (!parts->empty() && BaseName(rebuilt) != parts->back()) std::abort();
  auto parent = SplitPath(ParentPath(rebuilt));
  if (!parent.ok() || parent->size() + (parts->empty() ? 0 : 1) != parts->size()) std::abort();
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  return {"/", "/user/alice/data.csv", "/a/b/", "/a//b", "/a/./b", "/a/../b", "relative/path", "/a:b",
          std::string("/nul\0byte", 9), "/" + std::string(255, 'n') + "/x", "/" + std::string(256, 'n')};
}
