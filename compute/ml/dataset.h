// Dense float rows, the data every built-in ML algorithm works on, and the two file formats
// they come from.
//
// A Partition holds the rows of one input split in memory: features row-major (rows x F)
// and, when the data has labels, one label per row. Partitions are immutable once parsed
// and shared (shared_ptr) between a worker's cache and the steps computing on them.
//
// Formats (MlDataFormat):
//  - CSV: text lines "f1,...,fF[,label]" (',' or whitespace separated). Empty lines are
//    skipped; a first line of the file that does not parse as numbers is a header. Splits
//    follow Hadoop's LineRecordReader (runtime/record_reader.h).
//  - BINARY: a 32-byte header — magic "CAIRNML1", u32 features, u32 flags (bit 0: labelled),
//    u64 rows, u64 reserved, all little-endian — then rows of F (+1 label) float32. A split
//    [start, end) holds the rows that start inside it, so each row has exactly one owner.
//
// Thread-safety: Partition is immutable after construction; the parsers are pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml.pb.h"
#include "common/status.h"
#include "compute/ml/partition.h"

namespace cairn::compute {
class ByteSource;
}

namespace cairn::ml {

inline constexpr char kBinaryMagic[8] = {'C', 'A', 'I', 'R', 'N', 'M', 'L', '1'};
inline constexpr size_t kBinaryHeaderBytes = 32;


struct BinaryHeader {
  uint32_t features = 0;
  bool has_label = false;
  uint64_t rows = 0;
};
std::string EncodeBinaryHeader(const BinaryHeader& h);
Result<BinaryHeader> DecodeBinaryHeader(std::string_view bytes);

// Bytes of one row in the binary format.
inline size_t BinaryRowBytes(const MlDataFormat& f) { return (f.features() + (f.has_label() ? 1 : 0)) * sizeof(float); }

// Parses one CSV line into out (features, then the label when has_label). False when the
// line is not exactly that many numbers (error says why).
bool ParseCsvLine(std::string_view line, uint32_t features, bool has_label, float* out, std::string* error);

// Reads the split [start, end) of a file (in positioned at start) into a partition.
// file_length bounds the binary format's rows; name is for messages.
Result<std::shared_ptr<Partition>> ReadPartition(compute::ByteSource* in, const std::string& name, uint64_t start,
                                                 uint64_t end, uint64_t file_length, const MlDataFormat& format,
                                                 int32_t index);

// Parses a whole in-memory file (tests, the bench's single-process reference, gen checks).
Result<std::shared_ptr<Partition>> ParseWholeFile(std::string_view data, const MlDataFormat& format);

// Guesses the format of a file from its first bytes: BINARY by magic (features and labels
// from the header), else CSV with as many features as the first data line has columns,
// less one when has_label.
Result<MlDataFormat> DetectFormat(std::string_view head, bool has_label);

}  // namespace cairn::ml
