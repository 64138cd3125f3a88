// The built-in ML algorithms' input formats (compute/ml/dataset.h), as a job reads any file
// a user names: format detection, whole-file CSV and binary parsing, single CSV lines.
// A partition that parses must hold whole rows, and a label per row when labelled.
#include <cstdlib>
#include <string>

#include "compute/ml/dataset.h"
#include "tests/fuzz/fuzz_target.h"

using namespace cairn;

namespace {
void CheckShape(const Result<std::shared_ptr<ml::Partition>>& p) {
  if (!p.ok()) return;
  const ml::Partition& part = **p;
  if (part.features == 0 ? !part.x.empty() : part.x.size() % part.features != 0) std::abort();
  if (part.has_label ? part.y.size() != part.rows() : !part.y.empty()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool has_label = data[0] & 1;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)ml::DecodeBinaryHeader(file);
  if (auto detected = ml::DetectFormat(file.substr(0, 4096), has_label); detected.ok()) {
    if (detected->features() <= 4096) CheckShape(ml::ParseWholeFile(file, *detected));
  }
  for (uint32_t features : {1u, 3u}) {
    MlDataFormat csv;
    csv.set_kind(MlDataFormat::CSV);
    csv.set_features(features);
    csv.set_has_label(has_label);
    CheckShape(ml::ParseWholeFile(file, csv));
    float row[4];
    std::string error;
    (void)ml::ParseCsvLine(file.substr(0, file.find('\n')), features, has_label, row, &error);
  }
  return 0;
}

std::vector<std::string> CairnFuzzSeeds() {
  std::string binary = ml::EncodeBinaryHeader({.features = 2, .has_label = true, .rows = 2});
  for (float v : {1.0f, 2.0f, 0.0f, 3.5f, -1.0f, 1.0f}) binary.append(reinterpret_cast<const char*>(&v), sizeof v);
  return {std::string(1, '\1') + "x1,x2,y\n1.0,2.0,0\n3.5,-1,1\n",
          std::string(1, '\0') + "0.5 1.5 2.5\n\n1e3\t2\t3\n",
          std::string(1, '\1') + binary,
          std::string(1, '\0') + "nan,inf,-0\n"};
}
