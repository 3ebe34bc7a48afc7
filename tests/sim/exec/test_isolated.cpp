// run_isolated: a crash or a loop in the work ends the child, not the caller.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include "sim/exec/isolated.hpp"

using atc::sim::run_isolated;

TEST_CASE("run_isolated returns the work's exit code and text", "[exec][isolated]") {
  const auto out = run_isolated(
      [](std::string& text) {
        text = "described";
        return 3;
      },
      10);
  CHECK(out.finished);
  CHECK(out.exit_code == 3);
  CHECK(out.text == "described");
}

TEST_CASE("run_isolated reports an exception as exit 1 with its message", "[exec][isolated]") {
  const auto out = run_isolated([](std::string&) -> int { throw std::runtime_error("cannot read"); }, 10);
  CHECK(out.finished);
  CHECK(out.exit_code == 1);
  CHECK(out.text == "cannot read");
}

TEST_CASE("run_isolated survives a crash of the work and names the signal", "[exec][isolated]") {
  const auto out = run_isolated(
      [](std::string& text) {
        text = "never sent";
        // Dies of the signal, as atcsim would (nothing there handles it): the
        // test binary's own handlers (Catch2's, AddressSanitizer's) would
        // report it and exit instead.
        std::signal(SIGSEGV, SIG_DFL);
        std::raise(SIGSEGV);
        return 0;
      },
      10);
  CHECK_FALSE(out.finished);
  CHECK(out.signal == SIGSEGV);
  CHECK(atc::sim::signal_name(out.signal) == "SIGSEGV");
  CHECK(out.text.empty());
}

TEST_CASE("run_isolated stops a work that loops at its CPU limit", "[exec][isolated]") {
  const auto out = run_isolated(
      [](std::string&) {
        volatile unsigned long spin = 0;
        for (;;) spin = spin + 1;
        return 0;
      },
      1);
  CHECK_FALSE(out.finished);
  CHECK(out.signal == SIGXCPU);
  CHECK(atc::sim::signal_name(out.signal) == "SIGXCPU");
}
