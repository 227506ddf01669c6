#include "cohort/engine/random/normal_sampler.hpp"

namespace cohort::engine {
inline namespace random_layer {

namespace {

ZigguratTables build() {
  ZigguratTables t;
  const auto f = [](double x) { return std::exp(-0.5 * x * x); };
  const double r = ZigguratTables::kTailStart;
  const double v = ZigguratTables::kLayerArea;
  t.x[0] = v / f(r);
  t.x[1] = r;
  // Each layer has area v: x[i] * (f(x[i + 1]) - f(x[i])) = v.
  for (int i = 1; i < 255; ++i)
    t.x[i + 1] = std::sqrt(-2.0 * std::log(v / t.x[i] + f(t.x[i])));
  t.x[256] = 0.0;
  for (int i = 0; i < 257; ++i)
    t.f[i] = f(t.x[i]);
  t.f[0] = f(r);  // the base strip's top is the curve at r (its x[0] is a virtual width)
  return t;
}

}  // namespace

const ZigguratTables& ZigguratTables::get() {
  static const ZigguratTables tables = build();
  return tables;
}

}  // namespace random_layer
}  // namespace cohort::engine
