#include <catch2/catch.hpp>

#include <oneapi/tbb/global_control.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "sim/exec/parallel.hpp"

using atc::sim::Parallel;

TEST_CASE("Parallel::invoke runs every function once, in argument order when disabled", "[exec][parallel]") {
  std::vector<int> order;
  Parallel(false).invoke([&] { order.push_back(1); }, [&] { order.push_back(2); },
                         [&] { order.push_back(3); });
  CHECK(order == std::vector<int>{1, 2, 3});

  oneapi::tbb::global_control cap(oneapi::tbb::global_control::max_allowed_parallelism, 2);
  std::atomic<int> a{0}, b{0};
  std::vector<double> sums(4);
  // Each piece may run its own parallel loop (nested): a reduction inside
  // gives the same bits as run alone.
  const Parallel par(true, 64);
  auto sum = [&] {
    return par.reduce<double>(10'000, [](std::size_t begin, std::size_t end) {
      double s = 0;
      for (std::size_t i = begin; i < end; ++i) s += 1.0 / static_cast<double>(i + 1);
      return s;
    });
  };
  const double alone = sum();
  par.invoke([&] { a += 1; }, [&] { sums[0] = sum(); }, [&] { b += 1; }, [&] { sums[1] = sum(); });
  CHECK(a == 1);
  CHECK(b == 1);
  CHECK(sums[0] == alone);  // bit-identical, not approximately
  CHECK(sums[1] == alone);
}

TEST_CASE("Parallel::invoke passes on an exception of one of its functions", "[exec][parallel]") {
  for (const bool enabled : {false, true}) {
    INFO("enabled " << enabled);
    std::atomic<int> ran{0};
    CHECK_THROWS_AS(Parallel(enabled).invoke([&] { ++ran; }, [] { throw std::runtime_error("disk full"); }),
                    std::runtime_error);
    CHECK(ran <= 1);
  }
}

TEST_CASE("Parallel::for_each_in_tasks_of calls f once for every index whatever the task size",
          "[exec][parallel]") {
  oneapi::tbb::global_control cap(oneapi::tbb::global_control::max_allowed_parallelism, 2);
  for (const bool enabled : {false, true}) {
    for (const std::size_t per_task : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{32}}) {
      for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{31}, std::size_t{100}}) {
        INFO("enabled " << enabled << ", per_task " << per_task << ", n " << n);
        std::vector<std::atomic<int>> calls(n);
        Parallel(enabled).for_each_in_tasks_of(per_task, n, [&](std::size_t i) { calls.at(i) += 1; });
        for (std::size_t i = 0; i < n; ++i) CHECK(calls[i] == 1);
      }
    }
  }
  // Disabled, the indices come in order (one thread, the serial order).
  std::vector<std::size_t> order;
  Parallel(false).for_each_in_tasks_of(4, 10, [&](std::size_t i) { order.push_back(i); });
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}
