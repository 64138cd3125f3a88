// BlockStore: the seam for all disk I/O of the datanode. It owns the replica map (block id
// -> volume, state, generation stamp, lengths, checksum) and the replicas' files; everything
// above it (transfer server, namenode actor, executor) reads and writes replicas through
// it. FsBlockStore keeps replicas in data directories (see block_layout.h).
//
// Writers: a ReplicaWriter is the one writer of an RBW or temporary replica and belongs to
// the thread that receives its data; SetBytesAcked may come from its ack thread. Readers:
// a ReplicaReader sees the replica as it was when opened (its visible length then) and
// belongs to one thread. The store itself may be called from any thread.
//
// Block state transitions follow HDFS's FsDataset: create (rbw or temporary), append
// (finalized -> rbw with a new generation stamp), the three pipeline recoveries, finalize
// (rename to finalized/), delete, and the two steps of lease (block) recovery. A replica
// found corrupt (by the block scanner or a transfer) is marked so: it is never served
// again and waits for the namenode's deletion. Every change that the namenode must hear
// about goes to the ReplicaListener (incremental block reports, bad-block reports), called
// without store locks held.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "datanode/store/replica.h"

namespace cairn::datanode {

class ReplicaListener {
 public:
  virtual ~ReplicaListener() = default;
  virtual void OnReceiving(const ReplicaInfo& replica) = 0;  // an RBW replica appeared or changed stamp
  virtual void OnReceived(const ReplicaInfo& replica) = 0;   // a replica was finalized
  virtual void OnDeleted(const ReplicaInfo& replica) = 0;    // a replica is gone
  // A volume was taken out of service; its replicas are no longer in the map.
  virtual void OnVolumeFailed(const std::string& storage_id, const std::string& reason) = 0;
  // A replica failed verification and was marked corrupt (see BlockStore::MarkCorrupt).
  virtual void OnCorrupt(const ReplicaInfo& replica, const std::string& reason) = 0;
};

class ReplicaWriter {
 public:
  // Destroying a writer that was not finalized aborts it (see Abort).
  virtual ~ReplicaWriter() = default;

  // Block id, stamp, checksum and volume of the replica (lengths as at open).
  virtual const ReplicaInfo& replica() const = 0;
  virtual uint64_t bytes_on_disk() const = 0;
  // CRC of the data in the last, partial chunk (bytes_on_disk not chunk-aligned).
  virtual uint32_t last_chunk_crc() const = 0;

  // Starts writing `data` at `offset` (== bytes_on_disk()) and the CRCs of chunks
  // first_chunk.. (big-endian) into the meta file. `last_crc` is the CRC of the last chunk
  // after this write. Buffers must stay valid until FinishWrite; one write at a time.
  // kNoSpace when the datanode's capacity would be exceeded.
  virtual Status StartWrite(uint64_t offset, std::span<const uint8_t> data, uint64_t first_chunk,
                            std::span<const uint8_t> crcs, uint32_t last_crc) = 0;
  // Waits for the write started last (no-op when none is in flight).
  virtual Status FinishWrite() = 0;
  // hsync: fdatasync of data and meta, and on a writer's first sync also of the replica's
  // directory, so a power cut cannot take the replica's name (and the synced bytes with it).
  virtual Status Sync() = 0;
  // Readable length of an RBW replica; may be called from the ack thread.
  virtual void SetBytesAcked(uint64_t bytes) = 0;

  // Completes the replica: renames it into finalized/ and reports it RECEIVED.
  virtual Result<ReplicaInfo> Finalize() = 0;
  // Completes a temporary replica as RBW (TRANSFER_RBW) and reports it RECEIVING.
  virtual Result<ReplicaInfo> ConvertToRbw() = 0;
  // Stops writing. An RBW replica stays as it is on disk (later recovery decides); a
  // temporary one is deleted.
  virtual void Abort() = 0;

  // How a recovery or delete of this replica can stop the thread writing it (typically by
  // shutting down its socket). Called once, right after the writer is created.
  virtual void SetInterrupt(std::function<void()> interrupt) = 0;
};

class ReplicaReader {
 public:
  static constexpr int kSlots = 2;
  virtual ~ReplicaReader() = default;

  // The replica when opened; visible_length() is what may be read.
  virtual const ReplicaInfo& replica() const = 0;
  // Starts reading data [offset, offset + data.size()) and the CRCs of chunks
  // first_chunk .. first_chunk + crcs.size()/4 into the buffers, using slot 0 or 1 (two
  // reads may be in flight, e.g. the next chunk run while the current one is sent).
  virtual Status StartRead(int slot, uint64_t offset, std::span<uint8_t> data, uint64_t first_chunk,
                           std::span<uint8_t> crcs) = 0;
  // Waits for the slot's read; kCorruption when the files are shorter than the replica claims.
  virtual Status FinishRead(int slot) = 0;
};

// Where a finalized replica's files are, for readers on this node that open them directly
// (the compute executor hands them to tasks, which verify the checksums themselves).
struct LocalReplicaFiles {
  std::string data_path;
  std::string meta_path;
  uint64_t length = 0;
};

// Space and health of one volume, for heartbeats.
struct VolumeStatus {
  int index = -1;            // the volume's index in the store; -1 for a data dir that never opened
  std::string storage_id;
  std::string path;
  uint64_t capacity = 0;
  uint64_t dfs_used = 0;
  uint64_t remaining = 0;
  uint64_t non_dfs_used = 0;
  bool failed = false;
  std::string failure;
};

class BlockStore {
 public:
  virtual ~BlockStore() = default;

