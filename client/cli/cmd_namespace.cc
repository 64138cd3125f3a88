// Namespace commands: ls, mkdir, rm, mv, stat, touch, setrep, chmod, chown.
#include <fmt/format.h>

#include "client/cli/command.h"
#include "client/cli/format.h"
#include "common/clock.h"
#include "common/path.h"

namespace cairn::cli {

namespace {

using client::FileStatus;

Status Ls(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false, json = false, dir_itself = false;
  std::vector<std::string> paths;
  ArgParser p("ls [-R] [-d] [--json] [PATH...]", "List files and directories (PATH defaults to /).");
  p.Flag("-R,--recursive", &recursive, "list subdirectories recursively")
      .Flag("-d,--directory", &dir_itself, "list directories themselves, not their contents")
      .Flag("--json", &json, "print one JSON document {\"entries\": [...]}")
      .Operands(&paths, 0);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  if (paths.empty()) paths.push_back("/");
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());

  nlohmann::json entries = nlohmann::json::array();
  std::string text;
  for (const auto& path : paths) {
    ASSIGN_OR_RETURN(FileStatus root, fs->Stat(path));
    std::vector<FileStatus> shown;
    if (!root.is_dir || dir_itself) {
      shown.push_back(root);
    } else if (recursive) {
      RETURN_IF_ERROR(WalkTree(*fs, root, [&](const FileStatus& st) {
        if (st.path != root.path) shown.push_back(st);
        return Status::OK();
      }));
    } else {
      ASSIGN_OR_RETURN(shown, fs->List(root.path));
      if (!json) text += fmt::format("Found {} items\n", shown.size());
    }
    if (json) {
      for (const auto& st : shown) entries.push_back(ToJson(st));
    } else {
      for (const auto& line : LsLines(shown)) text += line + "\n";
    }
  }
  if (json) return ctx.Out(nlohmann::json{{"entries", std::move(entries)}}.dump() + "\n");
  return ctx.Out(text);
}

Status Mkdir(CliContext& ctx, const std::vector<std::string>& args) {
  bool parents = false;
  std::vector<std::string> paths;
  ArgParser p("mkdir [-p] PATH...", "Make directories.");
  p.Flag("-p,--parents", &parents, "make parent directories as needed; no error if the directory exists")
      .Operands(&paths, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (const auto& path : paths) {
    if (!parents) {
      auto st = fs->Stat(path);
      if (st.ok()) return AlreadyExists("{}: file exists", path);
      if (st.status().code() != ErrorCode::kNotFound) return st.status();
    }
    RETURN_IF_ERROR(fs->Mkdir(path, 0755, parents));
  }
  return Status::OK();
}

Status Rm(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false, force = false;
  std::vector<std::string> paths;
  ArgParser p("rm [-r] [-f] PATH...", "Delete files (and, with -r, directories with their contents).");
  p.Flag("-r,-R,--recursive", &recursive, "delete directories and their contents")
      .Flag("-f,--force", &force, "no error when a path does not exist")
      .Operands(&paths, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (const auto& path : paths) {
    auto st = fs->Stat(path);
    if (!st.ok()) {
      if (st.status().code() == ErrorCode::kNotFound && force) continue;
      return st.status();
    }
    if (st->is_dir && !recursive) return IsDirectory("{}: is a directory (use -r)", path);
    ASSIGN_OR_RETURN(bool deleted, fs->Delete(path, recursive));
    if (!deleted && !force) return NotFound("{}: no such file or directory", path);
    if (deleted) RETURN_IF_ERROR(ctx.Out(fmt::format("Deleted {}\n", path)));
  }
  return Status::OK();
}

Status Mv(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  ArgParser p("mv SRC... DST", "Rename SRC to DST, or move SRCs into the existing directory DST.");
  p.Operands(&paths, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  const std::string dst = paths.back();
  paths.pop_back();
  auto dst_st = fs->Stat(dst);
  if (!dst_st.ok() && dst_st.status().code() != ErrorCode::kNotFound) return dst_st.status();
  const bool into_dir = dst_st.ok() && dst_st->is_dir;
  if (paths.size() > 1 && !into_dir) return NotDirectory("{}: not a directory (moving several files)", dst);
  for (const auto& src : paths) {
    std::string target = into_dir ? JoinPath(dst_st->path, BaseName(src)) : dst;
    RETURN_IF_ERROR(fs->Rename(src, target));
  }
  return Status::OK();
}

Status Stat(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false;
  std::vector<std::string> paths;
  ArgParser p("stat [--json] PATH", "Show one file's or directory's attributes.");
  p.Flag("--json", &json, "print one JSON object").Operands(&paths, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(FileStatus st, fs->Stat(paths[0]));
  if (json) return ctx.Out(ToJson(st).dump() + "\n");
  std::string text = fmt::format("  Path: {}\n  Type: {}\n  Size: {}\n", st.path,
                                 st.is_dir ? "directory" : (st.is_symlink ? "symlink" : "file"), st.length);
  if (!st.is_dir) text += fmt::format("  Replication: {}\n  Block size: {}\n", st.replication, st.block_size);
  text += fmt::format("  Permission: {} ({:04o})\n  Owner: {}\n  Group: {}\n  Modified: {}\n  Accessed: {}\n  File id: {}\n",
                      ModeString(st.permission, st.is_dir, st.is_symlink), st.permission, st.owner, st.group,
                      FormatDate(st.modification_time), FormatDate(st.access_time), st.file_id);
  return ctx.Out(text);
}

Status Touch(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  ArgParser p("touch PATH...", "Create empty files, or set the modification time of existing ones to now.");
  p.Operands(&paths, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (const auto& path : paths) {
    auto st = fs->Stat(path);
    if (st.ok()) {
      const int64_t now = WallMillis();
      RETURN_IF_ERROR(fs->SetTimes(path, now, now));
      continue;
    }
    if (st.status().code() != ErrorCode::kNotFound) return st.status();
    client::CreateOptions opts;
    opts.create_parent = false;
    ASSIGN_OR_RETURN(auto out, fs->Create(path, opts));
    RETURN_IF_ERROR(out->Close());
  }
  return Status::OK();
}

Status Setrep(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  ArgParser p("setrep N PATH...", "Set the replication of files (of every file below a directory).");
  p.Operands(&operands, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto n = ParseCount(operands[0], "replication", 32767);
  if (!n.ok() || *n == 0) {
    ctx.set_usage_error();
    return n.ok() ? InvalidArgument("replication must be at least 1") : n.status();
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (size_t i = 1; i < operands.size(); ++i) {
    ASSIGN_OR_RETURN(FileStatus root, fs->Stat(operands[i]));
    RETURN_IF_ERROR(WalkTree(*fs, root, [&](const FileStatus& st) -> Status {
      if (st.is_dir) return Status::OK();
      RETURN_IF_ERROR(fs->SetReplication(st.path, static_cast<uint32_t>(*n)));
      return ctx.Out(fmt::format("Replication {} set: {}\n", *n, st.path));
    }));
  }
  return Status::OK();
}

// truncate PATH LENGTH: HDFS truncate; a cut inside a block waits for its block recovery.
Status Truncate(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  ArgParser p("truncate PATH LENGTH",
              "Shorten a file to LENGTH bytes. A cut inside a block returns once the datanodes have cut their "
              "replicas and the file is closed again.");
  p.Operands(&operands, 2, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto length = ParseCount(operands[1], "length", UINT64_MAX);
  if (!length.ok()) {
    ctx.set_usage_error();
    return length.status();
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  RETURN_IF_ERROR(fs->Truncate(operands[0], *length));
  return ctx.Out(fmt::format("Truncated {} to {} bytes\n", operands[0], *length));
}

Status Chmod(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false;
  std::vector<std::string> operands;
  ArgParser p("chmod [-R] MODE PATH...", "Change permissions: octal (755) or symbolic (u+x,go-w).");
  p.Flag("-R,--recursive", &recursive, "change everything below directories too").Operands(&operands, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  const std::string& mode = operands[0];
  if (auto check = ApplyChmodMode(mode, 0, false); !check.ok()) {
    ctx.set_usage_error();
    return check.status();
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (size_t i = 1; i < operands.size(); ++i) {
    ASSIGN_OR_RETURN(FileStatus root, fs->Stat(operands[i]));
    auto apply = [&](const FileStatus& st) -> Status {
      ASSIGN_OR_RETURN(uint32_t perm, ApplyChmodMode(mode, st.permission, st.is_dir));
      return fs->Chmod(st.path, perm);
    };
    RETURN_IF_ERROR(recursive ? WalkTree(*fs, root, apply) : apply(root));
  }
  return Status::OK();
}

Status Chown(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false;
  std::vector<std::string> operands;
  ArgParser p("chown [-R] OWNER[:GROUP] PATH...", "Change the owner and/or group (\":GROUP\" changes only the group).");
  p.Flag("-R,--recursive", &recursive, "change everything below directories too").Operands(&operands, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  const std::string& spec = operands[0];
  const size_t colon = spec.find(':');
  const std::string owner = spec.substr(0, colon);
  const std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (owner.empty() && group.empty()) {
    ctx.set_usage_error();
    return InvalidArgument("'{}' names neither an owner nor a group", spec);
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (size_t i = 1; i < operands.size(); ++i) {
    ASSIGN_OR_RETURN(FileStatus root, fs->Stat(operands[i]));
    auto apply = [&](const FileStatus& st) { return fs->Chown(st.path, owner, group); };
    RETURN_IF_ERROR(recursive ? WalkTree(*fs, root, apply) : apply(root));
  }
  return Status::OK();
}

}  // namespace

void AddNamespaceCommands(std::vector<Command>* commands) {
  commands->push_back({"ls", "list files and directories", Ls});
  commands->push_back({"mkdir", "make directories", Mkdir});
  commands->push_back({"rm", "delete files and directories", Rm});
  commands->push_back({"mv", "rename or move", Mv});
  commands->push_back({"stat", "show a file's attributes", Stat});
  commands->push_back({"touch", "create empty files or update their time", Touch});
  commands->push_back({"setrep", "set the replication of files", Setrep});
  commands->push_back({"truncate", "shorten a file", Truncate});
  commands->push_back({"chmod", "change permissions", Chmod});
  commands->push_back({"chown", "change owner and group", Chown});
}

}  // namespace cairn::cli
