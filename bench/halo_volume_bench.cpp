// Weak scaling of distributed lj_melt on paper: for 64 to 1024 ranks with the benchmark's
// 32,000 atoms each (fcc at reduced density 0.8442), the recursive bisection that `mpirun -np R
// cohort run` computes, and the halo it implies: ghosts per rank (atoms of other ranks within
// cutoff + skin = 2.8 of its region), the bytes sent per step to refresh their positions (24 B
// each), and the ranks each one talks to. Computed for a sample of ranks (the bisection for all).
//
//   build/release/bench/halo_volume_bench [atoms per rank = 32000] [max ranks = 1024]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "cohort/distributed/box_decomposition.hpp"
#include "lj_melt/lattice.hpp"

using Vec3 = cohort::space::Vec<3>;

int main(int argc, char** argv) {
  const double per_rank = argc > 1 ? std::atof(argv[1]) : 32000;
  const int max_ranks = argc > 2 ? std::atoi(argv[2]) : 1024;
  const double a = cohort::models::lj::fcc_spacing(0.8442), range = 2.5 + 0.3;
  std::printf("%6s %10s %12s %10s %10s %12s %10s %12s\n", "ranks", "atoms", "atoms/rank",
              "imbalance", "ghosts", "ghost/owned", "KB/step", "neighbours");
  for (int ranks = 64; ranks <= max_ranks; ranks *= 2) {
    // The lattice closest to ranks x per_rank atoms, as near a cube as integers allow.
    const int n = static_cast<int>(std::lround(std::cbrt(ranks * per_rank / 4)));
    const std::vector<Vec3> atoms = cohort::models::lj::fcc_positions(n, n, n, a);
    const cohort::space::Box<3> box({n * a, n * a, n * a}, {true, true, true});
    const auto d = cohort::distributed::BoxDecomposition<3>::bisect(box, atoms, ranks);
    std::vector<std::size_t> owned(static_cast<std::size_t>(ranks), 0);
    for (const Vec3& p : atoms)
      ++owned[static_cast<std::size_t>(d.owner(p))];
    const auto hi = std::max_element(owned.begin(), owned.end());
    const double mean = static_cast<double>(atoms.size()) / ranks;
    // Ghosts of a sample of ranks: every atom elsewhere within range of the region.
    std::vector<int> sample;
    for (int r = 0; r < ranks; r += std::max(1, ranks / 8))
      sample.push_back(r);
    double ghosts = 0, partners = 0;
    for (int r : sample) {
      std::set<int> talks;
      std::size_t g = 0;
      for (const Vec3& p : atoms) {
        const int owner = d.owner(p);
        if (owner == r) continue;
        if (d.near(p, range, r)) {
          ++g;
          talks.insert(owner);
        }
      }
      ghosts += static_cast<double>(g);
      partners += static_cast<double>(talks.size());
    }
    ghosts /= static_cast<double>(sample.size());
    partners /= static_cast<double>(sample.size());
    std::printf("%6d %10zu %12.0f %10.3f %10.0f %12.3f %10.1f %12.1f\n", ranks, atoms.size(), mean,
                static_cast<double>(*hi) / mean, ghosts, ghosts / mean,
                ghosts * sizeof(Vec3) / 1024.0, partners);
  }
}
