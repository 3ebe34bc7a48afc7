#pragma once
// Cooperative interruption. SIGINT/SIGTERM set stop_requested() (handlers in
// sim/cli/signals.hpp, installed first thing in main); the runner checks it at
// every step, and long loops before the first step (model construction,
// warm-up, network generation) call throw_if_stop_requested() so that Ctrl-C
// is honoured within moments even for a very large site.
#include <atomic>

#include "sim/core/error.hpp"

namespace atc::sim {

// Set from a signal handler (defined in sim/exec/runner.cpp).
std::atomic<bool>& stop_requested();

inline void throw_if_stop_requested() {
  if (stop_requested().load(std::memory_order_relaxed)) throw Interrupted("interrupted");
}

}  // namespace atc::sim
