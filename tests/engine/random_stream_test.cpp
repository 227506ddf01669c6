// Counter-based random streams: reproducible, independent across keys, correctly distributed.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "cohort/engine/random_stream.hpp"

using namespace cohort::engine;

TEST_CASE("a stream is a pure function of its key") {
  RandomStream a(42, 1, AgentId(7, 0), 3, 0);
  RandomStream b(42, 1, AgentId(7, 0), 3, 0);
  for (int i = 0; i < 100; ++i)
    CHECK(a.next_u32() == b.next_u32());
}

TEST_CASE("changing any part of the key changes the numbers") {
  auto first = [](RandomStream s) { return s.next_u64(); };
  std::set<std::uint64_t> seen{first(RandomStream(42, 1, AgentId(7, 0), 3, 0)),
                               first(RandomStream(43, 1, AgentId(7, 0), 3, 0)),
                               first(RandomStream(42, 2, AgentId(7, 0), 3, 0)),
                               first(RandomStream(42, 1, AgentId(8, 0), 3, 0)),
                               first(RandomStream(42, 1, AgentId(7, 1), 3, 0)),
                               first(RandomStream(42, 1, AgentId(7, 0), 4, 0)),
                               first(RandomStream(42, 1, AgentId(7, 0), 3, 1)),
                               first(RandomStream::for_population(42, 1, 3, 0))};
  CHECK(seen.size() == 8);
}

TEST_CASE("streams of neighbouring agents are uncorrelated") {
  // Correlation of uniform draws between agent i and agent i+1 over many agents.
  const int n = 200000;
  double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = RandomStream(1, 0, AgentId(i, 0), 0, 0).uniform();
    const double y = RandomStream(1, 0, AgentId(i + 1, 0), 0, 0).uniform();
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  const double cov = sxy / n - (sx / n) * (sy / n);
  const double r =
      cov / std::sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
  CHECK(std::fabs(r) < 4.0 / std::sqrt(n));  // within 4 standard errors of zero
}

TEST_CASE("uniform, below, bernoulli and normal have the right moments") {
  RandomStream s(5, 0, AgentId(0, 0), 0, 0);
  const int n = 1000000;
  double sum = 0, sumsq = 0;
  std::vector<int> counts(10, 0);
  int hits = 0;
  double nsum = 0, nsumsq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sumsq += u * u;
    ++counts[s.below(10)];
    hits += s.bernoulli(0.3) ? 1 : 0;
    const double z = s.normal();
    nsum += z;
    nsumsq += z * z;
  }
  CHECK(sum / n == doctest::Approx(0.5).epsilon(0.002));
  CHECK(sumsq / n - (sum / n) * (sum / n) == doctest::Approx(1.0 / 12).epsilon(0.01));
  for (int c : counts)
    CHECK(std::abs(c - n / 10) < 4 * std::sqrt(n * 0.1 * 0.9));
  CHECK(std::abs(hits - 0.3 * n) < 4 * std::sqrt(n * 0.3 * 0.7));
  CHECK(std::fabs(nsum / n) < 4.0 / std::sqrt(n));
  CHECK(nsumsq / n == doctest::Approx(1.0).epsilon(0.01));
}
