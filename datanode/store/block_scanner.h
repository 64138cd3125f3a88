// BlockScanner: the datanode's background verification of stored data (HDFS's
// BlockScanner with one VolumeScanner per volume). One thread per volume in service walks
// the volume's finalized replicas in block-id order, reads each one's data and checksums
// through the BlockStore and verifies every chunk, reading at most bytes_per_sec per
// volume; a pass starts every scan_period_ms (the first one right after start-up). A
// replica that fails verification twice in a row (so that an append racing the scan is
// not mistaken for damage) is marked corrupt in the store, which stops serving it and
// reports it to the namenode; the namenode then copies a good replica elsewhere and
// deletes this one. Replicas named suspect (a reader saw a checksum error) jump the queue.
//
// Each thread also probes its volume every volume_check_interval_ms (HDFS's disk checker),
// so a disk that died is taken out of service even while nothing reads or writes it, and
// the thread ends once its volume is out of service.
//
// Thread-safety: MarkSuspect, VerifyReplica and the counters from any thread; Start/Stop
// from the owner. The store must outlive the scanner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "datanode/store/block_store.h"

namespace cairn::datanode {

struct BlockScannerOptions {
  uint64_t bytes_per_sec = 1 << 20;                  // verification rate per volume; 0: no scanning
  int64_t scan_period_ms = 21LL * 24 * 3600 * 1000;  // a full pass over each volume this often
  int64_t volume_check_interval_ms = 15 * 60 * 1000; // volume probe period; 0: no probes
};

class BlockScanner {
 public:
  BlockScanner(BlockStore* store, BlockScannerOptions options);
  ~BlockScanner();

  // One thread per volume in service (none when both scanning and probing are off).
  void Start();
  void Stop();

  // Verify this replica soon, before the rest of its volume's pass.
  void MarkSuspect(uint64_t block_id);

  // Verifies the finalized replica of block_id now, on the caller's thread, without
  // throttling. OK when it is intact (or gone, or not finalized); kChecksumMismatch or
  // kCorruption when it is damaged, in which case it is marked corrupt.
  Status VerifyReplica(uint64_t block_id);

  int64_t replicas_verified() const { return verified_.load(); }
  int64_t corrupt_found() const { return corrupt_found_.load(); }
  int64_t passes_completed() const { return passes_.load(); }

 private:
  class Throttle;
  void Run(int volume);
  // Reads and checks every chunk once; the Status says what is wrong with the data.
  Status VerifyOnce(uint64_t block_id, ReplicaInfo* seen, Throttle* throttle);
  Status Verify(uint64_t block_id, Throttle* throttle);
  // Waits until the deadline (monotonic ms), a suspect for `volume` or Stop; false on Stop.
  bool WaitUntil(int volume, int64_t deadline_ms);
  bool TakeSuspect(int volume, uint64_t* block_id);

  BlockStore* const store_;
  const BlockScannerOptions options_;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                  // guarded by mu_
  std::unordered_map<int, std::set<uint64_t>> suspects_;  // guarded by mu_: volume -> block ids

  std::atomic<int64_t> verified_{0};
  std::atomic<int64_t> corrupt_found_{0};
  std::atomic<int64_t> passes_{0};
};

}  // namespace cairn::datanode
