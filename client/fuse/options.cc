#include "client/fuse/options.h"

#include <cmath>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace cairn::fuse {

namespace {

// A Cairn setting that may be given as a mount option, and the flag it sets. libfuse's
// own timeout options are in seconds; they set the millisecond flags.
struct OptionFlag {
  std::string_view option;
  std::string_view flag;
  bool seconds = false;
};
constexpr OptionFlag kOptionFlags[] = {
    {"namenode", "namenode"},
    {"cairn_user", "fuse_user"},
    {"max_threads", "fuse_max_threads"},
    {"attr_timeout_ms", "fuse_attr_timeout_ms"},
    {"entry_timeout_ms", "fuse_entry_timeout_ms"},
    {"negative_timeout_ms", "fuse_negative_timeout_ms"},
    {"attr_timeout", "fuse_attr_timeout_ms", true},
    {"entry_timeout", "fuse_entry_timeout_ms", true},
    {"negative_timeout", "fuse_negative_timeout_ms", true},
    {"readahead", "fuse_readahead_bytes"},
    {"readahead_chunk", "fuse_readahead_chunk_bytes"},
    {"max_write", "fuse_max_write_bytes"},
    {"attr_cache_entries", "fuse_attr_cache_entries"},
    {"rpc_timeout_ms", "fuse_rpc_timeout_ms"},
    {"rpc_retry_ms", "fuse_rpc_retry_ms"},
    {"socket_timeout_ms", "fuse_socket_timeout_ms"},
    {"log_level", "log_level"},
    {"log_file", "log_file"},
};

constexpr const char* kSummary =
    "Mounts a Cairn namespace at MOUNTPOINT with FUSE. Detaches once the mount is live unless -f.\n"
    "  -o OPT[,OPT...]  mount options: any flag below by its short name (namenode=, cairn_user=,\n"
    "                   attr_timeout_ms=, readahead=, max_write=, ...; attr_timeout=, entry_timeout=\n"
    "                   and negative_timeout= in seconds), the rest go to libfuse and the kernel\n"
    "                   (allow_other, default_permissions, ro, fsname=, ...)\n"
    "  -f               stay in the foreground\n"
    "  -d               libfuse debug trace (implies -f)\n"
    "  -s               single-threaded\n"
    "Unmount with `fusermount3 -u MOUNTPOINT` or SIGTERM/SIGINT to the process.";

Status AddMountOptions(std::string_view list, std::vector<std::string>* flag_args, CommandLine* out) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view opt = list.substr(start, comma - start);
    start = comma + 1;
    if (opt.empty()) continue;
    const size_t eq = opt.find('=');
    const std::string_view key = opt.substr(0, eq);
    if (key == "debug") {
      out->settings.debug = true;
      continue;
    }
    const OptionFlag* known = nullptr;
    for (const auto& f : kOptionFlags) {
      if (f.option == key) known = &f;
    }
    if (known == nullptr) {
      out->settings.fuse_options.emplace_back(opt);
      continue;
    }
    if (eq == std::string_view::npos) return InvalidArgument("mount option {} needs a value ({}=...)", key, key);
    std::string value(opt.substr(eq + 1));
    if (known->seconds) {
      char* end = nullptr;
      const double s = std::strtod(value.c_str(), &end);
      if (value.empty() || end == nullptr || *end != '\0' || !(s >= 0) || s > 1e6)
        return InvalidArgument("mount option {}={}: not a number of seconds", key, value);
      value = std::to_string(static_cast<int64_t>(std::llround(s * 1000)));
    }
    flag_args->push_back(fmt::format("--{}={}", known->flag, value));
  }
  return Status::OK();
}

Status Validate(const FuseSettings& s) {
  if (s.max_threads < 1) return InvalidArgument("--fuse_max_threads must be at least 1");
  if (s.attr_timeout_ms < 0 || s.entry_timeout_ms < 0 || s.negative_timeout_ms < 0)
    return InvalidArgument("cache timeouts cannot be negative");
  if (s.max_write.bytes < 4096 || s.max_write.bytes > (1u << 20))
    return InvalidArgument("--fuse_max_write_bytes must be between 4KiB and 1MiB (the kernel's limit)");
  if (s.readahead_chunk.bytes < 4096 || s.readahead_chunk.bytes > (64u << 20))
    return InvalidArgument("--fuse_readahead_chunk_bytes must be between 4KiB and 64MiB");
  if (s.attr_cache_entries < 0) return InvalidArgument("--fuse_attr_cache_entries cannot be negative");
  if (s.rpc_timeout_ms <= 0 || s.socket_timeout_ms <= 0 || s.rpc_retry_ms < 0)
    return InvalidArgument("timeouts must be positive");
  return Status::OK();
}

void AddAllFlags(FlagSet& flags, FuseSettings* s) {
  AddFuseFlags(flags, s);
  AddLogFlags(flags, &s->log);
}

}  // namespace

Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine out;
  std::vector<std::string> flag_args{"cairn-fuse"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o") {
      if (i + 1 >= args.size()) return InvalidArgument("-o needs a list of mount options");
      RETURN_IF_ERROR(AddMountOptions(args[++i], &flag_args, &out));
    } else if (a.size() > 2 && a.rfind("-o", 0) == 0) {
      RETURN_IF_ERROR(AddMountOptions(std::string_view(a).substr(2), &flag_args, &out));
    } else if (a == "-f") {
      out.settings.foreground = true;
    } else if (a == "-d") {
      out.settings.debug = true;
    } else if (a == "-s") {
      out.settings.single_thread = true;
    } else if (a == "-h" || a == "--help") {
      out.help = true;
    } else {
      flag_args.push_back(a);
    }
  }
  if (out.help) return out;
  FlagSet flags("cairn-fuse", kSummary);
  AddAllFlags(flags, &out.settings);
  std::vector<char*> argv;
  for (auto& a : flag_args) argv.push_back(a.data());
  std::vector<std::string> positional;
  RETURN_IF_ERROR(flags.Parse(static_cast<int>(argv.size()), argv.data(), &positional));
  if (flags.help_requested()) {
    out.help = true;
    return out;
  }
  if (positional.size() != 1)
    return InvalidArgument("{}", positional.empty() ? "no mount point given" : "give exactly one mount point");
  out.settings.mountpoint = positional[0];
  if (out.settings.debug) out.settings.foreground = true;
  if (out.settings.namenode.empty()) {
    const char* env = std::getenv("CAIRN_NAMENODE");
    if (env != nullptr) out.settings.namenode = env;
  }
  if (out.settings.namenode.empty()) return InvalidArgument("no namenode address: give --namenode HOST:PORT or set $CAIRN_NAMENODE");
  RETURN_IF_ERROR(Validate(out.settings));
  return out;
}

std::string Usage() {
  FuseSettings defaults;
  FlagSet flags("cairn-fuse", kSummary);
  AddAllFlags(flags, &defaults);
  std::string text = flags.Usage();
  // FlagSet's first line names the program only; give the real synopsis.
  const size_t nl = text.find('\n');
  return "Usage: cairn-fuse MOUNTPOINT [--namenode HOST:PORT] [-o OPT[,OPT...]] [-f] [-d] [-s] [flags]" +
         (nl == std::string::npos ? std::string() : text.substr(nl));
}

}  // namespace cairn::fuse
