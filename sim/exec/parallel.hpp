#pragma once
// Deterministic data parallelism over agents.
//
// Work is cut into blocks of a FIXED size (never derived from the thread
// count), each block is processed by one task, and reductions combine the
// per-block partial results in block order. The result is therefore
// bit-identical for any number of threads, including one.
//
// Every block first checks for a stop request (SIGINT/SIGTERM, see
// sim/exec/interrupt.hpp), so that building or warming up a very large site
// can be interrupted within one block; the run is then discarded.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_invoke.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "sim/exec/interrupt.hpp"

namespace atc::sim {

// A loop nested in a task whose group is being cancelled (another task threw,
// e.g. a write failed on a full disk) returns early with part of its work
// undone, without an exception: what follows must not use that work (a site
// left unbuilt was once dereferenced, a crash). Throwing here ends the task;
// TBB keeps the first exception, the one that cancelled the group.
inline void throw_if_cancelled() {
  if (oneapi::tbb::is_current_task_group_canceling()) throw Interrupted("cancelled: another task failed");
}

// tbb::parallel_for over [0, n), one index per task.
template <typename F>
void parallel_indices(std::size_t n, F&& f) {
  oneapi::tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) { f(i); });
  throw_if_cancelled();
}

class Parallel {
 public:
  static constexpr std::size_t kDefaultBlock = 2048;
  static constexpr std::size_t kEachSplit = 4;  // for_each tasks: block / kEachSplit indices

  explicit Parallel(bool enabled = true, std::size_t block = kDefaultBlock)
      : enabled_(enabled), block_(block == 0 ? kDefaultBlock : block) {}

  [[nodiscard]] bool enabled() const { return enabled_; }
  [[nodiscard]] std::size_t block() const { return block_; }
  [[nodiscard]] std::size_t block_count(std::size_t n) const { return (n + block_ - 1) / block_; }

  // The same, in blocks a kEachSplit-th the size: for for_each, and for
  // reductions whose sums do not depend on the order (counts), which then
  // keep every thread busy as for_each does.
  [[nodiscard]] Parallel finer() const {
    return Parallel(enabled_, std::max<std::size_t>(1, block_ / kEachSplit));
  }

  // f(begin, end) for consecutive blocks covering [0, n).
  template <typename F>
  void for_blocks(std::size_t n, F&& f) const {
    const std::size_t blocks = block_count(n);
    auto run = [&](std::size_t b) {
      throw_if_stop_requested();
      f(b * block_, std::min(n, (b + 1) * block_));
    };
    if (!enabled_ || blocks <= 1) {
      for (std::size_t b = 0; b < blocks; ++b) run(b);
      return;
    }
    oneapi::tbb::parallel_for(
        oneapi::tbb::blocked_range<std::size_t>(0, blocks, 1),
        [&](const oneapi::tbb::blocked_range<std::size_t>& r) {
          for (std::size_t b = r.begin(); b != r.end(); ++b) run(b);
        },
        oneapi::tbb::simple_partitioner{});
    throw_if_cancelled();
  }

  // f(i) for every i in [0, n). Nothing here depends on how the indices are
  // grouped, so the tasks are a fraction of a block: a few blocks (10^4
  // agents are 5) still keep every thread busy.
  template <typename F>
  void for_each(std::size_t n, F&& f) const {
    for_each_in_tasks_of(finer().block(), n, std::forward<F>(f));
  }

  // f(i) for every i in [0, n), in tasks of `per_task` indices (at least 1):
  // for loops over few but costly items (a few hundred, of microseconds
  // each), which tasks of for_each's size would leave on one thread.
  template <typename F>
  void for_each_in_tasks_of(std::size_t per_task, std::size_t n, F&& f) const {
    Parallel(enabled_, std::max<std::size_t>(1, per_task))
        .for_blocks(n, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i) f(i);
        });
  }

  // Independent pieces of work (each may run its own loops): concurrently
  // when enabled, else one after the other in argument order. A serial pass
  // then runs beside a parallel loop instead of after it.
  template <typename... F>
  void invoke(F&&... f) const {
    static_assert(sizeof...(F) >= 2, "invoke takes at least two functions");
    if (!enabled_) {
      (f(), ...);
      return;
    }
    oneapi::tbb::parallel_invoke(std::forward<F>(f)...);
    throw_if_cancelled();
  }

  // Sum of partial(begin, end) over the blocks, added in block order.
  // T needs T{} as zero and operator+=.
  template <typename T, typename F>
  T reduce(std::size_t n, F&& partial) const {
    const std::size_t blocks = block_count(n);
    constexpr std::size_t kInline = 64;
    std::array<T, kInline> small{};
    std::vector<T> large;
    T* parts = small.data();
    if (blocks > kInline) {
      large.assign(blocks, T{});
      parts = large.data();
    }
    for_blocks(n, [&](std::size_t begin, std::size_t end) { parts[begin / block_] = partial(begin, end); });
    T total{};
    for (std::size_t b = 0; b < blocks; ++b) total += parts[b];
    return total;
  }

 private:
  bool enabled_;
  std::size_t block_;
};

}  // namespace atc::sim
