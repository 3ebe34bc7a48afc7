// The Catch2 main lives alone in its own translation unit (slow to compile,
// compiled once).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
