#pragma once
// One process at a time in a folder: an advisory lock (flock) on a file
// inside it, held for as long as the lock object lives. Two runs on one
// results folder would both do all the work and race on its files; two
// comparisons in one folder would overwrite each other's comparison.json;
// two runs needing the same pretrained encoder would both compute it; a
// label import during a run could change answers the run is reading.
// Torch-free, so the label import takes the same lock as the engine.
//
// flock is honoured by local file systems and by NFSv4 and Lustre (with
// flock enabled) across machines; docs/results-folder.md says which.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace al::oracle_detail {

class folder_lock {
 public:
  /// What to do when another process holds the lock.
  enum class when_held {
    fail,  // throw folder_in_use at once, naming the holder
    wait,  // block until the holder lets go
  };

  /// Takes the lock on `lock_file` (created when missing). `what` names
  /// what the lock protects, for the message ("the results folder X");
  /// `what_to_do` ends that message.
  folder_lock(std::filesystem::path lock_file, std::string what, when_held mode,
              std::string_view what_to_do =
                  ", or pass --wait (config.wait_for_lock) to wait for it");
  ~folder_lock();
  folder_lock(const folder_lock&) = delete;
  folder_lock& operator=(const folder_lock&) = delete;

 private:
  std::filesystem::path file_;
  int descriptor_ = -1;
};

/// Another process holds the lock of a folder this one needs.
struct folder_in_use : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace al::oracle_detail
