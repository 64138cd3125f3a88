// The power-cut journal: what a daemon under the power-cut layer (preload.cc) made durable,
// written as it happens so that a process stopped and killed at any instant leaves an
// exact record behind. ApplyPowerCut (power_cut.h) replays it to throw away everything
// the process had not synced, as a power cut would.
//
// One journal per process, STATE/journal.<pid>, of tab-separated lines:
//   R <root>                      a directory tree this process's storage lives in
//   B <ino> <size>                a file found at start (durable as it was)
//   L <dir> <count>               the durable entries of <dir>, <count> E lines follow:
//   E <name> <ino> <f|d>          a regular file or a directory
//   S <ino> <size>                file <ino> synced (fsync or fdatasync) at <size>: its
//                                 size when the call began, so bytes written during the
//                                 call do not count
// Every record set is one write(2) to an O_APPEND file, so records never interleave.
// Files unlinked or replaced by a rename keep a hard link STATE/graveyard/<ino>, so a
// name whose removal was never made durable can come back.
//
// Thread-safety: constants only.
#pragma once

namespace cairn::testing::power_cut {

inline constexpr const char* kStateEnv = "CAIRN_POWERCUT_STATE";  // the state dir
// Comma-separated flag names whose values (comma-separated paths) are the roots, read
// from the process's own command line: e.g. "datanode_data_dirs,namenode_name_dir".
inline constexpr const char* kRootFlagsEnv = "CAIRN_POWERCUT_ROOT_FLAGS";
inline constexpr const char* kJournalPrefix = "journal.";
inline constexpr const char* kGraveyard = "graveyard";

}  // namespace cairn::testing::power_cut
