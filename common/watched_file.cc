#include "common/watched_file.h"

#include <sys/stat.h>

#include "common/parse_number.h"
#include "common/split.h"
#include "common/whole_file.h"

namespace cairn {

bool WatchedFile::Changed(std::string* text) {
  struct stat st{};
  if (::stat(path_.c_str(), &st) != 0) {
    if (seen_ && !present_) return false;
    seen_ = true;
    present_ = false;
    text->clear();
    return true;
  }
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  const int64_t ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  if (seen_ && present_ && st.st_ino == ino_ && st.st_size == size_ && mtime_ns == mtime_ns_ && ctime_ns == ctime_ns_)
    return false;
  auto content = ReadWholeFile(path_);
  if (!content.ok()) return false;  // being replaced: keep what was seen until it reads
  *text = std::move(content).value();
  seen_ = present_ = true;
  ino_ = st.st_ino;
  size_ = st.st_size;
  mtime_ns_ = mtime_ns;
  ctime_ns_ = ctime_ns;
  return true;
}

std::vector<std::vector<std::string>> PlanLineWords(std::string_view text) {
  std::vector<std::vector<std::string>> lines;
  for (const std::string& full_line : SplitNonEmpty(text, '\n')) {
    std::string_view line = full_line;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> words;
    for (std::string& word : SplitNonEmpty(line, ' ')) {
      std::string_view trimmed = TrimWhitespace(word);
      if (!trimmed.empty()) words.emplace_back(trimmed);
    }
    if (!words.empty()) lines.push_back(std::move(words));
  }
  return lines;
}

bool ParsePlanMillis(std::string_view text, int* ms) {
  int value = 0;
  if (!ParseWholeNumber(text, &value) || value < 0) return false;
  *ms = value;
  return true;
}

bool ParsePlanOffset(std::string_view text, uint64_t* offset) { return ParseWholeNumber(text, offset); }

void NoteIgnoredPlanLine(const std::vector<std::string>& words, std::string* ignored) {
  if (ignored == nullptr) return;
  if (!ignored->empty()) ignored->append("; ");
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) ignored->push_back(' ');
    ignored->append(words[i]);
  }
}

}  // namespace cairn
