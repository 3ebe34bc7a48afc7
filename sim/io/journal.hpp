#pragma once
// The run journal: an append-only file, OUT.h5.journal, that holds every
// completed run of an unfinished experiment and is the only thing `--resume`
// trusts. HDF5 makes no promise about a file after a crash; the journal does
// not depend on it. Layout (docs/output_schema.md, "The run journal"; all
// integers little-endian):
//
//   header  "ATCJRNL\n", u32 format version, u32 0, u64 runs, u64 doubles per
//           run, u64 n, n bytes of identity (atcsim version and the resolved
//           config without its output path), u32 CRC-32C of all the above
//   record  u32 "RUN\0", u32 0, u64 run index, u64 payload bytes, the payload
//           (the run's doubles: indicator by indicator, site by site), u32
//           CRC-32C of the record before it
//
// Each record is written with one write and fdatasync'ed before its run
// counts as complete (one sync may cover the records of several threads). On opening, every record's checksum
// is verified; an incomplete last record (the interruption hit its write) is dropped; anything else that is
// wrong refuses the journal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace atc::io {

struct JournalShape {
  std::uint64_t runs = 0;
  std::uint64_t doubles_per_run = 0;
};

class Journal {
 public:
  // What opening an existing journal found.
  enum class Opened {
    kRuns,        // a valid header, then zero or more complete runs
    kTornHeader,  // empty, or the header's write was interrupted: no run can be in it
  };

  // Creates a new journal at `path` (an existing file or link there is
  // removed first), writes the header and makes it durable (file and
  // folder). Throws IoError.
  static Journal create(const std::string& path, const std::string& identity, const JournalShape& shape);

  // Opens an existing journal: verifies its header and every record, drops an
  // incomplete last record (with `repair`, truncating the file: needed before
  // appending; without, the file is left as it is), refuses anything else
  // (ConfigError: a different configuration, another format or atcsim
  // version, a damaged record; IoError: the file cannot be read). With
  // kTornHeader the returned journal is closed: create a new one.
  static Journal open(const std::string& path, const std::string& identity, const JournalShape& shape,
                      Opened& opened, bool repair = true);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  // Appends run `run`'s record (not yet durable: see sync()) and returns the
  // journal's end after it. Not thread-safe.
  std::uint64_t append(std::uint64_t run, const std::vector<double>& data);
  // fdatasync: every record appended before the call is durable when it
  // returns. Safe to call while another thread appends (group commit).
  void sync() const;
  // Reads run `run`'s doubles back, verifying its checksum again.
  void read(std::uint64_t run, std::vector<double>& data) const;

  [[nodiscard]] bool complete(std::uint64_t run) const { return offsets_[run] != 0; }
  [[nodiscard]] std::size_t completed_runs() const;
  // Where the next record goes.
  [[nodiscard]] std::uint64_t end() const { return end_; }
  // Bytes of an incomplete last record dropped when it was opened (0 if none).
  [[nodiscard]] std::uint64_t dropped_bytes() const { return dropped_bytes_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // Closes the file (it stays on disk).
  void close();

 private:
  Journal(std::string path, int fd, const JournalShape& shape);
  void scan(const std::string& identity, Opened& opened, bool repair);
  [[nodiscard]] std::uint64_t record_bytes() const;

  std::string path_;
  int fd_ = -1;
  JournalShape shape_;
  std::uint64_t end_ = 0;               // where the next record goes
  std::vector<std::uint64_t> offsets_;  // record offset per run, 0 if not complete
  std::uint64_t dropped_bytes_ = 0;
};

// The journal's format version; a journal of another version is refused.
inline constexpr std::uint32_t kJournalVersion = 1;
// The header's bytes before the identity (the layout above); its last 8 hold
// the identity's length n. The whole header is kJournalHeaderFixed + n +
// kJournalCrcBytes, a record ends with kJournalCrcBytes of checksum too.
inline constexpr std::size_t kJournalHeaderFixed = 8 + 4 + 4 + 8 + 8 + 8;
inline constexpr std::size_t kJournalCrcBytes = 4;

// fsync of a file and of a folder (a rename or an unlink in it). Throw IoError.
void sync_file(const std::string& path);
void sync_folder_of(const std::string& path);

}  // namespace atc::io
