#include "client/cli/args.h"

#include <fmt/format.h>

namespace cairn::cli {

ArgParser::ArgParser(std::string synopsis, std::string description)
    : synopsis_(std::move(synopsis)), description_(std::move(description)) {}

namespace {
std::vector<std::string> SplitNames(const std::string& names) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= names.size()) {
    size_t comma = names.find(',', start);
    if (comma == std::string::npos) comma = names.size();
    if (comma > start) out.push_back(names.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}
}  // namespace

ArgParser& ArgParser::Flag(const std::string& names, bool* target, std::string help) {
  specs_.push_back(Spec{SplitNames(names), target, nullptr, "", std::move(help)});
  return *this;
}

ArgParser& ArgParser::Option(const std::string& names, std::string* target, std::string value_name, std::string help) {
  specs_.push_back(Spec{SplitNames(names), nullptr, target, std::move(value_name), std::move(help)});
  return *this;
}

ArgParser& ArgParser::Operands(std::vector<std::string>* out, size_t min, size_t max) {
  operands_ = out;
  min_operands_ = min;
  max_operands_ = max;
  return *this;
}

const ArgParser::Spec* ArgParser::Find(const std::string& name) const {
  for (const auto& spec : specs_) {
    for (const auto& n : spec.names) {
      if (n == name) return &spec;
    }
  }
  return nullptr;
}

Status ArgParser::Parse(const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
      operands.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      return Status::OK();
    }
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      std::string name = arg.substr(0, eq);
      const Spec* spec = Find(name);
      if (spec == nullptr) return InvalidArgument("unknown option '{}'", name);
      if (spec->flag != nullptr) {
        if (eq != std::string::npos) return InvalidArgument("option '{}' takes no value", name);
        *spec->flag = true;
      } else if (eq != std::string::npos) {
        *spec->value = arg.substr(eq + 1);
      } else {
        if (i + 1 >= args.size()) return InvalidArgument("option '{}' needs a value ({})", name, spec->value_name);
        *spec->value = args[++i];
      }
      continue;
    }
    // Short options: "-r", "-rf", or "-n VALUE" (a value option must come last in a group).
    for (size_t k = 1; k < arg.size(); ++k) {
      std::string name = std::string("-") + arg[k];
      const Spec* spec = Find(name);
      if (spec == nullptr) return InvalidArgument("unknown option '{}'", name);
      if (spec->flag != nullptr) {
        *spec->flag = true;
        continue;
      }
      if (k + 1 < arg.size()) {
        *spec->value = arg.substr(k + 1);
      } else {
        if (i + 1 >= args.size()) return InvalidArgument("option '{}' needs a value ({})", name, spec->value_name);
        *spec->value = args[++i];
      }
      break;
    }
  }
  if (operands.size() < min_operands_)
    return InvalidArgument("{} (usage: {})", operands.empty() ? "missing operand" : "too few operands", synopsis_);
  if (operands.size() > max_operands_) {
    if (max_operands_ == 0) return InvalidArgument("unexpected argument '{}'", operands.front());
    return InvalidArgument("too many operands (usage: {})", synopsis_);
  }
  if (operands_ != nullptr) *operands_ = std::move(operands);
  return Status::OK();
}

std::string ArgParser::Help(const std::string& program) const {
  std::string out = fmt::format("usage: {} {}\n{}\n", program, synopsis_, description_);
  if (!specs_.empty()) out += "\noptions:\n";
  for (const auto& spec : specs_) {
    std::string names;
    for (const auto& n : spec.names) names += (names.empty() ? "" : ", ") + n;
    if (spec.value != nullptr) names += " " + spec.value_name;
    out += fmt::format("  {:<26} {}\n", names, spec.help);
  }
  out += fmt::format("  {:<26} {}\n", "-h, --help", "show this help");
  return out;
}

Result<uint64_t> ParseCount(const std::string& text, const std::string& what, uint64_t max) {
  if (text.empty() || text.size() > 20) return InvalidArgument("{} '{}' is not a number", what, text);
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("{} '{}' is not a number", what, text);
    if (static_cast<uint64_t>(c - '0') > max || v > (max - static_cast<uint64_t>(c - '0')) / 10) return InvalidArgument("{} '{}' is too large (max {})", what, text, max);
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace cairn::cli
