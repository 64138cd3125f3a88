// DeferredDurability: lets an operation run on a thread that must not wait for the disk.
// While a scope is active on a thread, Namespace::Mutate applies and queues its change as
// usual but returns without waiting for the group commit, recording here the ticket to wait
// for and the actions to run once it is durable. The caller then hands the scope to
// Namespace::WhenDurable, which answers the client (and runs those actions) after the sync.
// The client's acknowledgement still waits for durability; only the thread does not.
//
// Thread-safety: one thread at a time; Current() is per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace cairn::namenode {

class DeferredDurability {
 public:
  DeferredDurability() = default;
  DeferredDurability(const DeferredDurability&) = delete;
  DeferredDurability& operator=(const DeferredDurability&) = delete;
  DeferredDurability(DeferredDurability&&) = default;

  // Makes this the current thread's scope until the returned guard goes.
  class Active {
   public:
    explicit Active(DeferredDurability* d) : previous_(current_) { current_ = d; }
    ~Active() { current_ = previous_; }
    Active(const Active&) = delete;
    Active& operator=(const Active&) = delete;

   private:
    DeferredDurability* previous_;
  };
  Active Activate() { return Active(this); }

  // The active scope of this thread, or nullptr.
  static DeferredDurability* Current() { return current_; }

  void Note(uint64_t ticket, std::vector<std::function<void()>> after) {
    if (ticket > ticket_) ticket_ = ticket;
    for (auto& fn : after) after_.push_back(std::move(fn));
  }
  uint64_t ticket() const { return ticket_; }
  std::vector<std::function<void()>> TakeAfterDurable() { return std::move(after_); }

 private:
  static thread_local DeferredDurability* current_;
  uint64_t ticket_ = 0;
  std::vector<std::function<void()>> after_;
};

}  // namespace cairn::namenode
