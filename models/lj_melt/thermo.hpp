#pragma once
// LAMMPS' thermo output of the LJ benchmark (`thermo_style one`, LJ units, norm yes): the
// formulas of ComputeTemp, ComputePE, Thermo::compute_etotal and ComputePressure, evaluated in
// LAMMPS' order of operations. specs/lj_melt.md, section 9.

#include <cstdint>
#include <string>

namespace cohort::models::lj {

/// One thermo row.
struct Thermo {
  double temp = 0;     ///< sum m v^2 / (3N - 3)
  double e_pair = 0;   ///< pair energy per atom
  double e_mol = 0;    ///< always 0 (no bonds)
  double tot_eng = 0;  ///< e_pair + kinetic energy per atom
  double press = 0;    ///< (dof T + virial) / (3 V)
};

/// Thermo of `atoms` atoms (mass 1) from sum m v^2, the pair energy and virial, and the volume.
Thermo thermo(double sum_mv2, double pair_energy, double virial, std::uint64_t atoms,
              double volume);

/// "Step Temp E_pair E_mol TotEng Press", as LAMMPS' header.
std::string thermo_header();
/// One row with LAMMPS' 8 significant digits (%.8g).
std::string thermo_line(std::uint64_t step, const Thermo& t);

}  // namespace cohort::models::lj
