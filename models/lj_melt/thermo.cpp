#include "thermo.hpp"

#include <cstdio>

namespace cohort::models::lj {

Thermo thermo(double sum_mv2, double pair_energy, double virial, std::uint64_t atoms,
              double volume) {
  const double n = static_cast<double>(atoms);
  const double dof = 3.0 * n - 3.0;  // dimension * N minus the extra dof (= dimension)
  Thermo t;
  t.temp = sum_mv2 * (1.0 / (dof * 1.0));  // tfactor = mvv2e / (dof * boltz)
  t.e_pair = pair_energy / n;
  const double ke = t.temp * (0.5 * dof * 1.0) / n;
  t.tot_eng = t.e_pair + ke;
  const double inv_volume = 1.0 / volume;
  t.press = (dof * 1.0 * t.temp + virial) / 3.0 * inv_volume * 1.0;
  return t;
}

std::string thermo_header() {
  return "Step Temp E_pair E_mol TotEng Press";
}

std::string thermo_line(std::uint64_t step, const Thermo& t) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu %.8g %.8g %.8g %.8g %.8g",
                static_cast<unsigned long long>(step), t.temp, t.e_pair, t.e_mol, t.tot_eng,
                t.press);
  return buf;
}

}  // namespace cohort::models::lj
