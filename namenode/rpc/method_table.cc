#include "namenode/rpc/method_table.h"

#include <cctype>

namespace cairn::namenode {

const MethodTable::Method* MethodTable::Find(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::Names() const {
  std::vector<std::string> names;
  names.reserve(methods_.size());
  for (const auto& [name, m] : methods_) names.push_back(name);
  return names;
}

std::string MethodNameFromGrpcPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 >= path.size()) return "";
  std::string name(path.substr(slash + 1));
  name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

}  // namespace cairn::namenode
