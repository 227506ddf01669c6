// gene_network step 1: base expression, regulation, schedules and the network product, against
// hand-computed values and a dense reference.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gene_network/conditions.hpp"
#include "gene_network/generation_kernels.hpp"
#include "gene_network/regulatory_network.hpp"

using namespace cohort::models::gene_network;

namespace {

Conditions at_tf(double c) {
  Conditions k;
  k.tf_concentration = c;
  return k;
}

// e = kernel(x) for one column of G genes, padded to a line of individuals.
template <class T>
std::vector<T> express_one(const ExpressionPlan<T>& plan, const std::vector<T>& x) {
  const std::size_t width = kLineValues<T>;
  std::vector<T> xs(plan.genes * width, T(0)), es(plan.genes * width, T(-1));
  for (std::uint32_t g = 0; g < plan.genes; ++g)
    xs[g * width] = x[g];
  express(plan, xs.data(), width, es.data(), width, width);
  std::vector<T> e(plan.genes);
  for (std::uint32_t g = 0; g < plan.genes; ++g)
    e[g] = es[g * width];
  return e;
}

}  // namespace

TEST_CASE("base expression: constant, linear and hill against hand-computed values") {
  const auto make = [](BaseRule rule) {
    BaseExpression b;
    b.rule = rule;
    return b;
  };
  BaseExpression constant = make(BaseRule::constant);
  constant.level = 0.75;
  CHECK(constant(at_tf(3.0)) == 0.75);

  BaseExpression linear = make(BaseRule::linear);
  linear.slope = 2.0;
  linear.intercept = 3.0;
  CHECK(linear(at_tf(2.0)) == 7.0);  // 2 * 2 + 3
  BaseExpression repressed = make(BaseRule::linear);
  repressed.slope = -1.0;
  repressed.intercept = 0.5;
  CHECK(repressed(at_tf(2.0)) == 0.0);               // max(0, -2 + 0.5)
  CHECK_FALSE(std::signbit(repressed(at_tf(0.5))));  // -0.5 + 0.5 = 0, not -0

  BaseExpression hill = make(BaseRule::hill);
  hill.v_max = 2.0;
  hill.k = 1.0;
  hill.n = 2.0;
  CHECK(hill(at_tf(1.0)) == 1.0);               // 2 * 1 / (1 + 1)
  CHECK(hill(at_tf(3.0)) == 2.0 * 9.0 / 10.0);  // 2 * 9 / (1 + 9)
  CHECK(hill(at_tf(0.0)) == 0.0);
  BaseExpression michaelis = make(BaseRule::hill);
  michaelis.v_max = 1.0;
  michaelis.k = 0.5;
  michaelis.n = 1.0;
  CHECK(michaelis(at_tf(0.5)) == 0.5);
}

TEST_CASE("regulation rules match the reference's examples, clamped at 0") {
  // happygene's docstrings: additive 5 + 2 * 3 = 11; 1 - 1 * 5 -> 0; multiplicative
  // 10 * (1 + 0.5 * 2) = 20; 10 * (1 - 1 * 1) = 0.
  CHECK(clamp_level(regulate<RegulationRule::additive>(5.0, 2.0, 3.0)) == 11.0);
  CHECK(clamp_level(regulate<RegulationRule::additive>(1.0, -1.0, 5.0)) == 0.0);
  CHECK(clamp_level(regulate<RegulationRule::multiplicative>(10.0, 0.5, 2.0)) == 20.0);
  CHECK(clamp_level(regulate<RegulationRule::multiplicative>(10.0, -1.0, 1.0)) == 0.0);
  CHECK(clamp_level(std::nan("")) == 0.0);  // Python's max(0.0, nan) is 0.0
  CHECK_FALSE(std::signbit(clamp_level(-0.0)));
}

TEST_CASE("a condition schedule switches at its generations") {
  ConditionSchedule s;
  s.initial = at_tf(0.0);
  s.changes = {{10, at_tf(1.0)}, {20, at_tf(2.0)}};
  CHECK(s.at(0).tf_concentration == 0.0);
  CHECK(s.at(9).tf_concentration == 0.0);
  CHECK(s.at(10).tf_concentration == 1.0);
  CHECK(s.at(19).tf_concentration == 1.0);
  CHECK(s.at(20).tf_concentration == 2.0);
  CHECK(s.at(1000).tf_concentration == 2.0);
  CHECK(s.at(15).temperature == 37.0);  // a change is a whole new Conditions()
}

