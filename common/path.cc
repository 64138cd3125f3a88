#include "common/path.h"

namespace cairn {

Status ValidateComponent(std::string_view name) {
  if (name.empty()) return InvalidArgument("empty path component");
  if (name.size() > kMaxComponentBytes)
    return InvalidArgument("path component of {} bytes exceeds the limit of {}", name.size(), kMaxComponentBytes);
  if (name == "." || name == "..") return InvalidArgument("path component '{}' is not allowed", name);
  for (char c : name) {
    if (c == '\0') return InvalidArgument("path component contains a NUL byte");
    if (c == '/') return InvalidArgument("path component '{}' contains '/'", name);
    if (c == ':') return InvalidArgument("path component '{}' contains ':'", name);
  }
  return Status::OK();
}

Result<std::vector<std::string_view>> SplitPath(std::string_view path) {
  if (path.empty()) return InvalidArgument("empty path");
  if (path.size() > kMaxPathBytes)
    return InvalidArgument("path of {} bytes exceeds the limit of {}", path.size(), kMaxPathBytes);
  if (path.front() != '/') return InvalidArgument("path '{}' is not absolute", path);
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string_view> parts;
  size_t pos = 1;
  while (pos <= path.size() && path.size() > 1) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(pos, next - pos);
    Status st = ValidateComponent(part);
    if (!st.ok()) return st.WithContext(fmt::format("invalid path '{}'", path));
    parts.push_back(part);
    pos = next + 1;
  }
  return parts;
}

std::string JoinPath(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string_view ParentPath(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace cairn
