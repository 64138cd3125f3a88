// The contract every fuzz target in tests/fuzz/ follows: LLVMFuzzerTestOneInput feeds one
// input to a parser (it must never crash, hang or leak, whatever the bytes), and
// CairnFuzzSeeds gives well-formed inputs built with the project's own encoders, so both
// drivers start from the real format.
//
// Two drivers link each target: libFuzzer (tools/fuzz, clang, -fsanitize=fuzzer,address)
// and standalone_main.cc, which runs the seeds and a fixed number of deterministic
// mutations of them on every `tools/test` (ctest label fuzz), with any compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
std::vector<std::string> CairnFuzzSeeds();
