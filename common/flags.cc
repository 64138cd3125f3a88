#include "common/flags.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace cairn {

Result<uint64_t> ParseByteSize(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return InvalidArgument("'{}' is not a size (try 4096, 64KiB, 128MiB, 1GiB)", text);
  double number = 0;
  try {
    number = std::stod(std::string(text.substr(0, i)));
  } catch (...) {
    return InvalidArgument("'{}' is not a size", text);
  }
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else if (unit == "t" || unit == "tb" || unit == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
  else return InvalidArgument("'{}' has an unknown size unit '{}'", text, unit);
  return static_cast<uint64_t>(std::llround(number * mult));
}

std::string FormatByteSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{}B", bytes);
  if (v == std::floor(v)) return fmt::format("{:.0f}{}", v, kUnits[u]);
  return fmt::format("{:.1f}{}", v, kUnits[u]);
}

// Boost.Program_options reads custom types through operator>> and validate().
void validate(boost::any& v, const std::vector<std::string>& values, ByteSize*, int) {
  po::validators::check_first_occurrence(v);
  const std::string& s = po::validators::get_single_string(values);
  auto parsed = ParseByteSize(s);
  if (!parsed.ok()) throw po::validation_error(po::validation_error::invalid_option_value);
  v = boost::any(ByteSize{*parsed});
}

struct FlagSet::Impl {
  po::options_description options{"Flags"};
};

FlagSet::FlagSet(std::string program, std::string summary)
    : impl_(std::make_unique<Impl>()), program_(std::move(program)), summary_(std::move(summary)) {
  impl_->options.add_options()("help", "print this help and exit")(
      "config", po::value<std::vector<std::string>>()->composing(),
      "read flags from FILE (lines of `name = value`); may repeat");
}

FlagSet::~FlagSet() = default;

namespace {
template <typename T>
std::string DefaultText(const T& v) {
  if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
  else if constexpr (std::is_same_v<T, std::string>) return v.empty() ? "\"\"" : v;
  else return fmt::format("{}", v);
}
}  // namespace

void FlagSet::Add(const std::string& name, bool* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<bool>(target)->default_value(*target, DefaultText(*target))->implicit_value(true), help.c_str());
}
void FlagSet::Add(const std::string& name, int* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<int>(target)->default_value(*target), help.c_str());
}
void FlagSet::Add(const std::string& name, int64_t* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<int64_t>(target)->default_value(*target), help.c_str());
}
void FlagSet::Add(const std::string& name, uint64_t* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<uint64_t>(target)->default_value(*target), help.c_str());
}
void FlagSet::Add(const std::string& name, double* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<double>(target)->default_value(*target), help.c_str());
}
void FlagSet::Add(const std::string& name, std::string* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<std::string>(target)->default_value(*target, DefaultText(*target)), help.c_str());
}
void FlagSet::Add(const std::string& name, std::vector<std::string>* target, const std::string& help) {
  std::string joined;
  for (const auto& s : *target) joined += (joined.empty() ? "" : ",") + s;
  impl_->options.add_options()(name.c_str(), po::value<std::vector<std::string>>(target)->default_value(*target, joined)->multitoken(), help.c_str());
}
void FlagSet::Add(const std::string& name, ByteSize* target, const std::string& help) {
  impl_->options.add_options()(name.c_str(), po::value<ByteSize>(target)->default_value(*target, FormatByteSize(target->bytes)), help.c_str());
}

Status FlagSet::Parse(int argc, char** argv, std::vector<std::string>* positional) {
  try {
    po::options_description hidden;
    hidden.add_options()("positional__", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(impl_->options).add(hidden);
    po::positional_options_description pos;
    pos.add("positional__", -1);

    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      help_requested_ = true;
      return Status::OK();
    }
    if (vm.count("config")) {
      for (const auto& file : vm["config"].as<std::vector<std::string>>()) {
        std::ifstream in(file);
        if (!in) return InvalidArgument("cannot read config file {}", file);
        // Command-line values were stored first and take precedence.
        po::store(po::parse_config_file(in, impl_->options), vm);
      }
    }
    po::notify(vm);
    if (vm.count("positional__")) {
      auto args = vm["positional__"].as<std::vector<std::string>>();
      if (!positional) return InvalidArgument("unexpected argument '{}' (see --help)", args.front());
      *positional = std::move(args);
    }
  } catch (const po::error& e) {
    return InvalidArgument("{} (see --help)", e.what());
  }
  return Status::OK();
}

std::string FlagSet::Usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [flags]\n" << summary_ << "\n\n" << impl_->options;
  return out.str();
}

}  // namespace cairn
