#pragma once
// Random and regular network generators. Each takes a RandomStream, so a
// network is a pure function of (seed, replicate, site, purpose).
#include <vector>

#include "sim/graph/csr.hpp"
#include "sim/rng/random.hpp"

namespace atc::sim {

// Erdos-Renyi G(n, p), in O(n + m) by geometric skipping (Batagelj & Brandes 2005).
CsrGraph erdos_renyi(std::size_t n, double p, RandomStream& rng);

// G(n, p) with p = mean_degree / (n - 1).
CsrGraph erdos_renyi_mean_degree(std::size_t n, double mean_degree, RandomStream& rng);

// Watts & Strogatz (1998): ring of n nodes each linked to its k nearest
// neighbours (k even), each edge rewired with probability beta.
CsrGraph watts_strogatz(std::size_t n, std::size_t k, double beta, RandomStream& rng);

// Stochastic block model: consecutive blocks of the given sizes; an edge within
// a block with probability p_in, between blocks with probability p_out.
CsrGraph stochastic_block(const std::vector<std::size_t>& block_sizes, double p_in, double p_out,
                          RandomStream& rng);

enum class Neighbourhood { VonNeumann, Moore };

// width x height grid; node id = y * width + x.
CsrGraph lattice_2d(std::size_t width, std::size_t height, Neighbourhood neighbourhood, bool periodic);

}  // namespace atc::sim
