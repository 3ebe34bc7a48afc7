#pragma once
// SIGINT and SIGTERM, handled from the first instruction of main.
//
// Three modes:
//  - immediate (the default): nothing is being written that a stop could leave
//    half done (parsing, validating, describing, reading), so the handler
//    prints one line and exits 130 at once;
//  - graceful (inside a GracefulStop scope, around a run's writing): the first
//    signal sets sim::stop_requested() and the run stops at its next step
//    boundary, keeping every completed run; a second signal exits 130 at once,
//    removing the HDF5 file being written from the journal, if any (the
//    journal keeps the runs: a half-written OUT.h5.partial was left before);
//  - settled (after ignore_stop_signals()): the output is complete and in
//    place, or how the process ends is decided and it is only exiting, so a
//    signal is ignored and the process ends as it would have (saying
//    "interrupted" then would be false).
// The handler only touches lock-free atomics and calls unlink(2), write(2)
// and _exit(2), which are async-signal-safe.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "sim/core/files.hpp"
#include "sim/exec/interrupt.hpp"

namespace atc::cli {

namespace detail {
inline std::atomic<bool> graceful_stop{false};
inline std::atomic<bool> settled{false};
// The line printed on an immediate exit, naming the program (set once, before
// the handlers are installed).
inline std::atomic<const char*> exit_message{"atcsim: interrupted\n"};

inline void on_stop_signal(int) {
  if (settled.load()) return;
  if (graceful_stop.load() && !sim::stop_requested().exchange(true)) return;
  remove_file_in_progress();
  const char* message = exit_message.load();
  std::size_t length = 0;
  while (message[length] != '\0') ++length;
  const ssize_t written = ::write(STDERR_FILENO, message, length);
  (void)written;
  ::_exit(130);
}
}  // namespace detail

// A signal the parent set to be ignored (e.g. SIGINT for `atcsim run ... &`
// in a script) stays ignored. A blocked one is unblocked once the handler is
// in place: a signal that arrived earlier (even before main) is then handled.
// `exit_message`: a string literal, "PROGRAM: interrupted\n".
inline void install_signal_handlers(const char* exit_message = "atcsim: interrupted\n") {
  detail::exit_message.store(exit_message);
  (void)sim::stop_requested();  // constant-initialised; touched here before any handler can run
  struct sigaction action {};
  action.sa_handler = detail::on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigset_t handled;
  sigemptyset(&handled);
  for (const int signal_number : {SIGINT, SIGTERM}) {
    struct sigaction previous {};
    sigaction(signal_number, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN) continue;
    sigaction(signal_number, &action, nullptr);
    sigaddset(&handled, signal_number);
  }
  pthread_sigmask(SIG_UNBLOCK, &handled, nullptr);
}

// From now on a signal changes nothing ("settled" above): the output file is
// complete and renamed into place (atcsim run; rank 0 of atcsim-mpi), or how
// the process ends is decided (atcsim-mpi: every rank has agreed on the exit
// code, and mpirun sends SIGTERM to the ranks still exiting when one has
// exited non-zero).
inline void ignore_stop_signals() {
  detail::settled.store(true);
}

// While alive, a first SIGINT/SIGTERM requests a graceful stop instead of
// exiting at once.
class GracefulStop {
 public:
  GracefulStop() { detail::graceful_stop.store(true); }
  ~GracefulStop() { detail::graceful_stop.store(false); }
  GracefulStop(const GracefulStop&) = delete;
  GracefulStop& operator=(const GracefulStop&) = delete;
};

}  // namespace atc::cli
