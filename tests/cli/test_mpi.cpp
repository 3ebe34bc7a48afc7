// atcsim-mpi deals runs across ranks; the data must equal a one-process run.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "support/h5read.hpp"
#include "support/process.hpp"

#ifdef ATCSIM_MPI_BINARY
namespace fs = std::filesystem;
using atc::test::TempDir;

namespace {
atc::test::ProcessResult mpirun(int ranks, const std::vector<std::string>& args) {
  // Tests run as root in CI; Open MPI refuses that unless told explicitly.
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
#ifdef __SANITIZE_ADDRESS__
  // Open MPI's own start-up allocations are never freed; LeakSanitizer would
  // report them (not ours) and change the exit code.
  setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
#endif
  std::vector<std::string> full{ATCSIM_MPIRUN, "-n", std::to_string(ranks), ATCSIM_MPI_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  return atc::test::run_process(full);
}
}  // namespace

TEST_CASE("MPI runs give the same data as one process, for any rank count", "[mpi][determinism]") {
  TempDir dir;
  dir.write(
      "c.toml",
      "[experiment]\nsteps = 30\nreplicates = 5\nseed = 5\n[model]\nname = \"canonical/watts\"\n"
      "n = 4000\n[[scenario]]\nname = \"a\"\nmodel = { mean_degree = 2.0 }\n[[scenario]]\nname = \"b\"\n");
  const auto cfg = dir.file("c.toml");
  REQUIRE(atc::test::atcsim({"run", cfg, "-o", dir.file("one.h5"), "--quiet"}).exit_code == 0);
  const auto reference = atc::test::read_variables(dir.file("one.h5"));
  for (int ranks : {1, 2, 3}) {
    const auto out = dir.file("mpi" + std::to_string(ranks) + ".h5");
    const auto r = mpirun(ranks, {"run", cfg, "-o", out, "--quiet"});
    INFO("ranks " << ranks << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(fs::exists(out + ".partial"));
    CHECK(atc::test::read_variables(out) == reference);
  }
}

TEST_CASE("MPI runs reject bad input once, with exit code 2 and no output", "[mpi][config]") {
  TempDir dir;
  dir.write("c.toml", "[model]\nname = \"canonical/watts\"\nphi = 3\n");
  const auto out = dir.file("bad.h5");
  const auto r = mpirun(2, {"run", dir.file("c.toml"), "-o", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("model.phi: expected a real number in [0, 1]"));
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
}
#endif
