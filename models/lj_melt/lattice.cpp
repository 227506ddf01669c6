#include "lattice.hpp"

#include <cmath>
#include <cstring>

namespace cohort::models::lj {

double fcc_spacing(double density) {
  return std::pow(4.0 / 1.0 / density, 1.0 / 3.0);
}

std::vector<Vec3> fcc_positions(int nx, int ny, int nz, double a) {
  static constexpr double kBasis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  std::vector<Vec3> out;
  out.reserve(4 * static_cast<std::size_t>(nx) * ny * nz);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i)
        for (const auto& b : kBasis)
          out.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
  return out;
}

double ParkMiller::uniform() {
  constexpr std::int32_t kA = 16807, kM = 2147483647, kQ = 127773, kR = 2836;
  const std::int32_t k = seed_ / kQ;
  seed_ = kA * (seed_ - k * kQ) - kR * k;
  if (seed_ < 0) seed_ += kM;
  return (1.0 / kM) * seed_;
}

std::int32_t loop_geom_seed(std::int32_t base, const Vec3& coord) {
  unsigned char bytes[sizeof base + sizeof(double) * 3];
  std::memcpy(bytes, &base, sizeof base);
  std::memcpy(bytes + sizeof base, coord.data(), sizeof(double) * 3);
  std::uint32_t hash = 0;
  for (unsigned char b : bytes) {
    // LAMMPS adds the byte as a (signed) char: bytes >= 0x80 subtract, modulo 2^32.
    hash += static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(b)));
    hash += hash << 10;
    hash ^= hash >> 6;
  }
  hash += hash << 3;
  hash ^= hash >> 11;
  hash += hash << 15;
  const auto seed = static_cast<std::int32_t>(hash & 0x7ffffff);  // 27 bits, as LAMMPS keeps
  return seed == 0 ? 1 : seed;
}

void ParkMiller::reset(std::int32_t base, const Vec3& coord) {
  seed_ = loop_geom_seed(base, coord);
  for (int i = 0; i < 5; ++i)
    uniform();
}

Vec3 loop_geom_velocity(std::int32_t seed, const Vec3& x) {
  ParkMiller rng(seed);
  rng.reset(seed, x);
  const double vx = rng.uniform() - 0.5;
  const double vy = rng.uniform() - 0.5;
  const double vz = rng.uniform() - 0.5;
  return {vx, vy, vz};
}

std::vector<Vec3> create_velocities(const std::vector<Vec3>& positions, double temperature,
                                    std::int32_t seed) {
  std::vector<Vec3> v(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i)
    v[i] = loop_geom_velocity(seed, positions[i]);
  // Zero the momentum (Velocity::zero_momentum: p / total mass, subtracted from each atom).
  double p[3] = {0, 0, 0};
  for (const Vec3& u : v)
    for (int a = 0; a < 3; ++a)
      p[a] += u[a] * 1.0;
  const double mass = static_cast<double>(v.size());
  double vcm[3];
  for (int a = 0; a < 3; ++a)
    vcm[a] = p[a] / mass;
  for (Vec3& u : v)
    for (int a = 0; a < 3; ++a)
      u[a] -= vcm[a];
  // Rescale to the temperature (ComputeTemp: sum m v^2 * mvv2e / (dof * boltz), dof = 3N - 3).
  double sum = 0;
  for (const Vec3& u : v)
    sum += (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) * 1.0;
  const double dof = 3.0 * static_cast<double>(v.size()) - 3.0;
  const double t = sum * (1.0 / (dof * 1.0));
  const double factor = std::sqrt(temperature / t);
  for (Vec3& u : v)
    for (int a = 0; a < 3; ++a)
      u[a] *= factor;
  return v;
}

}  // namespace cohort::models::lj
