// Space commands: du, df.
#include <fmt/format.h>

#include "client/cli/command.h"
#include "client/cli/format.h"

namespace cairn::cli {

namespace {

Status Du(CliContext& ctx, const std::vector<std::string>& args) {
  bool summary = false, human = false, json = false;
  std::vector<std::string> paths;
  ArgParser p("du [-s] [-h] [--json] PATH...",
              "Space used: for each entry of a directory (or the path itself with -s) the bytes in files and "
              "the bytes stored counting replicas.");
  p.Flag("-s,--summary", &summary, "one line per PATH")
      .Flag("-h,--human", &human, "sizes like 1.5GiB")
      .Flag("--json", &json, "print one JSON document {\"entries\": [...]}")
      .Operands(&paths, 1);
  // -h means human-readable here, as in `hdfs dfs -du -h`; help is --help only.
  std::vector<std::string> rest;
  for (const auto& a : args) rest.push_back(a == "-h" ? "--human" : a);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, rest, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());

  std::vector<std::pair<std::string, client::ContentSummary>> rows;
  for (const auto& path : paths) {
    ASSIGN_OR_RETURN(client::FileStatus st, fs->Stat(path));
    std::vector<std::string> targets;
    if (summary || !st.is_dir) {
      targets.push_back(st.path);
    } else {
      ASSIGN_OR_RETURN(auto children, fs->List(st.path));
      for (const auto& c : children) targets.push_back(c.path);
    }
    for (const auto& t : targets) {
      ASSIGN_OR_RETURN(client::ContentSummary cs, fs->GetContentSummary(t));
      rows.emplace_back(t, cs);
    }
  }
  if (json) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& [path, cs] : rows) entries.push_back(ToJson(cs, path));
    return ctx.Out(nlohmann::json{{"entries", std::move(entries)}}.dump() + "\n");
  }
  size_t w1 = 1, w2 = 1;
  for (const auto& [path, cs] : rows) {
    w1 = std::max(w1, FormatSize(cs.length, human).size());
    w2 = std::max(w2, FormatSize(cs.space_consumed, human).size());
  }
  std::string text;
  for (const auto& [path, cs] : rows)
    text += fmt::format("{:<{}}  {:<{}}  {}\n", FormatSize(cs.length, human), w1, FormatSize(cs.space_consumed, human),
                        w2, path);
  return ctx.Out(text);
}

Status Df(CliContext& ctx, const std::vector<std::string>& args) {
  bool human = false, json = false;
  ArgParser p("df [-h] [--json]", "Capacity, used and remaining space of the whole cluster.");
  p.Flag("-h,--human", &human, "sizes like 1.5GiB").Flag("--json", &json, "print one JSON object").Operands(nullptr, 0, 0);
  std::vector<std::string> rest;
  for (const auto& a : args) rest.push_back(a == "-h" ? "--human" : a);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, rest, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(client::FsStats s, fs->GetFsStats());
  const std::string name = "cairn://" + fs->options().namenode;
  const double use = s.capacity > 0 ? 100.0 * static_cast<double>(s.used) / static_cast<double>(s.capacity) : 0.0;
  if (json) {
    return ctx.Out(nlohmann::json{{"filesystem", name},
                                  {"capacity", s.capacity},
                                  {"used", s.used},
                                  {"remaining", s.remaining},
                                  {"use_percent", use},
                                  {"under_replicated_blocks", s.under_replicated},
                                  {"corrupt_blocks", s.corrupt_blocks},
                                  {"missing_blocks", s.missing_blocks}}
                       .dump() +
                   "\n");
  }
  const std::string size = FormatSize(s.capacity, human), used = FormatSize(s.used, human),
                    avail = FormatSize(s.remaining, human), pct = fmt::format("{:.0f}%", use);
  const size_t wn = std::max<size_t>(10, name.size()), ws = std::max<size_t>(4, size.size()),
               wu = std::max<size_t>(4, used.size()), wa = std::max<size_t>(9, avail.size());
  return ctx.Out(fmt::format("{:<{}}  {:>{}}  {:>{}}  {:>{}}  {:>4}\n{:<{}}  {:>{}}  {:>{}}  {:>{}}  {:>4}\n", "Filesystem",
                             wn, "Size", ws, "Used", wu, "Available", wa, "Use%", name, wn, size, ws, used, wu, avail,
                             wa, pct));
}

}  // namespace

void AddSpaceCommands(std::vector<Command>* commands) {
  commands->push_back({"du", "space used by files and directories", Du});
  commands->push_back({"df", "cluster capacity and free space", Df});
}

}  // namespace cairn::cli