  virtual const std::string& datanode_uuid() const = 0;
  // Records cluster and block pool ids from registration; volumes of another cluster are
  // taken out of service.
  virtual Status AdoptNamespace(const std::string& cluster_id, const std::string& block_pool_id) = 0;

  // A new RBW replica (PIPELINE_SETUP_CREATE), reported RECEIVING. kAlreadyExists when the
  // block is present; kNoSpace when no volume has room.
  virtual Result<std::unique_ptr<ReplicaWriter>> CreateRbw(uint64_t block_id, uint64_t gen_stamp,
                                                           const ChecksumSpec& checksum) = 0;
  // A temporary replica for a transfer (TRANSFER_RBW / TRANSFER_FINALIZED / replication).
  // A present replica with an older stamp that nobody writes is replaced.
  virtual Result<std::unique_ptr<ReplicaWriter>> CreateTemporary(uint64_t block_id, uint64_t gen_stamp,
                                                                 const ChecksumSpec& checksum) = 0;
  // PIPELINE_SETUP_APPEND: the finalized replica blk_<id>_<gen_stamp> of expected_length
  // bytes becomes RBW with new_gen_stamp; writing continues at its end.
  virtual Result<std::unique_ptr<ReplicaWriter>> Append(uint64_t block_id, uint64_t gen_stamp,
                                                        uint64_t new_gen_stamp, uint64_t expected_length) = 0;
  // PIPELINE_SETUP_STREAMING_RECOVERY: stops the RBW replica's writer, checks that its
  // acknowledged bytes >= min_bytes and its bytes on disk <= max_bytes, truncates it to the
  // acknowledged bytes and moves it to new_gen_stamp.
  virtual Result<std::unique_ptr<ReplicaWriter>> RecoverRbw(uint64_t block_id, uint64_t gen_stamp,
                                                            uint64_t new_gen_stamp, uint64_t min_bytes,
                                                            uint64_t max_bytes) = 0;
  // PIPELINE_SETUP_APPEND_RECOVERY: a finalized replica is appended to; an RBW one (whose
  // stamp lies in [gen_stamp, new_gen_stamp]) is reopened at new_gen_stamp. Its length must
  // be expected_length.
  virtual Result<std::unique_ptr<ReplicaWriter>> RecoverAppend(uint64_t block_id, uint64_t gen_stamp,
                                                               uint64_t new_gen_stamp,
                                                               uint64_t expected_length) = 0;
  // PIPELINE_CLOSE_RECOVERY: like RecoverAppend's checks, then the replica is finalized at
  // new_gen_stamp (reported RECEIVED).
  virtual Result<ReplicaInfo> RecoverClose(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                           uint64_t expected_length) = 0;

  // Opens a finalized or RBW replica whose stamp is >= min_gen_stamp. kNotFound when absent
  // (or only temporary); kAborted when the stored stamp is older than asked for.
  virtual Result<std::unique_ptr<ReplicaReader>> OpenForRead(uint64_t block_id, uint64_t min_gen_stamp) = 0;
  virtual Result<ReplicaInfo> GetReplica(uint64_t block_id) const = 0;
  // The files of a finalized replica with a stamp >= min_gen_stamp; kNotFound otherwise.
  // The paths stay valid until the replica is appended to, recovered or deleted.
  virtual Result<LocalReplicaFiles> GetLocalFiles(uint64_t block_id, uint64_t min_gen_stamp) const = 0;
  // Finalized and RBW replicas (not temporary ones), for full block reports.
  virtual std::vector<ReplicaInfo> ListReplicas() const = 0;
  // Deletes blk_<id>_<gen_stamp> (stopping its writer first), reported DELETED. kNotFound
  // when absent, kAborted when the stored stamp differs.
  virtual Status Delete(uint64_t block_id, uint64_t gen_stamp) = 0;

  // The finalized replica blk_<id>_<gen_stamp> failed verification: from now on reads and
  // transfers of it fail with kCorruption, block reports flag it, and the listener hears
  // OnCorrupt once (the namenode then replaces and deletes it). kNotFound when absent,
  // kAborted when the stored stamp differs.
  virtual Status MarkCorrupt(uint64_t block_id, uint64_t gen_stamp, const std::string& reason) = 0;

  // Lease recovery, step 1 (HDFS's initReplicaRecovery): stops the replica's writer and
  // remembers recovery_id as the recovery it belongs to. Refuses (kAborted) replicas older
  // than gen_stamp, replicas already at or past recovery_id and a recovery that an
  // attempt with a higher id superseded. Returns the replica as it is now (its length is
  // the bytes on disk, each covered by its checksum). kNotFound when absent.
  virtual Result<ReplicaInfo> InitReplicaRecovery(uint64_t block_id, uint64_t gen_stamp, uint64_t recovery_id) = 0;
  // Step 2 (updateReplicaUnderRecovery): the replica of the recovery `recovery_id`
  // is truncated to new_length (a finalized one must have exactly that length, unless
  // `truncate`: the recovery of an HDFS truncate cuts finalized replicas too), moved to
  // the stamp recovery_id and finalized (reported RECEIVED).
  virtual Result<ReplicaInfo> UpdateReplicaUnderRecovery(uint64_t block_id, uint64_t recovery_id,
                                                         uint64_t new_length, bool truncate) = 0;

  virtual std::vector<VolumeStatus> Volumes() const = 0;
  // Probes volume `index` (as after an I/O error) and takes it out of service when the
  // probe fails. Returns the probe's outcome; OK for a volume already out of service.
  virtual Status CheckVolume(int index) = 0;
};

}  // namespace cairn::datanode
