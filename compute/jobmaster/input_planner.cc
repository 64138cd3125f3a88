#include "compute/jobmaster/input_planner.h"

#include <fnmatch.h>

#include <algorithm>

#include "common/path.h"

namespace cairn::compute {

namespace {

bool IsHidden(std::string_view name) { return !name.empty() && (name[0] == '_' || name[0] == '.'); }

bool HasGlob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// Splits "/a/b*/c" into components without validating them (globs may hold '[').
std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

Status AddFilesOf(client::FileSystem& fs, const client::FileStatus& st, std::vector<client::FileStatus>* out) {
  if (!st.is_dir) {
    out->push_back(st);
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::vector<client::FileStatus> children, fs.List(st.path));
  for (auto& c : children) {
    if (!c.is_dir && !IsHidden(c.name)) out->push_back(std::move(c));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<client::FileStatus>> ExpandInputPath(client::FileSystem& fs, const std::string& path) {
  if (path.empty() || path[0] != '/') return InvalidArgument("input path '{}' is not absolute", path);
  std::vector<client::FileStatus> out;
  if (!HasGlob(path)) {
    auto st = fs.Stat(path);
    if (!st.ok()) {
      if (st.status().code() == ErrorCode::kNotFound) return NotFound("input path {} does not exist", path);
      return st.status();
    }
    RETURN_IF_ERROR(AddFilesOf(fs, *st, &out));
    return out;
  }
  // Walk the components, expanding globbed ones against directory listings.
  std::vector<std::string> prefixes{""};
  for (const std::string& comp : Components(path)) {
    std::vector<std::string> next;
    for (const std::string& prefix : prefixes) {
      std::string dir = prefix.empty() ? "/" : prefix;
      if (!HasGlob(comp)) {
        next.push_back(JoinPath(dir, comp));
        continue;
      }
      auto children = fs.List(dir);
      if (!children.ok()) {
        if (children.status().code() == ErrorCode::kNotFound || children.status().code() == ErrorCode::kNotDirectory)
          continue;
        return children.status();
      }
      for (const auto& c : *children) {
        if (::fnmatch(comp.c_str(), c.name.c_str(), FNM_PERIOD) == 0 && !IsHidden(c.name)) next.push_back(c.path);
      }
    }
    prefixes = std::move(next);
  }
  std::sort(prefixes.begin(), prefixes.end());
  for (const std::string& p : prefixes) {
    auto st = fs.Stat(p);
    if (!st.ok()) {
      if (st.status().code() == ErrorCode::kNotFound) continue;
      return st.status();
    }
    RETURN_IF_ERROR(AddFilesOf(fs, *st, &out));
  }
  if (out.empty()) return NotFound("input pattern {} matches no files", path);
  return out;
}

Result<PlannedInput> PlanInput(client::FileSystem& fs, const JobSpec& spec) {
  if (spec.input_paths().empty()) return InvalidArgument("the job has no input paths");
  PlannedInput plan;
  std::vector<client::FileStatus> files;
  for (const std::string& path : spec.input_paths()) {
    ASSIGN_OR_RETURN(std::vector<client::FileStatus> found, ExpandInputPath(fs, path));
    for (auto& f : found) files.push_back(std::move(f));
  }
  // The same file named twice (two overlapping patterns) is read once.
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  files.erase(std::unique(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path == b.path; }),
              files.end());
  for (const client::FileStatus& f : files) {
    plan.files.push_back(f.path);
    plan.total_bytes += f.length;
    if (spec.input_format() == JobSpec::FIXED && spec.record_bytes() > 0 && f.length % spec.record_bytes() != 0)
      return InvalidArgument("{} holds {} bytes, not a whole number of {}-byte records", f.path, f.length,
                             spec.record_bytes());
    if (f.length == 0) continue;
    ASSIGN_OR_RETURN(std::vector<client::BlockLocation> blocks, fs.GetBlockLocations(f.path, 0, f.length));
    for (const client::BlockLocation& b : blocks) {
      if (b.length == 0) continue;
      InputSplit s;
      s.set_path(f.path);
      s.set_start(b.offset);
      s.set_length(b.length);
      s.set_file_length(f.length);
      s.set_block_id(b.block_id);
      s.set_gen_stamp(b.gen_stamp);
      for (const auto& h : b.hosts) s.add_hosts(h);
      for (const auto& r : b.racks) s.add_racks(r);
      plan.splits.push_back(std::move(s));
    }
  }
  return plan;
}

Result<std::vector<std::string>> SampleKeys(client::FileSystem& fs, const std::vector<InputSplit>& splits,
                                            uint32_t record_bytes, uint32_t key_bytes, int samples) {
  std::vector<std::string> keys;
  if (splits.empty() || samples <= 0) return keys;
  // Like TeraSort: records from the start of up to 10 splits spread over the input.
  const size_t picks = std::min<size_t>(10, splits.size());
  const uint64_t per_split = std::max<uint64_t>(1, static_cast<uint64_t>(samples) / picks);
  std::string buf;
  for (size_t i = 0; i < picks; ++i) {
    const InputSplit& s = splits[i * splits.size() / picks];
    uint64_t first = (s.start() + record_bytes - 1) / record_bytes * record_bytes;
    uint64_t end = std::min(s.start() + s.length(), s.file_length());
    if (first >= end) continue;
    uint64_t records = std::min(per_split, (end - first) / record_bytes);
    if (records == 0) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<client::InputStream> in, fs.Open(s.path()));
    buf.resize(static_cast<size_t>(records * record_bytes));
    RETURN_IF_ERROR(in->Seek(first));
    size_t got = 0;
    while (got < buf.size()) {
      ASSIGN_OR_RETURN(size_t n, in->Read(buf.data() + got, buf.size() - got));
      if (n == 0) break;
      got += n;
    }
    (void)in->Close();
    for (size_t off = 0; off + record_bytes <= got; off += record_bytes) keys.emplace_back(buf.data() + off, key_bytes);
  }
  return keys;
}

}  // namespace cairn::compute
