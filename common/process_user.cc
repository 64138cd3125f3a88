#include "common/process_user.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace cairn {

std::string ProcessUserName() {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr && found->pw_name != nullptr)
    return found->pw_name;
  return std::to_string(::geteuid());
}

}  // namespace cairn