TEST_CASE("the network is stored by target, sources ascending, duplicates summed") {
  const RegulatoryNetwork n(4, {{2, 0, 0.5}, {1, 0, 0.25}, {3, 2, -1.0}, {1, 0, 0.125}});
  CHECK(n.edge_count() == 3);
  CHECK(n.offsets() == std::vector<std::uint32_t>{0, 2, 2, 3, 3});
  CHECK(n.sources() == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(n.weights() == std::vector<double>{0.375, 0.5, -1.0});
  CHECK(n.product({1.0, 2.0, 4.0, 8.0}) == std::vector<double>{0.375 * 2 + 0.5 * 4, 0, -8, 0});
}

TEST_CASE("regulated expression on a hand-computed three-gene network") {
  // W: 0 -> 1 (0.5), 2 -> 1 (-0.25), 1 -> 2 (2); gene 0 has no regulator.
  const RegulatoryNetwork n(3, {{0, 1, 0.5}, {2, 1, -0.25}, {1, 2, 2.0}});
  ExpressionPlan<double> plan{
      .genes = 3,
      .base = 0.5,
      .rule = RegulationRule::additive,
      .weight = 1.0,
      .has_network = true,
      .network = {n.offsets().data(), n.sources().data(), n.weights().data()}};
  const std::vector<double> x = {0.4, 0.2, 0.8};
  // tf = (0, 0.5 * 0.4 - 0.25 * 0.8, 2 * 0.2) = (0, 0, 0.4)
  CHECK(express_one(plan, x) == std::vector<double>{0.5, 0.5 + (0.2 + -0.2), 0.5 + 0.4});
  plan.rule = RegulationRule::multiplicative;
  plan.weight = -2.0;  // b * (1 - 2 tf): gene 2 -> 0.5 * (1 - 0.8) = 0.1
  CHECK(express_one(plan, x)[2] == 0.5 * (1.0 + -2.0 * 0.4));
  plan.weight = -5.0;  // 0.5 * (1 - 2) < 0: clamped
  CHECK(express_one(plan, x)[2] == 0.0);
  plan.rule = RegulationRule::none;  // the network is ignored: max(0, b) everywhere
  CHECK(express_one(plan, x) == std::vector<double>{0.5, 0.5, 0.5});
  plan.rule = RegulationRule::additive;
  plan.has_network = false;  // no network: tf = 0
  CHECK(express_one(plan, x) == std::vector<double>{0.5, 0.5, 0.5});
}

TEST_CASE("the blocked network product equals a dense reference, bit for bit") {
  constexpr std::uint32_t genes = 60;
  constexpr std::size_t individuals = 40;  // five lines of doubles
  const RegulatoryNetwork n = RegulatoryNetwork::random(genes, 0.1, -0.5, 0.5, 9);
  REQUIRE(n.edge_count() > 200);
  std::vector<double> dense(genes * genes, 0.0);  // W[target][source]
  for (std::uint32_t t = 0; t < genes; ++t)
    for (std::uint32_t k = n.offsets()[t]; k < n.offsets()[t + 1]; ++k)
      dense[t * genes + n.sources()[k]] = n.weights()[k];

  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> level(0.0, 2.0);
  std::vector<double> x(genes * individuals), e(genes * individuals);
  for (double& v : x)
    v = level(rng);
  // additive, b = 0, w = 1: e = max(0, 0 + 1 * tf) = max(0, tf) exactly.
  const ExpressionPlan<double> plan{
      .genes = genes,
      .base = 0.0,
      .rule = RegulationRule::additive,
      .weight = 1.0,
      .has_network = true,
      .network = {n.offsets().data(), n.sources().data(), n.weights().data()}};
  express(plan, x.data(), individuals, e.data(), individuals, individuals);
  for (std::size_t i = 0; i < individuals; ++i)
    for (std::uint32_t t = 0; t < genes; ++t) {
      double tf = 0.0;  // dense row, sources ascending, zeros skipped (adding 0 changes nothing)
      for (std::uint32_t s = 0; s < genes; ++s)
        if (dense[t * genes + s] != 0.0) tf += dense[t * genes + s] * x[s * individuals + i];
      REQUIRE(e[t * individuals + i] == (tf > 0 ? tf : 0.0));
    }
}

TEST_CASE("the float kernel follows the same rule in single precision") {
  const RegulatoryNetwork n(2, {{0, 1, 0.5}});
  const std::vector<float> weights(n.weights().begin(), n.weights().end());
  const ExpressionPlan<float> plan{
      .genes = 2,
      .base = 0.25f,
      .rule = RegulationRule::additive,
      .weight = 2.0f,
      .has_network = true,
      .network = {n.offsets().data(), n.sources().data(), weights.data()}};
  CHECK(express_one(plan, std::vector<float>{0.5f, 0.1f}) ==
        std::vector<float>{0.25f, 0.25f + 2.0f * (0.5f * 0.5f)});
}

TEST_CASE("the random network visits pairs source-major and never draws a self-loop") {
  const RegulatoryNetwork full = RegulatoryNetwork::random(5, 1.0, -0.5, 0.5, 1);
  CHECK(full.edge_count() == 20);
  for (std::uint32_t t = 0; t < 5; ++t)
    for (std::uint32_t k = full.offsets()[t]; k < full.offsets()[t + 1]; ++k) {
      CHECK(full.sources()[k] != t);
      CHECK(full.weights()[k] >= -0.5);
      CHECK(full.weights()[k] < 0.5);
    }
  CHECK(RegulatoryNetwork::random(50, 0.0, 0, 1, 1).edge_count() == 0);
  // Density 0.05 over 100 x 99 pairs: 495 expected, sd 21.7.
  const std::size_t edges = RegulatoryNetwork::random(100, 0.05, -0.5, 0.5, 42).edge_count();
  CHECK(edges > 495 - 4 * 22);
  CHECK(edges < 495 + 4 * 22);
  // Same seed, same network; another seed, another one.
  CHECK(RegulatoryNetwork::random(30, 0.2, 0, 1, 7).weights() ==
        RegulatoryNetwork::random(30, 0.2, 0, 1, 7).weights());
  CHECK(RegulatoryNetwork::random(30, 0.2, 0, 1, 7).weights() !=
        RegulatoryNetwork::random(30, 0.2, 0, 1, 8).weights());
}
